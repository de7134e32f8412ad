import type { Logger } from "pino";
import { formatConfigError } from "../config/config-error.js";
import type { LoadedConfig } from "../config/load-config.js";
import type { SdlcGuardConfig } from "../config/schema.js";
import { teamsToResolve } from "../controls/codeowners.js";
import { concludeControls, effectiveEnforcement } from "../controls/results.js";
import { evaluatePullRequestControls, snapshotNeeds } from "../controls/evaluate-pull-request-controls.js";
import { PULL_REQUEST_CONTROL_IDS } from "../controls/catalogue.js";
import type { JiraLookups } from "../facts/jira.js";
import { findJiraKeys } from "../controls/jira-keys.js";
import { type KeyMatch } from "../facts/jira.js";
import { cannotEvaluate } from "../controls/finding.js";
import { type ControlId } from "../controls/catalogue.js";
import { type ControlResult } from "../controls/results.js";
import type { OptionalPullRequestFact, PullRequestFacts, TeamMembers } from "../facts/pull-request.js";
import { type WrittenRun } from "../github/writes/check-run.js";
import { writeCommitCheckRunReporting } from "./commit-lock.js";
import { isSupersededWrite, SupersededWriteError, withSendGate, type SendGate } from "../github/transport/send-gate.js";
import { describeGitHubError } from "../common/describe-error.js";
import { hardenRequests, type RequestPolicy } from "../github/transport/harden-requests.js";
import { RateLimitBook, RESET_MARGIN_MS } from "../github/transport/rate-limits.js";
import { NOTHING_EXTRA, readPullRequest, type OurRun } from "../github/refs/pull-request-snapshot.js";
import { readSecretScanning } from "../github/refs/secret-scanning-state.js";
import { readTeamMembers } from "../github/refs/team-members.js";
import { activeWaivers, applyWaivers, parseWaiverCommand, type EndedWaiver, type Waiver } from "../controls/waivers.js";
import { headSinceOf } from "../controls/waiver-terms.js";
import { changeAuthorsOf, changeAuthorsUnreadable, type ChangeAuthors } from "../controls/change-authors.js";
import { fetched, unavailable, type Fetched } from "../facts/fetched.js";
import { repositoryKey, type GitHubClient } from "../github/types.js";
import type { JiraClient } from "../jira/jira-client.js";
import { decodeResults, mergeResults } from "../report/check-run-state.js";
import { renderConfigError, renderControlResults, withSharedHead, type CheckRunReport } from "../report/check-run-output.js";
import { beginEvaluation } from "./begin-evaluation.js";
import { checkProposedPolicy } from "./proposed-policy.js";
import { withPolicyChange } from "../report/policy-change-output.js";
import { previewRulesChange, type JudgeBoth } from "./rules-change-preview.js";
import { InMemorySharedState, type SharedState } from "./shared-state.js";
import { TtlCache } from "../common/ttl-cache.js";
import { createStateCache, loadConfigCached, type StateCache, type StateCacheOptions } from "./state-cache.js";
import { audit } from "../audit/audit-log.js";
import { annotateRuleRows, ruleNeeds, type RulesApplied } from "../controls/policy-rules-match.js";
import { policyForPullRequest } from "./apply-policy-rules.js";
import type { Notifier } from "../notify/notifier.js";
import { waiverEndedNotification, waiverGrantedNotification } from "./notify-findings.js";

/** What one app instance remembers between evaluations: serialization per PR and commit, the check runs it wrote, caches. */
export interface EvaluationMemory {
  /** Locks per PR, commit and repository (across replicas with Redis), delivery claims and leases: see shared-state.ts. */
  shared: SharedState;
  checkRuns: Map<string, WrittenRun>;
  cache: StateCache;
  /** Tags evaluated in the last minutes (a new tag arrives as a `create` and a `push` event): the second is skipped. */
  recentTags: TtlCache<string>;
  /** GitHub's primary rate limits per installation, as its answers report them. */
  rateLimits: RateLimitBook;
  /** PR evaluations waiting for the PR's lock, by PR: another event for the PR joins the waiting one. */
  waiting: Map<string, WaitingEvaluation>;
  /** PRs to evaluate again once GitHub's spent rate limit resets, by PR. */
  deferred: Map<string, NodeJS.Timeout>;
}

interface WaitingEvaluation {
  target: PullRequestTarget;
  outcome: Promise<EvaluationOutcome>;
}

const RECENT_TAG_MS = 10 * 60 * 1000;
/** GitHub's rate-limit windows last an hour: a deferred evaluation never waits longer. */
const MAX_DEFER_MS = 61 * 60 * 1000;

export const createEvaluationMemory = (
  cache: StateCacheOptions = {},
  shared: SharedState = new InMemorySharedState(),
): EvaluationMemory => ({
  shared,
  checkRuns: new Map(),
  cache: createStateCache(cache),
  recentTags: new TtlCache(RECENT_TAG_MS, 10_000, cache.now),
  rateLimits: new RateLimitBook(),
  waiting: new Map(),
  deferred: new Map(),
});

/**
 * Runs `task` while no other repository-wide evaluation of the repository runs (pushes, tags, merges, merge groups), in
 * this process or (with Redis) on any replica: their violation issues are per repository. PR evaluations do not take
 * it: they are serialized per PR, and every check-run write per commit (commit-lock.ts).
 */
export function withRepositoryLock<T>(
  memory: Pick<EvaluationMemory, "shared">,
  owner: string,
  repo: string,
  task: () => Promise<T>,
): Promise<T> {
  return memory.shared.withLock(`evaluate:${repositoryKey(owner, repo)}`, task);
}

export interface EvaluationDeps {
  memory: EvaluationMemory;
  octokit: GitHubClient;
  log: Logger;
  appId: number | undefined;
  jira: JiraClient | undefined;
  requestPolicy?: RequestPolicy;
  now?: () => Date;
  /** false: a dry run (the CLI): everything is read and the report returned, nothing is written to GitHub. */
  write?: boolean;
  /** Sends new findings to the org's `notifications:` channels, off the request path (absent: none are sent). */
  notifier?: Notifier;
}

export interface PullRequestTarget {
  owner: string;
  repo: string;
  number: number;
  /** The head SHA the event announced: used only to report a failure when GitHub cannot be read at all. */
  announcedHeadSha?: string;
}

export interface EvaluationOutcome {
  status: "reported" | "skipped";
  reason?: string;
  headSha?: string;
  report?: CheckRunReport;
  results?: ControlResult[];
  /** The check run written; undefined in a dry run. */
  checkRunId?: number;
  /**
   * When approvers are configured and the PR's comments were read: the waivers in force, the waiver commands that did
   * not count (with why), and the ids of every waiver command read.
   */
  waivers?: { active: Waiver[]; refused: { commentId: number; reason: string }[]; commands: number[]; ended?: EndedWaiver[] };
  /** When approvers are configured but the PR's comments could not be read: why (no waiver counts then). */
  waiversUnread?: string;
  /** GitHub requests this evaluation made (logical requests; retries of one request count once). */
  requests: number;
  /** The `rules:` that applied to the PR (with why), and those that could not be decided. */
  rules?: Pick<RulesApplied, "matched" | "undecided">;
}

/**
 * Evaluates one PR from fresh GitHub state and writes its one `sdlc-guard` check run. Serialized per PR: PRs of one
 * repository are evaluated side by side; the write of a commit's one check run (two PRs can share a head commit) is
 * serialized per commit (commit-lock.ts), and the repository's config and state are read once for all (state-cache.ts).
 *
 * A storm of events for one PR (50 reviews, pushes and edits at once) costs two evaluations, not fifty, and one write:
 * an event that finds an evaluation of the same PR that has sent nothing yet (waiting for the PR's lock, or for its
 * first request's turn in the installation's pacing) joins it and gets its outcome. That is exact, not an
 * approximation: that evaluation has not read anything yet, so it reads GitHub after every change the joining event
 * announces. An event that arrives once the evaluation reads makes one more evaluation after it; the running one's
 * write, if its turn comes only after that event, is not sent (the later one writes the final state). When GitHub's rate limit is spent (`PrimaryRateLimitError`), the PR is evaluated again
 * after the reset, so no event is lost to it.
 */
export function evaluatePullRequest(deps: EvaluationDeps, target: PullRequestTarget): Promise<EvaluationOutcome> {
  const { memory } = deps;
  const key = `${deps.write === false ? "dry-run " : ""}${pullRequestKey(target)}`;
  const waiting = memory.waiting.get(key);
  if (waiting) {
    // The latest announced head is the one to report on if GitHub cannot be read.
    if (target.announcedHeadSha) waiting.target.announcedHeadSha = target.announcedHeadSha;
    return waiting.outcome;
  }
  const entry = { target: { ...target } } as WaitingEvaluation;
  const leave = () => {
    if (memory.waiting.get(key) === entry) memory.waiting.delete(key);
  };
  // Latest wins: until its first request leaves (after Probot's pacing), the evaluation has read nothing, and a later
  // event for the PR joins it; a write whose turn comes while a later evaluation of the PR waits is not sent, and its
  // callers get that later evaluation's outcome, which reads GitHub after every event they announced.
  const gate: SendGate = {
    beforeSend: (write) => {
      leave(); // from now on it reads GitHub: a later event must evaluate again
      // A write that takes a passing run away is always sent: were it superseded and the later evaluation found the PR
      // merged or closed meanwhile (it then writes nothing), the stale pass would stay on the head it merged with.
      if (write && memory.waiting.has(key) && !revokesAPass.has(entry.target)) throw new SupersededWriteError();
    },
  };
  const evaluated = memory.shared.withLock(`evaluate:${pullRequestKey(target)}`, () =>
    withSendGate(gate, () => evaluateAndRetryAfterReset(deps, entry.target)).then(
      (outcome) => ({ outcome }),
      (error: unknown) => {
        const next = memory.waiting.get(key);
        // Not awaited under the lock: the later evaluation waits for it.
        if (isSupersededWrite(error) && next) return { next: next.outcome };
        throw error;
      },
    ),
  );
  entry.outcome = evaluated.then((done) => ("next" in done ? done.next : done.outcome));
  memory.waiting.set(key, entry);
  void entry.outcome.then(leave, leave);
  return entry.outcome;
}

const pullRequestKey = ({ owner, repo, number }: PullRequestTarget) => `${repositoryKey(owner, repo)}#${number}`;

/** Evaluations about to write a result that is not a pass over our run that shows one: their write is never superseded. */
const revokesAPass = new WeakSet<PullRequestTarget>();

async function evaluateAndRetryAfterReset(deps: EvaluationDeps, target: PullRequestTarget): Promise<EvaluationOutcome> {
  const counter = hardenRequests(deps.octokit, deps.requestPolicy, deps.memory.cache.etags);
  const refusedBefore = counter.rateLimited;
  try {
    return await evaluateNow(deps, target);
  } finally {
    if (counter.rateLimited > refusedBefore && counter.rateLimitedUntil !== undefined && deps.write !== false)
      retryAfterReset(deps, target, counter.rateLimitedUntil);
  }
}

/** Evaluates the PR again once GitHub's rate limit has reset (one pending retry per PR: the latest reset wins). */
function retryAfterReset(deps: EvaluationDeps, target: PullRequestTarget, resetAt: number): void {
  const { memory, log } = deps;
  const key = pullRequestKey(target);
  clearTimeout(memory.deferred.get(key));
  const delayMs = Math.min(MAX_DEFER_MS, Math.max(0, resetAt + RESET_MARGIN_MS - Date.now()));
  const timer = setTimeout(() => {
    memory.deferred.delete(key);
    evaluatePullRequest(deps, target).catch((error: unknown) =>
      log.error(
        { owner: target.owner, repo: target.repo, number: target.number, reason: describeGitHubError(error) },
        "evaluation after the rate-limit reset could not be reported",
      ),
    );
  }, delayMs);
  timer.unref?.();
  memory.deferred.set(key, timer);
  log.warn(
    { owner: target.owner, repo: target.repo, number: target.number, retry_at: new Date(Date.now() + delayMs).toISOString() },
    "GitHub's rate limit is spent: the pull request is evaluated again after its reset",
  );
}

async function evaluateNow(deps: EvaluationDeps, target: PullRequestTarget): Promise<EvaluationOutcome> {
  const { octokit, log, appId, memory } = deps;
  const { owner, repo, number } = target;
  const { requests, evaluatedAt, readMark } = beginEvaluation(deps);

  // The config decides which optional parts of the PR are read, so it comes first (from the cache in steady state).
  const loaded = await loadConfigCached(octokit, owner, repo, memory.cache);
  const config = loaded.ok ? loaded.config : undefined;
  // Secret-scanning state is read after the PR, and only for an open PR whose policy needs it (cached per repository).
  // The changed files are always read (no extra request below 100 files): a PR that changes the policy file is checked.
  // Rules read labels and changed files, and may turn on controls that need more: all of it is read up front.
  const needs = new Set([
    ...(config ? snapshotNeeds(config) : NOTHING_EXTRA),
    ...(config ? ruleNeeds(config, snapshotNeeds) : NOTHING_EXTRA),
    "changedFiles" as const,
  ]);
  const read = await readPullRequest(octokit, target, appId, needs).catch((error: unknown) => error as Error);

  let headSha: string;
  let report: CheckRunReport;
  let results: ControlResult[] | undefined;
  let existing: OurRun | null | undefined;
  let waivers: Pick<EvaluationOutcome, "waivers" | "waiversUnread"> = {};
  let rules: EvaluationOutcome["rules"];
  if (read instanceof Error || (read === null && target.announcedHeadSha)) {
    // An event named this PR: not being able to read it is a failure to report on its head, never silence.
    if (!target.announcedHeadSha) throw read;
    headSha = target.announcedHeadSha;
    const why = read instanceof Error ? describeGitHubError(read) : "GitHub returned no such pull request";
    results = PULL_REQUEST_CONTROL_IDS.map((id) => ({
      id,
      enforcement: enforcementOf(loaded, id),
      ...cannotEvaluate("the pull request", why),
    }));
    report = renderControlResults(results, "failure", {
      subject: `PR #${number}`,
      headSha,
      isDraft: false,
      configSources: sourcesOf(loaded),
      evaluatedAt,
    });
  } else if (read === null || read.state !== "OPEN") {
    log.info({ owner, repo, number }, "pull request not found or not open; nothing to evaluate");
    return {
      status: "skipped",
      reason: read ? `pull request is ${read.state.toLowerCase()}` : "pull request not found",
      requests: requests(),
    };
  } else {
    headSha = read.snapshot.headSha;
    existing = read.existingCheckRun;
    const ctx = {
      subject: `PR #${number}`,
      headSha,
      isDraft: read.snapshot.isDraft,
      configSources: sourcesOf(loaded),
      floorHeld: loaded.ok ? loaded.floorHeld : undefined,
      evaluatedAt,
    };
    if (!loaded.ok) {
      log.warn({ owner, repo, number, config: formatConfigError(loaded.error) }, "configuration error");
      report = renderConfigError(loaded.error, ctx);
    } else {
      const secretScanning = needs.has("secretScanning") ? await readSecretScanning(octokit, owner, repo, memory.cache) : undefined;
      const snapshot = { ...read.snapshot, secretScanning };
      // The repository's policy with the rules that match this PR applied, and the floor again after them.
      const policy = await policyForPullRequest(deps, snapshot, loaded.config);
      // Rows of this commit's other roles (e.g. it was also pushed straight to main) stay in its one check run.
      const evaluated = await runControls(deps, snapshot, policy.config, {
        run: existing,
        sharedHeadWith: read.sharedHeadWith,
        now: evaluatedAt,
      });
      waivers = { waivers: evaluated.waivers, waiversUnread: evaluated.waiversUnread };
      rules = { matched: policy.matched, undecided: policy.undecided };
      results = mergeResults(annotateRuleRows(evaluated.results, policy), decodeResults(existing?.summary));
      const floorHeld = [...(loaded.floorHeld ?? []), ...policy.held];
      report = renderControlResults(results, concludeControls(results), { ...ctx, floorHeld, rules });
      if (read.sharedHeadWith.length) report = withSharedHead(report, read.sharedHeadWith);
    }
    // The PR was evaluated against the default branch's policy; the policy it proposes is checked apart, and shown.
    const policyChange = await checkProposedPolicy(octokit, target, read.snapshot, loaded);
    if (policyChange) {
      // A change of `rules:` also lists the other open PRs whose verdict it would flip (read only then).
      const proposed = policyChange.proposedConfig;
      const rulesPreview =
        loaded.ok && proposed
          ? await previewRulesChange(deps, target, loaded.config, proposed, (other) =>
              judgeUnderBoth(deps, { owner, repo, number: other }, [loaded.config, proposed], evaluatedAt),
            )
          : undefined;
      report = withPolicyChange(report, policyChange, rulesPreview);
    }
  }

  const auditLine = {
    repository: `${owner}/${repo}`,
    pull_request: number,
    head_sha: headSha,
    conclusion: report.conclusion,
    controls: Object.fromEntries((results ?? []).map((r) => [r.id, `${r.enforcement}:${r.outcome}`])),
  };
  if (deps.write === false) {
    audit(
      log,
      "pull_request.dry_run",
      { ...auditLine, github_requests: requests() },
      `dry run: sdlc-guard ${report.conclusion} for ${owner}/${repo}#${number}`,
    );
    return { status: "reported", headSha, report, results, ...waivers, rules, requests: requests() };
  }
  // The run read with the PR already showing this result is not written again (GitHub paces writes hardest).
  const checkRun = {
    owner,
    repo,
    headSha,
    existing,
    appId,
    externalId: `pr-${number}`,
    completedAt: evaluatedAt,
    readMark,
    skipUnchanged: true,
  };
  if (report.conclusion !== "success" && existing?.conclusion?.toLowerCase() === "success") revokesAPass.add(target);
  const { id: checkRunId, written } = await writeCommitCheckRunReporting(memory, octokit, checkRun, report);
  audit(
    log,
    "pull_request.evaluated",
    { ...auditLine, check_run_id: checkRunId, check_run_written: written, github_requests: requests() },
    `sdlc-guard ${report.conclusion} for ${owner}/${repo}#${number}`,
  );
  // Waivers granted and ended reach the org's channels once each (the claims de-duplicate every later evaluation).
  if (loaded.ok && waivers.waivers) {
    const pr = { owner, repo, number };
    for (const waiver of waivers.waivers.active)
      deps.notifier?.notify(loaded.config.notifications, waiverGrantedNotification(pr, waiver, evaluatedAt));
    for (const ended of waivers.waivers.ended ?? [])
      deps.notifier?.notify(loaded.config.notifications, waiverEndedNotification(pr, ended, evaluatedAt));
  }
  return { status: "reported", headSha, report, results, ...waivers, rules, checkRunId, requests: requests() };
}

/**
 * Another open PR judged as an evaluation would judge it, under the policy in force and under the proposed one (each
 * with its rules applied): one snapshot read with the facts either needs. Nothing is written.
 */
async function judgeUnderBoth(
  deps: EvaluationDeps,
  target: { owner: string; repo: string; number: number },
  [current, proposed]: [SdlcGuardConfig, SdlcGuardConfig],
  now: string,
): ReturnType<JudgeBoth> {
  const { octokit, memory } = deps;
  const needs = new Set([
    ...[current, proposed].flatMap((config) => [...snapshotNeeds(config), ...ruleNeeds(config, snapshotNeeds)]),
    "changedFiles" as const,
  ]);
  try {
    const read = await readPullRequest(octokit, target, deps.appId, needs);
    if (!read || read.state !== "OPEN")
      return unavailable(read ? `it is ${read.state.toLowerCase()} now` : "GitHub returned no such pull request");
    const secretScanning = needs.has("secretScanning")
      ? await readSecretScanning(octokit, target.owner, target.repo, memory.cache)
      : undefined;
    const snapshot = { ...read.snapshot, secretScanning };
    const head = { run: read.existingCheckRun, sharedHeadWith: read.sharedHeadWith, now };
    const judge = async (config: SdlcGuardConfig) => {
      const applied = await policyForPullRequest(deps, snapshot, config);
      const evaluated = await runControls(deps, snapshot, applied.config, head);
      return { results: annotateRuleRows(evaluated.results, applied), applied };
    };
    return fetched({ current: await judge(current), proposed: await judge(proposed) });
  } catch (error) {
    return unavailable(describeGitHubError(error));
  }
}

/** The teams whose members the controls need: reviewer teams, and the code-owner teams of the changed files. */
function teamsNeeded(snapshot: PullRequestFacts<OptionalPullRequestFact>, config: SdlcGuardConfig): string[] {
  const teams = effectiveEnforcement("reviewer-teams", config).enforcement === "off" ? [] : [...config.controls["reviewer-teams"].teams];
  const { codeOwners, changedFiles } = snapshot;
  if (codeOwners?.ok && codeOwners.value && changedFiles?.ok) teams.push(...teamsToResolve(codeOwners.value, changedFiles.value));
  return teams;
}

/** What binds a waiver to the head: our run on it (when GitHub created it), other PRs on the same head, the evaluation's time. */
interface HeadFacts {
  run: OurRun | null | undefined;
  sharedHeadWith: number[];
  now: string;
}

async function runControls(
  deps: EvaluationDeps,
  snapshot: PullRequestFacts<OptionalPullRequestFact>,
  config: SdlcGuardConfig,
  head: HeadFacts,
): Promise<{ results: ControlResult[] } & Pick<EvaluationOutcome, "waivers" | "waiversUnread">> {
  const jiraConfig = config.controls.jira;
  const jiraKeys: KeyMatch[] = jiraConfig.enforcement === "off" ? [] : findJiraKeys(snapshot, jiraConfig);
  // Waiver commands are validated against the approver teams, read only when there is a command to validate.
  const commands = snapshot.comments?.ok ? snapshot.comments.value.comments.filter((c) => parseWaiverCommand(c.body)) : [];
  const needed = [...teamsNeeded(snapshot, config), ...(commands.length ? config.exceptions.approvers : [])];
  const [jiraLookups, teams] = await Promise.all([
    lookUpJiraKeys(deps.jira, jiraConfig.verify, jiraKeys),
    needed.length ? readTeamMembers(deps.octokit, needed, deps.memory.cache.teams) : (new Map() as TeamMembers),
  ]);
  const results = evaluatePullRequestControls({ snapshot, jiraKeys, jiraLookups, teams }, config);
  if (snapshot.comments && !snapshot.comments.ok) return { results, waiversUnread: snapshot.comments.error };
  if (!commands.length) return { results, ...(snapshot.comments ? { waivers: { active: [], refused: [], commands: [] } } : {}) };
  const since = headSinceOf(snapshot.headSha, head.run, snapshot.forcePushes, head.sharedHeadWith, head.now);
  const context = {
    prAuthor: snapshot.author?.login ?? "",
    config: config.exceptions,
    approverTeams: teams,
    controls: PULL_REQUEST_CONTROL_IDS,
    head: { sha: snapshot.headSha, since },
    now: head.now,
    changeAuthors: config.controls.reviews.independent_approvers ? changeAuthorsFetched(snapshot) : undefined,
  };
  const { waivers, refused, ended } = activeWaivers(commands, context);
  return {
    results: applyWaivers(results, waivers, ended),
    waivers: {
      active: [...waivers.values()],
      refused: refused.map(({ comment, reason }) => ({ commentId: comment.id, reason })),
      commands: commands.map((c) => c.id),
      ended,
    },
  };
}

async function lookUpJiraKeys(jira: JiraClient | undefined, verify: boolean, keys: KeyMatch[]): Promise<JiraLookups | undefined> {
  if (!jira || !verify || !keys.length) return undefined;
  const answers = await Promise.all(keys.map(async ({ key }) => [key, await jira.getIssue(key)] as const));
  return new Map(answers);
}

const sourcesOf = (loaded: LoadedConfig): string[] => (loaded.ok ? loaded.sources : []);
const enforcementOf = (loaded: LoadedConfig, id: ControlId) =>
  loaded.ok ? effectiveEnforcement(id, loaded.config).enforcement : "required";

/** Who wrote the change (its commits' people and the head's force-pusher), or why it could not be read. */
function changeAuthorsFetched(snapshot: PullRequestFacts<"commits" | "forcePushes">): Fetched<ChangeAuthors> {
  const unreadable = changeAuthorsUnreadable(snapshot.commits, snapshot.forcePushes);
  if (unreadable !== null || !snapshot.commits?.ok) return unavailable(unreadable ?? "not read");
  return fetched(changeAuthorsOf(snapshot.commits.value, snapshot.headSha, snapshot.forcePushes?.ok ? snapshot.forcePushes.value : []));
}
