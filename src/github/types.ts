import type { ProbotOctokit } from "probot";

/** The Octokit that Probot hands to each event (REST methods, GraphQL, pagination, retries). */
export type GitHubClient = InstanceType<typeof ProbotOctokit>;

export interface RepoRef {
  owner: string;
  repo: string;
}
