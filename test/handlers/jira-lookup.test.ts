import nock from "nock";
import { GitHubWorld } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { pullRequestEvent } from "../../sim/webhook-payloads.js";
import { createJiraClient } from "../../src/jira/jira-client.js";
import { mockGitHub } from "../support/github-mock.js";
import { createTestApp } from "../support/test-app.js";

const JIRA = "https://acme.atlassian.example";

async function evaluateWithJira(reply: (scope: nock.Interceptor) => nock.Scope, config?: string) {
  const world = new GitHubWorld();
  const repo = compliantRepo(world);
  if (config) repo.files.set(".github/sdlc-guard.yml", config);
  const pr = compliantPullRequest(world, repo, 12);
  reply(nock(JIRA).get("/rest/api/3/issue/PAY-112").query(true));
  const jira = createJiraClient({ baseUrl: JIRA, email: "bot@acme.example", apiToken: "t", timeoutMs: 300 });
  mockGitHub(world).expectToken().expectEvaluation("acme", "payments");
  await createTestApp(world, { jira }).receive(pullRequestEvent(world, repo, pr) as never);
  const run = repo.checkRuns[0]!;
  return { conclusion: run.conclusion, jiraRow: run.output.summary!.split("\n").find((l) => l.startsWith("| `jira`"))! };
}

describe("jira with a Jira lookup configured", () => {
  it("a key that exists in Jira passes", async () => {
    const { conclusion, jiraRow } = await evaluateWithJira((i) =>
      i.reply(200, { key: "PAY-112", fields: { status: { name: "In Progress" } } }),
    );
    expect(conclusion).toBe("success");
    expect(jiraRow).toContain("Jira issue `PAY-112` exists (status: `In Progress`)");
  });

  it("a key Jira does not know fails", async () => {
    const { conclusion, jiraRow } = await evaluateWithJira((i) => i.reply(404, {}));
    expect(conclusion).toBe("failure");
    expect(jiraRow).toContain("`PAY-112` does not exist in Jira");
  });

  it("a key in a closed status fails when closed statuses are configured", async () => {
    const config = "controls:\n  jira:\n    projects: [PAY]\n    closed_statuses: [Done]\n";
    const { conclusion, jiraRow } = await evaluateWithJira(
      (i) => i.reply(200, { key: "PAY-112", fields: { status: { name: "done" } } }),
      config,
    );
    expect(conclusion).toBe("failure");
    expect(jiraRow).toContain("`PAY-112` is `done`");
  });

  it("a Jira outage fails jira with 'Jira unreachable', never passes it", async () => {
    const { conclusion, jiraRow } = await evaluateWithJira((i) => i.delay(2_000).reply(200, {}));
    expect(conclusion).toBe("failure");
    expect(jiraRow).toContain("❌ not evaluated");
    expect(jiraRow).toContain("Jira unreachable");
  });
});
