import type { Logger } from "pino";
import { formatConfigError } from "../config/config-error.js";
import type { LoadedConfig } from "../config/load-config.js";
import type { SdlcGuardConfig } from "../config/schema.js";
import { teamsToResolve } from "../controls/codeowners.js";
import {
  concludeControls,
  effectiveEnforcement,
  evaluatePullRequestControls,
  PULL_REQUEST_CONTROL_IDS,
} from "../controls/evaluate-pull-request-controls.js";
import type { JiraLookups } from "../controls/jira.js";
import { findJiraKeys, type KeyMatch } from "../controls/jira-keys.js";
import { cannotEvaluate, unavailable, type ControlId, type ControlResult, type PullRequestSnapshot, type TeamMembers } from "../controls/types.js";
import { ensureCheckRun } from "../github/check-run.js";
import { describeGitHubError } from "../github/describe-error.js";
import type { RequestPolicy } from "../github/harden-requests.js";
import { NOTHING_EXTRA, readPullRequest, type OurRun, type SnapshotNeeds } from "../github/pull-request-snapshot.js";
import { readSecretScanning } from "../github/secret-scanning-state.js";
import { readTeamMembers } from "../github/team-members.js";
import { activeWaivers, applyWaivers, parseWaiverCommand, type Waiver } from "../controls/waivers.js";
import { repositoryKey, type GitHubClient } from "../github/types.js";
import type { JiraClient } from "../jira/jira-client.js";
import { decodeResults, mergeResults } from "../report/check-run-state.js";
import { renderConfigError, renderControlResults, withSharedHead, type CheckRunReport } from "../report/check-run-output.js";
import { beginEvaluation } from "./begin-evaluation.js";
import { KeyedLock } from "./keyed-lock.js";
import { TtlCache } from "./ttl-cache.js";
import { createStateCache, loadConfigCached, type StateCache, type StateCacheOptions } from "./state-cache.js";
import { audit } from "../audit/audit-log.js";

/** What one app instance remembers between evaluations: per-repository serialization, the check runs it wrote, caches. */
export interface EvaluationMemory {
  lock: KeyedLock;
  checkRuns: Map<string, number>;
  cache: StateCache;
  /** Tags evaluated in the last minutes (a new tag arrives as a `create` and a `push` event): the second is skipped. */
  recentTags: TtlCache<string>;
}

const RECENT_TAG_MS = 10 * 60 * 1000;

export const createEvaluationMemory = (cache: StateCacheOptions = {}): EvaluationMemory => ({
  lock: new KeyedLock(),
  checkRuns: new Map(),
  cache: createStateCache(cache),
  recentTags: new TtlCache(RECENT_TAG_MS, 10_000, cache.now),
});

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
  /** Waivers in force, and the waiver commands that did not count (with why), when approvers are configured. */
  waivers?: { active: Waiver[]; refused: { commentId: number; reason: string }[] };
  /** GitHub requests this evaluation made (logical requests; retries of one request count once). */
  requests: number;
}

/**
 * Evaluates one PR from fresh GitHub state and writes its one `sdlc-guard` check run. Serialized per repository:
 * two PRs can share a head commit, and so its one check run.
 */
export function evaluatePullRequest(deps: EvaluationDeps, target: PullRequestTarget): Promise<EvaluationOutcome> {
  return deps.memory.lock.run(repositoryKey(target.owner, target.repo), () => evaluateNow(deps, target));
}

async function evaluateNow(deps: EvaluationDeps, target: PullRequestTarget): Promise<EvaluationOutcome> {
  const { octokit, log, appId, memory } = deps;
  const { owner, repo, number } = target;
  const { requests, evaluatedAt } = beginEvaluation(deps);

  // The config decides which optional parts of the PR are read, so it comes first (from the cache in steady state).
  const loaded = await loadConfigCached(octokit, owner, repo, memory.cache);
  const config = loaded.ok ? loaded.config : undefined;
  // Secret-scanning state is read after the PR, and only for an open PR whose policy needs it (cached per repository).
  const read = await readPullRequest(octokit, target, appId, config ? snapshotNeeds(config) : NOTHING_EXTRA).catch((error: unknown) => error as Error);

  let headSha: string;
  let report: CheckRunReport;
  let results: ControlResult[] | undefined;
  let existing: OurRun | null | undefined;
  let waivers: EvaluationOutcome["waivers"];
  if (read instanceof Error || (read === null && target.announcedHeadSha)) {
    // An event named this PR: not being able to read it is a failure to report on its head, never silence.
    if (!target.announcedHeadSha) throw read;
    headSha = target.announcedHeadSha;
    const why = read instanceof Error ? describeGitHubError(read) : "GitHub returned no such pull request";
    results = PULL_REQUEST_CONTROL_IDS.map((id) => ({ id, enforcement: enforcementOf(loaded, id), ...cannotEvaluate("the pull request", why) }));
    report = renderControlResults(results, "failure", { subject: `PR #${number}`, headSha, isDraft: false, configSources: sourcesOf(loaded), evaluatedAt });
  } else if (read === null || read.state !== "OPEN") {
    log.info({ owner, repo, number }, "pull request not found or not open; nothing to evaluate");
    return { status: "skipped", reason: read ? `pull request is ${read.state.toLowerCase()}` : "pull request not found", requests: requests() };
  } else {
    headSha = read.snapshot.headSha;
    existing = read.existingCheckRun;
    const ctx = { subject: `PR #${number}`, headSha, isDraft: read.snapshot.isDraft, configSources: sourcesOf(loaded), evaluatedAt };
    if (!loaded.ok) {
      log.warn({ owner, repo, number, config: formatConfigError(loaded.error) }, "configuration error");
      report = renderConfigError(loaded.error, ctx);
    } else {
      const scanning = effectiveEnforcement("secret-scanning", loaded.config).enforcement !== "off";
      const secretScanning = scanning ? await readSecretScanning(octokit, owner, repo, memory.cache.secretScanning) : unavailable<never>("not read: the control is off");
      const snapshot: PullRequestSnapshot = { ...read.snapshot, secretScanning };
      // Rows of this commit's other roles (e.g. it was also pushed straight to main) stay in its one check run.
      const evaluated = await runControls(deps, snapshot, loaded.config);
      waivers = evaluated.waivers;
      results = mergeResults(evaluated.results, decodeResults(existing?.summary));
      report = renderControlResults(results, concludeControls(results), ctx);
      if (read.sharedHeadWith.length) report = withSharedHead(report, read.sharedHeadWith);
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
    audit(log, "pull_request.dry_run", { ...auditLine, github_requests: requests() }, `dry run: sdlc-guard ${report.conclusion} for ${owner}/${repo}#${number}`);
    return { status: "reported", headSha, report, results, waivers, requests: requests() };
  }
  const checkRun = { owner, repo, headSha, existing, appId, externalId: `pr-${number}`, completedAt: evaluatedAt };
  const checkRunId = await ensureCheckRun(octokit, checkRun, report, memory.checkRuns);
  audit(log, "pull_request.evaluated", { ...auditLine, check_run_id: checkRunId, github_requests: requests() }, `sdlc-guard ${report.conclusion} for ${owner}/${repo}#${number}`);
  return { status: "reported", headSha, report, results, waivers, checkRunId, requests: requests() };
}

/** The optional parts of the PR that the enabled controls look at. */
export function snapshotNeeds(config: SdlcGuardConfig): SnapshotNeeds {
  const on = (id: ControlId) => effectiveEnforcement(id, config).enforcement !== "off";
  const codeOwners = on("reviews") && config.controls.reviews.require_code_owners;
  return { files: codeOwners, codeOwners, commits: on("commit-messages"), checks: on("required-checks"), comments: config.exceptions.approvers.length > 0 };
}

/** The teams whose members the controls need: reviewer teams, and the code-owner teams of the changed files. */
function teamsNeeded(snapshot: PullRequestSnapshot, config: SdlcGuardConfig): string[] {
  const teams = effectiveEnforcement("reviewer-teams", config).enforcement === "off" ? [] : [...config.controls["reviewer-teams"].teams];
  const { codeOwners, changedFiles } = snapshot;
  if (codeOwners?.ok && codeOwners.value && changedFiles?.ok) teams.push(...teamsToResolve(codeOwners.value, changedFiles.value));
  return teams;
}

async function runControls(deps: EvaluationDeps, snapshot: PullRequestSnapshot, config: SdlcGuardConfig): Promise<{ results: ControlResult[]; waivers?: EvaluationOutcome["waivers"] }> {
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
  if (!commands.length) return { results };
  const context = { prAuthor: snapshot.author?.login ?? "", config: config.exceptions, approverTeams: teams, controls: PULL_REQUEST_CONTROL_IDS };
  const { waivers, refused } = activeWaivers(commands, context);
  return {
    results: applyWaivers(results, waivers),
    waivers: { active: [...waivers.values()], refused: refused.map(({ comment, reason }) => ({ commentId: comment.id, reason })) },
  };
}

async function lookUpJiraKeys(jira: JiraClient | undefined, verify: boolean, keys: KeyMatch[]): Promise<JiraLookups | undefined> {
  if (!jira || !verify || !keys.length) return undefined;
  const answers = await Promise.all(keys.map(async ({ key }) => [key, await jira.getIssue(key)] as const));
  return new Map(answers);
}

const sourcesOf = (loaded: LoadedConfig): string[] => (loaded.ok ? loaded.sources : []);
const enforcementOf = (loaded: LoadedConfig, id: ControlId) => (loaded.ok ? effectiveEnforcement(id, loaded.config).enforcement : "required");
