import { queryProblems } from "../../sim/graphql.js";
import { MERGE_GROUP_QUERY } from "../../src/evaluation/evaluate-merge-group.js";
import {
  MORE_CHECKS_QUERY,
  MORE_COMMITS_QUERY,
  MORE_FILES_QUERY,
  MORE_REVIEWS_QUERY,
  PULL_REQUEST_QUERY,
} from "../../src/github/refs/pull-request-snapshot.js";
import { MORE_TEAM_MEMBERS_QUERY, teamsQuery } from "../../src/github/refs/team-members.js";
import { OPEN_PULL_REQUESTS_QUERY } from "../../src/github/refs/open-pull-requests.js";

// Every query the app sends, validated against GitHub's published GraphQL schema (@octokit/graphql-schema):
// a field GitHub does not have, a wrong argument or a missing variable fails here, not in production.
describe("GraphQL queries against GitHub's published schema", () => {
  it.each([
    ["the PR snapshot", PULL_REQUEST_QUERY],
    ["more reviews", MORE_REVIEWS_QUERY],
    ["more changed files", MORE_FILES_QUERY],
    ["more commits", MORE_COMMITS_QUERY],
    ["more checks on the head", MORE_CHECKS_QUERY],
    ["one team", teamsQuery(1)],
    ["three teams in one query", teamsQuery(3)],
    ["more team members", MORE_TEAM_MEMBERS_QUERY],
    ["a merge group's queue", MERGE_GROUP_QUERY],
    ["the open PRs a rules change is previewed on", OPEN_PULL_REQUESTS_QUERY],
  ])("%s is valid", (_name, query) => {
    expect(queryProblems(query)).toEqual([]);
  });

  it("a query with a field GitHub does not have is caught (the validation is real)", () => {
    expect(queryProblems(PULL_REQUEST_QUERY.replace("changedFiles", "changedFilez"))).toEqual([
      expect.stringContaining('Cannot query field "changedFilez" on type "PullRequest"'),
    ]);
  });
});
