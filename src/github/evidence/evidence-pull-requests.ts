import type { JiraConfig } from "../../config/schema.js";
import { findJiraKeys } from "../../controls/jira-keys.js";
import type { PullRequestSnapshot } from "../../facts/pull-request.js";
import { decodeResults } from "../../report/check-run-state.js";
import { CHECK_NAME } from "../../common/product.js";
import { searchOverPeriod } from "./evidence-search.js";
import type { EvidenceApprover, EvidencePullRequest, EvidenceUnreadable } from "../../report/evidence-types.js";
import { pageOf, type GqlPage } from "../transport/graphql-pages.js";
import { appIdVariable, type Period } from "../org/org-merged-pulls.js";
import { describeFieldErrors } from "../org/org-node-pages.js";
import type { RateBudget } from "../transport/rate-budget.js";
import type { GitHubClient } from "../types.js";

/** Merged PRs per search page: each brings its body and our run's summary, which can be long. */
export const PULLS_PER_PAGE = 50;
/** Check suites looked through for a run named `sdlc-guard` when our app's id is not known (e.g. the CLI with a token). */
const SUITES_WITHOUT_APP_ID = 10;
const APPROVALS_PER_PR = 100;

const RUN_FIELDS = "status conclusion summary";
/** Our run on the merged head, with the summary that carries the per-control results. */
const ourRunWithSummary = (appId: number | undefined): string =>
  appId === undefined
    ? `checkSuites(first: ${SUITES_WITHOUT_APP_ID}) { pageInfo { hasNextPage } nodes { checkRuns(first: 1, filterBy: { checkName: "${CHECK_NAME}" }) { nodes { ${RUN_FIELDS} } } } }`
    : `checkSuites(first: 1, filterBy: { appId: $appId }) { pageInfo { hasNextPage } nodes { checkRuns(first: 1, filterBy: { checkName: "${CHECK_NAME}", appId: $appId }) { nodes { ${RUN_FIELDS} } } } }`;

const pullFields = (appId: number | undefined) => `... on PullRequest {
        number title body url mergedAt headRefName headRefOid baseRefName
        repository { name }
        author { login }
        mergeCommit { oid }
        mergedBy { login }
        reviews(first: ${APPROVALS_PER_PR}, states: [APPROVED]) { ${pageOf("submittedAt author { login } commit { oid }")} }
        commits(last: 1) { nodes { commit { oid ${ourRunWithSummary(appId)} } } }
      }`;

/** The search of merged PRs, `PULLS_PER_PAGE` a page, with what the export lists of each. */
export function mergedPullsSearchQuery(appId: number | undefined): string {
  const appIdDefinition = appIdVariable(appId) ? `, ${appIdVariable(appId)!.definitions}` : "";
  return `query SdlcGuardEvidencePullRequests($search: String!, $after: String${appIdDefinition}) {
  search(type: ISSUE, first: ${PULLS_PER_PAGE}, query: $search, after: $after) {
    issueCount
    ${pageOf(pullFields(appId))}
  }
}`;
}

/** GraphQL points of one page (GitHub: connections asked for / 100). */
export function mergedPullsSearchCost(appId: number | undefined): number {
  const suites = appId === undefined ? SUITES_WITHOUT_APP_ID : 1;
  // The search, then per PR: its approvals, its last commit, the commit's suites and each suite's runs.
  return Math.max(1, Math.ceil((1 + PULLS_PER_PAGE * (3 + suites)) / 100));
}

type GqlRun = { status: string; conclusion: string | null; summary: string | null };
type GqlSuites = { pageInfo: { hasNextPage: boolean }; nodes: ({ checkRuns: { nodes: (GqlRun | null)[] } | null } | null)[] } | null;
interface GqlEvidencePull {
  number: number;
  title: string;
  body: string;
  url: string;
  mergedAt: string | null;
  headRefName: string;
  headRefOid: string;
  baseRefName: string;
  repository: { name: string };
  author: { login: string } | null;
  mergeCommit: { oid: string } | null;
  mergedBy: { login: string } | null;
  reviews: GqlPage<{ submittedAt: string | null; author: { login: string } | null; commit: { oid: string } | null }> | null;
  commits: { nodes: ({ commit: { oid: string; checkSuites: GqlSuites } } | null)[] } | null;
}

export interface MergedPullsOptions {
  org: string;
  repository?: string;
  appId: number | undefined;
  period: Period;
  jira: JiraConfig;
  resultLimit?: number;
  onPage?: (read: number) => void;
}

/**
 * Every PR merged in the period (the organisation's, or one repository's): GitHub's search, 50 PRs a page with their
 * approvals, Jira keys and our run on the merged head, the period split where GitHub would list too many results.
 */
export async function readMergedPulls(
  octokit: GitHubClient,
  budget: RateBudget,
  options: MergedPullsOptions,
): Promise<{ pullRequests: EvidencePullRequest[]; unreadable: EvidenceUnreadable[] }> {
  const { org, repository, appId, period } = options;
  const scope = repository ? `repo:${org}/${repository}` : `org:${org}`;
  const found = await searchOverPeriod<Partial<GqlEvidencePull>>(octokit, budget, period, {
    query: mergedPullsSearchQuery(appId),
    variables: appIdVariable(appId)?.values,
    searchFor: (range) => `is:pr is:merged merged:${range} ${scope}`,
    cost: mergedPullsSearchCost(appId),
    what: "pull requests merged",
    resultLimit: options.resultLimit,
    onPage: options.onPage,
  });
  const unreadable = [...found.unreadable];
  const inPeriod = (iso: string) => Date.parse(iso) >= period.since.getTime() && Date.parse(iso) < period.until.getTime();
  const seen = new Set<string>();
  const pullRequests: EvidencePullRequest[] = [];
  for (const { node, errors } of found.hits) {
    // A search result that is not a PR (the `... on PullRequest` fragment selected nothing) is none of ours.
    if (node.number === undefined) continue;
    if (!node.repository || !node.mergedAt) {
      unreadable.push({
        what: `a merged pull request (#${node.number})`,
        why: errors.length ? describeFieldErrors(errors) : "GitHub returned it without its repository or merge time",
      });
      continue;
    }
    const name = `${org}/${node.repository.name}#${node.number}`;
    if (!inPeriod(node.mergedAt) || seen.has(name)) continue;
    seen.add(name);
    if (errors.length) unreadable.push({ what: `part of ${name}`, why: describeFieldErrors(errors) });
    const read = toEvidencePull(node as GqlEvidencePull, options.jira);
    pullRequests.push(read.pull);
    unreadable.push(...read.unreadable.map((u) => ({ what: `${name}: ${u.what}`, why: u.why })));
  }
  return { pullRequests, unreadable };
}

function toEvidencePull(pr: GqlEvidencePull, jira: JiraConfig): { pull: EvidencePullRequest; unreadable: EvidenceUnreadable[] } {
  const unreadable: EvidenceUnreadable[] = [];
  const approvals = pr.reviews?.nodes.filter((r) => r !== null) ?? [];
  if (!pr.reviews) unreadable.push({ what: "its approvals", why: "GitHub did not return the reviews" });
  else if (pr.reviews.pageInfo.hasNextPage)
    unreadable.push({
      what: "its approvals",
      why: `more than ${APPROVALS_PER_PR} approving reviews: the first ${APPROVALS_PER_PR} are exported`,
    });
  // GitHub lists reviews oldest first: the last approval of each reviewer is the one that stands.
  const latest = new Map<string, EvidenceApprover>();
  for (const review of approvals) {
    const login = review.author?.login ?? "ghost";
    latest.delete(login);
    latest.set(login, { login, approvedAt: review.submittedAt, commit: review.commit?.oid ?? null });
  }
  const head = pr.commits?.nodes[0]?.commit;
  const run = ourRun(head?.checkSuites ?? null);
  if (run === undefined)
    unreadable.push({
      what: `the ${CHECK_NAME} check run`,
      why: head
        ? `none named ${CHECK_NAME} in the first ${SUITES_WITHOUT_APP_ID} check suites of the head commit (set APP_ID to find ours)`
        : "GitHub did not return the head commit",
    });
  const results = run ? decodeResults(run.summary) : [];
  if (run && !results.length) {
    const why = run.summary?.includes("<!-- sdlc-guard-results ")
      ? "its per-control results block cannot be decoded"
      : "its summary has no per-control results block (a run written before results were kept, or not by sdlc-guard)";
    unreadable.push({ what: `the per-control results of the ${CHECK_NAME} check run`, why });
  }
  const conclusion =
    run === undefined
      ? "unknown"
      : run === null
        ? "none"
        : run.status === "COMPLETED"
          ? (run.conclusion ?? "none").toLowerCase()
          : "pending";
  // Only the title, head branch and body are read to find keys.
  const keys = findJiraKeys({ title: pr.title, headRefName: pr.headRefName, body: pr.body } as PullRequestSnapshot, jira);
  return {
    pull: {
      repository: pr.repository.name,
      number: pr.number,
      title: pr.title,
      url: pr.url,
      author: pr.author?.login ?? null,
      mergedAt: pr.mergedAt!,
      mergeCommit: pr.mergeCommit?.oid ?? null,
      baseBranch: pr.baseRefName,
      headBranch: pr.headRefName,
      headCommit: head?.oid ?? pr.headRefOid,
      approvers: [...latest.values()],
      jiraKeys: keys.map((k) => k.key),
      conclusion,
      controls: results.map((r) => ({ id: r.id, enforcement: r.enforcement, outcome: r.outcome })),
      waivers: results.flatMap((r) => (r.outcome === "waived" && r.waiver ? [{ control: r.id, ...r.waiver }] : [])),
      mergedBy: pr.mergedBy?.login ?? null,
      mergeVerdict: conclusion === "success" ? "verified" : conclusion === "unknown" ? "unknown" : "unverified",
    },
    unreadable,
  };
}

/** Our run among the suites read: null when every suite was seen without one, undefined when more suites were not read. */
function ourRun(suites: GqlSuites): GqlRun | null | undefined {
  if (!suites) return undefined;
  for (const suite of suites.nodes) {
    const run = suite?.checkRuns?.nodes[0];
    if (run) return run;
  }
  return suites.pageInfo.hasNextPage ? undefined : null;
}
