import type { ProbotOctokit } from "probot";

/** The Octokit that Probot hands to each event (REST methods, GraphQL, pagination, retries). */
export type GitHubClient = InstanceType<typeof ProbotOctokit>;

export interface RepoRef {
  owner: string;
  repo: string;
}

/** One spelling of a repository for map keys, locks and cache tags (GitHub names are case-insensitive). */
export const repositoryKey = (owner: string, repo: string): string => `${owner}/${repo}`.toLowerCase();
