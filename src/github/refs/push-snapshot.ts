import type { BranchProtectionSources, PushedCommit, PushSnapshot } from "../../facts/refs.js";
import { fetched, unavailable, type Fetched } from "../../facts/fetched.js";
import { matchesBranchPattern } from "./branch-pattern.js";
import { describeGitHubError } from "../../common/describe-error.js";
import { MERGED_PULL_FIELDS, mergedPullsOf, type GqlMergedPull } from "./merged-pull-verdict.js";
import { findOurRun, OUR_RUN_SELECTION, type GqlOurSuites, type OurRun } from "./pull-request-snapshot.js";
import type { GitHubClient } from "../types.js";
import { RECENT_TAGS_SELECTION, toRecentTags, type GqlRecentTags } from "./recent-tags.js";
import type { RecentTagWindow } from "../../controls/unannounced-tags.js";

/** Commits whose pull requests one GraphQL query asks about (as aliases). */
export const COMMITS_PER_QUERY = 50;
/** A push webhook lists at most this many commits (GitHub's documented cap); a push that long is listed again by compare. */
export const PAYLOAD_COMMIT_LIMIT = 2048;
/** A push adding more commits than this is not verified commit by commit: it fails closed. */
export const MAX_PUSH_COMMITS = 5_000;

const ZERO_SHA = /^0{40}$/;

/** The part of a `push` event the evaluation trusts: names and SHAs (immutable), never derived state. */
export interface PushEvent {
  owner: string;
  repo: string;
  branch: string;
  before: string;
  after: string;
  forced: boolean;
  created: boolean;
  deleted: boolean;
  pusher: string;
  /** The SHAs the payload lists (oldest first). */
  listedCommits: string[];
}

const PULLS_OF_COMMIT = `... on Commit { oid associatedPullRequests(first: 10) { nodes { ${MERGED_PULL_FIELDS} } } }`;

/** `$c0…$cN` variables and `c0…cN` aliases asking for each commit's pull requests. */
function commitAliases(count: number): { variables: string; aliases: string } {
  const indexes = Array.from({ length: count }, (_, i) => i);
  return {
    variables: indexes.map((i) => `, $c${i}: GitObjectID!`).join(""),
    aliases: indexes.map((i) => `c${i}: object(oid: $c${i}) { ${PULLS_OF_COMMIT} }`).join("\n    "),
  };
}

/** The snapshot of a push: the payload's names and SHAs, with what was read (or why it could not be). */
export function pushSnapshotOf(
  push: PushEvent,
  protection: Fetched<BranchProtectionSources>,
  commits: Fetched<PushedCommit[]>,
): PushSnapshot {
  const { owner, repo, branch, pusher, before, after, forced, created, deleted } = push;
  return { owner, repo, branch, pusher, before, after, forced, created, deleted, protection, commits };
}

/**
 * One query answers whether the branch is protected (default branch, classic rule, rulesets), which pull requests
 * the listed commits came from, and our run on the commit the finding is reported on.
 */
export function pushQuery(commitCount: number): string {
  const { variables, aliases } = commitAliases(commitCount);
  return `query SdlcGuardPush($owner: String!, $repo: String!, $ref: String!, $reportOn: GitObjectID!, $appId: Int!, $deleted: Boolean!, $withRecentTags: Boolean = false${variables}) {
  repository(owner: $owner, name: $repo) {
    defaultBranchRef { name }
    ref(qualifiedName: $ref) {
      branchProtectionRule { pattern }
      rules(first: 100) { pageInfo { hasNextPage } nodes { type repositoryRuleset { source { __typename ... on Repository { nameWithOwner } ... on Organization { login } } } } }
    }
    branchProtectionRules(first: 100) @include(if: $deleted) { pageInfo { hasNextPage } nodes { pattern } }
    reportOn: object(oid: $reportOn) { ... on Commit { ${OUR_RUN_SELECTION} } }
    ${RECENT_TAGS_SELECTION}
    ${aliases}
  }
}`;
}

/** The pull requests of more commits (a push longer than the first query covered). */
export function commitsQuery(commitCount: number): string {
  const { variables, aliases } = commitAliases(commitCount);
  return `query SdlcGuardPushCommits($owner: String!, $repo: String!, $appId: Int!${variables}) {
  repository(owner: $owner, name: $repo) {
    ${aliases}
  }
}`;
}

interface GqlCommitPulls {
  oid: string;
  associatedPullRequests: { nodes: (GqlMergedPull | null)[] } | null;
}
interface GqlPush {
  repository:
    | ({
        defaultBranchRef: { name: string } | null;
        ref: {
          branchProtectionRule: { pattern: string } | null;
          rules: {
            pageInfo: { hasNextPage: boolean };
            nodes: ({
              type: string;
              repositoryRuleset: { source: { __typename: string; nameWithOwner?: string; login?: string } | null } | null;
            } | null)[];
          } | null;
        } | null;
        branchProtectionRules?: { pageInfo: { hasNextPage: boolean }; nodes: ({ pattern: string } | null)[] };
        reportOn: { checkSuites?: GqlOurSuites } | null;
        recentTags?: GqlRecentTags;
      } & Record<string, GqlCommitPulls | null | unknown>)
    | null;
}

export interface PushRead {
  snapshot: PushSnapshot;
  /** The commit findings are reported on: the pushed head, or the last commit of a deleted branch. */
  reportOn: string;
  existingCheckRun: OurRun | null | undefined;
  /** The repository's latest tags, when asked: to catch up on tags GitHub sent no event for. */
  recentTags?: RecentTagWindow;
}

/** The commit a push's findings belong to. */
export const reportCommitOf = (push: PushEvent): string => (push.deleted ? push.before : push.after);

/**
 * Reads a push in one GraphQL query when the payload lists every commit (a long push: GitHub's compare lists them,
 * and their pull requests are asked about in batches). Returns null when the branch is neither the default branch
 * nor protected: the push controls do not apply. Throws only when the first query fails.
 */
export async function readPush(
  octokit: GitHubClient,
  push: PushEvent,
  appId: number | undefined,
  withRecentTags = false,
): Promise<PushRead | null> {
  const { owner, repo, branch } = push;
  const listed = push.deleted ? [] : push.listedCommits.slice(0, COMMITS_PER_QUERY);
  const variables: Record<string, unknown> = {
    owner,
    repo,
    ref: `refs/heads/${branch}`,
    reportOn: reportCommitOf(push),
    appId: appId ?? 0,
    deleted: push.deleted,
    withRecentTags: withRecentTags && appId !== undefined,
  };
  listed.forEach((sha, i) => (variables[`c${i}`] = sha));
  const data = await octokit.graphql<GqlPush>(pushQuery(listed.length), variables);
  const repository = data.repository;
  if (!repository) throw new Error(`GitHub returned no repository ${owner}/${repo}`);

  const protection = await protectionOf(octokit, push, repository);
  if (protection.ok && protection.value.sources.length === 0) return null;

  const known = new Map<string, GqlCommitPulls | null>();
  listed.forEach((sha, i) => known.set(sha, (repository[`c${i}`] as GqlCommitPulls | null) ?? null));
  const commits = push.deleted
    ? fetched<PushedCommit[]>([])
    : await pushedCommits(octokit, push, repository.defaultBranchRef?.name, known, appId);
  const existingCheckRun = appId ? findOurRun(repository.reportOn?.checkSuites) : undefined;
  return {
    snapshot: pushSnapshotOf(push, protection, commits),
    reportOn: reportCommitOf(push),
    existingCheckRun,
    recentTags: toRecentTags(repository.recentTags),
  };
}

/** Default branch, classic rule or ruleset: each that applies is named; none means the branch is not protected. */
async function protectionOf(
  octokit: GitHubClient,
  push: PushEvent,
  repository: NonNullable<GqlPush["repository"]>,
): Promise<Fetched<BranchProtectionSources>> {
  const sources: string[] = [];
  if (repository.defaultBranchRef?.name === push.branch) sources.push("default branch");
  if (!push.deleted) {
    const { ref } = repository;
    if (ref?.branchProtectionRule) sources.push(`classic rule \`${ref.branchProtectionRule.pattern}\``);
    if (ref?.rules) sources.push(...rulesetSources(ref.rules.nodes));
    // Unseen rulesets matter only when nothing else says the branch is protected.
    else if (ref && sources.length === 0) return unavailable("GitHub did not return the rulesets that apply to the branch");
    return fetched({ sources });
  }
  // A deleted branch has no ref left: its classic rules are matched by pattern, its rulesets asked for by name.
  const patterns = repository.branchProtectionRules;
  if (!patterns || patterns.pageInfo.hasNextPage) return unavailable("more than 100 classic branch protection rules");
  for (const rule of patterns.nodes)
    if (rule && matchesBranchPattern(rule.pattern, push.branch)) sources.push(`classic rule \`${rule.pattern}\``);
  try {
    const { data } = await octokit.rest.repos.getBranchRules({ owner: push.owner, repo: push.repo, branch: push.branch, per_page: 100 });
    sources.push(...new Set(data.map((rule) => `ruleset ${rule.ruleset_source ?? "of the repository"}`)));
  } catch (error) {
    return unavailable(`the rulesets of the deleted branch (${describeGitHubError(error)})`);
  }
  return fetched({ sources });
}

function rulesetSources(nodes: NonNullable<NonNullable<NonNullable<GqlPush["repository"]>["ref"]>["rules"]>["nodes"]): string[] {
  const names = nodes.flatMap((rule) => {
    const source = rule?.repositoryRuleset?.source;
    return rule ? [`ruleset ${source?.nameWithOwner ?? source?.login ?? "of the repository"}`] : [];
  });
  return [...new Set(names)];
}

/** Every commit the push added, with the PRs merged into the branch that brought it. */
async function pushedCommits(
  octokit: GitHubClient,
  push: PushEvent,
  defaultBranch: string | undefined,
  known: Map<string, GqlCommitPulls | null>,
  appId: number | undefined,
): Promise<Fetched<PushedCommit[]>> {
  let shas = push.listedCommits;
  if (shas.length >= PAYLOAD_COMMIT_LIMIT) {
    // The payload may have been cut: GitHub's compare lists every commit between the old and the new head.
    const base = push.created || ZERO_SHA.test(push.before) ? defaultBranch : push.before;
    if (!base) return unavailable("the commits of a new branch (the repository has no default branch)");
    const listed = await listComparedCommits(octokit, push, base);
    if (!listed.ok) return listed;
    shas = listed.value;
  }
  const asked = await askPullRequestsOf(
    octokit,
    push,
    shas.filter((sha) => !known.has(sha)),
    known,
    appId,
  );
  if (!asked.ok) return asked;
  return fetched(shas.map((sha) => pushedCommit(sha, known.get(sha), push.branch)));
}

/** Asks again about the commits that showed no merged PR: GitHub links a merge to its commits a moment after the push. */
export async function recheckUnmerged(
  octokit: GitHubClient,
  push: PushEvent,
  commits: PushedCommit[],
  appId: number | undefined,
): Promise<Fetched<PushedCommit[]>> {
  const known = new Map<string, GqlCommitPulls | null>();
  const asked = await askPullRequestsOf(
    octokit,
    push,
    commits.filter((c) => !c.mergedInto.length).map((c) => c.sha),
    known,
    appId,
  );
  if (!asked.ok) return asked;
  return fetched(commits.map((c) => (known.has(c.sha) ? pushedCommit(c.sha, known.get(c.sha), push.branch) : c)));
}

async function askPullRequestsOf(
  octokit: GitHubClient,
  push: PushEvent,
  shas: string[],
  known: Map<string, GqlCommitPulls | null>,
  appId: number | undefined,
): Promise<Fetched<true>> {
  for (let i = 0; i < shas.length; i += COMMITS_PER_QUERY) {
    const batch = shas.slice(i, i + COMMITS_PER_QUERY);
    try {
      const variables: Record<string, unknown> = { owner: push.owner, repo: push.repo, appId: appId ?? 0 };
      batch.forEach((sha, j) => (variables[`c${j}`] = sha));
      const data = await octokit.graphql<{ repository: Record<string, GqlCommitPulls | null> | null }>(
        commitsQuery(batch.length),
        variables,
      );
      batch.forEach((sha, j) => known.set(sha, data.repository?.[`c${j}`] ?? null));
    } catch (error) {
      return unavailable(`the pull requests of the pushed commits (${describeGitHubError(error)})`);
    }
  }
  return fetched(true);
}

/** A pushed commit with the PRs merged into the branch that brought it, and their verdicts. */
function pushedCommit(sha: string, commit: GqlCommitPulls | null | undefined, branch: string): PushedCommit {
  const pullRequests = mergedPullsOf(commit?.associatedPullRequests?.nodes).filter((p) => p.baseRefName === branch);
  return { sha, mergedInto: pullRequests.map((p) => p.number), pullRequests };
}

async function listComparedCommits(octokit: GitHubClient, push: PushEvent, base: string): Promise<Fetched<string[]>> {
  const shas: string[] = [];
  try {
    for (let page = 1; ; page++) {
      const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
        owner: push.owner,
        repo: push.repo,
        basehead: `${base}...${push.after}`,
        per_page: 100,
        page,
      });
      if (data.total_commits > MAX_PUSH_COMMITS)
        return unavailable(`the push adds ${data.total_commits} commits, more than the ${MAX_PUSH_COMMITS} sdlc-guard verifies one by one`);
      shas.push(...data.commits.map((c) => c.sha));
      if (data.commits.length < 100 || shas.length >= data.total_commits) return fetched(shas);
    }
  } catch (error) {
    return unavailable(`the pushed commits (${describeGitHubError(error)})`);
  }
}
