import { searchOverPeriod } from "./evidence-search.js";
import type { EvidencePush, EvidenceUnreadable } from "../../report/evidence-types.js";
import { pageOf, type GqlPage } from "../transport/graphql-pages.js";
import type { Period } from "../org/org-merged-pulls.js";
import { followPages } from "../org/org-node-pages.js";
import { AUTHOR, COMMENT_FIELDS, OCCURRENCE_PREFIX, type GqlAuthor, type GqlComment } from "../org/org-pushes.js";
import { toActor } from "../refs/pull-request-snapshot.js";
import type { RateBudget } from "../transport/rate-budget.js";
import type { GitHubClient } from "../types.js";
import { VIOLATION_LABEL } from "../../common/product.js";
import { violationMarker } from "../writes/violation-issue.js";

/** Past this many pages of comments on one issue, its later occurrences are unreadable rather than partial. */
const MAX_COMMENT_PAGES = 20;

const ISSUE_FIELDS = `... on Issue { id number url body createdAt ${AUTHOR} repository { name } comments(first: 100) { ${pageOf(COMMENT_FIELDS)} } }`;

export const VIOLATION_ISSUES_QUERY = `query SdlcGuardEvidenceViolations($search: String!, $after: String) {
  search(type: ISSUE, first: 100, query: $search, after: $after) {
    issueCount
    ${pageOf(ISSUE_FIELDS)}
  }
}`;
/** GraphQL points of one page: 100 issues with 100 comments each. */
const PAGE_COST = 2;

interface GqlIssue {
  id: string;
  number: number;
  url: string;
  body: string;
  createdAt: string;
  author: GqlAuthor;
  repository: { name: string };
  comments: GqlPage<GqlComment>;
}

const CONTROLS = [
  { control: "direct-push", kind: "direct", marker: violationMarker("direct-push") },
  { control: "force-push", kind: "forced", marker: violationMarker("force-push") },
] as const;

/**
 * Every direct and forced push the app recorded in the period: its `direct-push` and `force-push` violation issues
 * (opened by a bot, found by their hidden marker; open or closed) hold one occurrence in the issue itself and one per
 * bot comment carrying an occurrence marker, each at the time it was written. The issues are found by one search
 * (issues updated since the period began: an occurrence updates its issue), split by period as results require.
 */
export async function readRecordedPushEvents(
  octokit: GitHubClient,
  budget: RateBudget,
  options: {
    org: string;
    repository?: string;
    period: Period;
    now: Date;
    perQuery: number;
    resultLimit?: number;
    onPage?: (read: number) => void;
  },
): Promise<{ pushes: EvidencePush[]; unreadable: EvidenceUnreadable[] }> {
  const { org, repository, period } = options;
  const scope = repository ? `repo:${org}/${repository}` : `org:${org}`;
  // An issue with an occurrence in the period was updated then or later, until now.
  const updated = { since: period.since, until: new Date(Math.max(options.now.getTime(), period.until.getTime())) };
  const found = await searchOverPeriod<Partial<GqlIssue>>(octokit, budget, updated, {
    query: VIOLATION_ISSUES_QUERY,
    searchFor: (range) => `${scope} label:${VIOLATION_LABEL} is:issue updated:${range}`,
    cost: PAGE_COST,
    what: "sdlc-guard violation issues updated",
    resultLimit: options.resultLimit,
    onPage: options.onPage,
  });
  const unreadable = [...found.unreadable];
  const inPeriod = (iso: string) => Date.parse(iso) >= period.since.getTime() && Date.parse(iso) < period.until.getTime();

  const issues: { issue: GqlIssue; control: (typeof CONTROLS)[number]; comments: GqlComment[] }[] = [];
  for (const { node, errors } of found.hits) {
    // Only the app's (a bot's) issues count: a pasted marker cannot make or hide a violation.
    const control = toActor(node.author ?? null)?.isBot ? CONTROLS.find((c) => node.body?.includes(c.marker)) : undefined;
    if (!control) continue;
    if (errors.length || !node.comments || !node.repository) {
      unreadable.push({
        what: `sdlc-guard violation issue ${node.url ?? `#${node.number}`}`,
        why: errors.map((e) => e.message).join("; ") || "GitHub did not return its comments",
      });
      continue;
    }
    issues.push({ issue: node as GqlIssue, control, comments: node.comments.nodes.filter((c): c is GqlComment => c !== null) });
  }

  const waiting = issues.filter(({ issue }) => issue.comments.pageInfo.hasNextPage && issue.comments.pageInfo.endCursor);
  if (waiting.length) {
    const byId = new Map(issues.map((i) => [i.issue.id, i]));
    const followed = await followPages<GqlComment>(
      octokit,
      budget,
      waiting.map(({ issue }) => ({ key: issue.id, id: issue.id, after: issue.comments.pageInfo.endCursor! })),
      {
        name: "SdlcGuardEvidenceViolationComments",
        typeName: "Issue",
        connection: (after) => `comments(first: 100, after: ${after}) { ${pageOf(COMMENT_FIELDS)} }`,
        perQuery: options.perQuery,
        cost: (aliases) => Math.max(1, Math.ceil(aliases / 100)),
        maxPages: MAX_COMMENT_PAGES,
        what: "comments",
        take: (key, page) => {
          byId.get(key)!.comments.push(...page.nodes.filter((c): c is GqlComment => c !== null));
          return page.pageInfo.hasNextPage ? (page.pageInfo.endCursor ?? undefined) : undefined;
        },
      },
    );
    for (const [key, outcome] of followed)
      if (!outcome.ok) unreadable.push({ what: `later occurrences in ${byId.get(key)!.issue.url}`, why: outcome.error });
  }

  const pushes: EvidencePush[] = [];
  for (const { issue, control, comments } of issues) {
    const record = (at: string, text: string): EvidencePush => ({
      repository: issue.repository.name,
      kind: control.kind,
      control: control.control,
      at,
      issueUrl: issue.url,
      summary: firstLine(text),
    });
    if (inPeriod(issue.createdAt))
      pushes.push(record(issue.createdAt, issue.body.slice(issue.body.indexOf(control.marker) + control.marker.length)));
    for (const comment of comments) {
      if (toActor(comment.author)?.isBot && comment.body.includes(OCCURRENCE_PREFIX) && inPeriod(comment.createdAt))
        pushes.push(record(comment.createdAt, comment.body));
    }
  }
  return { pushes, unreadable };
}

/** The first line of an occurrence's text: hidden markers and the issue's "First occurrence" heading left out. */
function firstLine(text: string): string {
  const lines = text
    .replace(/<!--[\s\S]*?-->/g, "")
    .split("\n")
    .map((line) => line.trim());
  return lines.find((line) => line && !/^#+\s*first occurrence$/i.test(line)) ?? "";
}
