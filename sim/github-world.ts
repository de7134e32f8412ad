import { createHash } from "node:crypto";
import { connection, executeQuery } from "./graphql.js";
import { SimIssueTracker } from "./issue-tracker.js";
import { exampleResponse, requestProblems, responseProblems } from "./openapi.js";
import { issueById, objectAt, prTimes, repositoryFields, rootFields, type GraphqlHooks } from "./org-graphql.js";
import { OrgWorld, type SimOrganization } from "./org-world.js";
import { SimOrgRulesets } from "./org-rulesets.js";
import { SimRepositoryFiles } from "./repository-files.js";
import { SimRateLimits, type SimRateResource } from "./rate-limit.js";

// An in-memory GitHub for tests and the demo: REST answers start from GitHub's documented examples and are
// validated against the OpenAPI description; GraphQL is executed against GitHub's published schema.

export type SimReviewState = "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED";
export interface SimActor {
  login: string;
  bot?: boolean;
}
export interface SimReview {
  author: SimActor | null;
  state: SimReviewState;
  commitSha: string;
  submittedAt: string;
  /** false: a reviewer with read access only (default true). */
  canPush?: boolean;
}
export interface SimPullRequest {
  number: number;
  title: string;
  body: string;
  headRef: string;
  headSha: string;
  baseRef: string;
  draft: boolean;
  state: "OPEN" | "CLOSED" | "MERGED";
  author: SimActor;
  reviews: SimReview[];
  /** Changed file paths (default: one file). */
  files: string[];
  /** Which of `files` GitHub lists as RENAMED (the others as MODIFIED): by their new path. */
  renamed?: string[];
  /** Label names (default: none). */
  labels?: string[];
  /** The head's version of files it changes (`null`: deleted); other files are the base's. Read by `contents?ref=<head sha>`. */
  headFiles?: Map<string, string | null>;
  /** The PR's commits, oldest first (default: one commit, the head). */
  commits: SimCommit[];
  /** Set when merged (`GitHubWorld.mergePullRequest`): the commit it added to its base branch (the last rebased one for a rebase). */
  mergeCommitSha?: string;
  /** Set by a rebase merge: the rewritten commits it added to its base branch, oldest first (GitHub associates them with the PR). */
  rebasedShas?: string[];
  /** When it merged: set by `mergePullRequest` (the simulator's clock) unless already set. */
  mergedAt?: string;
  /** Who merged it: set by `mergePullRequest` (default `maintainer-mia`) unless already set. */
  mergedBy?: SimActor;
  /** GraphQL times (defaults: createdAt the clock start, updatedAt mergedAt or createdAt). */
  createdAt?: string;
  updatedAt?: string;
  /** Force pushes of the head branch, oldest first (the timeline's HEAD_REF_FORCE_PUSHED_EVENT items). */
  forcePushes?: SimForcePush[];
}
/** A commit of the repository's history (branches and tags point into it). */
export interface SimGitCommit {
  sha: string;
  message: string;
  parents: string[];
}
/** A tag: lightweight (a ref to the commit), or annotated (a tag object, signed or not). */
export interface SimTag {
  commitSha: string;
  annotated?: { sha: string; verified: boolean; reason: string };
}
export interface SimRelease {
  tagName: string;
  name: string | null;
  body: string;
  draft: boolean;
  prerelease: boolean;
  /** Default 2026-11-20T09:00:00Z. */
  publishedAt?: string;
  /** Default: publishedAt. */
  createdAt?: string;
}
/** An answer the app gave to a custom deployment protection rule. */
export interface SimDeploymentReview {
  owner: string;
  repo: string;
  runId: number;
  environment: string;
  state: string;
  comment: string;
}
export interface SimCommit {
  sha: string;
  message: string;
  parents?: number;
  /** Git author and committer (default: the PR's author for both); `Co-authored-by:` trailers come from the message. */
  author?: SimGitPerson;
  committer?: SimGitPerson;
}
/** A git identity: GitHub links it to the account whose verified email it is (`GitHubWorld.userEmails`). */
export interface SimGitPerson {
  name: string;
  email: string;
  /** The account GitHub links the email to (default: the one `userEmails` names, if any). */
  login?: string;
}
/** A force push of a PR's head branch, as the PR's timeline records it. */
export interface SimForcePush {
  at: string;
  actor: string;
  afterSha: string;
}
/** A commit status (`POST /repos/{owner}/{repo}/statuses/{sha}`) as another integration posts it. */
export interface SimStatus {
  sha: string;
  context: string;
  state: "PENDING" | "SUCCESS" | "FAILURE" | "ERROR" | "EXPECTED";
  createdAt: string;
}
/** A merge queue entry of a branch's queue: the PR, and the merge-group commit GitHub built for it. */
export interface SimQueueEntry {
  pullNumber: number;
  headCommitSha: string;
  position: number;
}
export interface SimClassicRule {
  pattern: string;
  /** null: the rule does not require approving reviews. */
  requiredApprovals: number | null;
  allowsForcePushes: boolean;
  allowsDeletions: boolean;
  dismissesStaleReviews: boolean;
  isAdminEnforced: boolean;
  requiredChecks: string[];
  /** The app each required check must come from (null: any source); default: `sdlc-guard` from the world's app, others any source. */
  checkSources?: Record<string, number | null>;
  /** Who may skip the pull request requirement, and who may force push. */
  bypassPullRequest?: SimBypassActor[];
  bypassForcePush?: SimBypassActor[];
}
/** A bypass actor of a classic rule (Team, App, User) or a ruleset (Team, App and the special actors). */
export interface SimBypassActor {
  type: "Team" | "App" | "User" | "OrganizationAdmin" | "EnterpriseOwner" | "DeployKey" | "RepositoryRole";
  /** org/slug for a team, the slug of an app, a login, a repository role's name. */
  name?: string;
  mode?: "ALWAYS" | "PULL_REQUEST";
}
/** A rule as `GET /repos/{owner}/{repo}/rules/branches/{branch}` lists it. */
export type SimBranchRule = Record<string, unknown> & { type: string };
export interface SimCheckRun {
  id: number;
  appId: number;
  name: string;
  headSha: string;
  status: "queued" | "in_progress" | "completed";
  conclusion: string | null;
  output: { title: string | null; summary: string | null };
  externalId: string | null;
  /** Other apps' runs (SAST, CI): their slug and start time. */
  appSlug?: string;
  startedAt?: string;
}
export interface SimRepo {
  id: number;
  owner: string;
  name: string;
  defaultBranch: string;
  files: Map<string, string>;
  pulls: SimPullRequest[];
  classicRules: Map<string, SimClassicRule>;
  branchRules: Map<string, SimBranchRule[]>;
  /** openAlerts: provider-pattern alerts; genericAlerts: non-provider patterns and passwords (listed only by name). */
  secretScanning: { enabled: boolean; openAlerts: number; genericAlerts: number; pushProtection: boolean };
  checkRuns: SimCheckRun[];
  statuses: SimStatus[];
  /** Merge queues by base branch. */
  mergeQueues: Map<string, SimQueueEntry[]>;
  /** GraphQL answers `rules: null` for branches (as for a token that may not see them). */
  rulesHidden?: boolean;
  /** Bypass lists by `ruleset_id` (default: none may bypass); null: hidden from the app, as GitHub does for who may not edit the ruleset. */
  rulesetBypass?: Map<number, SimBypassActor[] | null>;
  /** The history: commits, branch heads and tags (the default branch starts with one commit). */
  git: { commits: Map<string, SimGitCommit>; branches: Map<string, string>; tags: Map<string, SimTag> };
  releases: SimRelease[];
  archived: boolean;
  /** Default `private`. */
  visibility: "public" | "private" | "internal";
  /** Last push (default 2026-11-20T09:00:00Z). */
  pushedAt: string;
  /** Dependabot alerts (default: enabled, no open alert). */
  dependabot: { alertsEnabled: boolean; openAlerts: { critical: number; high: number; medium: number } };
  /** Open code-scanning alerts (default 0). */
  codeScanning: { openAlerts: number };
  /** REST omits `security_and_analysis`, as for a caller without admin access. */
  securityAndAnalysisHidden?: boolean;
  /** A repository without commits: GraphQL `defaultBranchRef` and `object` null, `pushedAt` null. */
  empty?: boolean;
}
export interface SimResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}
export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  status: number;
}
export interface FaultOptions {
  /** How many matching requests fail (default 1). */
  times?: number;
  /** Matching requests to let through before failing (default 0). */
  skip?: number;
  headers?: Record<string, string>;
  message?: string;
  /** GitHub did the work (e.g. created the check run) and still answered with the fault. */
  afterApplying?: boolean;
  /** Match the path exactly instead of as a prefix. */
  exact?: boolean;
  /** Only GraphQL queries of this operation name (e.g. `SdlcGuardOrgViolations`). */
  operation?: string;
}
interface Fault {
  method: string;
  pathPrefix: string;
  status: number;
  remaining: number;
  skip: number;
  headers: Record<string, string>;
  message: string;
  afterApplying: boolean;
  exact: boolean;
  operation: string | undefined;
}

export const rulesetRule = {
  pullRequest: (approvals: number, source = "acme/payments"): SimBranchRule => ({
    type: "pull_request",
    ruleset_source_type: "Repository",
    ruleset_source: source,
    ruleset_id: 7,
    parameters: {
      required_approving_review_count: approvals,
      dismiss_stale_reviews_on_push: true,
      require_code_owner_review: false,
      require_last_push_approval: false,
      required_review_thread_resolution: false,
    },
  }),
  nonFastForward: (source = "acme/payments"): SimBranchRule => ({
    type: "non_fast_forward",
    ruleset_source_type: "Repository",
    ruleset_source: source,
    ruleset_id: 7,
  }),
  deletion: (source = "acme/payments"): SimBranchRule => ({
    type: "deletion",
    ruleset_source_type: "Repository",
    ruleset_source: source,
    ruleset_id: 7,
  }),
  /** `sdlc-guard` required, from the app `integrationId` (omitted: any source). */
  requiredGuard: (integrationId: number | undefined, source = "acme/payments"): SimBranchRule => ({
    type: "required_status_checks",
    ruleset_source_type: "Repository",
    ruleset_source: source,
    ruleset_id: 7,
    parameters: {
      strict_required_status_checks_policy: false,
      required_status_checks: [{ context: "sdlc-guard", ...(integrationId === undefined ? {} : { integration_id: integrationId }) }],
    },
  }),
};

export const strictClassicRule = (pattern = "main", approvals = 2): SimClassicRule => ({
  pattern,
  requiredApprovals: approvals,
  allowsForcePushes: false,
  allowsDeletions: false,
  dismissesStaleReviews: true,
  isAdminEnforced: true,
  requiredChecks: ["sdlc-guard"],
});

export class GitHubWorld {
  readonly repos: SimRepo[] = [];
  readonly requests: RecordedRequest[] = [];
  /** Requests the app sent that GitHub would reject as malformed (should stay empty). */
  readonly violations: string[] = [];
  /** Organisation teams (`org/slug`, lower case) and their members' logins. */
  readonly teams = new Map<string, string[]>();
  /** Issues and their comments, for every repository. */
  readonly issues = new SimIssueTracker();
  /** Verified emails of accounts (lower-case email → login): GitHub links git identities and co-author trailers by them. */
  readonly userEmails = new Map<string, string>();
  /** What the app answered to deployment protection rules. */
  readonly deploymentReviews: SimDeploymentReview[] = [];
  /** Primary rate limits (`core`, `graphql`, `search`): set `remaining`/`reset` to test exhaustion. */
  readonly rateLimit: SimRateLimits;
  /** Results GitHub's search lists at most, whatever the page (`issueCount` still counts them all); lower it to test splitting. */
  searchResultLimit = 1000;
  /**
   * What the installation granted, as GitHub lists it on each installation token. Unset: the published example's
   * permissions and no permission is enforced; set: routes that need a permission it lacks answer 403 as GitHub does.
   */
  installationPermissions: Record<string, "read" | "write"> | undefined;
  private readonly orgs: OrgWorld;
  /** Organisation rulesets (`sdlc-guard apply` writes them); each applies its rules to the default branches it targets. */
  readonly orgRulesets = new SimOrgRulesets(this);
  /** Branches created, files written on them and pull requests opened through the API (`sdlc-guard apply`'s files pull request). */
  readonly repositoryFiles = new SimRepositoryFiles(this);
  /** The account a personal token belongs to (`GET /user`). */
  tokenUser = "octo-admin";
  private readonly faults: Fault[] = [];
  private nextId = 1000;
  private merges = 0;

  constructor(
    readonly appId = 4242,
    readonly installationId = 77,
  ) {
    this.rateLimit = new SimRateLimits(installationId);
    this.orgs = new OrgWorld(this);
    this.issues.appId = appId;
  }

  /** The organisation `login` (created on first use: 2FA required, no members, no code security configuration). */
  organization(login: string): SimOrganization {
    return this.orgs.organization(login);
  }

  /** Refills a rate-limit bucket (all of them without a resource); `reset` in epoch seconds. */
  resetRateLimit(resource?: SimRateResource, reset?: number): void {
    this.rateLimit.reset(resource, reset);
  }

  addRepo(owner: string, name: string, init: Partial<Omit<SimRepo, "id" | "owner" | "name">> = {}): SimRepo {
    const repo: SimRepo = {
      id: this.nextId++,
      owner,
      name,
      defaultBranch: "main",
      files: new Map(),
      pulls: [],
      classicRules: new Map(),
      branchRules: new Map(),
      secretScanning: { enabled: true, openAlerts: 0, genericAlerts: 0, pushProtection: true },
      checkRuns: [],
      statuses: [],
      mergeQueues: new Map(),
      git: { commits: new Map(), branches: new Map(), tags: new Map() },
      releases: [],
      archived: false,
      visibility: "private",
      pushedAt: "2026-11-20T09:00:00Z",
      dependabot: { alertsEnabled: true, openAlerts: { critical: 0, high: 0, medium: 0 } },
      codeScanning: { openAlerts: 0 },
      ...init,
    };
    const root = sha(`${owner}/${name}-root`);
    if (!repo.git.branches.has(repo.defaultBranch)) {
      repo.git.commits.set(root, { sha: root, message: "Initial commit", parents: [] });
      repo.git.branches.set(repo.defaultBranch, root);
    }
    this.repos.push(repo);
    return repo;
  }

  /** Commits straight onto a branch (creating it from the default branch if new); returns the new commit's SHA. */
  commit(
    repo: SimRepo,
    branch: string,
    message: string,
    commitSha = createHash("sha1").update(`${repo.owner}/${repo.name}:${branch}:${repo.git.commits.size}:${message}`).digest("hex"),
  ): string {
    const parent = repo.git.branches.get(branch) ?? repo.git.branches.get(repo.defaultBranch)!;
    repo.git.commits.set(commitSha, { sha: commitSha, message, parents: [parent] });
    repo.git.branches.set(branch, commitSha);
    return commitSha;
  }

  /**
   * Merges a PR into its base branch as GitHub does: a merge commit (parents: base head, PR head) or a squash commit;
   * the PR becomes MERGED. Returns the push GitHub then announces.
   */
  mergePullRequest(
    repo: SimRepo,
    pr: SimPullRequest,
    how: "merge" | "squash" | "rebase" = "merge",
  ): { before: string; after: string; commits: string[] } {
    const before = repo.git.branches.get(pr.baseRef) ?? repo.git.branches.get(repo.defaultBranch)!;
    for (const c of pr.commits)
      if (!repo.git.commits.has(c.sha)) repo.git.commits.set(c.sha, { sha: c.sha, message: c.message, parents: [before] });
    let after = sha(`${repo.name}-merge-${pr.number}`);
    let added = [after];
    if (how === "rebase") {
      // As GitHub: each commit of the PR is rewritten onto the base; the last one is the PR's `mergeCommit`.
      let parent = before;
      added = pr.commits.map((c, i) => {
        const rebased = sha(`${i}-rebased-${pr.number}-${repo.name}`);
        repo.git.commits.set(rebased, { sha: rebased, message: c.message, parents: [parent] });
        parent = rebased;
        return rebased;
      });
      after = parent;
      pr.rebasedShas = added;
    } else {
      const parents = how === "merge" ? [before, pr.headSha] : [before];
      repo.git.commits.set(after, { sha: after, message: `Merge pull request #${pr.number} from ${pr.headRef}`, parents });
    }
    repo.git.branches.set(pr.baseRef, after);
    Object.assign(pr, {
      state: "MERGED",
      mergeCommitSha: after,
      mergedBy: pr.mergedBy ?? { login: "maintainer-mia" },
      mergedAt: pr.mergedAt ?? new Date(Date.UTC(2026, 10, 20, 9, 0, 0) + ++this.merges * 60_000).toISOString().replace(".000Z", "Z"),
    });
    return { before, after, commits: how === "merge" ? [...pr.commits.map((c) => c.sha), after] : added };
  }

  /** Commits reachable from `from` (inclusive), newest first. */
  history(repo: SimRepo, from: string): string[] {
    const seen = new Set<string>();
    const queue = [from];
    for (let i = 0; i < queue.length; i++) {
      const next = queue[i]!;
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(...(repo.git.commits.get(next)?.parents ?? []));
    }
    return [...seen];
  }

  private knowsCommit(repo: SimRepo, oid: string): boolean {
    return (
      repo.git.commits.has(oid) ||
      repo.pulls.some(
        (p) => p.headSha === oid || p.mergeCommitSha === oid || p.commits.some((c) => c.sha === oid) || !!p.rebasedShas?.includes(oid),
      ) ||
      repo.checkRuns.some((r) => r.headSha === oid) ||
      repo.statuses.some((st) => st.sha === oid) ||
      [...repo.mergeQueues.values()].some((entries) => entries.some((e) => e.headCommitSha === oid))
    );
  }

  private resolve(repo: SimRepo, ref: string): string | undefined {
    const name = ref.replace(/^refs\/(heads|tags)\//, "");
    if (ref.startsWith("refs/tags/")) return repo.git.tags.get(name)?.commitSha;
    if (ref.startsWith("refs/heads/")) return repo.git.branches.get(name);
    return repo.git.branches.get(name) ?? repo.git.tags.get(name)?.commitSha ?? (repo.git.commits.has(ref) ? ref : undefined);
  }

  addPullRequest(repo: SimRepo, pr: Partial<SimPullRequest> & { number: number }): SimPullRequest {
    const full: SimPullRequest = {
      title: `Change ${pr.number}`,
      body: "",
      headRef: `feature/change-${pr.number}`,
      headSha: sha(`${repo.name}-${pr.number}-head`),
      baseRef: repo.defaultBranch,
      draft: false,
      state: "OPEN",
      author: { login: "octo-author" },
      reviews: [],
      files: ["src/index.ts"],
      ...pr,
      commits: pr.commits ?? [
        { sha: pr.headSha ?? sha(`${repo.name}-${pr.number}-head`), message: `Change ${pr.number}: update the service` },
      ],
    };
    repo.pulls.push(full);
    return full;
  }

  /** Requests whose path starts with `pathPrefix` get `status` (e.g. 502, or 403 with retry-after) instead of an answer. */
  failNext(method: string, pathPrefix: string, status: number, options: FaultOptions = {}): void {
    this.faults.push({
      method: method.toUpperCase(),
      pathPrefix,
      status,
      remaining: options.times ?? 1,
      skip: options.skip ?? 0,
      headers: options.headers ?? {},
      message: options.message ?? `simulated HTTP ${status}`,
      afterApplying: options.afterApplying ?? false,
      exact: options.exact ?? false,
      operation: options.operation,
    });
  }

  repo(owner: string, name: string): SimRepo | undefined {
    return this.repos.find((r) => r.owner.toLowerCase() === owner.toLowerCase() && r.name.toLowerCase() === name.toLowerCase());
  }

  /** Answers one API request (path relative to the API root, with query string; header names lower case). */
  handle(method: string, url: string, body: unknown, headers: Record<string, string | string[] | undefined> = {}): SimResponse {
    const upper = method.toUpperCase();
    const [rawPath, query = ""] = url.split("?");
    const path = rawPath!;
    // Every request but /rate_limit and the app's own is charged to its rate-limit bucket; an empty bucket answers alone.
    const resource = this.rateLimit.resourceFor(upper, path);
    if (resource) this.rateLimit.refillIfReset(resource);
    if (resource && this.rateLimit[resource].remaining <= 0) {
      const exceeded = this.rateLimit.exceeded(resource);
      this.requests.push({ method: upper, path, query, status: exceeded.status });
      return exceeded;
    }
    if (resource) this.rateLimit.charge(resource);
    const limits = () => (resource ? this.rateLimit.headers(resource) : {});
    const response = this.answer(upper, path, new URLSearchParams(query), body);
    const problems = path === "/graphql" ? [] : responseProblems(upper, path, response.status, response.body);
    if (problems.length) {
      // A simulator bug must fail loudly, never feed the app an answer GitHub would not give.
      this.violations.push(...problems.map((p) => `simulator answer GitHub would never send: ${p}`));
      this.requests.push({ method: upper, path, query, status: 500 });
      return json(500, { message: problems.join("; ") });
    }
    if (upper === "GET" && response.status === 200 && path !== "/graphql") {
      // As GitHub: every REST read has an ETag, and a read with a matching If-None-Match gets 304 and no body.
      const etag = `W/"${createHash("sha256")
        .update(JSON.stringify([response.body, response.headers.link ?? ""]))
        .digest("hex")
        .slice(0, 32)}"`;
      if (headers["if-none-match"] === etag) {
        // As on GitHub, a 304 is free.
        if (resource) this.rateLimit.refund(resource);
        this.requests.push({ method: upper, path, query, status: 304 });
        return { status: 304, headers: { ...limits(), etag }, body: undefined };
      }
      response.headers = { ...response.headers, etag };
    }
    // Successful answers report the bucket (GitHub reports it on errors too; the simulator's errors keep only their own headers).
    if (response.status < 400) response.headers = { ...limits(), ...response.headers };
    this.requests.push({ method: upper, path, query, status: response.status });
    return response;
  }

  private answer(method: string, path: string, query: URLSearchParams, body: unknown): SimResponse {
    const operation =
      path === "/graphql" ? /(?:query|mutation)\s+(\w+)/.exec((body as { query?: string } | undefined)?.query ?? "")?.[1] : undefined;
    const fault = this.faults.find(
      (f) =>
        f.remaining > 0 &&
        f.method === method &&
        (f.exact ? path === f.pathPrefix : path.startsWith(f.pathPrefix)) &&
        (!f.operation || f.operation === operation),
    );
    if (fault && fault.skip > 0) fault.skip--;
    else if (fault) {
      fault.remaining--;
      if (fault.afterApplying) this.route(method, path, query, body);
      return {
        status: fault.status,
        headers: fault.headers,
        body: { message: fault.message, documentation_url: "https://docs.github.com/rest" },
      };
    }
    return this.route(method, path, query, body);
  }

  private route(method: string, path: string, query: URLSearchParams, body: unknown): SimResponse {
    if (method === "POST" && path === "/graphql") return this.graphql(body as { query: string; variables?: Record<string, unknown> });
    if (method !== "GET") {
      const problems = requestProblems(method, path, body);
      if (problems.length) {
        this.violations.push(...problems);
        return json(422, { message: "Invalid request.", documentation_url: "https://docs.github.com/rest", errors: problems });
      }
      const tooLong = sizeProblem(method, path, body);
      if (tooLong) {
        this.violations.push(tooLong.message);
        return json(422, tooLong);
      }
    }
    let m: RegExpMatchArray | null;
    if (method === "POST" && (m = path.match(/^\/app\/installations\/(\d+)\/access_tokens$/))) {
      const token = exampleResponse("POST", "/app/installations/{installation_id}/access_tokens", 201);
      return json(201, {
        ...token,
        token: `ghs_simulated${m[1]}`,
        expires_at: new Date(Date.now() + 3_600_000).toISOString(),
        ...(this.installationPermissions ? { permissions: this.installationPermissions } : {}),
      });
    }
    const rulesetAnswer = this.orgRulesets.route(method, path, body);
    if (rulesetAnswer) return rulesetAnswer;
    if (method === "GET" && path === "/user") {
      return json(200, { ...exampleResponse("GET", "/user", 200), login: this.tokenUser });
    }
    const orgAnswer = this.orgs.route(method, path, query);
    if (orgAnswer) return orgAnswer;
    m = path.match(/^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/);
    const repo = m && this.repo(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!));
    if (!m || !repo) return notFound();
    return this.repoRoute(repo, method, m[3] ?? "", query, body);
  }

  private repoRoute(repo: SimRepo, method: string, rest: string, query: URLSearchParams, body: unknown): SimResponse {
    let m: RegExpMatchArray | null;
    const issueAnswer = this.issues.route(repo.owner, repo.name, method, rest, query, body);
    if (issueAnswer) return issueAnswer;
    const filesAnswer = this.repositoryFiles.route(repo, method, rest, query, body);
    if (filesAnswer) return filesAnswer;
    if (method === "GET" && rest === "") {
      // GitHub's documented example lacks `language`, which its schema requires; and our repositories are not forks.
      const example = exampleResponse("GET", "/repos/{owner}/{repo}", 200);
      delete example.parent;
      delete example.source;
      const status = (on: boolean) => ({ status: on ? "enabled" : "disabled" });
      const out: Record<string, unknown> = {
        ...example,
        language: "TypeScript",
        id: repo.id,
        node_id: `R_${repo.id}`,
        name: repo.name,
        full_name: `${repo.owner}/${repo.name}`,
        default_branch: repo.defaultBranch,
        archived: repo.archived,
        visibility: repo.visibility,
        private: repo.visibility !== "public",
        pushed_at: repo.pushedAt,
        security_and_analysis: {
          secret_scanning: status(repo.secretScanning.enabled),
          secret_scanning_push_protection: status(repo.secretScanning.enabled && repo.secretScanning.pushProtection),
        },
      };
      if (repo.securityAndAnalysisHidden) delete out.security_and_analysis;
      return json(200, out);
    }
    if (method === "PATCH" && rest === "") {
      // Only the security settings `sdlc-guard apply` turns on are modelled; the answer is the repository as GET shows it.
      const settings = (body as { security_and_analysis?: Record<string, { status?: string } | undefined> }).security_and_analysis ?? {};
      if (settings.secret_scanning?.status) repo.secretScanning.enabled = settings.secret_scanning.status === "enabled";
      if (settings.secret_scanning_push_protection?.status)
        repo.secretScanning.pushProtection = settings.secret_scanning_push_protection.status === "enabled";
      const current = this.repoRoute(repo, "GET", "", query, undefined);
      return json(200, current.body);
    }
    if (method === "GET" && rest === "/installation") {
      const example = exampleResponse("GET", "/repos/{owner}/{repo}/installation", 200);
      return json(200, { ...example, id: this.installationId, app_id: this.appId });
    }
    if (method === "GET" && (m = rest.match(/^\/contents\/(.+)$/))) {
      const filePath = decodeURIComponent(m[1]!);
      // `ref` a PR's head: that head's version of the file (a PR changes only the files it lists).
      const ref = query.get("ref");
      const head = ref ? repo.pulls.find((p) => p.headSha === ref) : undefined;
      if (ref && !head && this.resolve(repo, ref) === undefined) return notFound();
      const text = head?.headFiles?.has(filePath) ? (head.headFiles.get(filePath) ?? undefined) : repo.files.get(filePath);
      if (text === undefined) return notFound();
      const example = exampleResponse("GET", "/repos/{owner}/{repo}/contents/{path}", 200);
      return json(200, {
        ...example,
        name: filePath.split("/").pop(),
        path: filePath,
        size: Buffer.byteLength(text),
        content: Buffer.from(text).toString("base64"),
        encoding: "base64",
      });
    }
    if (method === "GET" && (m = rest.match(/^\/rules\/branches\/(.+)$/))) {
      return json(200, repo.branchRules.get(decodeURIComponent(m[1]!)) ?? []);
    }
    if (method === "GET" && rest === "/secret-scanning/alerts") {
      // GitHub's OpenAPI description: 404 when the repository is public or secret scanning is disabled.
      if (!repo.secretScanning.enabled || repo.visibility === "public")
        return json(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
      const [template] = exampleResponse("GET", "/repos/{owner}/{repo}/secret-scanning/alerts", 200) as unknown as Record<
        string,
        unknown
      >[];
      const perPage = Number(query.get("per_page") ?? 30);
      // Only open alerts are modelled; generic types are listed only when named in secret_type, as on GitHub.
      const open =
        query.get("state") === "resolved"
          ? 0
          : query.get("secret_type")
            ? repo.secretScanning.genericAlerts
            : repo.secretScanning.openAlerts;
      const alerts = Array.from({ length: Math.min(perPage, open) }, (_, i) => ({
        ...template,
        number: i + 1,
        state: "open",
        resolution: null,
      }));
      const link: Record<string, string> =
        open > perPage
          ? { link: `<https://api.github.com/repos/${repo.owner}/${repo.name}/secret-scanning/alerts?page=2>; rel="next"` }
          : {};
      return { status: 200, headers: link, body: alerts };
    }
    if (method === "GET" && (m = rest.match(/^\/commits\/([^/]+)\/check-runs$/))) {
      const runs = repo.checkRuns.filter(
        (r) =>
          r.headSha === m![1] &&
          (!query.get("check_name") || r.name === query.get("check_name")) &&
          (!query.get("app_id") || String(r.appId) === query.get("app_id")),
      );
      return json(200, { total_count: runs.length, check_runs: runs.map((r) => this.checkRunJson(repo, r)) });
    }
    if (method === "POST" && rest === "/check-runs") {
      const input = body as {
        name: string;
        head_sha: string;
        status?: SimCheckRun["status"];
        conclusion?: string;
        output?: SimCheckRun["output"];
        external_id?: string;
      };
      const run: SimCheckRun = {
        id: this.nextId++,
        appId: this.appId,
        name: input.name,
        headSha: input.head_sha,
        status: input.conclusion ? "completed" : (input.status ?? "queued"),
        conclusion: input.conclusion ?? null,
        output: { title: input.output?.title ?? null, summary: input.output?.summary ?? null },
        externalId: input.external_id ?? null,
        // As GitHub: a run created without `started_at` started when it was created.
        startedAt: this.issues.peekNow(),
      };
      repo.checkRuns.push(run);
      return json(201, this.checkRunJson(repo, run));
    }
    if (method === "PATCH" && (m = rest.match(/^\/check-runs\/(\d+)$/))) {
      const run = repo.checkRuns.find((r) => r.id === Number(m![1]));
      if (!run) return notFound();
      const input = body as Partial<{
        status: SimCheckRun["status"];
        conclusion: string;
        output: SimCheckRun["output"];
        external_id: string;
      }>;
      if (input.conclusion) Object.assign(run, { status: "completed", conclusion: input.conclusion });
      // As on GitHub, moving a run back to in progress keeps its old conclusion (the app must not rely on it).
      else if (input.status) run.status = input.status;
      if (input.output) run.output = { title: input.output.title ?? null, summary: input.output.summary ?? null };
      return json(200, this.checkRunJson(repo, run));
    }
    if (method === "GET" && (m = rest.match(/^\/compare\/(.+)$/))) {
      const [base, head] = decodeURIComponent(m[1]!).split("...");
      const baseSha = base && this.resolve(repo, base);
      const headSha = head && this.resolve(repo, head);
      if (!baseSha || !headSha) return notFound();
      const baseHistory = new Set(this.history(repo, baseSha));
      const headHistory = new Set(this.history(repo, headSha));
      const ahead = [...headHistory].filter((c) => !baseHistory.has(c)).reverse();
      const behindBy = [...baseHistory].filter((c) => !headHistory.has(c)).length;
      const perPage = Number(query.get("per_page") ?? 250);
      const page = Number(query.get("page") ?? 1);
      const example = exampleResponse("GET", "/repos/{owner}/{repo}/compare/{basehead}", 200);
      const template = (example.commits as Record<string, unknown>[])[0]!;
      const commits = ahead.slice((page - 1) * perPage, page * perPage).map((c) => ({
        ...template,
        sha: c,
        node_id: `C_${c}`,
        parents: (repo.git.commits.get(c)?.parents ?? []).map((p) => ({
          sha: p,
          url: "https://api.github.com",
          html_url: "https://github.com",
        })),
      }));
      const status = baseSha === headSha ? "identical" : ahead.length === 0 ? "behind" : behindBy === 0 ? "ahead" : "diverged";
      return json(200, {
        ...example,
        status,
        ahead_by: ahead.length,
        behind_by: behindBy,
        total_commits: ahead.length,
        commits,
        files: this.repositoryFiles.compareFiles(repo, head),
      });
    }
    if (method === "GET" && (m = rest.match(/^\/git\/tags\/([0-9a-f]{40})$/))) {
      const [name, tag] = [...repo.git.tags.entries()].find(([, t]) => t.annotated?.sha === m![1]) ?? [];
      if (!tag?.annotated) return notFound();
      const example = exampleResponse("GET", "/repos/{owner}/{repo}/git/tags/{tag_sha}", 200);
      const verification = {
        ...(example.verification as object),
        verified: tag.annotated.verified,
        reason: tag.annotated.reason,
        ...(tag.annotated.reason === "unsigned"
          ? { signature: null, payload: null }
          : { signature: "-----BEGIN PGP SIGNATURE-----", payload: `object ${tag.commitSha}\ntype commit\ntag ${name}` }),
      };
      return json(200, {
        ...example,
        sha: tag.annotated.sha,
        tag: name,
        object: { ...(example.object as object), sha: tag.commitSha, type: "commit" },
        verification,
      });
    }
    if (method === "POST" && (m = rest.match(/^\/actions\/runs\/(\d+)\/deployment_protection_rule$/))) {
      const input = body as { environment_name: string; state?: string; comment?: string };
      this.deploymentReviews.push({
        owner: repo.owner,
        repo: repo.name,
        runId: Number(m[1]),
        environment: input.environment_name,
        state: input.state ?? "",
        comment: input.comment ?? "",
      });
      return { status: 204, headers: {}, body: undefined };
    }
    if (method === "GET" && rest === "/pulls") {
      const state = query.get("state") ?? "open";
      const perPage = Number(query.get("per_page") ?? 30);
      const page = Number(query.get("page") ?? 1);
      // `head`: `owner:branch`, the pull requests from that branch.
      const head = query.get("head")?.toLowerCase();
      const matching = repo.pulls.filter(
        (p) =>
          (state === "all" || (state === "open") === (p.state === "OPEN")) &&
          (!head || `${repo.owner}:${p.headRef}`.toLowerCase() === head),
      );
      const slice = matching.slice((page - 1) * perPage, page * perPage);
      const next: Record<string, string> =
        page * perPage < matching.length
          ? {
              link: `<https://api.github.com/repos/${repo.owner}/${repo.name}/pulls?state=${state}&per_page=${perPage}&page=${page + 1}>; rel="next"`,
            }
          : {};
      return { status: 200, headers: next, body: slice.map((p) => this.pullJson(repo, p)) };
    }
    return notFound();
  }

  private checkRunJson(repo: SimRepo, run: SimCheckRun): Record<string, unknown> {
    const example = exampleResponse("PATCH", "/repos/{owner}/{repo}/check-runs/{check_run_id}", 200);
    return {
      ...example,
      id: run.id,
      name: run.name,
      head_sha: run.headSha,
      external_id: run.externalId,
      status: run.status,
      conclusion: run.conclusion,
      url: `https://api.github.com/repos/${repo.owner}/${repo.name}/check-runs/${run.id}`,
      output: { ...(example.output as object), title: run.output.title, summary: run.output.summary, text: null },
      pull_requests: [],
      app: { ...(example.app as object), id: run.appId },
    };
  }

  private pullJson(repo: SimRepo, pr: SimPullRequest): Record<string, unknown> {
    const [example] = exampleResponse("GET", "/repos/{owner}/{repo}/pulls", 200) as unknown as Record<string, Record<string, unknown>>[];
    const e = example!;
    const ref = (name: string, shaValue: string) => ({
      ...e.head,
      ref: name,
      sha: shaValue,
      label: `${repo.owner}:${name}`,
      repo: { ...(e.head!.repo as object), id: repo.id, name: repo.name, full_name: `${repo.owner}/${repo.name}` },
    });
    return {
      ...e,
      number: pr.number,
      title: pr.title,
      body: pr.body,
      state: pr.state === "OPEN" ? "open" : "closed",
      draft: pr.draft,
      head: ref(pr.headRef, pr.headSha),
      base: ref(pr.baseRef, sha(`${repo.name}-${pr.baseRef}`)),
      user: { ...e.user, login: pr.author.login, type: pr.author.bot ? "Bot" : "User" },
      // GitHub's documented example lists a requested team without the `type` its own schema requires.
      requested_teams: [],
      requested_reviewers: [],
    };
  }

  private graphql(request: { query: string; variables?: Record<string, unknown> }): SimResponse {
    const result = executeQuery(request.query, request.variables ?? {}, this.graphqlRoot());
    return json(200, result);
  }

  private graphqlRoot(): object {
    const suitesFor = (repo: SimRepo, headSha: string, appId?: number) => {
      const byApp = new Map<number, SimCheckRun[]>();
      for (const run of repo.checkRuns.filter((r) => r.headSha === headSha)) byApp.set(run.appId, [...(byApp.get(run.appId) ?? []), run]);
      return [...byApp.entries()]
        .filter(([app]) => !appId || app === appId)
        .map(([, runs]) => ({
          checkRuns: (args: { first?: number; filterBy?: { checkName?: string; appId?: number } }) =>
            connection(
              runs
                .filter(
                  (r) =>
                    (!args.filterBy?.checkName || r.name === args.filterBy.checkName) &&
                    (!args.filterBy?.appId || r.appId === args.filterBy.appId),
                )
                .map((r) => ({
                  databaseId: r.id,
                  name: r.name,
                  status: r.status.toUpperCase(),
                  conclusion: r.conclusion?.toUpperCase() ?? null,
                  title: r.output.title,
                  summary: r.output.summary,
                  startedAt: r.startedAt ?? "2026-11-20T09:00:00Z",
                })),
            )(args),
        }));
    };
    const rollupFor = (repo: SimRepo, commitSha: string) => {
      const runs = repo.checkRuns.filter((r) => r.headSha === commitSha);
      const statuses = repo.statuses.filter((st) => st.sha === commitSha);
      if (!runs.length && !statuses.length) return null;
      return {
        __typename: "StatusCheckRollup",
        id: `SCR_${repo.id}_${commitSha}`,
        contexts: connection([
          ...runs.map((r) => ({
            __typename: "CheckRun",
            name: r.name,
            status: r.status.toUpperCase(),
            conclusion: r.status === "completed" ? (r.conclusion?.toUpperCase() ?? null) : null,
            startedAt: r.startedAt ?? "2026-11-20T09:00:00Z",
            checkSuite: { app: { slug: r.appSlug ?? (r.appId === this.appId ? "sdlc-guard" : `app-${r.appId}`) } },
          })),
          ...statuses.map((st) => ({ __typename: "StatusContext", context: st.context, state: st.state, createdAt: st.createdAt })),
        ]),
      };
    };
    // As on GitHub: the PRs whose head or commits include the commit, or that merged as it.
    const associatedPulls = (repo: SimRepo, commitSha: string) =>
      connection(
        repo.pulls
          .filter(
            (p) =>
              p.headSha === commitSha ||
              p.mergeCommitSha === commitSha ||
              p.commits.some((c) => c.sha === commitSha) ||
              !!p.rebasedShas?.includes(commitSha),
          )
          .map((p) => ({
            number: p.number,
            state: p.state,
            merged: p.state === "MERGED",
            baseRefName: p.baseRef,
            headRefOid: p.headSha,
            mergeCommit: p.mergeCommitSha ? { oid: p.mergeCommitSha } : null,
            mergedBy: p.state === "MERGED" && p.mergedBy ? actorNode(p.mergedBy) : null,
            commits: connection([
              {
                commit: {
                  __typename: "Commit",
                  oid: p.headSha,
                  checkSuites: (args: { first?: number; filterBy?: { appId?: number } }) =>
                    connection(suitesFor(repo, p.headSha, args.filterBy?.appId))(args),
                },
              },
            ]),
          })),
      );
    const commitNode = (repo: SimRepo, commit: SimCommit) => ({
      __typename: "Commit",
      oid: commit.sha,
      message: commit.message,
      parents: { totalCount: commit.parents ?? 1 },
      associatedPullRequests: associatedPulls(repo, commit.sha),
      checkSuites: (args: { first?: number; filterBy?: { appId?: number } }) =>
        connection(suitesFor(repo, commit.sha, args.filterBy?.appId))(args),
      statusCheckRollup: rollupFor(repo, commit.sha),
    });
    const gitCommitNode = (repo: SimRepo, oid: string) =>
      commitNode(repo, {
        sha: oid,
        message: repo.git.commits.get(oid)?.message ?? "",
        parents: repo.git.commits.get(oid)?.parents.length ?? 1,
      });
    const classicRuleNode = (rule: SimClassicRule) => ({
      pattern: rule.pattern,
      requiresApprovingReviews: rule.requiredApprovals !== null,
      requiredApprovingReviewCount: rule.requiredApprovals,
      allowsForcePushes: rule.allowsForcePushes,
      allowsDeletions: rule.allowsDeletions,
      dismissesStaleReviews: rule.dismissesStaleReviews,
      isAdminEnforced: rule.isAdminEnforced,
      requiredStatusCheckContexts: rule.requiredChecks,
      requiredStatusChecks: rule.requiredChecks.map((context) => {
        const appId =
          rule.checkSources && context in rule.checkSources ? rule.checkSources[context] : context === "sdlc-guard" ? this.appId : null;
        return { context, app: appId === null || appId === undefined ? null : { __typename: "App", databaseId: appId } };
      }),
      bypassPullRequestAllowances: connection((rule.bypassPullRequest ?? []).map((a) => ({ actor: bypassActorNode(a) }))),
      bypassForcePushAllowances: connection((rule.bypassForcePush ?? []).map((a) => ({ actor: bypassActorNode(a) }))),
    });
    const bypassActorNode = (a: SimBypassActor) =>
      a.type === "Team"
        ? { __typename: "Team", combinedSlug: a.name, slug: a.name?.split("/")[1] }
        : a.type === "App"
          ? { __typename: "App", slug: a.name }
          : a.type === "User"
            ? { __typename: "User", login: a.name }
            : null;
    const rulesetBypassNode = (a: SimBypassActor) => ({
      bypassMode: a.mode ?? "ALWAYS",
      organizationAdmin: a.type === "OrganizationAdmin",
      enterpriseOwner: a.type === "EnterpriseOwner",
      deployKey: a.type === "DeployKey",
      repositoryRoleName: a.type === "RepositoryRole" ? a.name : null,
      actor: bypassActorNode(a),
    });
    // A branch or tag ref: protection and rules of a branch, the tag object of an annotated tag, compare with another ref.
    const refNode = (repo: SimRepo, qualifiedName: string) => {
      const isTag = qualifiedName.startsWith("refs/tags/");
      const name = qualifiedName.replace(/^refs\/(heads|tags)\//, "");
      const oid = this.resolve(repo, qualifiedName);
      if (!oid) return null;
      const tag = isTag ? repo.git.tags.get(name) : undefined;
      return {
        name,
        prefix: isTag ? "refs/tags/" : "refs/heads/",
        branchProtectionRule: !isTag && repo.classicRules.has(name) ? classicRuleNode(repo.classicRules.get(name)!) : null,
        rules: isTag || repo.rulesHidden ? null : connection((repo.branchRules.get(name) ?? []).map(ruleNode(repo))),
        target: tag?.annotated ? { __typename: "Tag", oid: tag.annotated.sha, target: gitCommitNode(repo, oid) } : gitCommitNode(repo, oid),
        compare: ({ headRef }: { headRef: string }) => {
          const head = this.resolve(repo, headRef);
          if (!head) return null;
          const baseHistory = new Set(this.history(repo, oid));
          const headHistory = new Set(this.history(repo, head));
          const aheadBy = [...headHistory].filter((c) => !baseHistory.has(c)).length;
          const behindBy = [...baseHistory].filter((c) => !headHistory.has(c)).length;
          const status = head === oid ? "IDENTICAL" : aheadBy === 0 ? "BEHIND" : behindBy === 0 ? "AHEAD" : "DIVERGED";
          return { id: `CMP_${oid}_${head}`, status, aheadBy, behindBy };
        },
      };
    };
    // Rules as GraphQL lists them: REST's snake_case rule turned into RepositoryRule with typed parameters.
    const ruleNode = (repo: SimRepo) => (rule: SimBranchRule) => {
      const parameters = (rule.parameters ?? {}) as Record<string, unknown>;
      const source = String(rule.ruleset_source ?? "");
      return {
        type: rule.type.toUpperCase(),
        parameters:
          rule.type === "pull_request"
            ? {
                __typename: "PullRequestParameters",
                requiredApprovingReviewCount: parameters.required_approving_review_count,
                dismissStaleReviewsOnPush: parameters.dismiss_stale_reviews_on_push,
              }
            : rule.type === "required_status_checks"
              ? {
                  __typename: "RequiredStatusChecksParameters",
                  requiredStatusChecks: (parameters.required_status_checks as { context: string; integration_id?: number }[]).map((c) => ({
                    context: c.context,
                    integrationId: c.integration_id ?? null,
                  })),
                }
              : null,
        repositoryRuleset: {
          id: `RRS_${String(rule.ruleset_id ?? 0)}`,
          name: `ruleset ${String(rule.ruleset_id ?? 0)}`,
          source:
            rule.ruleset_source_type === "Organization"
              ? { __typename: "Organization", login: source }
              : { __typename: "Repository", nameWithOwner: source },
          bypassActors: (args: { first?: number }) => {
            const actors = repo.rulesetBypass?.get(Number(rule.ruleset_id ?? 0));
            return actors === null ? null : connection((actors ?? []).map(rulesetBypassNode))(args);
          },
        },
      };
    };
    const prNode = (repo: SimRepo, pr: SimPullRequest) => {
      const rule = repo.classicRules.get(pr.baseRef);
      return {
        __typename: "PullRequest",
        id: `PR_${repo.id}_${pr.number}`,
        number: pr.number,
        title: pr.title,
        body: pr.body,
        isDraft: pr.draft,
        state: pr.state,
        headRefName: pr.headRef,
        headRefOid: pr.headSha,
        baseRefName: pr.baseRef,
        changedFiles: pr.files.length,
        merged: pr.state === "MERGED",
        url: `https://github.com/${repo.owner}/${repo.name}/pull/${pr.number}`,
        mergeCommit: () => (pr.mergeCommitSha ? gitCommitNode(repo, pr.mergeCommitSha) : null),
        mergedBy: pr.state === "MERGED" && pr.mergedBy ? actorNode(pr.mergedBy) : null,
        repository: () => repositoryNode(repo),
        ...prTimes(pr),
        author: actorNode(pr.author),
        baseRef: {
          branchProtectionRule: rule && classicRuleNode(rule),
          rules: repo.rulesHidden ? null : connection((repo.branchRules.get(pr.baseRef) ?? []).map(ruleNode(repo))),
          // The repository's files are those of its default branch, which is the base of our PRs.
          target: {
            __typename: "Commit",
            file: ({ path }: { path: string }) => {
              const text = repo.files.get(path);
              return text === undefined ? null : { path, object: { __typename: "Blob", text, isTruncated: false } };
            },
          },
        },
        // Oldest first, as GitHub lists them; `states` keeps only those.
        reviews: (args: { first?: number; after?: string; last?: number; states?: string[] }) =>
          connection(
            pr.reviews
              .filter((r) => !args.states?.length || args.states.includes(r.state))
              .map((r) => ({
                state: r.state,
                submittedAt: r.submittedAt,
                authorCanPushToRepository: r.canPush ?? true,
                author: r.author && actorNode(r.author),
                commit: { oid: r.commitSha },
              })),
          )(args),
        files: connection(pr.files.map((path) => ({ path, changeType: pr.renamed?.includes(path) ? "RENAMED" : "MODIFIED" }))),
        labels: connection((pr.labels ?? []).map((name) => ({ name }))),
        // The PR's conversation lives in the issue tracker under the PR's number, as on GitHub.
        comments: connection(
          this.issues.comments(repo.owner, repo.name, pr.number).map((c) => ({
            databaseId: c.id,
            url: `https://github.com/${repo.owner}/${repo.name}/pull/${pr.number}#issuecomment-${c.id}`,
            body: c.body,
            createdAt: c.createdAt,
            lastEditedAt: c.lastEditedAt ?? null,
            author: { __typename: c.author.type, login: c.author.type === "Bot" ? c.author.login.replace(/\[bot\]$/, "") : c.author.login },
          })),
        ),
        // A test that moves the head (a push) without listing the commit gets it appended, as a push would.
        commits: connection(
          (pr.commits.at(-1)?.sha === pr.headSha ? pr.commits : [...pr.commits, { sha: pr.headSha, message: `Update ${pr.headRef}` }]).map(
            (commit) => ({
              commit: { ...commitNode(repo, commit), ...gitPeople(commit, pr) },
            }),
          ),
        ),
        timelineItems: (args: { first?: number; after?: string; last?: number; itemTypes?: string[] }) =>
          connection(
            (args.itemTypes?.length && !args.itemTypes.includes("HEAD_REF_FORCE_PUSHED_EVENT") ? [] : (pr.forcePushes ?? [])).map((f) => ({
              __typename: "HeadRefForcePushedEvent",
              createdAt: f.at,
              actor: { __typename: "User", login: f.actor },
              afterCommit: { oid: f.afterSha },
            })),
          )(args),
      };
    };
    // As GitHub: the git author, then one author per `Co-authored-by:` trailer; each linked to the account of its email.
    const gitActor = (person: SimGitPerson) => ({
      name: person.name,
      email: person.email,
      user: ((login) => (login ? { login } : null))(person.login ?? this.userEmails.get(person.email.toLowerCase())),
    });
    const gitPeople = (commit: SimCommit, pr: SimPullRequest) => {
      const fallback: SimGitPerson = { name: pr.author.login, email: `${pr.author.login}@example.com`, login: pr.author.login };
      const coAuthors = [...commit.message.matchAll(/^co-authored-by:\s*(.*?)\s*<([^>]+)>\s*$/gim)].map((m) => ({
        name: m[1]!,
        email: m[2]!,
      }));
      const authors = [commit.author ?? fallback, ...coAuthors].map(gitActor);
      return { committer: gitActor(commit.committer ?? commit.author ?? fallback), authors: connection(authors) };
    };
    const teamNode = (key: string) => {
      const members = this.teams.get(key);
      return members && { __typename: "Team", id: `T_${key}`, members: connection(members.map((login) => ({ login }))) };
    };
    const hooks: GraphqlHooks = {
      repositoryNode: (repo) => repositoryNode(repo),
      prNode: (repo, pr) => prNode(repo, pr),
      commitNode: (repo, oid) => gitCommitNode(repo, oid),
    };
    const repositoryNode = (repo: SimRepo) => ({
      ...repositoryFields(repo, hooks),
      pullRequest: ({ number }: { number: number }) => {
        const pr = repo.pulls.find((p) => p.number === number);
        return pr ? prNode(repo, pr) : null;
      },
      // As GitHub: a commit the repository knows (history, PRs, merge groups, checks on it), else null; or a tree by expression.
      object: ({ oid, expression }: { oid?: string; expression?: string }) =>
        oid
          ? this.knowsCommit(repo, oid)
            ? gitCommitNode(repo, oid)
            : null
          : expression !== undefined
            ? objectAt(repo, expression, hooks)
            : null,
      defaultBranchRef: repo.empty ? null : refNode(repo, `refs/heads/${repo.defaultBranch}`),
      ref: ({ qualifiedName }: { qualifiedName: string }) => refNode(repo, qualifiedName),
      // Tags only, newest first (the order they were added stands in for their commit date).
      refs: (args: { refPrefix: string; first?: number; after?: string }) =>
        args.refPrefix === "refs/tags/"
          ? connection([...repo.git.tags.keys()].reverse().map((name) => refNode(repo, `refs/tags/${name}`)))(args)
          : connection([])(args),
      branchProtectionRules: connection([...repo.classicRules.values()].map(classicRuleNode)),
      release: ({ tagName }: { tagName: string }) => {
        const release = repo.releases.find((r) => r.tagName === tagName);
        return (
          release && {
            tagName: release.tagName,
            name: release.name,
            description: release.body,
            isDraft: release.draft,
            isPrerelease: release.prerelease,
          }
        );
      },
      mergeQueue: ({ branch }: { branch?: string }) => {
        const entries = repo.mergeQueues.get(branch ?? repo.defaultBranch);
        if (!entries) return null;
        return {
          entries: connection(
            [...entries]
              .sort((a, b) => a.position - b.position)
              .map((e) => {
                const pr = repo.pulls.find((p) => p.number === e.pullNumber);
                return { position: e.position, headCommit: { oid: e.headCommitSha }, pullRequest: pr && prNode(repo, pr) };
              }),
          ),
        };
      },
    });
    const node = ({ id }: { id: string }) => {
      for (const repo of this.repos) {
        if (`R_${repo.id}` === id) return repositoryNode(repo);
        for (const pr of repo.pulls) if (`PR_${repo.id}_${pr.number}` === id) return prNode(repo, pr);
        for (const pr of repo.pulls) for (const c of pr.commits) if (`SCR_${repo.id}_${c.sha}` === id) return rollupFor(repo, c.sha);
      }
      if (id.startsWith("T_")) return teamNode(id.slice(2)) ?? null;
      return issueById(this, id, hooks) ?? null;
    };
    return {
      ...rootFields(this, hooks),
      repository: ({ owner, name }: { owner: string; name: string }) => {
        const repo = this.repo(owner, name);
        return repo ? repositoryNode(repo) : null;
      },
      node,
      // As GitHub: an id that resolves to nothing is a null entry and a NOT_FOUND error.
      nodes: ({ ids }: { ids: string[] }) =>
        ids.map((id) => node({ id }) ?? new Error(`Could not resolve to a node with the global id of '${id}'`)),
      organization: ({ login }: { login: string }) => {
        const known =
          this.repos.some((r) => r.owner.toLowerCase() === login.toLowerCase()) ||
          [...this.teams.keys()].some((k) => k.startsWith(`${login.toLowerCase()}/`));
        return known ? { team: ({ slug }: { slug: string }) => teamNode(`${login}/${slug}`.toLowerCase()) ?? null } : null;
      },
    };
  }
}

const actorNode = (actor: SimActor) => ({ __typename: actor.bot ? "Bot" : "User", login: actor.login });
const json = (status: number, body: unknown): SimResponse => ({ status, headers: {}, body });

/** GitHub's limits on what is written: a check run's summary and text in UTF-8 bytes, an issue's or comment's body in characters. */
export const CHECK_RUN_OUTPUT_MAX_BYTES = 65_535;
export const ISSUE_BODY_MAX_CHARACTERS = 65_536;

/** The 422 GitHub answers to an over-limit write (its wording), or undefined. */
function sizeProblem(method: string, path: string, body: unknown): { message: string; documentation_url: string } | undefined {
  const documentation_url = "https://docs.github.com/rest/checks/runs";
  if ((method === "POST" && /\/check-runs$/.test(path)) || (method === "PATCH" && /\/check-runs\/\d+$/.test(path))) {
    const output = (body as { output?: { summary?: unknown; text?: unknown } } | undefined)?.output;
    for (const field of ["summary", "text"] as const) {
      const value = output?.[field];
      if (typeof value === "string" && Buffer.byteLength(value, "utf8") > CHECK_RUN_OUTPUT_MAX_BYTES) {
        return { message: `Invalid request.\n\n${field} exceeds a maximum bytesize of ${CHECK_RUN_OUTPUT_MAX_BYTES}`, documentation_url };
      }
    }
  }
  if (/\/issues(\/\d+)?$|\/issues\/\d+\/comments$|\/issues\/comments\/\d+$/.test(path) && (method === "POST" || method === "PATCH")) {
    const text = (body as { body?: unknown } | undefined)?.body;
    if (typeof text === "string" && Array.from(text).length > ISSUE_BODY_MAX_CHARACTERS) {
      return {
        message: `Validation Failed: body is too long (maximum is ${ISSUE_BODY_MAX_CHARACTERS} characters)`,
        documentation_url: "https://docs.github.com/rest/issues",
      };
    }
  }
  return undefined;
}
const notFound = (): SimResponse => json(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });

/** A deterministic 40-hex commit SHA for a name. */
export function sha(name: string): string {
  let hex = "";
  for (let i = 0; hex.length < 40; i++) hex += ((name.charCodeAt(i % name.length) * 31 + i * 7) % 256).toString(16).padStart(2, "0");
  return hex.slice(0, 40);
}
