import { createRequire } from "node:module";
import { sha, type GitHubWorld, type SimPullRequest, type SimRepo } from "./github-world.js";
import type { SimIssue, SimIssueComment } from "./issue-tracker.js";
import { upgradeWebhookExample, webhookProblems } from "./openapi.js";

// Webhook payloads start from GitHub's own examples (@octokit/webhooks-examples), get this world's ids and names,
// and are validated against the event's published schema before they are sent.
const require = createRequire(import.meta.url);
type Payload = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- webhook JSON, checked by schema
interface ExampleSet {
  name: string;
  examples: Payload[];
}
const examples = require("@octokit/webhooks-examples/api.github.com/index.json") as ExampleSet[];

export interface WebhookEvent {
  name: string;
  payload: Payload;
}

function example(name: string, action?: string): Payload {
  const set = examples.find((e) => e.name === name);
  const found = set?.examples.find((e) => action === undefined || e.action === action) ?? set?.examples[0];
  if (!found) throw new Error(`@octokit/webhooks-examples has no ${name} example`);
  return structuredClone(found);
}

function checked(name: string, payload: Payload): WebhookEvent {
  const key = payload.action ? `${name}-${payload.action}`.replaceAll("_", "-") : name.replaceAll("_", "-");
  upgradeWebhookExample(key, payload);
  const problems = webhookProblems(key, payload);
  if (problems.length) throw new Error(`fixture is not a payload GitHub would send: ${problems.join("; ")}`);
  return { name, payload };
}

function withRepository(world: GitHubWorld, repo: SimRepo, payload: Payload): Payload {
  payload.repository = {
    ...payload.repository,
    id: repo.id,
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    default_branch: repo.defaultBranch,
    owner: { ...payload.repository.owner, login: repo.owner },
  };
  payload.installation = { id: world.installationId, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNzc=" };
  return payload;
}

function applyPullRequest(target: Payload, repo: SimRepo, pr: SimPullRequest): void {
  Object.assign(target, {
    number: pr.number,
    title: pr.title,
    body: pr.body,
    draft: pr.draft,
    state: pr.state === "OPEN" ? "open" : "closed",
    user: { ...target.user, login: pr.author.login, type: pr.author.bot ? "Bot" : "User" },
    head: { ...target.head, ref: pr.headRef, sha: pr.headSha },
    base: {
      ...target.base,
      ref: pr.baseRef,
      repo: { ...target.base.repo, id: repo.id, name: repo.name, full_name: `${repo.owner}/${repo.name}` },
    },
  });
  // A merged PR, as GitHub announces it when closed by a merge.
  if (pr.state === "MERGED") {
    Object.assign(target, {
      merged: true,
      merged_at: pr.mergedAt ?? null,
      closed_at: pr.mergedAt ?? null,
      merge_commit_sha: pr.mergeCommitSha ?? null,
    });
    target.merged_by = { ...target.user, login: pr.mergedBy?.login ?? "maintainer-mia", type: pr.mergedBy?.bot ? "Bot" : "User" };
  }
}

export function pullRequestEvent(world: GitHubWorld, repo: SimRepo, pr: SimPullRequest, action = "opened"): WebhookEvent {
  const payload = withRepository(world, repo, example("pull_request", action));
  if (payload.action !== action) {
    payload.action = action;
    if (action === "edited") payload.changes = { title: { from: "an earlier title" } };
  }
  payload.number = pr.number;
  payload.repository.html_url = `https://github.com/${repo.owner}/${repo.name}`;
  applyPullRequest(payload.pull_request, repo, pr);
  return checked("pull_request", payload);
}

export function pullRequestReviewEvent(
  world: GitHubWorld,
  repo: SimRepo,
  pr: SimPullRequest,
  reviewer: string,
  state = "approved",
): WebhookEvent {
  const payload = withRepository(world, repo, example("pull_request_review", "submitted"));
  applyPullRequest(payload.pull_request, repo, pr);
  payload.review = { ...payload.review, state, commit_id: pr.headSha, user: { ...payload.review.user, login: reviewer } };
  return checked("pull_request_review", payload);
}

/** The `pull_requests` entry GitHub puts on check runs and suites of a same-repository PR. */
function pullRequestLink(repo: SimRepo, pr: SimPullRequest): Payload {
  const repoRef = { id: repo.id, url: `https://api.github.com/repos/${repo.owner}/${repo.name}`, name: repo.name };
  return {
    url: `https://api.github.com/repos/${repo.owner}/${repo.name}/pulls/${pr.number}`,
    id: 900_000 + pr.number,
    number: pr.number,
    head: { ref: pr.headRef, sha: pr.headSha, repo: repoRef },
    base: { ref: pr.baseRef, sha: "b".repeat(40), repo: repoRef },
  };
}

export function checkRunRerequestedEvent(
  world: GitHubWorld,
  repo: SimRepo,
  pr: SimPullRequest,
  opts: { linked?: boolean; name?: string } = {},
): WebhookEvent {
  const payload = withRepository(world, repo, example("check_run", "rerequested"));
  const run = payload.check_run;
  run.name = opts.name ?? "sdlc-guard";
  run.head_sha = pr.headSha;
  // The example's app timestamps are not ISO 8601, which GitHub sends.
  run.app = { ...run.app, id: world.appId, created_at: "2018-04-25T20:42:10Z", updated_at: "2018-04-25T20:42:10Z" };
  run.check_suite = {
    ...run.check_suite,
    head_sha: pr.headSha,
    app: { ...run.check_suite.app, id: world.appId, created_at: "2018-04-25T20:42:10Z", updated_at: "2018-04-25T20:42:10Z" },
  };
  run.pull_requests = opts.linked === false ? [] : [pullRequestLink(repo, pr)];
  return checked("check_run", payload);
}

export function checkSuiteRerequestedEvent(world: GitHubWorld, repo: SimRepo, pr: SimPullRequest): WebhookEvent {
  const payload = withRepository(world, repo, example("check_suite", "rerequested"));
  const suite = payload.check_suite;
  suite.head_sha = pr.headSha;
  suite.app = { ...suite.app, id: world.appId };
  suite.pull_requests = [pullRequestLink(repo, pr)];
  return checked("check_suite", payload);
}

export function branchProtectionRuleEvent(world: GitHubWorld, repo: SimRepo, action = "edited"): WebhookEvent {
  const payload = withRepository(world, repo, example("branch_protection_rule", action));
  return checked("branch_protection_rule", payload);
}

/**
 * GitHub's examples have no repository_ruleset payload: built on a real example's repository, sender and installation.
 * An organisation ruleset's event has no repository.
 */
export function repositoryRulesetEvent(world: GitHubWorld, repo: SimRepo, action = "edited", orgLevel = false): WebhookEvent {
  const base = withRepository(world, repo, example("branch_protection_rule", "edited"));
  const payload: Payload = {
    action,
    repository: base.repository,
    sender: base.sender,
    installation: base.installation,
    repository_ruleset: {
      id: 7,
      name: "protect main",
      target: "branch",
      source_type: "Repository",
      source: `${repo.owner}/${repo.name}`,
      enforcement: "active",
      node_id: "RRS_lACkVXNlcgQB",
      _links: {},
      created_at: "2026-11-01T10:00:00Z",
      updated_at: "2026-11-20T10:00:00Z",
    },
  };
  if (orgLevel) {
    delete payload.repository;
    Object.assign(payload.repository_ruleset, { source_type: "Organization", source: repo.owner });
  }
  return checked("repository_ruleset", payload);
}

/** GitHub's examples have no secret_scanning_alert payload: built on a real example's repository, sender and installation. */
export function secretScanningAlertEvent(world: GitHubWorld, repo: SimRepo, action = "created"): WebhookEvent {
  const base = withRepository(world, repo, example("branch_protection_rule", "edited"));
  const payload: Payload = {
    action,
    repository: base.repository,
    sender: base.sender,
    installation: base.installation,
    alert: {
      number: 3,
      created_at: "2026-11-20T10:00:00Z",
      updated_at: "2026-11-20T10:00:00Z",
      url: `https://api.github.com/repos/${repo.owner}/${repo.name}/secret-scanning/alerts/3`,
      html_url: `https://github.com/${repo.owner}/${repo.name}/security/secret-scanning/3`,
      locations_url: `https://api.github.com/repos/${repo.owner}/${repo.name}/secret-scanning/alerts/3/locations`,
      state: "open",
      resolution: null,
      resolved_at: null,
      resolved_by: null,
      secret_type: "github_personal_access_token",
      secret_type_display_name: "GitHub Personal Access Token",
      validity: "active",
    },
  };
  return checked("secret_scanning_alert", payload);
}

export interface PushOptions {
  branch?: string;
  modified?: string[];
  /** How many new commits the push adds to the branch (ignored with `shas` or `merged`). */
  commits?: number;
  forced?: boolean;
  /** The commits pushed, oldest first (the last is the new head). */
  shas?: string[];
  before?: string;
  /** The new head, when the payload lists fewer commits than were pushed (default: the last of `shas`). */
  after?: string;
  created?: boolean;
  deleted?: boolean;
  /** The push GitHub sends when it merges this PR (`GitHubWorld.mergePullRequest` is applied). */
  merged?: SimPullRequest;
  /** The login that pushed (default: the example's sender). */
  sender?: string;
}

const ZERO = "0".repeat(40);

/** A push to a branch, from GitHub's example; `merged` makes it the push of a PR merge, as GitHub announces it. */
export function pushEvent(world: GitHubWorld, repo: SimRepo, opts: PushOptions = {}): WebhookEvent {
  const payload = withRepository(world, repo, example("push"));
  const branch = opts.branch ?? opts.merged?.baseRef ?? repo.defaultBranch;
  payload.ref = `refs/heads/${branch}`;
  payload.forced = opts.forced ?? false;
  payload.repository.master_branch = repo.defaultBranch;
  payload.repository.html_url = `https://github.com/${repo.owner}/${repo.name}`;
  if (opts.sender) payload.sender = { ...payload.sender, login: opts.sender };
  const template = payload.commits[0] ?? payload.head_commit;
  // Without named commits, the push adds new ones to the branch (GitHub knows every pushed commit).
  let shas =
    opts.shas ??
    (opts.merged || opts.deleted ? [] : Array.from({ length: opts.commits ?? 1 }, (_, i) => world.commit(repo, branch, `change ${i + 1}`)));
  // As GitHub: a new branch has an all-zero `before`; otherwise it is the parent of the first pushed commit.
  const parentOfFirst = repo.git.commits.get(shas[0] ?? "")?.parents[0];
  let before = opts.before ?? (opts.created ? ZERO : (parentOfFirst ?? repo.git.branches.get(branch) ?? ZERO));
  if (opts.merged) ({ before, commits: shas } = world.mergePullRequest(repo, opts.merged));
  payload.created = opts.created ?? false;
  payload.deleted = opts.deleted ?? false;
  payload.before = before;
  payload.after = opts.deleted ? ZERO : (opts.after ?? shas[shas.length - 1]!);
  payload.base_ref = null;
  payload.compare = `https://github.com/${repo.owner}/${repo.name}/compare/${before.slice(0, 12)}...${payload.after.slice(0, 12)}`;
  payload.commits = opts.deleted
    ? []
    : shas.map((id, i) => ({
        ...template,
        id,
        tree_id: id,
        distinct: true,
        added: [],
        removed: [],
        modified: i === 0 ? (opts.modified ?? []) : [],
      }));
  payload.head_commit = opts.deleted ? null : payload.commits[payload.commits.length - 1];
  return checked("push", payload);
}

/** A tag pushed: the `push` event of refs/tags/<name> (GitHub also sends a `create` event). */
export function tagPushEvent(
  world: GitHubWorld,
  repo: SimRepo,
  tag: string,
  opts: { sender?: string; deleted?: boolean } = {},
): WebhookEvent {
  const payload = withRepository(world, repo, example("push"));
  const target = repo.git.tags.get(tag);
  const tagObject = target?.annotated?.sha ?? target?.commitSha ?? sha(`deleted-tag-${tag}`);
  // As GitHub: a new tag goes from zeros to the tag object; a deleted one from the tag object to zeros, with no head commit.
  Object.assign(payload, {
    ref: `refs/tags/${tag}`,
    before: opts.deleted ? tagObject : ZERO,
    after: opts.deleted ? ZERO : tagObject,
    created: !opts.deleted,
    deleted: opts.deleted ?? false,
    forced: false,
    base_ref: null,
    commits: [],
    head_commit: opts.deleted
      ? null
      : { ...payload.head_commit, id: target?.commitSha ?? tagObject, tree_id: target?.commitSha ?? tagObject },
  });
  payload.repository.html_url = `https://github.com/${repo.owner}/${repo.name}`;
  if (opts.sender) payload.sender = { ...payload.sender, login: opts.sender };
  return checked("push", payload);
}

/** A tag created (`create` with ref_type tag), from GitHub's example. */
export function tagCreateEvent(world: GitHubWorld, repo: SimRepo, tag: string, sender?: string): WebhookEvent {
  const payload = withRepository(world, repo, example("create"));
  Object.assign(payload, { ref: tag, ref_type: "tag", master_branch: repo.defaultBranch });
  payload.repository.html_url = `https://github.com/${repo.owner}/${repo.name}`;
  if (sender) payload.sender = { ...payload.sender, login: sender };
  return checked("create", payload);
}

/** A release published or edited, from GitHub's example; the release itself is read from the world by the app. */
export function releaseEvent(world: GitHubWorld, repo: SimRepo, tag: string, action: "published" | "edited" = "published"): WebhookEvent {
  const payload = withRepository(world, repo, example("release", action));
  const release = repo.releases.find((r) => r.tagName === tag);
  Object.assign(payload.release, {
    immutable: false,
    updated_at: payload.release.published_at,
    tag_name: tag,
    name: release?.name ?? null,
    body: release?.body ?? null,
    draft: release?.draft ?? false,
    prerelease: release?.prerelease ?? false,
  });
  payload.repository.html_url = `https://github.com/${repo.owner}/${repo.name}`;
  return checked("release", payload);
}

/**
 * GitHub's examples have no deployment_protection_rule payload: built from the `deployment` example's deployment,
 * repository and sender, and checked against the event's published schema.
 */
export function deploymentProtectionRuleEvent(
  world: GitHubWorld,
  repo: SimRepo,
  opts: { ref: string; sha: string; environment?: string; runId?: number; callbackUrl?: string },
): WebhookEvent {
  const base = withRepository(world, repo, example("deployment", "created"));
  const environment = opts.environment ?? "production";
  const runId = opts.runId ?? 4242_0001;
  const payload: Payload = {
    action: "requested",
    environment,
    event: "push",
    sha: opts.sha,
    ref: opts.ref,
    deployment_callback_url:
      opts.callbackUrl ?? `https://api.github.com/repos/${repo.owner}/${repo.name}/actions/runs/${runId}/deployment_protection_rule`,
    deployment: { ...base.deployment, sha: opts.sha, ref: opts.ref, environment, original_environment: environment },
    pull_requests: [],
    repository: base.repository,
    sender: base.sender,
    installation: base.installation,
  };
  return checked("deployment_protection_rule", payload);
}

/** Another tool's check run (SAST, CI) completing on a PR's head: GitHub links same-repository PRs. */
export function checkRunCompletedEvent(
  world: GitHubWorld,
  repo: SimRepo,
  pr: SimPullRequest,
  opts: { name: string; conclusion?: string; appId?: number; appSlug?: string; linked?: boolean },
): WebhookEvent {
  const payload = withRepository(world, repo, example("check_run", "completed"));
  const run = payload.check_run;
  const appId = opts.appId ?? 29310;
  Object.assign(run, { name: opts.name, head_sha: pr.headSha, status: "completed", conclusion: opts.conclusion ?? "success" });
  run.app = { ...run.app, id: appId, ...(opts.appSlug ? { slug: opts.appSlug } : {}) };
  run.check_suite = { ...run.check_suite, head_sha: pr.headSha, app: { ...run.check_suite.app, id: appId } };
  run.pull_requests = opts.linked === false ? [] : [pullRequestLink(repo, pr)];
  return checked("check_run", payload);
}

export function checkSuiteCompletedEvent(world: GitHubWorld, repo: SimRepo, pr: SimPullRequest, appId = 29310): WebhookEvent {
  const payload = withRepository(world, repo, example("check_suite", "completed"));
  const suite = payload.check_suite;
  Object.assign(suite, { head_sha: pr.headSha, status: "completed", conclusion: "success" });
  suite.app = { ...suite.app, id: appId };
  suite.pull_requests = [pullRequestLink(repo, pr)];
  return checked("check_suite", payload);
}

/** A commit status (`POST /repos/{owner}/{repo}/statuses/{sha}` by CI) on a commit: statuses link no PR. */
export function statusEvent(world: GitHubWorld, repo: SimRepo, commitSha: string, context: string, state = "success"): WebhookEvent {
  const payload = withRepository(world, repo, example("status"));
  Object.assign(payload, { sha: commitSha, context, state });
  payload.commit = { ...payload.commit, sha: commitSha };
  payload.commit.commit.verification = { ...payload.commit.commit.verification, verified_at: null };
  return checked("status", payload);
}

/** GitHub asks for checks on a merge group (merge queue): its head commit is the queue entry's merge commit. */
export function mergeGroupEvent(
  world: GitHubWorld,
  repo: SimRepo,
  group: { headSha: string; lastPullNumber: number; base?: string },
): WebhookEvent {
  const payload = withRepository(world, repo, example("merge_group", "checks_requested"));
  const base = group.base ?? repo.defaultBranch;
  // GitHub builds the group's commit on its temporary branch before it asks for checks.
  if (!repo.git.commits.has(group.headSha))
    repo.git.commits.set(group.headSha, {
      sha: group.headSha,
      message: `Merge group for #${group.lastPullNumber}`,
      parents: [repo.git.branches.get(base) ?? group.headSha],
    });
  Object.assign(payload.merge_group, {
    head_sha: group.headSha,
    head_ref: `refs/heads/gh-readonly-queue/${base}/pr-${group.lastPullNumber}-${"1".repeat(40)}`,
    base_ref: `refs/heads/${base}`,
  });
  payload.merge_group.head_commit = { ...payload.merge_group.head_commit, id: group.headSha };
  return checked("merge_group", payload);
}

/** A member added to or removed from a team of the organisation. */
export function membershipEvent(
  world: GitHubWorld,
  org: string,
  teamSlug: string,
  login: string,
  action: "added" | "removed" = "added",
): WebhookEvent {
  const payload = example("membership", action);
  payload.organization = { ...payload.organization, login: org };
  payload.team = { ...payload.team, slug: teamSlug, name: teamSlug };
  payload.member = { ...payload.member, login };
  payload.installation = { id: world.installationId, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNzc=" };
  return checked("membership", payload);
}

/**
 * GitHub's examples have no security_and_analysis payload: built on a real example's repository, sender and
 * installation (push protection or secret scanning switched on or off for a repository).
 */
export function securityAndAnalysisEvent(world: GitHubWorld, repo: SimRepo): WebhookEvent {
  const base = withRepository(world, repo, example("branch_protection_rule", "edited"));
  const payload: Payload = {
    changes: { from: { security_and_analysis: { secret_scanning_push_protection: { status: "disabled" } } } },
    // This event carries the full repository (counts included).
    repository: { ...base.repository, network_count: 0, subscribers_count: 1 },
    sender: base.sender,
    installation: base.installation,
  };
  return checked("security_and_analysis", payload);
}

/**
 * A repository transferred, made public or private, renamed or edited, from GitHub's example of that action; `changes`
 * replaces the example's (a rename's old name, an edit's old default branch).
 */
export function repositoryEvent(
  world: GitHubWorld,
  repo: SimRepo,
  action: "transferred" | "privatized" | "publicized" | "renamed" | "edited",
  changes?: Payload,
): WebhookEvent {
  const payload = withRepository(world, repo, example("repository", action));
  if (changes) payload.changes = changes;
  return checked("repository", payload);
}

/** A team created, edited or deleted in the organisation. */
export function teamEvent(
  world: GitHubWorld,
  org: string,
  teamSlug: string,
  action: "created" | "edited" | "deleted" = "edited",
): WebhookEvent {
  const payload = example("team", action);
  payload.organization = { ...payload.organization, login: org };
  payload.team = { ...payload.team, slug: teamSlug, name: teamSlug };
  payload.installation = { id: world.installationId, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNzc=" };
  return checked("team", payload);
}

/** A member removed from the organisation (GitHub's examples have member_added only: same shape). */
export function organizationMemberRemovedEvent(world: GitHubWorld, org: string, login: string): WebhookEvent {
  const payload = example("organization", "member_added");
  payload.action = "member_removed";
  payload.organization = { ...payload.organization, login: org };
  payload.membership = { ...payload.membership, user: { ...payload.membership.user, login } };
  payload.installation = { id: world.installationId, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNzc=" };
  return checked("organization", payload);
}

/** The installation's account, as the org summary's triggers read it. */
function withOrgInstallation(world: GitHubWorld, org: string, payload: Payload): Payload {
  // GitHub's example predates `app_slug`, which its schema now requires.
  payload.installation = {
    ...payload.installation,
    id: world.installationId,
    app_id: world.appId,
    app_slug: "sdlc-guard",
    created_at: "2026-11-20T09:00:00Z",
    updated_at: "2026-11-20T09:00:00Z",
    suspended_by: null,
    suspended_at: null,
    account: { ...payload.installation.account, login: org, type: "Organization" },
  };
  return payload;
}

/** The app installed on an organisation (all repositories). */
export function installationCreatedEvent(world: GitHubWorld, org: string): WebhookEvent {
  return checked("installation", withOrgInstallation(world, org, example("installation", "created")));
}

/** The app removed from an organisation. */
export function installationDeletedEvent(world: GitHubWorld, org: string): WebhookEvent {
  return checked("installation", withOrgInstallation(world, org, example("installation", "deleted")));
}

/** Repositories added to the installation. */
export function installationRepositoriesAddedEvent(world: GitHubWorld, org: string, names: string[]): WebhookEvent {
  const payload = withOrgInstallation(world, org, example("installation_repositories", "added"));
  const template = payload.repositories_added[0];
  payload.repositories_added = names.map((name, i) => ({ ...template, id: 880_000 + i, name, full_name: `${org}/${name}` }));
  payload.requester ??= null; // added to GitHub's schema after the example was recorded
  return checked("installation_repositories", payload);
}

/** A comment added to a simulated issue or PR thread (it exists in the world, as on GitHub), and the event announcing it. */
export function issueCommentEvent(
  world: GitHubWorld,
  repo: SimRepo,
  issue: SimIssue,
  commenter: { login: string; bot?: boolean },
  body: string,
): WebhookEvent {
  const comment = world.issues.addComment(repo.owner, repo.name, issue.number, body, {
    login: commenter.login,
    type: commenter.bot ? "Bot" : "User",
  });
  return checked("issue_comment", issueCommentEventPayload(world, repo, issue, comment));
}

function issueCommentEventPayload(world: GitHubWorld, repo: SimRepo, issue: SimIssue, comment: SimIssueComment): Payload {
  const commentId = comment.id;
  const body = comment.body;
  const commenter = { login: comment.author.login, bot: comment.author.type === "Bot" };
  const payload = withRepository(world, repo, example("issue_comment", "created"));
  payload.repository.owner = { ...payload.repository.owner, type: "Organization" };
  const reactions = {
    url: `https://api.github.com/repos/${repo.owner}/${repo.name}/issues/comments/${commentId}/reactions`,
    total_count: 0,
    "+1": 0,
    "-1": 0,
    laugh: 0,
    hooray: 0,
    confused: 0,
    heart: 0,
    rocket: 0,
    eyes: 0,
  };
  payload.issue = {
    reactions: { ...reactions, url: `https://api.github.com/repos/${repo.owner}/${repo.name}/issues/${issue.number}/reactions` },
    ...payload.issue,
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    user: { ...payload.issue.user, login: issue.author.login, type: issue.author.type },
    labels: issue.labels.map((name, i) => ({ ...(payload.issue.labels?.[0] ?? {}), description: null, id: 600 + i, name })),
  };
  if (issue.pullRequest) {
    const api = `https://api.github.com/repos/${repo.owner}/${repo.name}`;
    payload.issue.pull_request = {
      url: `${api}/pulls/${issue.number}`,
      html_url: `https://github.com/${repo.owner}/${repo.name}/pull/${issue.number}`,
      diff_url: `https://github.com/${repo.owner}/${repo.name}/pull/${issue.number}.diff`,
      patch_url: `https://github.com/${repo.owner}/${repo.name}/pull/${issue.number}.patch`,
      merged_at: null,
    };
  } else delete payload.issue.pull_request;
  // GitHub's example predates `performed_via_github_app` and `reactions`, which its schema now requires.
  payload.comment = {
    performed_via_github_app: null,
    reactions,
    ...payload.comment,
    id: commentId,
    body,
    user: { ...payload.comment.user, login: commenter.login, type: commenter.bot ? "Bot" : "User" },
  };
  payload.sender = { ...payload.sender, login: commenter.login, type: commenter.bot ? "Bot" : "User" };
  return payload;
}

/** A comment edited (`edited`, with the old body in `changes`) or deleted, as GitHub announces it. */
export function issueCommentChangedEvent(
  world: GitHubWorld,
  repo: SimRepo,
  issue: SimIssue,
  comment: SimIssueComment,
  action: "edited" | "deleted",
  previousBody?: string,
): WebhookEvent {
  const created = issueCommentEventPayload(world, repo, issue, comment);
  const payload: Payload = { ...created, action };
  if (action === "edited") payload.changes = { body: { from: previousBody ?? "" } };
  return checked("issue_comment", payload);
}
