import { mapFetched, fetched, unavailable, type Fetched } from "../../facts/fetched.js";
import { pageOf, type GqlPage } from "../transport/graphql-pages.js";
import type { Period } from "./org-merged-pulls.js";
import { followPages, graphqlPartial, type GqlOutcome } from "./org-node-pages.js";
import { toActor } from "../refs/pull-request-snapshot.js";
import type { RateBudget } from "../transport/rate-budget.js";
import type { GitHubClient } from "../types.js";
import { occurrenceMarker, violationMarker } from "../writes/violation-issue.js";
import { VIOLATION_LABEL } from "../../common/product.js";
import type { RecordedOccurrences } from "../../facts/org-summary.js";

export interface RecordedPushes {
  direct: number;
  forced: number;
}

/** The controls whose violation issues the summary counts: one occurrence per push or merge the app recorded. */
export type RecordedControl = "direct-push" | "force-push" | "merged-unverified";
/** A repository's recorded occurrences in the period, by control. */
export type RecordedViolations = Record<RecordedControl, RecordedOccurrences>;

/** GitHub's search lists at most this many results, whatever the page. */
const SEARCH_LIMIT = 1_000;
/** Past this many pages of comments on one issue, its repository's count is unavailable rather than partial. */
const MAX_COMMENT_PAGES = 20;

/** The author and comment selections of the app's violation issues (the evidence export reads them too). */
export const AUTHOR = "author { login __typename }";
export const COMMENT_FIELDS = `body createdAt ${AUTHOR}`;
const ISSUE_FIELDS = `... on Issue { id number body createdAt ${AUTHOR} repository { name } comments(first: 100) { totalCount ${pageOf(COMMENT_FIELDS)} } }`;

export const VIOLATION_SEARCH_QUERY = `query SdlcGuardOrgViolations($search: String!, $after: String) {
  search(type: ISSUE, first: 100, query: $search, after: $after) {
    issueCount
    ${pageOf(ISSUE_FIELDS)}
  }
}`;

export type GqlAuthor = { login: string; __typename: string } | null;
export interface GqlComment {
  body: string;
  createdAt: string;
  author: GqlAuthor;
}
interface GqlIssue {
  id?: string;
  number?: number;
  body?: string;
  createdAt?: string;
  author?: GqlAuthor;
  repository?: { name: string };
  comments?: GqlPage<GqlComment> & { totalCount: number };
}
interface GqlSearch {
  search: GqlPage<GqlIssue> & { issueCount: number };
}

/** What every occurrence marker starts with, whatever its key. */
export const OCCURRENCE_PREFIX = occurrenceMarker("").replace(/\s*-->$/, "");
const CONTROLS: RecordedControl[] = ["direct-push", "force-push", "merged-unverified"];
const none = (): RecordedViolations => ({
  "direct-push": { count: 0, issues: [] },
  "force-push": { count: 0, issues: [] },
  "merged-unverified": { count: 0, issues: [] },
});
/** A repository without any recorded occurrence. */
export const NOTHING_RECORDED: RecordedViolations = none();

/**
 * The direct and forced pushes and the unverified merges the app recorded in the period, by lower-case repository
 * name: its `direct-push`, `force-push` and `merged-unverified` violation issues (opened by a bot, found by their
 * hidden marker) count one occurrence for the issue itself and one per bot comment carrying an occurrence marker, each
 * when it was written in the period. One search for the whole organisation; a failed search makes the counts of every
 * repository unavailable.
 */
export async function readRecordedPushes(
  octokit: GitHubClient,
  budget: RateBudget,
  org: string,
  period: Period,
  options: { perQuery: number; onPage?: (issues: number) => void },
): Promise<Fetched<Map<string, Fetched<RecordedViolations>>>> {
  const query = `org:${org} label:${VIOLATION_LABEL} is:issue updated:>=${period.since.toISOString().slice(0, 10)}`;
  const issues: GqlIssue[] = [];
  let after: string | null = null;
  do {
    await budget.spend("graphql", 2); // 100 issues with their comments
    const outcome: GqlOutcome<GqlSearch> = await graphqlPartial<GqlSearch>(octokit, VIOLATION_SEARCH_QUERY, { search: query, after });
    if (!outcome.ok) return unavailable(`the search for sdlc-guard violation issues: ${outcome.error}`);
    if (outcome.errors.length || !outcome.data.search)
      return unavailable(`the search for sdlc-guard violation issues: ${outcome.errors.map((e) => e.message).join("; ") || "no answer"}`);
    const search: GqlSearch["search"] = outcome.data.search;
    if (search.issueCount > SEARCH_LIMIT)
      return unavailable(
        `${search.issueCount} sdlc-guard issues were updated in the period, more than the ${SEARCH_LIMIT} GitHub's search lists`,
      );
    issues.push(...search.nodes.filter((n): n is GqlIssue => n !== null));
    options.onPage?.(issues.length);
    after = search.pageInfo.hasNextPage ? search.pageInfo.endCursor : null;
  } while (after);

  const inPeriod = (iso: string | undefined) =>
    iso !== undefined && Date.parse(iso) >= period.since.getTime() && Date.parse(iso) <= period.until.getTime();
  const counts = new Map<string, Fetched<RecordedViolations>>();
  const pending: { issue: GqlIssue; control: RecordedControl; comments: GqlComment[] }[] = [];
  for (const issue of issues) {
    // Only the app's (a bot's) issues count: a pasted marker cannot make or hide a violation.
    const control = toActor(issue.author ?? null)?.isBot ? CONTROLS.find((id) => issue.body?.includes(violationMarker(id))) : undefined;
    if (!control || !issue.repository || !issue.comments) continue;
    pending.push({ issue, control, comments: issue.comments.nodes.filter((c): c is GqlComment => c !== null) });
  }
  const later = await readLaterComments(
    octokit,
    budget,
    pending.filter((p) => p.issue.comments!.pageInfo.hasNextPage && p.issue.id),
    options.perQuery,
  );
  for (const { issue, control, comments } of pending) {
    const name = issue.repository!.name.toLowerCase();
    const known = counts.get(name) ?? fetched(none());
    const more = later.get(issue.id ?? "") ?? fetched([]);
    if (!known.ok) continue;
    if (!more.ok) {
      counts.set(name, unavailable(`the comments of issue #${issue.number}: ${more.error}`));
      continue;
    }
    const occurrences =
      (inPeriod(issue.createdAt) ? 1 : 0) +
      [...comments, ...more.value].filter((c) => toActor(c.author)?.isBot && c.body.includes(OCCURRENCE_PREFIX) && inPeriod(c.createdAt))
        .length;
    if (occurrences === 0) continue;
    const recorded = known.value[control];
    const issues = issue.number === undefined ? recorded.issues : [...recorded.issues, issue.number];
    counts.set(name, fetched({ ...known.value, [control]: { count: recorded.count + occurrences, issues } }));
  }
  return fetched(counts);
}

/** The comments after the first 100 of each issue, for all such issues in the same queries. */
async function readLaterComments(
  octokit: GitHubClient,
  budget: RateBudget,
  pending: { issue: GqlIssue }[],
  perQuery: number,
): Promise<Map<string, Fetched<GqlComment[]>>> {
  const collected = new Map<string, GqlComment[]>();
  const start = pending.map(({ issue }) => ({ key: issue.id!, id: issue.id!, after: issue.comments!.pageInfo.endCursor ?? "" }));
  const followed = await followPages<GqlComment>(octokit, budget, start, {
    name: "SdlcGuardOrgViolationComments",
    typeName: "Issue",
    connection: (after) => `comments(first: 100, after: ${after}) { ${pageOf(COMMENT_FIELDS)} }`,
    perQuery,
    cost: (aliases) => Math.max(1, Math.ceil(aliases / 100)),
    maxPages: MAX_COMMENT_PAGES,
    what: "comments",
    take: (key, page) => {
      collected.set(key, [...(collected.get(key) ?? []), ...page.nodes.filter((c): c is GqlComment => c !== null)]);
      return page.pageInfo.hasNextPage ? (page.pageInfo.endCursor ?? undefined) : undefined;
    },
  });
  return new Map([...followed].map(([key, outcome]) => [key, mapFetched(outcome, () => collected.get(key) ?? [])]));
}
