import type { Logger } from "pino";
import { formatConfigError } from "../config/config-error.js";
import { loadConfig, type LoadedConfig } from "../config/load-config.js";
import type { SdlcGuardConfig } from "../config/schema.js";
import { concludeControls, evaluatePullRequestControls, PULL_REQUEST_CONTROL_IDS } from "../controls/evaluate-pull-request-controls.js";
import type { JiraLookups } from "../controls/jira.js";
import { findJiraKeys, type KeyMatch } from "../controls/jira-keys.js";
import { cannotEvaluate, type ControlId, type ControlResult } from "../controls/types.js";
import { ensureCheckRun } from "../github/check-run.js";
import { describeGitHubError } from "../github/describe-error.js";
import { hardenRequests, type RequestPolicy } from "../github/harden-requests.js";
import { readPullRequest, type PullRequestRead } from "../github/pull-request-snapshot.js";
import { readDefaultBranchFile } from "../github/read-config-file.js";
import type { GitHubClient } from "../github/types.js";
import type { JiraClient } from "../jira/jira-client.js";
import { renderConfigError, renderControlResults, withSharedHead, type CheckRunReport } from "../report/check-run-output.js";
import { KeyedLock } from "./keyed-lock.js";

/** What one app instance remembers between evaluations: per-PR serialization and the check runs it wrote. */
export interface EvaluationMemory {
  lock: KeyedLock;
  checkRuns: Map<string, number>;
}

export const createEvaluationMemory = (): EvaluationMemory => ({ lock: new KeyedLock(), checkRuns: new Map() });

export interface EvaluationDeps {
  memory: EvaluationMemory;
  octokit: GitHubClient;
  log: Logger;
  appId: number | undefined;
  jira: JiraClient | undefined;
  requestPolicy?: RequestPolicy;
  now?: () => Date;
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
  checkRunId?: number;
  /** GitHub requests this evaluation made (logical requests; retries of one request count once). */
  requests: number;
}

/**
 * Evaluates one PR from fresh GitHub state and writes its one `sdlc-guard` check run. Serialized per repository:
 * two PRs can share a head commit, and so its one check run.
 */
export function evaluatePullRequest(deps: EvaluationDeps, target: PullRequestTarget): Promise<EvaluationOutcome> {
  return deps.memory.lock.run(`${target.owner}/${target.repo}`.toLowerCase(), () => evaluateNow(deps, target));
}

async function evaluateNow(deps: EvaluationDeps, target: PullRequestTarget): Promise<EvaluationOutcome> {
  const { octokit, log, appId } = deps;
  const { owner, repo, number } = target;
  const counter = hardenRequests(octokit, deps.requestPolicy);
  const startCount = counter.count;
  const requests = () => counter.count - startCount;
  const evaluatedAt = (deps.now?.() ?? new Date()).toISOString();

  const [loaded, read] = await Promise.all([
    loadConfig(owner, repo, (location) => readDefaultBranchFile(octokit, location)),
    readPullRequest(octokit, owner, repo, number, appId).catch((error: unknown) => error as Error),
  ]);

  let headSha: string;
  let report: CheckRunReport;
  let results: ControlResult[] | undefined;
  let existingId: number | null | undefined;
  if (read instanceof Error || (read === null && target.announcedHeadSha)) {
    // An event named this PR: not being able to read it is a failure to report on its head, never silence.
    if (!target.announcedHeadSha) throw read;
    headSha = target.announcedHeadSha;
    const why = read instanceof Error ? describeGitHubError(read) : "GitHub returned no such pull request";
    results = PULL_REQUEST_CONTROL_IDS.map((id) => ({ id, enforcement: enforcementOf(loaded, id), ...cannotEvaluate("the pull request", why) }));
    report = renderControlResults(results, "failure", { number, headSha, isDraft: false, configSources: sourcesOf(loaded), evaluatedAt });
  } else if (read === null || read.state !== "OPEN") {
    log.info({ owner, repo, number }, "pull request not found or not open; nothing to evaluate");
    return { status: "skipped", reason: read ? `pull request is ${read.state.toLowerCase()}` : "pull request not found", requests: requests() };
  } else {
    headSha = read.snapshot.headSha;
    existingId = read.existingCheckRunId;
    const ctx = { number, headSha, isDraft: read.snapshot.isDraft, configSources: sourcesOf(loaded), evaluatedAt };
    if (!loaded.ok) {
      log.warn({ owner, repo, number, config: formatConfigError(loaded.error) }, "configuration error");
      report = renderConfigError(loaded.error, ctx);
    } else {
      results = await runControls(read, loaded.config, deps.jira);
      report = renderControlResults(results, concludeControls(results), ctx);
      if (read.sharedHeadWith.length) report = withSharedHead(report, read.sharedHeadWith);
    }
  }

  const checkRun = { owner, repo, headSha, existingId, appId, externalId: `pr-${number}`, completedAt: evaluatedAt };
  const checkRunId = await ensureCheckRun(octokit, checkRun, report, deps.memory.checkRuns);
  log.info(
    {
      audit: "pull_request.evaluated",
      repository: `${owner}/${repo}`,
      pull_request: number,
      head_sha: headSha,
      conclusion: report.conclusion,
      controls: Object.fromEntries((results ?? []).map((r) => [r.id, `${r.enforcement}:${r.outcome}`])),
      check_run_id: checkRunId,
      github_requests: requests(),
    },
    `sdlc-guard ${report.conclusion} for ${owner}/${repo}#${number}`,
  );
  return { status: "reported", headSha, report, results, checkRunId, requests: requests() };
}

async function runControls(read: PullRequestRead, config: SdlcGuardConfig, jira: JiraClient | undefined): Promise<ControlResult[]> {
  const jiraConfig = config.controls.jira;
  const jiraKeys: KeyMatch[] = jiraConfig.enforcement === "off" ? [] : findJiraKeys(read.snapshot, jiraConfig);
  let jiraLookups: JiraLookups | undefined;
  if (jira && jiraConfig.verify && jiraKeys.length) {
    const answers = await Promise.all(jiraKeys.map(async ({ key }) => [key, await jira.getIssue(key)] as const));
    jiraLookups = new Map(answers);
  }
  return evaluatePullRequestControls({ snapshot: read.snapshot, jiraKeys, jiraLookups }, config);
}

const sourcesOf = (loaded: LoadedConfig): string[] => (loaded.ok ? loaded.sources : []);
const enforcementOf = (loaded: LoadedConfig, id: ControlId) =>
  loaded.ok ? loaded.config.controls[id].enforcement : "required";

