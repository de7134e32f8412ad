import { effectiveEnforcement } from "../controls/evaluate-pull-request-controls.js";
import { evaluatePushControls } from "../controls/evaluate-ref-controls.js";
import { unavailable, type ControlResult } from "../controls/types.js";
import { describeGitHubError } from "../github/describe-error.js";
import { pushSnapshotOf, readPush, recheckUnmerged, reportCommitOf, type PushEvent, type PushRead } from "../github/push-snapshot.js";
import { inlineCode } from "../report/markdown.js";
import { beginEvaluation } from "./begin-evaluation.js";
import { withRepositoryLock, type EvaluationDeps } from "./evaluate-pull-request.js";
import { refAuditLine, reportRefConfigError, reportRefFindings, type RefReport } from "./report-ref-findings.js";
import { loadConfigCached } from "./state-cache.js";
import { audit } from "../audit/audit-log.js";

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
}

const PUSH_CONTROLS = ["direct-push", "force-push"] as const;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Evaluates a push to a branch: `direct-push` (every commit arrived through a PR merged into the branch) and
 * `force-push` (no forced push, no deletion), for the default branch and protected branches only. Serialized per
 * repository with every other evaluation (the commit's check run and the violation issues are shared).
 */
export function evaluatePush(deps: PushDeps, push: PushTarget): Promise<PushOutcome> {
  return withRepositoryLock(deps.memory, push.owner, push.repo, () => evaluateNow(deps, push));
}

async function evaluateNow(deps: PushDeps, push: PushTarget): Promise<PushOutcome> {
  const { octokit, log, appId, memory } = deps;
  const { requests, evaluatedAt } = beginEvaluation(deps);
  const { owner, repo, branch } = push;

  const loaded = await loadConfigCached(octokit, owner, repo, memory.cache);
  if (loaded.ok && PUSH_CONTROLS.every((id) => effectiveEnforcement(id, loaded.config).enforcement === "off")) {
    return { status: "skipped", reason: "direct-push and force-push are off", requests: requests() };
  }
  let read: PushRead | null;
  try {
    read = await readPush(octokit, push, appId);
  } catch (error) {
    const why = describeGitHubError(error);
    read = { snapshot: pushSnapshotOf(push, unavailable(why), unavailable(why)), reportOn: reportCommitOf(push), existingCheckRun: undefined };
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
    const target = { owner, repo, sha: read.reportOn, subject, existing: read.existingCheckRun, externalId: `push:${branch}`, evaluatedAt };
    return { status: "reported", written: await reportRefConfigError(deps, target, loaded.error), requests: requests() };
  }

  let { snapshot } = read;
  const unmerged = snapshot.commits.ok ? snapshot.commits.value.filter((c) => !c.mergedInto.length) : [];
  if (unmerged.length && snapshot.commits.ok && deps.associationRetryMs) {
    await sleep(deps.associationRetryMs);
    snapshot = { ...snapshot, commits: await recheckUnmerged(octokit, push, snapshot.commits.value) };
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
    evaluatedAt,
  };
  const written = await reportRefFindings(deps, findings);
  const commits = snapshot.commits.ok ? snapshot.commits.value.length : undefined;
  audit(
    log,
    "push.evaluated",
    { ...refAuditLine(findings, written, { branch, protected_by: protectedBy, before: push.before, after: push.after, forced: push.forced, deleted: push.deleted, commits }), github_requests: requests() },
    `sdlc-guard ${written.report.conclusion} for ${subject} in ${owner}/${repo}`,
  );
  return { status: "reported", results, written, requests: requests() };
}
