import { fetched, mapFetched, unavailable, type Fetched } from "../../facts/fetched.js";
import {
  type Actor,
  type ClassicProtection,
  type CodeOwnersFile,
  type HeadCheck,
  type PullRequestCommit,
  type OptionalPullRequestFact,
  type PullRequestFacts,
  type Review,
  type ReviewState,
  type RulesetRule,
} from "../../facts/pull-request.js";
import { CHECK_NAME } from "../../common/product.js";
import { type ExistingCheckRun } from "../writes/check-run.js";
import {
  CLASSIC_BYPASS_FIELDS,
  guardCheckSources,
  RULESET_BYPASS_FIELDS,
  RULESET_CHECK_FIELDS,
  toClassicBypass,
  toRulesetBypass,
  type GqlClassicBypass,
  type GqlRulesetBypass,
} from "./branch-bypass-read.js";
import { collectPages, nextPageQuery, pageOf, type GqlPage } from "../transport/graphql-pages.js";
import type { CommitPerson, ForcePush, PullRequestComment } from "../../facts/pull-request.js";
import type { GitHubClient } from "../types.js";

/** Pages read at most per list (100 items each): past that a control fails rather than decide on part of the list. */
const MAX_PAGES = { reviews: 30, files: 30, commits: 3, checks: 10, comments: 20 };

const REVIEW_FIELDS = "state submittedAt authorCanPushToRepository author { __typename login } commit { oid }";
/** `changeType`: a RENAMED file is listed under its new path only (GraphQL has no previous path). */
const FILE_FIELDS = "path changeType";
/** Who wrote each commit: git author and `Co-authored-by:` co-authors (GitHub's `authors`), committer, each with the linked account. */
const GIT_ACTOR = "name email user { login }";
export const MAX_COMMIT_AUTHORS = 20;
const COMMIT_FIELDS = `commit { oid message parents { totalCount } committer { ${GIT_ACTOR} } authors(first: ${MAX_COMMIT_AUTHORS}) { totalCount nodes { ${GIT_ACTOR} } } }`;
/** The latest force push of the head branch: who pushed the head (if that push made it) and since when it is the head. */
const FORCE_PUSH_FIELDS = "nodes { ... on HeadRefForcePushedEvent { createdAt actor { login } afterCommit { oid } } }";
const CHECK_FIELDS =
  "__typename ... on CheckRun { name status conclusion startedAt checkSuite { app { slug } } } ... on StatusContext { context state createdAt }";
const COMMENT_FIELDS = "databaseId url body createdAt lastEditedAt author { __typename login }";
const CODEOWNERS_BLOB = "object { ... on Blob { text isTruncated } }";

/** Our `sdlc-guard` run among a commit's check suites (those of our app), as every query of ours selects it. */
export const OUR_RUN_SELECTION = `checkSuites(first: 10, filterBy: { appId: $appId }) {
              pageInfo { hasNextPage }
              nodes { checkRuns(first: 1, filterBy: { checkName: "${CHECK_NAME}", appId: $appId }) { nodes { databaseId status conclusion title summary startedAt } } }
            }`;

export type GqlOurSuites = {
  pageInfo: { hasNextPage: boolean };
  nodes: ({
    checkRuns: {
      nodes: ({
        databaseId: number | null;
        status: string;
        conclusion: string | null;
        title: string | null;
        summary: string | null;
        startedAt?: string | null;
      } | null)[];
    } | null;
  } | null)[];
} | null;

/** Our run on a commit: its id, state, and the summary that carries the rows of earlier evaluations. */
export interface OurRun extends ExistingCheckRun {
  status: string;
  conclusion: string | null;
  title: string | null;
  summary: string | null;
  /** When GitHub created it (the app never sets `started_at`): since when the app has seen the commit. */
  startedAt?: string | null;
}

/** Our run in the suites `OUR_RUN_SELECTION` read; `null` only when every one of our suites was seen without it, else `undefined`. */
export function findOurRun(suites: GqlOurSuites | undefined): OurRun | null | undefined {
  if (!suites) return undefined;
  for (const suite of suites.nodes) {
    const run = suite?.checkRuns?.nodes[0];
    if (run?.databaseId)
      return {
        id: run.databaseId,
        completed: run.status === "COMPLETED",
        status: run.status,
        conclusion: run.conclusion,
        title: run.title,
        summary: run.summary,
        startedAt: run.startedAt ?? null,
      };
  }
  return suites.pageInfo.hasNextPage ? undefined : null;
}

/** Where GitHub looks for CODEOWNERS, in its order: the first that exists on the base branch is used. */
export const CODEOWNERS_PATHS = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"] as const;

/** A branch ref's classic protection rule and the ruleset rules (repository and organisation) that apply to it. */
export const BRANCH_RULES_SELECTION = `branchProtectionRule {
          pattern requiresApprovingReviews requiredApprovingReviewCount allowsForcePushes allowsDeletions
          dismissesStaleReviews isAdminEnforced requiredStatusCheckContexts
          ${CLASSIC_BYPASS_FIELDS}
        }
        rules(first: 100) {
          pageInfo { hasNextPage }
          nodes {
            type
            parameters {
              __typename
              ... on PullRequestParameters { requiredApprovingReviewCount dismissStaleReviewsOnPush }
              ... on RequiredStatusChecksParameters { requiredStatusChecks { ${RULESET_CHECK_FIELDS} } }
            }
            repositoryRuleset {
              source { __typename ... on Repository { nameWithOwner } ... on Organization { login } ... on Enterprise { slug } }
              ${RULESET_BYPASS_FIELDS}
            }
          }
        }`;

/**
 * The one query that reads a PR for an evaluation: the PR, its reviews, the base branch's classic protection and
 * ruleset rules, the head commit (other PRs on it, our existing check run) and, only when a control needs them,
 * changed files, commits, the checks on the head and the base branch's CODEOWNERS.
 */
export const PULL_REQUEST_QUERY = `query SdlcGuardPullRequest($owner: String!, $repo: String!, $number: Int!, $appId: Int!,
  $withFiles: Boolean!, $withCommits: Boolean!, $withChecks: Boolean!, $withCodeOwners: Boolean!, $withComments: Boolean = false,
  $withForcePushes: Boolean = false, $withLabels: Boolean = false) {
  repository(owner: $owner, name: $repo) {
    pullRequest(number: $number) {
      id number title body isDraft state headRefName headRefOid baseRefName changedFiles
      author { __typename login }
      baseRef {
        ${BRANCH_RULES_SELECTION}
        target @include(if: $withCodeOwners) {
          ... on Commit {
            inGithubDir: file(path: "${CODEOWNERS_PATHS[0]}") { ${CODEOWNERS_BLOB} }
            atRoot: file(path: "${CODEOWNERS_PATHS[1]}") { ${CODEOWNERS_BLOB} }
            inDocs: file(path: "${CODEOWNERS_PATHS[2]}") { ${CODEOWNERS_BLOB} }
          }
        }
      }
      reviews(first: 100) { ${pageOf(REVIEW_FIELDS)} }
      comments(first: 100) @include(if: $withComments) { totalCount ${pageOf(COMMENT_FIELDS)} }
      files(first: 100) @include(if: $withFiles) { ${pageOf(FILE_FIELDS)} }
      labels(first: 100) @include(if: $withLabels) { totalCount nodes { name } }
      allCommits: commits(first: 100) @include(if: $withCommits) { totalCount ${pageOf(COMMIT_FIELDS)} }
      forcePushes: timelineItems(last: 1, itemTypes: [HEAD_REF_FORCE_PUSHED_EVENT]) @include(if: $withForcePushes) { ${FORCE_PUSH_FIELDS} }
      commits(last: 1) {
        nodes {
          commit {
            oid
            associatedPullRequests(first: 10) { nodes { number state headRefOid } }
            ${OUR_RUN_SELECTION}
            statusCheckRollup @include(if: $withChecks) { id contexts(first: 100) { ${pageOf(CHECK_FIELDS)} } }
          }
        }
      }
    }
  }
}`;

export const MORE_REVIEWS_QUERY = nextPageQuery("SdlcGuardMoreReviews", "PullRequest", "reviews", REVIEW_FIELDS);
export const MORE_FILES_QUERY = nextPageQuery("SdlcGuardMoreFiles", "PullRequest", "files", FILE_FIELDS);
export const MORE_COMMITS_QUERY = nextPageQuery("SdlcGuardMoreCommits", "PullRequest", "commits", COMMIT_FIELDS);
export const MORE_COMMENTS_QUERY = nextPageQuery("SdlcGuardMoreComments", "PullRequest", "comments", COMMENT_FIELDS);
export const MORE_CHECKS_QUERY = nextPageQuery("SdlcGuardMoreChecks", "StatusCheckRollup", "contexts", CHECK_FIELDS);

/** Which optional parts of the PR the configured controls need (everything else is always read). */
export type SnapshotNeeds = ReadonlySet<OptionalPullRequestFact>;

export const NOTHING_EXTRA: SnapshotNeeds = new Set();

/** The query variable that makes PULL_REQUEST_QUERY select each optional fact it reads (secret scanning is read by REST). */
export const QUERY_FLAG_OF_FACT: Record<Exclude<OptionalPullRequestFact, "secretScanning">, string> = {
  changedFiles: "withFiles",
  commits: "withCommits",
  headChecks: "withChecks",
  codeOwners: "withCodeOwners",
  comments: "withComments",
  forcePushes: "withForcePushes",
  labels: "withLabels",
};

/** The variables of PULL_REQUEST_QUERY that select the optional facts `needs` names. */
export function optionalFactVariables(needs: SnapshotNeeds): Record<string, boolean> {
  return Object.fromEntries(Object.entries(QUERY_FLAG_OF_FACT).map(([fact, flag]) => [flag, needs.has(fact as OptionalPullRequestFact)]));
}

interface GqlActor {
  __typename: string;
  login: string;
}
interface GqlReview {
  state: ReviewState;
  submittedAt: string | null;
  authorCanPushToRepository: boolean;
  author: GqlActor | null;
  commit: { oid: string } | null;
}
type GqlCheck =
  | {
      __typename: "CheckRun";
      name: string;
      status: string;
      conclusion: string | null;
      startedAt: string | null;
      checkSuite: { app: { slug: string } | null } | null;
    }
  | { __typename: "StatusContext"; context: string; state: string; createdAt: string };
type GqlBlobEntry = { object: { text?: string | null; isTruncated?: boolean } | null } | null;
export interface GqlRule {
  type: string;
  parameters: {
    __typename: string;
    requiredApprovingReviewCount?: number;
    dismissStaleReviewsOnPush?: boolean;
    requiredStatusChecks?: { context: string; integrationId?: number | null }[];
  } | null;
  repositoryRuleset: ({ source: { __typename: string; nameWithOwner?: string; login?: string; slug?: string } } & GqlRulesetBypass) | null;
}
/** A classic branch protection rule as `BRANCH_RULES_SELECTION` reads it. */
export type GqlClassicRule = Omit<
  ClassicProtection,
  "requiredApprovingReviewCount" | "requiredStatusCheckContexts" | "guardCheckSources" | "bypass"
> & {
  requiredApprovingReviewCount: number | null;
  requiredStatusCheckContexts: (string | null)[] | null;
} & GqlClassicBypass;
/** What `BRANCH_RULES_SELECTION` reads on a branch ref. */
export interface GqlBranchRules {
  branchProtectionRule: GqlClassicRule | null;
  rules: { pageInfo: { hasNextPage: boolean }; nodes: (GqlRule | null)[] } | null;
}
interface GqlPullRequest {
  id: string;
  number: number;
  title: string;
  body: string;
  isDraft: boolean;
  state: "OPEN" | "CLOSED" | "MERGED";
  headRefName: string;
  headRefOid: string;
  baseRefName: string;
  changedFiles: number;
  author: GqlActor | null;
  baseRef: (GqlBranchRules & { target?: { inGithubDir?: GqlBlobEntry; atRoot?: GqlBlobEntry; inDocs?: GqlBlobEntry } | null }) | null;
  reviews: GqlPage<GqlReview>;
  files?: GqlPage<{ path: string; changeType?: string }> | null;
  allCommits?: GqlPage<{ commit: GqlPullRequestCommit }> & { totalCount: number };
  forcePushes?: { nodes: ({ createdAt?: string; actor?: { login: string } | null; afterCommit?: { oid: string } | null } | null)[] } | null;
  commits: { nodes: ({ commit: GqlHeadCommit } | null)[] };
  comments?: (GqlPage<GqlComment> & { totalCount: number }) | null;
  labels?: { totalCount: number; nodes: ({ name: string } | null)[] } | null;
}
interface GqlGitActor {
  name: string | null;
  email: string | null;
  user: { login: string } | null;
}
interface GqlPullRequestCommit {
  oid: string;
  message: string;
  parents: { totalCount: number };
  committer?: GqlGitActor | null;
  authors?: { totalCount: number; nodes: (GqlGitActor | null)[] };
}
interface GqlComment {
  databaseId: number | null;
  url: string;
  body: string;
  createdAt: string;
  lastEditedAt: string | null;
  author: GqlActor | null;
}
interface GqlHeadCommit {
  oid: string;
  associatedPullRequests: { nodes: ({ number: number; state: GqlPullRequest["state"]; headRefOid: string } | null)[] } | null;
  checkSuites: GqlOurSuites;
  statusCheckRollup?: { id: string; contexts: GqlPage<GqlCheck> } | null;
}

/** A PR that is no longer open: nothing more is read for it. */
export interface ClosedPullRequestRead {
  state: "CLOSED" | "MERGED";
}

/** The PR as read from GitHub; the secret-scanning state is read separately (REST, cached) and left unread here. */
export interface PullRequestRead {
  snapshot: PullRequestFacts<Exclude<OptionalPullRequestFact, "secretScanning">>;
  state: "OPEN";
  /** Our `sdlc-guard` run on the head commit: `null` when there is none, `undefined` when GitHub could not say. */
  existingCheckRun: OurRun | null | undefined;
  /** Other open PRs whose head is the same commit: they share its one check run. */
  sharedHeadWith: number[];
}

export const toActor = (a: GqlActor | null): Actor | null =>
  a ? { login: a.login, isBot: a.__typename === "Bot" || a.login.endsWith("[bot]") } : null;

/**
 * Reads one PR for an evaluation in one GraphQL query (more only for lists longer than a page).
 * Returns `null` when the PR does not exist. Throws when the PR itself cannot be read; parts that fail later
 * (a page of reviews...) are recorded as unavailable, so their controls fail closed.
 */
export async function readPullRequest(
  octokit: GitHubClient,
  target: { owner: string; repo: string; number: number },
  appId: number | undefined,
  needs: SnapshotNeeds,
): Promise<PullRequestRead | ClosedPullRequestRead | null> {
  const { owner, repo, number } = target;
  // Without our app id the suite cannot be told apart from other apps': the existing run is then looked up by REST.
  const data = await octokit.graphql<{ repository: { pullRequest: GqlPullRequest | null } | null }>(PULL_REQUEST_QUERY, {
    owner,
    repo,
    number,
    appId: appId ?? 0,
    ...optionalFactVariables(needs),
  });
  const pr = data.repository?.pullRequest;
  if (!pr) return null;
  if (pr.state !== "OPEN") return { state: pr.state };

  const head = pr.commits.nodes[0]?.commit;
  const [reviews, files, commits, headChecks, comments] = await Promise.all([
    collectPages(octokit, pr.reviews, { query: MORE_REVIEWS_QUERY, id: pr.id, maxPages: MAX_PAGES.reviews, what: "reviews" }),
    needs.has("changedFiles") ? readChangedFiles(octokit, pr) : undefined,
    needs.has("commits") ? readCommits(octokit, pr) : undefined,
    needs.has("headChecks") ? readHeadChecks(octokit, pr, head) : undefined,
    needs.has("comments") ? readComments(octokit, pr) : undefined,
  ]);
  const snapshot: PullRequestRead["snapshot"] = {
    owner,
    repo,
    number: pr.number,
    title: pr.title,
    body: pr.body ?? "",
    headRefName: pr.headRefName,
    headSha: pr.headRefOid,
    baseRefName: pr.baseRefName,
    isDraft: pr.isDraft,
    author: toActor(pr.author),
    reviews: mapFetched(reviews, (nodes) => nodes.map(toReview)),
    classicProtection: fetched(toClassicProtection(pr.baseRef?.branchProtectionRule ?? null, appId)),
    rulesetRules: pr.baseRef
      ? toRulesetRules(pr.baseRef.rules, "the base branch", appId)
      : unavailable(`the base branch ${pr.baseRefName} no longer exists`),
    changedFiles: files?.paths,
    ...(files?.renamed ? { renamedFiles: files.renamed } : {}),
    commits,
    headChecks,
    codeOwners: needs.has("codeOwners") ? toCodeOwners(pr) : undefined,
    comments,
    forcePushes: needs.has("forcePushes") ? toForcePushes(pr) : undefined,
    labels: needs.has("labels") ? toLabels(pr) : undefined,
  };
  const sharedHeadWith = (head?.associatedPullRequests?.nodes ?? [])
    .filter((other) => other && other.number !== pr.number && other.state === "OPEN" && other.headRefOid === pr.headRefOid)
    .map((other) => other!.number);
  const existingCheckRun = appId && head?.oid === pr.headRefOid ? findOurRun(head.checkSuites) : undefined;
  return { snapshot, state: "OPEN", existingCheckRun, sharedHeadWith };
}

/** Every comment of the PR (a waiver or a revoke may be anywhere in the conversation); past the page cap, none counts. */
async function readComments(
  octokit: GitHubClient,
  pr: GqlPullRequest,
): Promise<Fetched<{ comments: PullRequestComment[]; total: number }>> {
  if (!pr.comments) return unavailable("GitHub returned no comments for the pull request");
  const read = await collectPages(octokit, pr.comments, {
    query: MORE_COMMENTS_QUERY,
    id: pr.id,
    maxPages: MAX_PAGES.comments,
    what: "comments",
  });
  if (!read.ok) return read;
  const total = pr.comments.totalCount;
  const comments = read.value
    .filter((n): n is GqlComment & { databaseId: number } => n.databaseId !== null)
    .map((n) => {
      const author = toActor(n.author);
      return {
        id: n.databaseId,
        url: n.url,
        body: n.body,
        createdAt: n.createdAt,
        edited: n.lastEditedAt !== null,
        author: author && { login: author.login, bot: author.isBot },
      };
    });
  return fetched({ comments, total });
}

const toReview = (n: GqlReview): Review => ({
  state: n.state,
  submittedAt: n.submittedAt,
  author: toActor(n.author),
  commitSha: n.commit?.oid ?? null,
  authorCanPush: n.authorCanPushToRepository,
});

/** A branch's classic protection rule with GitHub's nulls made explicit (no approvals, no required checks); `appId`: ours. */
export function toClassicProtection(rule: GqlClassicRule | null, appId: number | undefined): ClassicProtection | null {
  if (!rule) return null;
  const { requiredStatusChecks, bypassPullRequestAllowances, bypassForcePushAllowances, ...fields } = rule;
  const contexts = (rule.requiredStatusCheckContexts ?? []).filter((c): c is string => !!c);
  // `requiredStatusChecks` names the app each check must come from (null: any source).
  const checks = requiredStatusChecks ?? contexts.map((context) => ({ context, app: null }));
  return {
    ...fields,
    requiredApprovingReviewCount: rule.requiredApprovingReviewCount ?? 0,
    requiredStatusCheckContexts: contexts,
    guardCheckSources: guardCheckSources(
      checks.map((c) => ({ context: c.context, appId: c.app?.databaseId ?? null })),
      appId,
    ),
    bypass: toClassicBypass({ pattern: rule.pattern, bypassPullRequestAllowances, bypassForcePushAllowances }),
  };
}

/** Ruleset rules (repository and organisation) that apply to a branch (`branch`: "the base branch"...), in the shape the REST API names them. */
export function toRulesetRules(rules: GqlBranchRules["rules"], branch: string, appId: number | undefined): Fetched<RulesetRule[]> {
  if (!rules) return unavailable(`GitHub did not return the rules of ${branch}`);
  if (rules.pageInfo.hasNextPage) return unavailable(`more than 100 ruleset rules apply to ${branch}`);
  return fetched(
    rules.nodes.flatMap((rule) => {
      if (!rule) return [];
      const source = rule.repositoryRuleset?.source;
      const parameters = rule.parameters;
      const rulesetSource = `${source?.__typename ?? "Repository"} ${source?.nameWithOwner ?? source?.login ?? source?.slug ?? ""}`.trim();
      const checks = parameters?.requiredStatusChecks;
      const bypass = rule.repositoryRuleset ? toRulesetBypass(rule.repositoryRuleset, rulesetSource) : undefined;
      return [
        {
          type: rule.type.toLowerCase(),
          rulesetSource,
          requiredApprovingReviewCount: parameters?.requiredApprovingReviewCount,
          dismissesStaleReviews: parameters?.dismissStaleReviewsOnPush,
          requiredStatusChecks: checks?.map((c) => c.context),
          ...(checks
            ? {
                guardCheckSources: guardCheckSources(
                  checks.map((c) => ({ context: c.context, appId: c.integrationId ?? null })),
                  appId,
                ),
              }
            : {}),
          ...(bypass ? { bypass } : {}),
        },
      ];
    }),
  );
}

/** The changed files: their paths, and the new paths of those GitHub lists as renamed (GraphQL has no old path). */
async function readChangedFiles(octokit: GitHubClient, pr: GqlPullRequest): Promise<{ paths: Fetched<string[]>; renamed?: string[] }> {
  const files = await readChangedFileNodes(octokit, pr);
  const renamed = files.ok ? files.value.filter((file) => file.changeType === "RENAMED").map((file) => file.path) : [];
  return { paths: mapFetched(files, (nodes) => nodes.map((file) => file.path)), ...(renamed.length ? { renamed } : {}) };
}

async function readChangedFileNodes(octokit: GitHubClient, pr: GqlPullRequest): Promise<Fetched<{ path: string; changeType?: string }[]>> {
  if (!pr.files) return unavailable("GitHub did not return the changed files");
  const files = await collectPages(octokit, pr.files, {
    query: MORE_FILES_QUERY,
    id: pr.id,
    maxPages: MAX_PAGES.files,
    what: "changed files",
  });
  if (files.ok && files.value.length < pr.changedFiles) {
    return unavailable(`GitHub listed ${files.value.length} of the ${pr.changedFiles} changed files`);
  }
  return files;
}

async function readCommits(octokit: GitHubClient, pr: GqlPullRequest): Promise<Fetched<PullRequestCommit[]>> {
  if (!pr.allCommits) return unavailable("GitHub did not return the commits");
  const commits = await collectPages(octokit, pr.allCommits, {
    query: MORE_COMMITS_QUERY,
    id: pr.id,
    maxPages: MAX_PAGES.commits,
    what: "commits",
  });
  if (commits.ok && commits.value.length < pr.allCommits.totalCount) {
    return unavailable(`GitHub listed ${commits.value.length} of the ${pr.allCommits.totalCount} commits`);
  }
  return mapFetched(commits, (nodes) =>
    nodes.map(({ commit }) => ({
      sha: commit.oid,
      message: commit.message,
      parents: commit.parents.totalCount,
      ...toCommitPeople(commit),
    })),
  );
}

async function readHeadChecks(octokit: GitHubClient, pr: GqlPullRequest, head: GqlHeadCommit | undefined): Promise<Fetched<HeadCheck[]>> {
  if (!head || head.oid !== pr.headRefOid) return unavailable("the head commit moved while it was read");
  // No rollup: nothing has reported on the commit yet.
  if (!head.statusCheckRollup) return fetched([]);
  const rollup = head.statusCheckRollup;
  const checks = await collectPages(octokit, rollup.contexts, {
    query: MORE_CHECKS_QUERY,
    id: rollup.id,
    maxPages: MAX_PAGES.checks,
    what: "checks on the head commit",
  });
  return mapFetched(checks, (nodes) => nodes.map(toHeadCheck));
}

const PENDING_STATUSES = new Set(["PENDING", "EXPECTED"]);

function toHeadCheck(check: GqlCheck): HeadCheck {
  if (check.__typename === "CheckRun") {
    const completed = check.status === "COMPLETED";
    return {
      name: check.name,
      kind: "check run",
      status: completed ? "completed" : "pending",
      conclusion: completed ? (check.conclusion ?? "").toLowerCase() || null : null,
      app: check.checkSuite?.app?.slug ?? null,
      startedAt: check.startedAt,
    };
  }
  const pendingState = PENDING_STATUSES.has(check.state);
  return {
    name: check.context,
    kind: "commit status",
    status: pendingState ? "pending" : "completed",
    conclusion: pendingState ? null : check.state.toLowerCase(),
    app: null,
    startedAt: check.createdAt,
  };
}

function toCodeOwners(pr: GqlPullRequest): Fetched<CodeOwnersFile | null> {
  const target = pr.baseRef?.target;
  if (!target) return unavailable(`the base branch ${pr.baseRefName} could not be read`);
  const entries = [target.inGithubDir, target.atRoot, target.inDocs];
  for (const [i, entry] of entries.entries()) {
    if (!entry) continue;
    const path = CODEOWNERS_PATHS[i]!;
    const blob = entry.object;
    if (!blob || typeof blob.text !== "string") return unavailable(`${path} is not a text file`);
    if (blob.isTruncated) return unavailable(`${path} is too large for GitHub to return`);
    return fetched({ path, text: blob.text });
  }
  return fetched(null);
}

const toCommitPerson = (a: GqlGitActor): CommitPerson => ({ name: a.name, email: a.email, login: a.user?.login ?? null });

/** The commit's author and co-authors (null when GitHub lists more than were read) and committer. */
function toCommitPeople(commit: GqlPullRequestCommit): Pick<PullRequestCommit, "authors" | "committer"> {
  const authors = commit.authors;
  return {
    authors:
      authors && authors.totalCount <= authors.nodes.length
        ? authors.nodes.filter((n): n is GqlGitActor => n !== null).map(toCommitPerson)
        : null,
    committer: commit.committer ? toCommitPerson(commit.committer) : null,
  };
}

function toForcePushes(pr: GqlPullRequest): Fetched<ForcePush[]> {
  if (!pr.forcePushes) return unavailable("GitHub did not return the pull request's timeline");
  return fetched(
    pr.forcePushes.nodes.flatMap((n) =>
      n?.createdAt ? [{ at: n.createdAt, actor: n.actor?.login ?? null, afterSha: n.afterCommit?.oid ?? null }] : [],
    ),
  );
}

/** The PR's labels; more than the first page (100, far above what PRs carry) cannot be decided on, so it fails closed. */
function toLabels(pr: GqlPullRequest): Fetched<string[]> {
  if (!pr.labels) return unavailable("GitHub did not return the labels");
  const names = pr.labels.nodes.flatMap((node) => (node ? [node.name] : []));
  if (names.length < pr.labels.totalCount) return unavailable(`GitHub listed ${names.length} of the ${pr.labels.totalCount} labels`);
  return fetched(names);
}
