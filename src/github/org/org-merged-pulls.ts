import type { MergedPullRequest } from "../../facts/org-summary.js";
import { mapFetched, type Fetched } from "../../facts/fetched.js";
import { CHECK_NAME } from "../../common/product.js";
import { pageOf, type GqlPage } from "../transport/graphql-pages.js";
import { followPages } from "./org-node-pages.js";
import type { RateBudget } from "../transport/rate-budget.js";
import type { GitHubClient } from "../types.js";

/** Merged PRs read with each repository; a busier repository's later pages are read for all such repositories together. */
export const FIRST_PULLS_PAGE = 50;
const MORE_PULLS_PAGE = 100;
/** Past this many pages of PRs updated in the period, the repository's list is unavailable rather than partial. */
const MAX_PULL_PAGES = 20;
/** Check suites looked through for a run named `sdlc-guard` when our app's id is not known (e.g. the CLI with a token). */
const SUITES_WITHOUT_APP_ID = 10;

/**
 * Our run on a commit: the `sdlc-guard` run in our app's one suite. Lighter than the evaluation's `OUR_RUN_SELECTION`
 * (no id, title or summary), which, on thousands of PRs, would make every answer megabytes long.
 */
export function ourRunOnCommit(appId: number | undefined): string {
  return appId === undefined
    ? `checkSuites(first: ${SUITES_WITHOUT_APP_ID}) { nodes { checkRuns(first: 1, filterBy: { checkName: "${CHECK_NAME}" }) { nodes { status conclusion } } } }`
    : `checkSuites(first: 1, filterBy: { appId: $appId }) { nodes { checkRuns(first: 1, filterBy: { checkName: "${CHECK_NAME}", appId: $appId }) { nodes { status conclusion } } } }`;
}

/** The `$appId` variable, declared only when the query uses it (GraphQL rejects an unused variable). */
export const appIdVariable = (appId: number | undefined): { definitions: string; values: Record<string, unknown> } | undefined =>
  appId === undefined ? undefined : { definitions: "$appId: Int!", values: { appId } };

/** A repository's merged PRs, most recently updated first (a PR merged in the period was updated in it too). */
export function mergedPullsConnection(first: number, appId: number | undefined, afterVariable?: string): string {
  const after = afterVariable ? `, after: ${afterVariable}` : "";
  return `pullRequests(states: MERGED, first: ${first}${after}, orderBy: { field: UPDATED_AT, direction: DESC }) {
        ${pageOf(`number mergedAt updatedAt commits(last: 1) { nodes { commit { ${ourRunOnCommit(appId)} } } }`)}
      }`;
}

/** The connections GitHub counts for `prsPerRepository` merged PRs on each of `repositories` (its points: this / 100). */
export function mergedPullsCost(repositories: number, prsPerRepository: number, appId: number | undefined): number {
  const suites = appId === undefined ? SUITES_WITHOUT_APP_ID : 1;
  // Per PR: its last commit, the commit's suites, each suite's runs.
  return repositories * (1 + prsPerRepository * (2 + suites));
}

export interface GqlMergedPull {
  number: number;
  mergedAt: string | null;
  updatedAt: string;
  commits: {
    nodes: ({
      commit: {
        checkSuites: { nodes: ({ checkRuns: { nodes: ({ status: string; conclusion: string | null } | null)[] } | null } | null)[] } | null;
      };
    } | null)[];
  };
}

export interface Period {
  since: Date;
  until: Date;
}

/** The PRs of one page merged in the period, and the cursor of the next page when it may hold more. */
export function mergedPullsOf(page: GqlPage<GqlMergedPull>, period: Period): { pulls: MergedPullRequest[]; nextAfter: string | undefined } {
  const nodes = page.nodes.filter((n): n is GqlMergedPull => n !== null);
  const inPeriod = (iso: string | null) =>
    iso !== null && Date.parse(iso) >= period.since.getTime() && Date.parse(iso) <= period.until.getTime();
  const pulls = nodes
    .filter((pr) => inPeriod(pr.mergedAt))
    .map((pr) => ({ number: pr.number, mergedAt: pr.mergedAt!, conclusion: conclusionOf(pr) }));
  const last = nodes.at(-1);
  const more = page.pageInfo.hasNextPage && page.pageInfo.endCursor && last && Date.parse(last.updatedAt) >= period.since.getTime();
  return { pulls, nextAfter: more ? page.pageInfo.endCursor! : undefined };
}

/** Our run's conclusion on the PR's head (`SUCCESS`, `FAILURE`...); null when it has not completed or does not exist. */
function conclusionOf(pr: GqlMergedPull): string | null {
  for (const suite of pr.commits.nodes[0]?.commit.checkSuites?.nodes ?? []) {
    const run = suite?.checkRuns?.nodes[0];
    if (run) return run.status === "COMPLETED" ? run.conclusion : null;
  }
  return null;
}

/** A repository whose first page of merged PRs did not reach the start of the period. */
export interface PendingPulls {
  /** The repository's GraphQL id. */
  id: string;
  after: string;
  /** What the first page held. */
  pulls: MergedPullRequest[];
}

/** Reads the later pages of every pending repository, all of them in the same queries, until each reaches the period's start. */
export async function readRemainingMergedPulls(
  octokit: GitHubClient,
  budget: RateBudget,
  pending: Map<string, PendingPulls>,
  options: { appId: number | undefined; period: Period; perQuery: number; onPage?: () => void },
): Promise<Map<string, Fetched<MergedPullRequest[]>>> {
  const followed = await followPages<GqlMergedPull>(
    octokit,
    budget,
    [...pending].map(([key, p]) => ({ key, id: p.id, after: p.after })),
    {
      name: "SdlcGuardOrgMergedPulls",
      typeName: "Repository",
      connection: (after) => mergedPullsConnection(MORE_PULLS_PAGE, options.appId, after),
      shared: appIdVariable(options.appId),
      perQuery: options.perQuery,
      cost: (aliases) => Math.max(1, Math.ceil(mergedPullsCost(aliases, MORE_PULLS_PAGE, options.appId) / 100)),
      maxPages: MAX_PULL_PAGES,
      what: "merged pull requests",
      take: (key, page) => {
        const { pulls, nextAfter } = mergedPullsOf(page, options.period);
        pending.get(key)!.pulls.push(...pulls);
        return nextAfter;
      },
      onRound: options.onPage,
    },
  );
  return new Map([...followed].map(([key, outcome]) => [key, mapFetched(outcome, () => pending.get(key)!.pulls)]));
}
