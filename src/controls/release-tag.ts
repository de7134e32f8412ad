import { SEMVER_TAG_PATTERN, type ReleaseTagConfig } from "../config/schema.js";
import { inlineCode } from "../report/markdown.js";
import type { TagSnapshot } from "./ref-types.js";
import { vouchingOf, whyNotVouched } from "./pull-request-verdict.js";
import { compileUserPattern } from "./user-pattern.js";
import { cannotEvaluate, fail, pass, type Finding } from "./types.js";

/**
 * Whether a tag name is a release tag name. The pattern is searched for, not implicitly anchored: the default
 * (`SEMVER_TAG_PATTERN`) is anchored with `^…$`, and users anchor their own patterns the same way.
 */
export function isReleaseTagName(name: string, pattern: string): boolean {
  return compileUserPattern(pattern).matcher(name).find();
}

/**
 * `release-tag` (POL-008 "semantic versioning", "release tags for all production deployments"): the tag name is a
 * semantic version (or matches the configured pattern) and the tagged commit is on the default branch. Every problem
 * is reported in one reason. Draft releases are skipped by the caller.
 */
export function evaluateReleaseTag(tag: TagSnapshot, config: ReleaseTagConfig): Finding {
  const name = inlineCode(tag.name);
  const semver = config.pattern === SEMVER_TAG_PATTERN;
  const problems: string[] = [];
  const fixes: string[] = [];
  const notes: string[] = [];

  const nameMatches = isReleaseTagName(tag.name, config.pattern);
  if (!nameMatches) {
    problems.push(semver ? "is not a semantic version like `v1.4.0`" : `does not match the configured pattern ${inlineCode(config.pattern)}`);
    fixes.push(
      semver
        ? "Name release tags as semantic versions (`v1.4.0`, `2.0.0-rc.1`): create the right tag on the same commit and delete the wrong one."
        : "Name release tags to match `controls.release-tag.pattern`: create the right tag on the same commit and delete the wrong one.",
    );
  }

  const branch = inlineCode(tag.defaultBranch);
  let onBranch = "";
  if (tag.commitSha === null) {
    problems.push("does not exist on GitHub (it may have been deleted since)");
    fixes.push("Push the tag again (`git push origin <tag>`) if it was deleted by mistake.");
  } else if (config.require_on_default_branch) {
    const commit = `\`${tag.commitSha.slice(0, 7)}\``;
    if (!tag.onDefaultBranch.ok) {
      // A definite problem outweighs an unknown one; alone, the unknown one cannot be decided (fail closed).
      if (problems.length === 0) return cannotEvaluate(`whether commit ${commit} is on the default branch ${branch}`, tag.onDefaultBranch.error);
      notes.push(`Whether commit ${commit} is on the default branch ${branch} could not be read: ${tag.onDefaultBranch.error}`);
    } else if (!tag.onDefaultBranch.value) {
      problems.push(`points to commit ${commit}, which is not on the default branch ${branch}`);
      fixes.push(`Tag a commit of ${branch} (merge the release into ${branch} first), then move the tag to it.`);
    } else {
      onBranch = ` on commit ${commit} of the default branch ${branch}`;
    }
  } else {
    onBranch = ` on commit \`${tag.commitSha.slice(0, 7)}\` (being on the default branch is not required: \`require_on_default_branch: false\`)`;
  }

  if (tag.commitSha !== null) {
    // A release tag names code to ship: its commit must be vouched for by the PR that merged as it (see pull-request-verdict.ts).
    const branchOfPulls = config.require_on_default_branch ? tag.defaultBranch : null;
    if (!tag.mergedPullRequests.ok) {
      if (problems.length === 0) return cannotEvaluate(`the pull requests merged as commit \`${tag.commitSha.slice(0, 7)}\``, tag.mergedPullRequests.error);
      notes.push(`The pull requests merged as commit \`${tag.commitSha.slice(0, 7)}\` could not be read: ${tag.mergedPullRequests.error}`);
    } else {
      const vouching = vouchingOf(tag.commitSha, tag.mergedPullRequests.value, branchOfPulls);
      if (vouching.kind !== "vouched") {
        problems.push(`is not vouched for: ${whyNotVouched(tag.commitSha, vouching, branchOfPulls)}`);
        fixes.push("Tag the merge (or squash) commit of a pull request that passed sdlc-guard; land unreviewed or failing changes through a compliant pull request first.");
      } else {
        onBranch += `, the merge of PR #${vouching.by.number}, which passed sdlc-guard`;
      }
    }
  }

  if (problems.length) return fail(`Tag ${name} ${problems.join(" and ")}.`, fixes.join(" "), notes.length ? notes : undefined);
  const named = semver ? "is a semantic version" : `matches the configured pattern ${inlineCode(config.pattern)}`;
  return pass(`Tag ${name} ${named}${onBranch}.`);
}
