import type { OrgFacts, RepositoryFacts, RepositoryFiles } from "../../facts/org-summary.js";
import { mapFetched, fetched, unavailable, type Fetched } from "../../facts/fetched.js";
import { describeGitHubError } from "../../common/describe-error.js";
import { hardenRequests } from "../transport/harden-requests.js";
import { ORG_ALERT_SOURCES, readOrgAlerts, type OrgAlerts } from "./org-alerts.js";
import { isCodeQlWorkflow, withOrgDefaults } from "./org-files.js";
import { readRemainingMergedPulls, type PendingPulls, type Period } from "./org-merged-pulls.js";
import { NOTHING_RECORDED, readRecordedPushes, type RecordedViolations } from "./org-pushes.js";
import { listOrgRepositories, readTwoFactorRequirement, type ListedRepository } from "./org-repositories.js";
import {
  DEFAULT_REPOS_PER_QUERY,
  MAX_REPOS_PER_QUERY,
  readRepositoryDetails,
  repositoriesQueryCost,
  type OrgDefaultFiles,
  type RepositoryDetails,
} from "./org-repository-details.js";
import { RateBudget, RateLimitExhaustedError, type RateBudgetOptions } from "../transport/rate-budget.js";
import type { GitHubClient } from "../types.js";

export interface CollectOrgOptions {
  org: string;
  /** Our app: merged PRs' head runs must be ours; undefined (the CLI with a token): any check run named `sdlc-guard`. */
  appId?: number;
  /** The collection's clock: the period ends here (nothing inside reads the system time). */
  now: Date;
  /** The period is [now - periodDays, now]. */
  periodDays: number;
  /** Web root for the repositories' links, e.g. https://github.com. */
  webUrl: string;
  /** Repositories per GraphQL query (default 50, at most 100). */
  reposPerQuery?: number;
  onProgress?: (progress: { phase: string; done: number; total: number }) => void;
  budget?: RateBudgetOptions;
}

const DAY_MS = 86_400_000;
/** REST requests after the repository list, at the least: two secret-scanning lists, Dependabot, code scanning, configurations and one configuration's repositories. */
const ALERT_LIST_REQUESTS = 6;
/** GraphQL points of one page of the violation-issue search. */
const SEARCH_PAGE_POINTS = 2;

/**
 * Everything the org-wide summary needs, read in as few requests as GitHub allows: organisation-wide REST lists
 * (repositories, alerts, code security configurations) and batched GraphQL (`nodes(ids:)` for repository details,
 * one search for the app's violation issues), never one request per repository. Only reads. What GitHub will not
 * give is unavailable with the reason, fact by fact; the collection fails as a whole only when the repository list
 * cannot be read or the rate budget runs out (`RateLimitExhaustedError`).
 */
export async function collectOrgFacts(octokit: GitHubClient, options: CollectOrgOptions): Promise<OrgFacts> {
  const { org, appId } = options;
  const counter = hardenRequests(octokit);
  const firstRequest = counter.count;
  const period: Period = { since: new Date(options.now.getTime() - options.periodDays * DAY_MS), until: options.now };
  const perQuery = Math.min(MAX_REPOS_PER_QUERY, Math.max(1, Math.floor(options.reposPerQuery ?? DEFAULT_REPOS_PER_QUERY)));
  const progress = (phase: string, done: number, total: number) => options.onProgress?.({ phase, done, total });

  const budget = await RateBudget.start(octokit, options.budget);
  try {
    const [twoFactorRequired, listed] = await Promise.all([
      readTwoFactorRequirement(octokit, budget, org),
      listOrgRepositories(octokit, budget, org, options.webUrl, (n) => progress("repositories", n, n)).catch((error: unknown) => {
        if (error instanceof RateLimitExhaustedError) throw error;
        throw new Error(`cannot list the repositories of ${org}: ${describeGitHubError(error)}`, { cause: error });
      }),
    ]);
    const active = listed.filter((r) => !r.archived);
    budget.ensureCanMeet({ core: ALERT_LIST_REQUESTS, graphql: graphqlNeed(active.length, perQuery, appId) });

    let alertSourcesRead = 0;
    const [alerts, graphql, recorded] = await Promise.all([
      readOrgAlerts(octokit, budget, org, () => progress("alerts", ++alertSourcesRead, ORG_ALERT_SOURCES)),
      readGraphqlDetails(octokit, budget, active, { org, appId, period, perQuery, progress }),
      readRecordedPushes(octokit, budget, org, period, { perQuery, onPage: (n) => progress("pushes", n, n) }),
    ]);
    const repositories = listed.map((repo) => (repo.archived ? archivedFacts(repo) : activeFacts(org, repo, alerts, graphql, recorded)));
    return {
      org,
      webUrl: options.webUrl,
      collectedAt: options.now.toISOString(),
      period: { since: period.since.toISOString(), until: period.until.toISOString() },
      twoFactorRequired,
      repositories,
      requests: counter.count - firstRequest,
    };
  } finally {
    budget.stop();
  }
}

/** GraphQL points the collection needs at the least: the repository batches and one page of the search. */
function graphqlNeed(repositories: number, perQuery: number, appId: number | undefined): number {
  const full = Math.floor(repositories / perQuery);
  const rest = repositories % perQuery;
  return full * repositoriesQueryCost(perQuery, appId) + (rest ? repositoriesQueryCost(rest, appId) : 0) + SEARCH_PAGE_POINTS;
}

interface GraphqlDetails {
  details: Map<string, RepositoryDetails>;
  defaults: OrgDefaultFiles;
}

/** The repository batches, then the later pages of merged PRs of the busiest repositories (together). */
async function readGraphqlDetails(
  octokit: GitHubClient,
  budget: RateBudget,
  active: ListedRepository[],
  options: {
    org: string;
    appId: number | undefined;
    period: Period;
    perQuery: number;
    progress: (phase: string, done: number, total: number) => void;
  },
): Promise<GraphqlDetails> {
  const { org, appId, period, perQuery, progress } = options;
  const read = await readRepositoryDetails(
    octokit,
    budget,
    org,
    active.map((r) => r.nodeId),
    { appId, period, perQuery, onBatch: (done) => progress("repository details", done, active.length) },
  );
  const pending = new Map<string, PendingPulls>();
  for (const [id, details] of read.details) {
    if (details.morePullsAfter && details.mergedPullRequests.ok)
      pending.set(id, { id, after: details.morePullsAfter, pulls: [...details.mergedPullRequests.value] });
  }
  if (pending.size) {
    let rounds = 0;
    const rest = await readRemainingMergedPulls(octokit, budget, pending, {
      appId,
      period,
      perQuery,
      onPage: () => progress("merged pull requests", ++rounds, rounds),
    });
    for (const [id, pulls] of rest) read.details.get(id)!.mergedPullRequests = pulls;
  }
  return read;
}

function activeFacts(
  org: string,
  repo: ListedRepository,
  alerts: OrgAlerts,
  graphql: GraphqlDetails,
  recorded: Fetched<Map<string, Fetched<RecordedViolations>>>,
): RepositoryFacts {
  const key = repo.name.toLowerCase();
  const details = graphql.details.get(repo.nodeId)!;
  const countOf = <T>(list: Fetched<Map<string, T>>, zero: T): Fetched<T> => mapFetched(list, (byRepo) => byRepo.get(key) ?? zero);
  const violations = recorded.ok ? (recorded.value.get(key) ?? fetched(NOTHING_RECORDED)) : recorded;
  return {
    name: repo.name,
    url: repo.url,
    archived: false,
    visibility: repo.visibility,
    // REST names a default branch even for an empty repository; GraphQL tells (null) when it read the branch.
    defaultBranch: details.defaultBranch === undefined ? repo.defaultBranch : details.defaultBranch,
    pushedAt: repo.pushedAt,
    protection: details.protection,
    secretScanning: repo.secretScanning,
    // A repository whose secret scanning is off has no alerts listed: its cell fails on "disabled" anyway.
    openSecretAlerts: countOf(alerts.secretAlerts, 0),
    dependabotEnabled: details.dependabotEnabled,
    dependabotAlerts: countOf(alerts.dependabotAlerts, { critical: 0, high: 0 }),
    codeScanning: codeScanningOf(key, alerts, details.workflows),
    files: filesOf(org, details.files, graphql.defaults),
    latestRelease: details.latestRelease,
    pushes: mapFetched(violations, (v) => ({ direct: v["direct-push"].count, forced: v["force-push"].count })),
    unverifiedMerges: mapFetched(violations, (v) => v["merged-unverified"]),
    configText: details.configText,
    mergedPullRequests: details.mergedPullRequests,
  };
}

/** Code scanning is set up when any source proves it; else unknown when a source could not be read; else not set up. */
function codeScanningOf(key: string, alerts: OrgAlerts, workflows: Fetched<string[]>): Fetched<string | null> {
  const { defaultSetup, codeScanningAlerts } = alerts;
  const workflow = workflows.ok ? workflows.value.find(isCodeQlWorkflow) : undefined;
  const proof =
    (defaultSetup.ok ? defaultSetup.value.get(key) : undefined) ??
    (workflow && `workflow ${workflow}`) ??
    (codeScanningAlerts.ok && codeScanningAlerts.value.has(key) ? "open code-scanning alerts" : undefined);
  if (proof) return fetched(proof);
  const unknown = [defaultSetup, workflows, codeScanningAlerts].flatMap((source) => (source.ok ? [] : [source.error]));
  return unknown.length ? unavailable(unknown.join("; ")) : fetched(null);
}

/** The repository's own community files, completed by the organisation's defaults where it has none of its own. */
function filesOf(org: string, own: Fetched<RepositoryFiles>, defaults: OrgDefaultFiles): Fetched<RepositoryFiles> {
  if (!own.ok || (own.value.contributing && own.value.securityPolicy)) return own;
  if (!defaults.ok) {
    const missing = [!own.value.contributing && "CONTRIBUTING", !own.value.securityPolicy && "SECURITY.md"].filter(Boolean).join(" and ");
    return unavailable(`${missing} not in the repository, and ${defaults.error}`);
  }
  return fetched(defaults.value ? withOrgDefaults(own.value, defaults.value, `${org}/.github`) : own.value);
}

/** Archived repositories are listed apart, not judged: nothing is read about them. */
function archivedFacts(repo: ListedRepository): RepositoryFacts {
  const archived = unavailable<never>("archived");
  return {
    name: repo.name,
    url: repo.url,
    archived: true,
    visibility: repo.visibility,
    defaultBranch: repo.defaultBranch,
    pushedAt: repo.pushedAt,
    protection: archived,
    secretScanning: archived,
    openSecretAlerts: archived,
    dependabotEnabled: archived,
    dependabotAlerts: archived,
    codeScanning: archived,
    files: archived,
    latestRelease: archived,
    pushes: archived,
    unverifiedMerges: archived,
    configText: archived,
    mergedPullRequests: archived,
  };
}
