import type { Fetched } from "./fetched.js";

/** A Jira issue as the `jira` control needs it (`GET /rest/api/3/issue/{key}?fields=status`). */
export interface JiraIssue {
  key: string;
  status: string;
}

/** A Jira key found in the pull request, and where. */
export interface KeyMatch {
  key: string;
  foundIn: "title" | "branch" | "body";
}

/** What Jira said of each key; absent when no Jira lookup is configured. */
export type JiraLookups = Map<string, Fetched<JiraIssue | null>>;
