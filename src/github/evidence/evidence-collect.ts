import { formatConfigError } from "../../config/config-error.js";
import { loadConfig } from "../../config/load-config.js";
import { configSchema, type JiraConfig } from "../../config/schema.js";
import { describeGitHubError } from "../../common/describe-error.js";
import { readMergedPulls, mergedPullsSearchCost } from "./evidence-pull-requests.js";
import { readRecordedPushEvents } from "./evidence-pushes.js";
import { readReleases, releasesQueryCost, type RepositoryToRead } from "./evidence-releases.js";
import type { EvidenceExport, EvidenceUnreadable } from "../../report/evidence-types.js";
import { hardenRequests } from "../transport/harden-requests.js";
import type { Period } from "../org/org-merged-pulls.js";
import { listOrgRepositories } from "../org/org-repositories.js";
import { DEFAULT_REPOS_PER_QUERY, MAX_REPOS_PER_QUERY } from "../org/org-repository-details.js";
import { RateBudget, RateLimitExhaustedError, type RateBudgetOptions } from "../transport/rate-budget.js";
import { readDefaultBranchFile } from "../refs/read-config-file.js";
import type { GitHubClient } from "../types.js";

export interface CollectEvidenceOptions {
  org: string;
  /** Only this repository of the organisation (its name). */
  repository?: string;
  /** [since, until). */
  period: Period;
  /** Our app: a merged PR's run must be ours; undefined (the CLI with a token): any check run named `sdlc-guard`. */
  appId?: number;
  /** The collection's clock (nothing inside reads the system time). */
  now: Date;
  /** Web root for the repository list's links, e.g. https://github.com. */
  webUrl: string;
  /** Repositories per GraphQL query (default 50, at most 100). */
  reposPerQuery?: number;
  /** Results GitHub's search lists at most per query (default 1,000; a test's simulator may list fewer). */
  searchResultLimit?: number;
  onProgress?: (progress: { phase: string; done: number; total: number }) => void;
  budget?: RateBudgetOptions;
}

/**
 * The auditor's evidence of a period: every PR merged in it (approvals, Jira keys, our run's conclusion and per-control
 * results, waivers), every direct and forced push the app recorded, every release published. Read in as few requests as
 * GitHub allows: GraphQL search for PRs and violation issues, `nodes(ids:)` batches for releases, the repository list
 * (REST) only to know which repositories to ask about. Only reads. What could not be read is listed in `unreadable`,
 * never left out; the collection fails as a whole only when the repository (list) cannot be read or the rate budget
 * runs out (`RateLimitExhaustedError`).
 */
export async function collectEvidence(octokit: GitHubClient, options: CollectEvidenceOptions): Promise<EvidenceExport> {
  const { org, repository, period, appId } = options;
  const counter = hardenRequests(octokit);
  const firstRequest = counter.count;
  const perQuery = Math.min(MAX_REPOS_PER_QUERY, Math.max(1, Math.floor(options.reposPerQuery ?? DEFAULT_REPOS_PER_QUERY)));
  const progress = (phase: string, done: number, total: number) => options.onProgress?.({ phase, done, total });

  const budget = await RateBudget.start(octokit, options.budget);
  try {
    const [jira, repositories] = await Promise.all([
      readJiraSettings(octokit, budget, org, repository),
      readRepositories(octokit, budget, options, (n) => progress("repositories", n, n)),
    ]);
    budget.ensureCanMeet({
      graphql: Math.ceil(repositories.length / perQuery) * releasesQueryCost(perQuery) + mergedPullsSearchCost(appId) + 2,
    });

    const [pulls, releases, pushes] = await Promise.all([
      readMergedPulls(octokit, budget, {
        org,
        repository,
        appId,
        period,
        jira: jira.config,
        resultLimit: options.searchResultLimit,
        onPage: (n) => progress("pull requests", n, n),
      }),
      readReleases(octokit, budget, repositories, { org, period, perQuery, onBatch: (n) => progress("releases", n, repositories.length) }),
      readRecordedPushEvents(octokit, budget, {
        org,
        repository,
        period,
        now: options.now,
        perQuery,
        resultLimit: options.searchResultLimit,
        onPage: (n) => progress("pushes", n, n),
      }),
    ]);
    return {
      org,
      ...(repository ? { repository } : {}),
      period: { since: period.since.toISOString(), until: period.until.toISOString() },
      generatedAt: options.now.toISOString(),
      pullRequests: pulls.pullRequests.sort(
        compareBy(
          (p) => p.mergedAt,
          (p) => p.repository,
          (p) => p.number,
        ),
      ),
      pushes: pushes.pushes.sort(
        compareBy(
          (p) => p.at,
          (p) => p.repository,
          (p) => p.control,
        ),
      ),
      releases: releases.releases.sort(
        compareBy(
          (r) => r.publishedAt,
          (r) => r.repository,
          (r) => r.tag,
        ),
      ),
      unreadable: [...jira.unreadable, ...pulls.unreadable, ...releases.unreadable, ...pushes.unreadable],
      requests: counter.count - firstRequest,
    };
  } finally {
    budget.stop();
  }
}

/** Orders by the first key that differs. */
const compareBy =
  <T>(...keys: ((item: T) => string | number)[]) =>
  (a: T, b: T): number => {
    for (const key of keys) {
      const [x, y] = [key(a), key(b)];
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };

/**
 * The Jira key settings the app uses (`controls.jira`): the repository's config with `--repo`, else the organisation's
 * `.github` config (one request); the defaults (any ABC-123 key) when there is none, or, said so, when it cannot be used.
 */
async function readJiraSettings(
  octokit: GitHubClient,
  budget: RateBudget,
  org: string,
  repository: string | undefined,
): Promise<{ config: JiraConfig; unreadable: EvidenceUnreadable[] }> {
  const loaded = await loadConfig(org, repository ?? ".github", async (location) => {
    await budget.spend("core", 1);
    return readDefaultBranchFile(octokit, location);
  });
  if (loaded.ok) return { config: loaded.config.controls.jira, unreadable: [] };
  return {
    config: configSchema.parse({}).controls.jira,
    unreadable: [
      {
        what: "the Jira key settings (controls.jira)",
        why: `${formatConfigError(loaded.error)}; keys were found with the default pattern (ABC-123)`,
      },
    ],
  };
}

/** The repositories whose releases are read: the one asked for, or every repository of the organisation (archived too). */
async function readRepositories(
  octokit: GitHubClient,
  budget: RateBudget,
  options: CollectEvidenceOptions,
  onPage: (listed: number) => void,
): Promise<RepositoryToRead[]> {
  const { org, repository } = options;
  try {
    if (!repository) return await listOrgRepositories(octokit, budget, org, options.webUrl, onPage);
    await budget.spend("core", 1);
    const { data } = await octokit.rest.repos.get({ owner: org, repo: repository });
    return [{ name: data.name, nodeId: data.node_id }];
  } catch (error) {
    if (error instanceof RateLimitExhaustedError) throw error;
    throw new Error(
      `cannot read ${repository ? `the repository ${org}/${repository}` : `the repositories of ${org}`}: ${describeGitHubError(error)}`,
      { cause: error },
    );
  }
}
