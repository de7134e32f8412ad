import { isOn } from "../controls/results.js";
import { RELEASE_CONTROLS, TAG_CONTROLS } from "../controls/catalogue.js";
import { evaluateTagControls } from "../controls/evaluate-ref-controls.js";
import type { ControlResult } from "../controls/results.js";
import { readTag, readTagSignature } from "../github/refs/tag-snapshot.js";
import { repositoryKey } from "../github/types.js";
import { inlineCode } from "../common/markdown.js";
import { beginEvaluation } from "./begin-evaluation.js";
import { withRepositoryLock, type EvaluationDeps } from "./evaluate-pull-request.js";
import { refAuditLine, reportRefConfigError, reportRefFindings, type RefReport } from "./report-ref-findings.js";
import { loadRefPolicy } from "./ref-policy.js";
import { formatConfigError } from "../config/config-error.js";
import { audit } from "../audit/audit-log.js";
import type { RecentTagWindow } from "../controls/unannounced-tags.js";
import { catchUpUnannouncedTags, UNANNOUNCED_ACTOR } from "./catch-up-tags.js";

export interface TagTarget {
  owner: string;
  repo: string;
  tag: string;
  /** A release event: the release of the tag is read too (`release-notes`). */
  release: boolean;
  /** A new tag (create event, or a push creating it): skipped when its other event was just evaluated. */
  isNew: boolean;
  /** Who created the tag or published the release. */
  actor: string;
  htmlUrl: string;
  /** Also evaluate the recent tags GitHub sent no event for (default); off for those catch-up evaluations themselves. */
  catchUp?: boolean;
}

export interface TagOutcome {
  status: "reported" | "skipped";
  reason?: string;
  commitSha?: string;
  results?: ControlResult[];
  written?: RefReport;
  requests: number;
  /** The repository's latest tags, read with the tag. */
  recentTags?: RecentTagWindow;
  /** Tags GitHub sent no event for, evaluated after this one. */
  caughtUpTags?: string[];
}

/**
 * Evaluates a tag (`release-tag`, `signed-release`) or a published release (also `release-notes`) from fresh state,
 * and reports it on the tag's commit. Serialized per repository with every other evaluation.
 */
export async function evaluateTag(deps: EvaluationDeps, target: TagTarget): Promise<TagOutcome> {
  const outcome = await withRepositoryLock(deps.memory, target.owner, target.repo, () => evaluateNow(deps, target));
  if (target.catchUp === false) return outcome;
  const { owner, repo, htmlUrl } = target;
  const caughtUpTags = await catchUpUnannouncedTags(deps, { owner, repo }, outcome.recentTags, target.tag, (tag) =>
    evaluateTag(deps, { owner, repo, tag, release: false, isNew: true, actor: UNANNOUNCED_ACTOR, htmlUrl, catchUp: false }),
  );
  return caughtUpTags.length ? { ...outcome, caughtUpTags } : outcome;
}

async function evaluateNow(deps: EvaluationDeps, target: TagTarget): Promise<TagOutcome> {
  const { octokit, log, appId, memory } = deps;
  const { requests, evaluatedAt, readMark } = beginEvaluation(deps);
  const { owner, repo, tag } = target;
  // A repository file that cannot be loaded is set aside: the tag is judged under the org's policy (ref-policy.ts).
  const loaded = await loadRefPolicy(octokit, owner, repo, memory.cache);
  if (loaded.ok && !loaded.configError && [...TAG_CONTROLS, ...RELEASE_CONTROLS].every((control) => !isOn(control.id, loaded.config))) {
    return { status: "skipped", reason: "the tag controls are off", requests: requests() };
  }
  const read = await readTag(octokit, { owner, repo, tag, withRelease: target.release, withRecentTags: target.catchUp !== false }, appId);
  const recentTags = read.recentTags;
  if (target.release && read.releaseMissing) return { status: "skipped", reason: `no published release for ${tag}`, requests: requests() };
  const commitSha = read.snapshot.commitSha;
  // A tag deleted before this evaluation leaves no commit to report on (its creation is in the log).
  if (!commitSha) {
    log.warn({ owner, repo, tag }, "tag not found; nothing to report on");
    return { status: "skipped", reason: `tag ${tag} no longer exists`, requests: requests() };
  }
  // A new tag arrives as `create` and `push`: the second finds the same tag on the same commit and stops here. A tag
  // deleted and created again on another commit is a new tag, and is evaluated.
  const recentKey = `${repositoryKey(owner, repo)}:tag:${tag}`;
  if (target.isNew && memory.recentTags.get(recentKey) === commitSha) {
    return {
      status: "skipped",
      reason: `tag ${tag} on ${commitSha.slice(0, 7)} was evaluated moments ago (create and push events of one tag)`,
      requests: requests(),
      recentTags,
    };
  }
  // Remembered once reported: if the report fails, the tag's other event evaluates it again.
  const reported = () => {
    if (target.isNew) memory.recentTags.set(recentKey, commitSha);
  };

  const subject = `${target.release ? "release" : "tag"} ${inlineCode(tag)}`;
  if (!loaded.ok) {
    const run = { owner, repo, sha: commitSha, subject, existing: read.existingCheckRun, externalId: `tag:${tag}`, evaluatedAt, readMark };
    const written = await reportRefConfigError(deps, run, loaded.error);
    reported();
    return { status: "reported", commitSha, written, requests: requests(), recentTags };
  }

  // The signature costs a REST read: only when `signed-release` looks at it.
  const signed = isOn("signed-release", loaded.config);
  const results = evaluateTagControls(signed ? await readTagSignature(octokit, read) : read.snapshot, loaded.config);
  const findings = {
    owner,
    repo,
    sha: commitSha,
    subject,
    results,
    existing: read.existingCheckRun,
    externalId: `${target.release ? "release" : "tag"}:${tag}`,
    occurrenceKey: `${target.release ? "release" : "tag"}:${tag}@${commitSha}`,
    actor: target.actor,
    at: evaluatedAt,
    commitUrl: `${target.htmlUrl}/commit/${commitSha}`,
    config: loaded.config,
    configSources: loaded.sources,
    floorHeld: loaded.floorHeld,
    configError: loaded.configError,
    evaluatedAt,
    readMark,
  };
  const written = await reportRefFindings(deps, findings);
  reported();
  if (loaded.configError)
    log.warn({ owner, repo, subject, config: formatConfigError(loaded.configError) }, "configuration error; judged under the org policy");
  audit(
    log,
    target.release ? "release.evaluated" : "tag.evaluated",
    {
      ...refAuditLine(findings, written, {
        tag,
        annotated: read.snapshot.annotated,
        ...(loaded.configError ? { config_error: formatConfigError(loaded.configError) } : {}),
      }),
      github_requests: requests(),
    },
    `sdlc-guard ${written.report.conclusion} for ${subject} in ${owner}/${repo}`,
  );
  return { status: "reported", commitSha, results, written, requests: requests(), recentTags };
}
