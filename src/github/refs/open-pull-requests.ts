import { describeGitHubError } from "../../common/describe-error.js";
import { fetched, unavailable, type Fetched } from "../../facts/fetched.js";
import type { GitHubClient } from "../types.js";

/** At most this many open PRs (the most recently updated) are looked at by a rules-change preview. */
export const MAX_OPEN_PULL_REQUESTS = 50;

/**
 * The open PRs with what rule conditions read, in one query: base branch, author, labels, the first 100 changed paths.
 * Past 100 files the paths are unavailable (a `paths` condition is then undecidable for that PR, never silently no).
 */
export const OPEN_PULL_REQUESTS_QUERY = `query SdlcGuardOpenPullRequests($owner: String!, $repo: String!, $first: Int!) {
  repository(owner: $owner, name: $repo) {
    pullRequests(states: [OPEN], first: $first, orderBy: { field: UPDATED_AT, direction: DESC }) {
      totalCount
      nodes {
        number
        title
        baseRefName
        author { login }
        changedFiles
        labels(first: 100) { totalCount nodes { name } }
        files(first: 100) { nodes { path changeType } }
      }
    }
  }
}`;

interface GqlOpenPullRequest {
  number: number;
  title: string;
  baseRefName: string;
  author: { login: string } | null;
  changedFiles: number;
  labels: { totalCount: number; nodes: ({ name: string } | null)[] } | null;
  files: { nodes: ({ path: string; changeType?: string } | null)[] } | null;
}

/** An open PR as rule conditions see it. */
export interface OpenPullRequest {
  number: number;
  title: string;
  baseRefName: string;
  author: string | null;
  labels: Fetched<string[]>;
  changedFiles: Fetched<string[]>;
  /** Files it renames, under their new path (GraphQL has no old one): a `paths` rule they might match is undecidable. */
  renamedFiles: string[];
}

/** The open PRs (most recently updated first, at most `MAX_OPEN_PULL_REQUESTS`) and how many are open in all. */
export async function readOpenPullRequests(
  octokit: GitHubClient,
  target: { owner: string; repo: string },
): Promise<Fetched<{ pulls: OpenPullRequest[]; total: number }>> {
  let data: { repository: { pullRequests: { totalCount: number; nodes: (GqlOpenPullRequest | null)[] } } | null };
  try {
    data = await octokit.graphql(OPEN_PULL_REQUESTS_QUERY, { owner: target.owner, repo: target.repo, first: MAX_OPEN_PULL_REQUESTS });
  } catch (error) {
    return unavailable(describeGitHubError(error));
  }
  if (!data.repository) return unavailable("GitHub returned no such repository");
  const { totalCount, nodes } = data.repository.pullRequests;
  const pulls = nodes.flatMap((pr) => (pr ? [toOpenPullRequest(pr)] : []));
  return fetched({ pulls, total: totalCount });
}

function toOpenPullRequest(pr: GqlOpenPullRequest): OpenPullRequest {
  const names = (pr.labels?.nodes ?? []).flatMap((node) => (node ? [node.name] : []));
  const files = (pr.files?.nodes ?? []).flatMap((node) => (node ? [node] : []));
  const paths = files.map((file) => file.path);
  return {
    number: pr.number,
    title: pr.title,
    baseRefName: pr.baseRefName,
    author: pr.author?.login ?? null,
    renamedFiles: files.filter((file) => file.changeType === "RENAMED").map((file) => file.path),
    labels:
      pr.labels && names.length >= pr.labels.totalCount
        ? fetched(names)
        : unavailable(`GitHub listed ${names.length} of the ${pr.labels?.totalCount ?? "?"} labels`),
    changedFiles:
      pr.files && paths.length >= pr.changedFiles
        ? fetched(paths)
        : unavailable(`GitHub listed ${paths.length} of the ${pr.changedFiles} changed files in one page`),
  };
}
