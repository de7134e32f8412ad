import nock from "nock";
import { GitHubWorld } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { pullRequestEvent } from "../../sim/webhook-payloads.js";
import { createJiraClient } from "../../src/jira/jira-client.js";
import { routeToWorld } from "../support/route-to-world.js";
import { createTestApp } from "../support/test-app.js";
import { deliver, rowOf } from "./fault-kit.js";

// Policy: Jira down fails `jira` closed ("Jira unreachable"), never passes it, and touches no other control; when
// Jira is back, the next event passes (nothing of the outage is remembered).

const JIRA = "https://acme.atlassian.example";
const ISSUE = "/rest/api/3/issue/PAY-112";

function setup() {
  const world = new GitHubWorld();
  const repo = compliantRepo(world);
  const pr = compliantPullRequest(world, repo, 12);
  routeToWorld(world, ["GET", "POST", "PATCH"]);
  const jira = createJiraClient({ baseUrl: JIRA, email: "bot@acme.example", apiToken: "t", timeoutMs: 300 });
  return { world, repo, pr, probot: createTestApp(world, { jira }) };
}

describe("a Jira outage", () => {
  it.each([
    ["refuses connections", (scope: nock.Interceptor) => scope.replyWithError({ code: "ECONNREFUSED", message: "connect ECONNREFUSED" })],
    ["answers 503", (scope: nock.Interceptor) => scope.reply(503, "Service Unavailable")],
    [
      "answers something that is not JSON",
      (scope: nock.Interceptor) => scope.reply(200, "<html>maintenance</html>", { "content-type": "application/json" }),
    ],
  ])(
    "Jira %s: jira fails closed with 'Jira unreachable', every other control is evaluated as usual, and the next event passes once Jira is back",
    async (_name, outage) => {
      const { world, repo, pr, probot } = setup();
      outage(nock(JIRA).get(ISSUE).query(true));

      await deliver(probot, pullRequestEvent(world, repo, pr), "jira-down");

      const run = repo.checkRuns[0]!;
      expect(run.conclusion).toBe("failure");
      expect(run.output.title).toContain("jira");
      expect(rowOf(run.output.summary, "jira")).toMatch(/❌ not evaluated.*Jira unreachable/);
      for (const id of ["reviews", "branch-protection", "secret-scanning", "description", "commit-messages"]) {
        expect(rowOf(run.output.summary, id)).not.toContain("not evaluated");
        expect(rowOf(run.output.summary, id)).not.toContain("Jira");
      }
      expect(rowOf(run.output.summary, "reviews")).toContain("✅");

      nock(JIRA)
        .get(ISSUE)
        .query(true)
        .reply(200, { key: "PAY-112", fields: { status: { name: "In Progress" } } });
      await deliver(probot, pullRequestEvent(world, repo, pr, "edited"), "jira-back");
      expect(repo.checkRuns.map((r) => r.conclusion)).toEqual(["success"]);
    },
  );
});
