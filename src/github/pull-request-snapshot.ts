import {
  fetched,
  unavailable,
  type Actor,
  type ClassicProtection,
  type Fetched,
  type PullRequestSnapshot,
  type Review,
  type ReviewState,
  type RulesetRule,
  type SecretScanningState,
} from "../controls/types.js";
import { CHECK_NAME } from "./check-run.js";
import { describeGitHubError, httpStatus } from "./describe-error.js";
import type { GitHubClient } from "./types.js";

/** Review pages read at most (100 reviews each): more than that fails `reviews` rather than guessing. */
const MAX_REVIEW_PAGES = 30;

const REVIEW_FIELDS = `pageInfo { hasNextPage endCursor } nodes { state submittedAt authorCanPushToRepository author { __typename login } commit { oid } }`;

export const PULL_REQUEST_QUERY = `query SdlcGuardPullRequest($owner: String!, $repo: String!, $number: Int!, $appId: Int!) {
  repository(owner: $owner, name: $repo) {
    pullRequest(number: $number) {
      id number title body isDraft state headRefName headRefOid baseRefName
      author { __typename login }
      baseRef {
        branchProtectionRule {
          pattern requiresApprovingReviews requiredApprovingReviewCount allowsForcePushes allowsDeletions
          dismissesStaleReviews isAdminEnforced requiredStatusCheckContexts
        }
      }
      reviews(first: 100) { ${REVIEW_FIELDS} }
      commits(last: 1) {
        nodes {
          commit {
            oid
            associatedPullRequests(first: 10) { nodes { number state headRefOid } }
            checkSuites(first: 10, filterBy: { appId: $appId }) {
              pageInfo { hasNextPage }
              nodes { checkRuns(first: 1, filterBy: { checkName: "${CHECK_NAME}", appId: $appId }) { nodes { databaseId } } }
            }
          }
        }
      }
    }
  }
}`;

export const MORE_REVIEWS_QUERY = `query SdlcGuardMoreReviews($id: ID!, $after: String!) {
  node(id: $id) { ... on PullRequest { reviews(first: 100, after: $after) { ${REVIEW_FIELDS} } } }
}`;

interface GqlActor { __typename: string; login: string }
interface GqlReviewPage {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: ({ state: ReviewState; submittedAt: string | null; authorCanPushToRepository: boolean; author: GqlActor | null; commit: { oid: string } | null } | null)[];
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
  author: GqlActor | null;
  baseRef: { branchProtectionRule: (Omit<ClassicProtection, "requiredApprovingReviewCount" | "requiredStatusCheckContexts"> & { requiredApprovingReviewCount: number | null; requiredStatusCheckContexts: (string | null)[] | null }) | null } | null;
  reviews: GqlReviewPage;
  commits: {
    nodes: ({
      commit: {
        oid: string;
        associatedPullRequests: { nodes: ({ number: number; state: GqlPullRequest["state"]; headRefOid: string } | null)[] } | null;
        checkSuites: { pageInfo: { hasNextPage: boolean }; nodes: ({ checkRuns: { nodes: ({ databaseId: number | null } | null)[] } | null } | null)[] } | null;
      };
    } | null)[];
  };
}

/** A PR that is no longer open: nothing more is read for it. */
export interface ClosedPullRequestRead {
  state: "CLOSED" | "MERGED";
}

export interface PullRequestRead {
  snapshot: PullRequestSnapshot;
  state: "OPEN";
  /** The existing `sdlc-guard` check run on the head commit, `undefined` when GitHub could not say. */
  existingCheckRunId: number | null | undefined;
  /** Other open PRs whose head is the same commit: they share its one check run. */
  sharedHeadWith: number[];
}

export const toActor = (a: GqlActor | null): Actor | null =>
  a ? { login: a.login, isBot: a.__typename === "Bot" || a.login.endsWith("[bot]") } : null;

/**
 * Reads one PR's state for an evaluation: one GraphQL query (PR, reviews, classic protection, existing check run),
 * then, for an open PR, the base branch's ruleset rules and the secret-scanning state in parallel.
 * Returns `null` when the PR does not exist.
 * Throws when the PR itself cannot be read; the parts that fail later are recorded as unavailable.
 */
export async function readPullRequest(
  octokit: GitHubClient,
  owner: string,
  repo: string,
  number: number,
  appId: number | undefined,
): Promise<PullRequestRead | ClosedPullRequestRead | null> {
  // Without our app id the suite cannot be told apart from other apps': the existing run is then looked up by REST.
  const data = await octokit.graphql<{ repository: { pullRequest: GqlPullRequest | null } | null }>(PULL_REQUEST_QUERY, {
    owner,
    repo,
    number,
    appId: appId ?? 0,
  });
  const pr = data.repository?.pullRequest;
  if (!pr) return null;
  if (pr.state !== "OPEN") return { state: pr.state };

  const [reviews, rulesetRules, secretScanning] = await Promise.all([
    readAllReviews(octokit, pr),
    readRulesetRules(octokit, owner, repo, pr.baseRefName),
    readSecretScanning(octokit, owner, repo),
  ]);
  const rule = pr.baseRef?.branchProtectionRule ?? null;
  const snapshot: PullRequestSnapshot = {
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
    reviews,
    classicProtection: fetched(
      rule && {
        ...rule,
        requiredApprovingReviewCount: rule.requiredApprovingReviewCount ?? 0,
        requiredStatusCheckContexts: (rule.requiredStatusCheckContexts ?? []).filter((c): c is string => !!c),
      },
    ),
    rulesetRules,
    secretScanning,
  };
  const head = pr.commits.nodes[0]?.commit;
  const sharedHeadWith = (head?.associatedPullRequests?.nodes ?? [])
    .filter((other) => other && other.number !== pr.number && other.state === "OPEN" && other.headRefOid === pr.headRefOid)
    .map((other) => other!.number);
  return { snapshot, state: "OPEN", existingCheckRunId: appId ? findExistingCheckRun(pr) : undefined, sharedHeadWith };
}

/** Our run on the head commit; `null` only when every one of our suites was seen without it, else `undefined`. */
function findExistingCheckRun(pr: GqlPullRequest): number | null | undefined {
  const head = pr.commits.nodes[0]?.commit;
  if (!head || head.oid !== pr.headRefOid || !head.checkSuites) return undefined;
  for (const suite of head.checkSuites.nodes) {
    const id = suite?.checkRuns?.nodes[0]?.databaseId;
    if (id) return id;
  }
  return head.checkSuites.pageInfo.hasNextPage ? undefined : null;
}

const toReviews = (page: GqlReviewPage): Review[] =>
  page.nodes.flatMap((n) =>
    n
      ? [{ state: n.state, submittedAt: n.submittedAt, author: toActor(n.author), commitSha: n.commit?.oid ?? null, authorCanPush: n.authorCanPushToRepository }]
      : [],
  );

async function readAllReviews(octokit: GitHubClient, pr: GqlPullRequest): Promise<Fetched<Review[]>> {
  const reviews = toReviews(pr.reviews);
  let page = pr.reviews.pageInfo;
  for (let pages = 1; page.hasNextPage; pages++) {
    if (pages >= MAX_REVIEW_PAGES) return unavailable(`more than ${MAX_REVIEW_PAGES * 100} reviews`);
    try {
      const more = await octokit.graphql<{ node: { reviews: GqlReviewPage } }>(MORE_REVIEWS_QUERY, { id: pr.id, after: page.endCursor });
      reviews.push(...toReviews(more.node.reviews));
      page = more.node.reviews.pageInfo;
    } catch (error) {
      return unavailable(`review page ${pages + 1}: ${describeGitHubError(error)}`);
    }
  }
  return fetched(reviews);
}

async function readRulesetRules(octokit: GitHubClient, owner: string, repo: string, branch: string): Promise<Fetched<RulesetRule[]>> {
  try {
    const rules = await octokit.paginate(octokit.rest.repos.getBranchRules, { owner, repo, branch, per_page: 100 });
    return fetched(
      rules.map((rule) => {
        const parameters = ("parameters" in rule ? rule.parameters : undefined) as Record<string, unknown> | undefined;
        const checks = parameters?.required_status_checks as { context: string }[] | undefined;
        return {
          type: rule.type,
          rulesetSource: `${rule.ruleset_source_type ?? "Repository"} ${rule.ruleset_source ?? ""}`.trim(),
          requiredApprovingReviewCount: parameters?.required_approving_review_count as number | undefined,
          dismissesStaleReviews: parameters?.dismiss_stale_reviews_on_push as boolean | undefined,
          requiredStatusChecks: checks?.map((c) => c.context),
        };
      }),
    );
  } catch (error) {
    return unavailable(describeGitHubError(error));
  }
}

/**
 * GitHub's non-provider patterns (private keys, connection strings, auth headers) and generic passwords: the alerts
 * endpoint leaves them out unless they are asked for by name, so they are read separately.
 */
export const GENERIC_SECRET_TYPES = [
  "http_basic_authentication_header",
  "http_bearer_authentication_header",
  "mongodb_connection_string",
  "mysql_connection_string",
  "openssh_private_key",
  "pgp_private_key",
  "postgres_connection_string",
  "rsa_private_key",
  "password",
];

async function readSecretScanning(octokit: GitHubClient, owner: string, repo: string): Promise<Fetched<SecretScanningState>> {
  // hide_secret: the app needs counts, never the leaked values themselves.
  const list = (extra: Record<string, string>) =>
    octokit.rest.secretScanning.listAlertsForRepo({ owner, repo, state: "open", per_page: 100, hide_secret: true, ...extra } as Parameters<
      typeof octokit.rest.secretScanning.listAlertsForRepo
    >[0]);
  const pushProtection = readPushProtection(octokit, owner, repo);
  try {
    const pages = await Promise.all([list({}), list({ secret_type: GENERIC_SECRET_TYPES.join(",") })]);
    const moreAlerts = pages.some((page) => /rel="next"/.test(page.headers.link ?? ""));
    return fetched({ enabled: true, openAlerts: pages.reduce((sum, page) => sum + page.data.length, 0), moreAlerts, pushProtection: await pushProtection });
  } catch (error) {
    // GitHub answers 404 when secret scanning is disabled on the repository.
    if (httpStatus(error) === 404) return fetched({ enabled: false, openAlerts: 0, moreAlerts: false, pushProtection: await pushProtection });
    return unavailable(describeGitHubError(error));
  }
}

/** Push protection is only in REST (`security_and_analysis`); advisory, so a failed read is reported, never fatal. */
async function readPushProtection(octokit: GitHubClient, owner: string, repo: string): Promise<SecretScanningState["pushProtection"]> {
  try {
    const { data } = await octokit.rest.repos.get({ owner, repo });
    const status = data.security_and_analysis?.secret_scanning_push_protection?.status;
    return status ? { status } : { status: "unknown", detail: "GitHub does not show security settings to the app" };
  } catch (error) {
    return { status: "unknown", detail: describeGitHubError(error) };
  }
}
