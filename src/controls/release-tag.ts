import { z } from "zod";
import { enforcementSchema, reportSchema } from "../config/schema-parts.js";
import { tagControl } from "./control.js";
import { isLinearTimePattern } from "../config/schema-parts.js";
import { inlineCode } from "../common/markdown.js";
import type { TagSnapshot } from "../facts/refs.js";
import { compileUserPattern } from "../common/user-pattern.js";
import { cannotEvaluate, fail, pass, type Finding } from "./finding.js";
import { vouchingOf, whyNotVouched } from "./pull-request-verdict.js";

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
export function evaluateReleaseTag(tag: TagSnapshot, config: ReleaseTagSettings): Finding {
  const name = inlineCode(tag.name);
  const semver = config.pattern === SEMVER_TAG_PATTERN;
  const problems: string[] = [];
  const fixes: string[] = [];
  const notes: string[] = [];

  const nameMatches = isReleaseTagName(tag.name, config.pattern);
  if (!nameMatches) {
    problems.push(
      semver ? "is not a semantic version like `v1.4.0`" : `does not match the configured pattern ${inlineCode(config.pattern)}`,
    );
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
      if (problems.length === 0)
        return cannotEvaluate(`whether commit ${commit} is on the default branch ${branch}`, tag.onDefaultBranch.error);
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
      if (problems.length === 0)
        return cannotEvaluate(`the pull requests merged as commit \`${tag.commitSha.slice(0, 7)}\``, tag.mergedPullRequests.error);
      notes.push(`The pull requests merged as commit \`${tag.commitSha.slice(0, 7)}\` could not be read: ${tag.mergedPullRequests.error}`);
    } else {
      const vouching = vouchingOf(tag.commitSha, tag.mergedPullRequests.value, branchOfPulls);
      if (vouching.kind !== "vouched") {
        problems.push(`is not vouched for: ${whyNotVouched(tag.commitSha, vouching, branchOfPulls)}`);
        fixes.push(
          "Tag the merge (or squash) commit of a pull request that passed sdlc-guard; land unreviewed or failing changes through a compliant pull request first.",
        );
      } else {
        onBranch += `, the merge of PR #${vouching.by.number}, which passed sdlc-guard`;
      }
    }
  }

  if (problems.length) return fail(`Tag ${name} ${problems.join(" and ")}.`, fixes.join(" "), notes.length ? notes : undefined);
  const named = semver ? "is a semantic version" : `matches the configured pattern ${inlineCode(config.pattern)}`;
  return pass(`Tag ${name} ${named}${onBranch}.`);
}

/** Semantic Versioning 2.0.0 (semver.org), with an optional `v` prefix. */
export const SEMVER_TAG_PATTERN =
  "^v?(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(\\.(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?$";

const settings = z
  .strictObject({
    enforcement: enforcementSchema.default("required"),
    report: reportSchema.default("both"),
    pattern: z
      .string()
      .min(1)
      .max(500)
      .superRefine(isLinearTimePattern)
      .default(SEMVER_TAG_PATTERN)
      .describe(
        "RE2 pattern a tag name must match. Default: a semantic version, `v` prefix optional, pre-release and build metadata allowed (v1.4.0, 2.0.0-rc.1).",
      ),
    require_on_default_branch: z
      .boolean()
      .default(true)
      .describe("The tagged commit must be on the default branch (reachable from its head)."),
  })
  .describe("`release-tag`: tags are semantic versions on a commit of the default branch; a published release has such a tag.");

export type ReleaseTagSettings = z.output<typeof settings>;

export const releaseTagControl = tagControl({
  id: "release-tag",
  family: "tag",
  settings,
  floor: { pattern: "fixed", require_on_default_branch: "true" },
  triggers: ["push", "create", "release"],
  violationIssue: {
    title: "sdlc-guard: release tags outside the versioning policy",
    intro:
      "POL-008: releases use semantic versioning and are tagged on the default branch. Each comment below is a tag or release that is not. Delete or replace the tag (e.g. `v1.4.0` on a commit of the default branch), then close this issue.",
  },
  evaluate: (tag, settings) => evaluateReleaseTag(tag, settings),
});
