import { isOn } from "../controls/results.js";
import { PUSH_CONTROLS, RELEASE_CONTROLS, TAG_CONTROLS } from "../controls/catalogue.js";
import { evaluatePushControls } from "../controls/evaluate-ref-controls.js";
import { unavailable } from "../facts/fetched.js";
import { type ControlResult } from "../controls/results.js";
import { describeGitHubError } from "../common/describe-error.js";
import { pushSnapshotOf, readPush, recheckUnmerged, reportCommitOf, type PushEvent, type PushRead } from "../github/refs/push-snapshot.js";
import { inlineCode } from "../common/markdown.js";
import { beginEvaluation } from "./begin-evaluation.js";
import { withRepositoryLock, type EvaluationDeps } from "./evaluate-pull-request.js";
import { refAuditLine, reportRefConfigError, reportRefFindings, type RefReport } from "./report-ref-findings.js";
import { loadRefPolicy } from "./ref-policy.js";
import { configErrorNotification } from "./notify-findings.js";
import { formatConfigError } from "../config/config-error.js";
import { audit } from "../audit/audit-log.js";
import type { RecentTagWindow } from "../controls/unannounced-tags.js";
import { catchUpUnannouncedTags, UNANNOUNCED_ACTOR } from "./catch-up-tags.js";
import { evaluateTag } from "./evaluate-tag.js";

export interface PushTarget extends PushEvent {
  /** The repository's default branch as the payload names it: a push there is reported even when GitHub cannot be read. */
  payloadDefaultBranch: string;
  /** https://github.com/owner/repo (or the GHE host), for links in issues. */
  htmlUrl: string;
}

export interface PushDeps extends EvaluationDeps {
  /** Wait before asking again about commits that showed no merged PR (GitHub links merges a moment later); 0: never. */
  associationRetryMs?: number;
}

export interface PushOutcome {
  status: "reported" | "skipped";
  reason?: string;
  results?: ControlResult[];
  written?: RefReport;
  requests: number;
  /** The repository's latest tags, read with the push when a tag control is on. */
  recentTags?: RecentTagWindow;
  /** Tags GitHub sent no event for, evaluated after the push. */
  caughtUpTags?: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Evaluates a push to a branch: `direct-push` (every commit arrived through a PR merged into the branch) and
 * `force-push` (no forced push, no deletion), for the default branch and protected branches only. Serialized per
 * repository with every other evaluation (the commit's check run and the violation issues are shared).
 */
export async function evaluatePush(deps: PushDeps, push: PushTarget): Promise<PushOutcome> {
  const outcome = await withRepositoryLock(deps.memory, push.owner, push.repo, () => evaluateNow(deps, push));
  const { owner, repo, htmlUrl } = push;
  const caughtUpTags = await catchUpUnannouncedTags(deps, { owner, repo }, outcome.recentTags, undefined, (tag) =>
    evaluateTag(deps, { owner, repo, tag, release: false, isNew: true, actor: UNANNOUNCED_ACTOR, htmlUrl, catchUp: false }),
  );
  return caughtUpTags.length ? { ...outcome, caughtUpTags } : outcome;
}

async function evaluateNow(deps: PushDeps, push: PushTarget): Promise<PushOutcome> {
  const { octokit, log, appId, memory } = deps;
  const { requests, evaluatedAt, readMark } = beginEvaluation(deps);
  const { owner, repo, branch } = push;

  // A repository file that cannot be loaded is set aside: the push is judged under the org's policy (ref-policy.ts).
  const loaded = await loadRefPolicy(octokit, owner, repo, memory.cache);
  if (loaded.ok && !loaded.configError && PUSH_CONTROLS.every((control) => !isOn(control.id, loaded.config))) {
    return { status: "skipped", reason: `${PUSH_CONTROLS.map((control) => control.id).join(" and ")} are off`, requests: requests() };
  }
  let read: PushRead | null;
  try {
    // The latest tags come with the same query, to catch up on tags GitHub sent no event for.
    const withRecentTags = loaded.ok && [...TAG_CONTROLS, ...RELEASE_CONTROLS].some((control) => isOn(control.id, loaded.config));
    read = await readPush(octokit, push, appId, withRecentTags);
  } catch (error) {
    const why = describeGitHubError(error);
    read = {
      snapshot: pushSnapshotOf(push, unavailable(why), unavailable(why)),
      reportOn: reportCommitOf(push),
      existingCheckRun: undefined,
    };
  }
  if (!read) return { status: "skipped", reason: `${branch} is neither the default branch nor protected`, requests: requests() };
  const { protection } = read.snapshot;
  // Unknown protection fails closed on the default branch only: other branches are mostly PR branches, which must not
  // collect direct-push findings (and failed rows on their PR heads) whenever GitHub hides or fails a read.
  if (!protection.ok && branch !== push.payloadDefaultBranch) {
    log.error({ owner, repo, branch, reason: protection.error }, "could not tell whether the pushed branch is protected; push not judged");
    return { status: "skipped", reason: `could not tell whether ${branch} is protected: ${protection.error}`, requests: requests() };
  }

  const subject = `the ${push.deleted ? "deletion" : push.forced ? "forced push" : "push"} of ${inlineCode(branch)} by @${push.pusher}`;
  if (!loaded.ok) {
    const target = {
      owner,
      repo,
      sha: read.reportOn,
      subject,
      existing: read.existingCheckRun,
      externalId: `push:${branch}`,
      evaluatedAt,
      readMark,
    };
    return { status: "reported", written: await reportRefConfigError(deps, target, loaded.error), requests: requests() };
  }

  let { snapshot } = read;
  const unmerged = snapshot.commits.ok ? snapshot.commits.value.filter((c) => !c.mergedInto.length) : [];
  if (unmerged.length && snapshot.commits.ok && deps.associationRetryMs) {
    await sleep(deps.associationRetryMs);
    snapshot = { ...snapshot, commits: await recheckUnmerged(octokit, push, snapshot.commits.value, appId) };
  }
  const results = evaluatePushControls(snapshot, loaded.config);
  const protectedBy = snapshot.protection.ok ? snapshot.protection.value.sources.join(", ") : "protection unknown";
  const findings = {
    owner,
    repo,
    sha: read.reportOn,
    subject,
    results,
    existing: read.existingCheckRun,
    externalId: `push:${branch}`,
    occurrenceKey: `push:${branch}:${push.before}..${push.after}`,
    actor: push.pusher,
    at: evaluatedAt,
    commitUrl: `${push.htmlUrl}/commit/${read.reportOn}`,
    config: loaded.config,
    configSources: loaded.sources,
    floorHeld: loaded.floorHeld,
    configError: loaded.configError,
    evaluatedAt,
    readMark,
    // The merge itself is recorded in the issue by its `pull_request` closed evaluation, with who merged and any bypass.
    noIssueFor: ["merged-unverified" as const],
  };
  const written = await reportRefFindings(deps, findings);
  if (loaded.configError) {
    log.warn({ owner, repo, subject, config: formatConfigError(loaded.configError) }, "configuration error; judged under the org policy");
    // The default branch holds the config that applies: the org is told it is broken (a PR branch's file is not in force).
    if (branch === push.payloadDefaultBranch && deps.write !== false)
      deps.notifier?.notify(loaded.config.notifications, configErrorNotification(findings, loaded.configError, evaluatedAt));
  }
  const commits = snapshot.commits.ok ? snapshot.commits.value.length : undefined;
  audit(
    log,
    "push.evaluated",
    {
      ...refAuditLine(findings, written, {
        branch,
        protected_by: protectedBy,
        before: push.before,
        after: push.after,
        forced: push.forced,
        deleted: push.deleted,
        commits,
        ...(loaded.configError ? { config_error: formatConfigError(loaded.configError) } : {}),
      }),
      github_requests: requests(),
    },
    `sdlc-guard ${written.report.conclusion} for ${subject} in ${owner}/${repo}`,
  );
  return { status: "reported", results, written, requests: requests(), recentTags: read.recentTags };
}
