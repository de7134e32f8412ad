/**
 * Every GitHub API call and webhook event of the app and the CLI, with the GitHub App permission GitHub documents for
 * it (https://docs.github.com/rest/authentication/permissions-required-for-github-apps, and each webhook event's
 * "Availability"). Hand-checked: GitHub's OpenAPI description does not carry permissions. test/app-permissions.test.ts
 * checks that every route, GraphQL document and event the code uses is here, and that app.yml grants what this asks.
 */
export type AppPermission =
  | "actions"
  | "administration"
  | "checks"
  | "contents"
  | "deployments"
  | "issues"
  | "members"
  | "merge_queues"
  | "metadata"
  | "organization_administration"
  | "pull_requests"
  | "secret_scanning_alerts"
  | "security_events"
  | "statuses"
  | "vulnerability_alerts";
export type Access = "read" | "write";

/** One permission at one access level; `on` narrows it when GitHub checks it only on some objects (issue vs pull request). */
export interface Grant {
  permission: AppPermission;
  access: Access;
  on?: string;
}

export interface PermissionUse {
  kind: "REST" | "GraphQL" | "event";
  /** Method and OpenAPI path template, the GraphQL operation name, or the webhook event name. */
  name: string;
  /**
   * `app`: called with the app's JWT (no installation permission); `installation`: with an installation token;
   * `administrator`: only by `sdlc-guard apply`, with an administrator's own token (never asked of the app in app.yml).
   */
  auth: "app" | "installation" | "administrator";
  needs: Grant[];
  why: string;
  /** Not in app.yml on purpose: the feature is skipped, and said to be, where the organisation did not grant it. */
  optional?: true;
}

const r = (permission: AppPermission, on?: string): Grant => ({ permission, access: "read", ...(on ? { on } : {}) });
const w = (permission: AppPermission, on?: string): Grant => ({ permission, access: "write", ...(on ? { on } : {}) });
const rest = (name: string, needs: Grant[], why: string, extra: Partial<PermissionUse> = {}): PermissionUse => ({
  kind: "REST",
  name,
  auth: "installation",
  needs,
  why,
  ...extra,
});
const gql = (name: string, needs: Grant[], why: string): PermissionUse => ({ kind: "GraphQL", name, auth: "installation", needs, why });
/** A write `sdlc-guard apply` makes with an administrator's token: what that token (or an app granted it) needs. */
const byAdministrator = (name: string, needs: Grant[], why: string): PermissionUse => ({
  kind: "REST",
  name,
  auth: "administrator",
  needs,
  why,
});
const event = (name: string, needs: Grant[], why: string): PermissionUse => ({ kind: "event", name, auth: "installation", needs, why });

/** The optional permission that lets the org summary see code scanning default setup (code security configurations). */
export const CODE_SECURITY_CONFIGURATIONS_GRANT: Grant = w("organization_administration");

export const PERMISSION_USES: readonly PermissionUse[] = [
  byAdministrator(
    "GET /orgs/{org}/rulesets",
    [r("organization_administration")],
    "apply: the org rulesets, to update its own instead of adding one",
  ),
  byAdministrator(
    "GET /orgs/{org}/rulesets/{ruleset_id}",
    [r("organization_administration")],
    "apply: the repositories its ruleset targets",
  ),
  byAdministrator("POST /orgs/{org}/rulesets", [w("organization_administration")], "apply: the ruleset branch-protection asks for"),
  byAdministrator("PUT /orgs/{org}/rulesets/{ruleset_id}", [w("organization_administration")], "apply: more repositories in that ruleset"),
  byAdministrator("PATCH /repos/{owner}/{repo}", [w("administration")], "apply: secret scanning and push protection on"),
  byAdministrator("GET /user", [], "apply: who applies the changes, for the audit log (a user token)"),
  byAdministrator("GET /repos/{owner}/{repo}/git/ref/{ref}", [r("contents")], "apply: the default branch's head, to branch from"),
  byAdministrator("POST /repos/{owner}/{repo}/git/refs", [w("contents")], "apply: the branch of the CODEOWNERS / SECURITY.md pull request"),
  byAdministrator("PUT /repos/{owner}/{repo}/contents/{path}", [w("contents")], "apply: CODEOWNERS and SECURITY.md on that branch"),
  byAdministrator("POST /repos/{owner}/{repo}/pulls", [w("pull_requests")], "apply: the pull request that proposes them"),
  // --- REST ---
  rest("GET /app/installations", [], "start-up: find in-progress runs to complete; summary schedule over every installation", {
    auth: "app",
  }),
  rest("GET /orgs/{org}/installation", [], "CLI: the installation of an organisation", { auth: "app" }),
  rest("GET /repos/{owner}/{repo}/installation", [], "CLI: the installation of a repository", { auth: "app" }),
  rest("GET /rate_limit", [], "the rate budget (not counted against the limit)"),
  rest("GET /orgs/{org}", [r("organization_administration")], "org summary: whether two-factor authentication is required"),
  rest("GET /orgs/{org}/repos", [r("metadata")], "org summary and evidence: the repositories"),
  rest("GET /orgs/{org}/members/{username}", [r("members")], "`/sdlc-guard refresh`: is who asks an org member"),
  rest(
    "GET /orgs/{org}/secret-scanning/alerts",
    [r("secret_scanning_alerts")],
    "org summary, and `secret-scanning`: open alerts of every repository, read once per organisation",
  ),
  rest("GET /orgs/{org}/dependabot/alerts", [r("vulnerability_alerts")], "org summary: open critical/high Dependabot alerts"),
  rest("GET /orgs/{org}/code-scanning/alerts", [r("security_events")], "org summary: is code scanning configured"),
  rest(
    "GET /orgs/{org}/code-security/configurations",
    [CODE_SECURITY_CONFIGURATIONS_GRANT],
    "org summary: code scanning default setup (without it the summary names the missing permission)",
    { optional: true },
  ),
  rest(
    "GET /orgs/{org}/code-security/configurations/{configuration_id}/repositories",
    [CODE_SECURITY_CONFIGURATIONS_GRANT],
    "org summary: the repositories of a configuration with default setup",
    { optional: true },
  ),
  rest(
    "GET /repos/{owner}/{repo}",
    [r("metadata"), r("administration")],
    "secret scanning and push protection state (`security_and_analysis` is shown with Administration: read); evidence",
  ),
  rest("GET /repos/{owner}/{repo}/collaborators/{username}/permission", [r("metadata")], "`/sdlc-guard refresh`: write access of who asks"),
  rest("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", [r("checks")], "our own check run on a head commit"),
  rest("POST /repos/{owner}/{repo}/check-runs", [w("checks")], "the `sdlc-guard` check run"),
  rest("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", [w("checks")], "the `sdlc-guard` check run"),
  rest(
    "GET /repos/{owner}/{repo}/compare/{basehead}",
    [r("contents")],
    "the commits of a long push; apply: the files on a reused sdlc-guard/repository-files branch",
  ),
  rest("GET /repos/{owner}/{repo}/contents/{path}", [r("contents")], "`.github/sdlc-guard.yml` (and the org `.github` repository's)"),
  rest("GET /repos/{owner}/{repo}/git/tags/{tag_sha}", [r("contents")], "an annotated tag and its signature"),
  rest("GET /repos/{owner}/{repo}/rules/branches/{branch}", [r("metadata")], "rulesets on a pushed branch"),
  rest("GET /repos/{owner}/{repo}/secret-scanning/alerts", [r("secret_scanning_alerts")], "`secret-scanning`: open alerts"),
  rest("GET /repos/{owner}/{repo}/pulls", [r("pull_requests")], "open PRs to re-evaluate after a repository-wide change"),
  rest("GET /repos/{owner}/{repo}/issues", [r("issues")], "the app's own violation and summary issues"),
  rest("POST /repos/{owner}/{repo}/issues", [w("issues")], "a violation issue; the org summary issue"),
  rest(
    "PATCH /repos/{owner}/{repo}/issues/{issue_number}",
    [w("issues")],
    "the org summary issue, edited in place (closed when superseded)",
  ),
  rest("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", [r("issues")], "comments of the app's own issues"),
  rest(
    "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
    [w("issues", "issues"), w("pull_requests", "pull requests")],
    "an occurrence on a violation issue, summary overflow, the reply to `/sdlc-guard refresh`; the reply to a waiver command on a PR",
  ),
  rest("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", [w("issues")], "the summary issue's overflow comments"),
  rest(
    "DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}",
    [w("issues")],
    "the summary issue's overflow comments no longer needed",
  ),
  rest(
    "POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions",
    [w("issues", "issues"), w("pull_requests", "pull requests")],
    "a reaction to `/sdlc-guard refresh` (issue) and to a waiver command (PR)",
  ),
  rest(
    "POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule",
    [w("deployments"), r("actions")],
    "approve or reject a deployment waiting on the app's custom protection rule",
  ),
  rest("POST /graphql", [], "transport of the GraphQL documents below (each needs what it reads)"),
  // --- GraphQL (each document by operation name) ---
  gql(
    "SdlcGuardPullRequest",
    [r("pull_requests"), r("contents"), r("administration"), r("checks"), r("statuses")],
    "the PR, its reviews, files, commits, base protection and rulesets (with bypass), CODEOWNERS, checks on the head",
  ),
  gql(
    "SdlcGuardOpenPullRequests",
    [r("pull_requests")],
    "the open PRs (base, author, labels, changed paths) a PR changing `rules:` would flip the verdict of",
  ),
  gql("SdlcGuardMoreReviews", [r("pull_requests")], "more reviews of a PR"),
  gql("SdlcGuardMoreFiles", [r("pull_requests")], "more changed files of a PR"),
  gql("SdlcGuardMoreCommits", [r("pull_requests"), r("contents")], "more commits of a PR"),
  gql("SdlcGuardMoreComments", [r("pull_requests")], "more comments of a PR (waiver commands)"),
  gql("SdlcGuardMoreChecks", [r("checks"), r("statuses")], "more checks and statuses on a PR head"),
  gql("SdlcGuardTeams", [r("members")], "members of reviewer and code-owner teams"),
  gql("SdlcGuardMoreTeamMembers", [r("members")], "more members of a team"),
  gql("SdlcGuardMerge", [r("pull_requests"), r("administration"), r("checks")], "a merged PR, its base protection, our run"),
  gql("SdlcGuardMergeGroup", [r("merge_queues"), r("pull_requests"), r("checks")], "the PRs of a merge group and their sdlc-guard runs"),
  gql("SdlcGuardPush", [r("contents"), r("administration"), r("checks")], "a pushed branch, its protection and rulesets"),
  gql("SdlcGuardPushCommits", [r("contents"), r("pull_requests")], "the PRs that merged the pushed commits"),
  gql("SdlcGuardTag", [r("contents"), r("checks")], "a tag, its commit, signature and release"),
  gql("SdlcGuardOlderTags", [r("contents"), r("checks")], "older tags, back to the last evaluated one, when a batch of tags got no event"),
  gql("SdlcGuardDeployment", [r("contents"), r("pull_requests"), r("checks")], "the deployed commit, its tag and merged PR"),
  gql("SdlcGuardInProgress", [r("pull_requests"), r("checks")], "start-up: our check runs left in progress"),
  gql(
    "SdlcGuardOrgRepositories",
    [r("metadata"), r("administration"), r("contents")],
    "org summary: protection, community files, releases",
  ),
  gql("SdlcGuardOrgMergedPulls", [r("pull_requests"), r("checks")], "org summary: merged PRs and their sdlc-guard result"),
  gql("SdlcGuardOrgViolations", [r("issues")], "org summary: the app's violation issues"),
  gql("SdlcGuardOrgViolationComments", [r("issues")], "org summary: occurrences on violation issues"),
  gql("SdlcGuardEvidencePullRequests", [r("pull_requests"), r("checks")], "evidence: merged PRs and their sdlc-guard result"),
  gql("SdlcGuardEvidenceReleases", [r("contents")], "evidence: releases"),
  gql("SdlcGuardEvidenceMoreReleases", [r("contents")], "evidence: more releases"),
  gql("SdlcGuardEvidenceViolations", [r("issues")], "evidence: the app's violation issues"),
  gql("SdlcGuardEvidenceViolationComments", [r("issues")], "evidence: occurrences on violation issues"),
  // --- Webhook events (a subscription needs read access to the permission GitHub names for the event) ---
  event("pull_request", [r("pull_requests")], "evaluate the PR"),
  event("pull_request_review", [r("pull_requests")], "`reviews` changed: evaluate the PR"),
  event("check_run", [r("checks")], "Re-run; another tool's run completing (`required-checks`)"),
  event("check_suite", [r("checks")], "Re-run all; another tool's suite completing"),
  event("status", [r("statuses")], "a commit status on a PR head (`required-checks`)"),
  event("merge_group", [r("merge_queues")], "answer the merge queue"),
  event("membership", [r("members")], "drop cached team members"),
  event("team", [r("members")], "drop cached team members"),
  event("organization", [r("members")], "a member left: drop cached team members"),
  event("security_and_analysis", [r("administration")], "secret scanning switched on or off"),
  event("branch_protection_rule", [r("administration")], "classic protection changed"),
  event("repository_ruleset", [r("administration")], "a ruleset changed"),
  event("secret_scanning_alert", [r("secret_scanning_alerts")], "an alert opened or resolved"),
  event(
    "repository",
    [r("metadata")],
    "transferred in, unarchived, made public or private: drop the org's cached alert lists; renamed, default branch switched: drop what is cached by name",
  ),
  event("push", [r("contents")], "direct and force pushes, tags, config changes"),
  event("create", [r("contents")], "a tag created"),
  event("release", [r("contents")], "a release published or edited"),
  event("deployment_protection_rule", [r("deployments")], "a deployment waiting on the app"),
  event(
    "issue_comment",
    [r("issues", "issues"), r("pull_requests", "pull requests")],
    "`/sdlc-guard refresh` (issue) and waiver commands (PR)",
  ),
];

const RANK: Record<Access, number> = { read: 1, write: 2 };

/** Whether `granted` (an installation's or app.yml's permissions) includes `grant`. */
export function grants(granted: Readonly<Record<string, string>>, grant: Grant): boolean {
  const level = granted[grant.permission];
  return level === "read" || level === "write" ? RANK[level] >= RANK[grant.access] : false;
}

/** What the summary says when an optional permission is missing, e.g. "needs the optional permission organization_administration: write; granted: read". */
export function missingOptionalPermission(grant: Grant, granted: string | undefined): string {
  return `needs the optional permission ${grant.permission}: ${grant.access}; granted: ${granted ?? "none"}`;
}

/**
 * Where a manifest's `default_permissions`/`default_events` and the table disagree: a required grant it lacks, a
 * permission it asks beyond what the code needs (least privilege), an event without its permission or not in the table.
 */
export function permissionProblems(
  manifest: { default_permissions: Readonly<Record<string, string>>; default_events: readonly string[] },
  uses: readonly PermissionUse[] = PERMISSION_USES,
): string[] {
  const problems: string[] = [];
  const needed = new Map<string, Access>();
  for (const use of uses.filter((u) => !u.optional && u.auth === "installation"))
    for (const grant of use.needs) {
      if (!grants(manifest.default_permissions, grant))
        problems.push(
          `${use.kind} ${use.name} needs ${grant.permission}: ${grant.access}; app.yml grants ${manifest.default_permissions[grant.permission] ?? "nothing"}`,
        );
      if (needed.get(grant.permission) !== "write") needed.set(grant.permission, grant.access);
    }
  for (const [permission, access] of Object.entries(manifest.default_permissions))
    if (needed.get(permission) !== access)
      problems.push(`app.yml asks ${permission}: ${access}; the code needs ${needed.has(permission) ? needed.get(permission) : "nothing"}`);
  const events = new Set(uses.filter((u) => u.kind === "event").map((u) => u.name));
  for (const name of manifest.default_events)
    if (!events.has(name)) problems.push(`app.yml subscribes to ${name}, which the table does not list`);
  for (const name of events)
    if (!manifest.default_events.includes(name)) problems.push(`the table lists event ${name}, which app.yml does not subscribe to`);
  return problems;
}
