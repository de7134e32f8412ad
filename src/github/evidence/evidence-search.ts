import type { EvidenceUnreadable } from "../../report/evidence-types.js";
import type { GqlPage } from "../transport/graphql-pages.js";
import type { Period } from "../org/org-merged-pulls.js";
import { describeFieldErrors, graphqlPartial, type GqlFieldError, type GqlOutcome } from "../org/org-node-pages.js";
import type { RateBudget } from "../transport/rate-budget.js";
import type { GitHubClient } from "../types.js";

/** GitHub's search lists at most this many results of one query, whatever the page. */
export const SEARCH_RESULT_LIMIT = 1_000;
const SECOND = 1_000;

export interface PeriodSearch {
  /** A query with `$search: String!` and `$after: String` that selects `search { issueCount pageInfo nodes }`. */
  query: string;
  /** Variables besides `$search` and `$after`. */
  variables?: Record<string, unknown>;
  /** The search string for a range of time, given as GitHub's `A..B` (whole seconds, both ends included). */
  searchFor: (range: string) => string;
  /** GraphQL points of one page. */
  cost: number;
  /** What is searched for, in the unreadable list (e.g. "pull requests merged"). */
  what: string;
  /** Results GitHub lists at most per query (default SEARCH_RESULT_LIMIT). */
  resultLimit?: number;
  /** Hears the running count of results read. */
  onPage?: (read: number) => void;
}

/** One result, and the errors GitHub reported on it (its other fields are still there). */
export interface SearchHit<N> {
  node: N;
  errors: GqlFieldError[];
}

type GqlSearch<N> = { search: (GqlPage<N> & { issueCount: number }) | null };

/** `2026-11-20T09:00:00Z`: the form GitHub's search qualifiers take. */
const searchTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * Every result of a search over a period, however many: a query whose results GitHub counts beyond what it lists
 * (1,000) is split into two halves of its period, recursively, down to one second. Whole seconds bound the ranges, so
 * results a second outside the period may come back: the caller keeps what lies in it. A page that cannot be read
 * (and the pages after it, which its cursor leads to), or results GitHub counted and did not list, are unreadable.
 */
export async function searchOverPeriod<N>(
  octokit: GitHubClient,
  budget: RateBudget,
  period: Period,
  spec: PeriodSearch,
): Promise<{ hits: SearchHit<N>[]; unreadable: EvidenceUnreadable[] }> {
  const limit = spec.resultLimit ?? SEARCH_RESULT_LIMIT;
  const hits: SearchHit<N>[] = [];
  const unreadable: EvidenceUnreadable[] = [];

  const readRange = async (from: number, to: number): Promise<void> => {
    const range = `${searchTime(from)}..${searchTime(to - SECOND)}`;
    const search = spec.searchFor(range);
    let after: string | null = null;
    let listed = 0;
    for (let page = 1; ; page++) {
      await budget.spend("graphql", spec.cost);
      const outcome: GqlOutcome<GqlSearch<N>> = await graphqlPartial<GqlSearch<N>>(octokit, spec.query, {
        ...spec.variables,
        search,
        after,
      });
      const answer: GqlSearch<N>["search"] = outcome.ok ? outcome.data.search : null;
      if (!answer) {
        const why = outcome.ok ? describeFieldErrors(outcome.errors) : outcome.error;
        unreadable.push({ what: `${spec.what} ${range}${page > 1 ? `, page ${page} and after` : ""}`, why });
        return;
      }
      if (page === 1 && answer.issueCount > limit && to - from > SECOND) {
        // Dropped: each half is read whole.
        const middle = from + Math.floor((to - from) / (2 * SECOND)) * SECOND;
        await readRange(from, middle);
        await readRange(middle, to);
        return;
      }
      const errors = outcome.ok ? outcome.errors : [];
      const nodeErrors = (i: number) => errors.filter((e) => e.path?.[0] === "search" && e.path[1] === "nodes" && e.path[2] === i);
      const unpinned = errors.filter((e) => !(e.path?.[0] === "search" && e.path[1] === "nodes" && typeof e.path[2] === "number"));
      if (unpinned.length) unreadable.push({ what: `part of ${spec.what} ${range}, page ${page}`, why: describeFieldErrors(unpinned) });
      answer.nodes.forEach((node, i) => {
        if (node) hits.push({ node, errors: nodeErrors(i) });
        else if (nodeErrors(i).length)
          unreadable.push({ what: `a result of ${spec.what} ${range}, page ${page}`, why: describeFieldErrors(nodeErrors(i)) });
      });
      listed += answer.nodes.length;
      spec.onPage?.(hits.length);
      if (answer.pageInfo.hasNextPage && answer.pageInfo.endCursor) {
        after = answer.pageInfo.endCursor;
        continue;
      }
      const counted = answer.issueCount;
      if (listed < Math.min(counted, limit))
        unreadable.push({ what: `${spec.what} ${range}`, why: `GitHub's search counted ${counted} but listed ${listed}` });
      if (counted > limit)
        unreadable.push({
          what: `${spec.what} ${range}`,
          why: `${counted} results within one second, more than the ${limit} GitHub's search lists: only ${listed} are exported`,
        });
      return;
    }
  };

  const from = Math.floor(period.since.getTime() / SECOND) * SECOND;
  const to = Math.ceil(period.until.getTime() / SECOND) * SECOND;
  if (to > from) await readRange(from, to);
  return { hits, unreadable };
}
