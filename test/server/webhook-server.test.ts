import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Probot } from "probot";
import { GitHubWorld } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { deliverWebhook } from "../../sim/signed-delivery.js";
import { pullRequestEvent } from "../../sim/webhook-payloads.js";
import { createJiraClient } from "../../src/jira/jira-client.js";
import { mockGitHub } from "../support/github-mock.js";
import { captureLog, createTestApp, testPrivateKey, WEBHOOK_SECRET } from "../support/test-app.js";
import nock from "nock";

async function serve(probot: Probot): Promise<{ url: string; server: Server }> {
  const middleware = await probot.getNodeMiddleware({ path: "/api/github/webhooks" });
  const server = createServer((req, res) => {
    void middleware(req, res, () => {
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`, server };
}

describe("the webhook endpoint /api/github/webhooks", () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it("a correctly signed delivery is answered 2xx and evaluated", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 1);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");
    const served = await serve(createTestApp(world));
    server = served.server;

    const answer = await deliverWebhook(served.url, pullRequestEvent(world, repo, pr), WEBHOOK_SECRET);

    expect(answer.status).toBe(200);
    expect(repo.checkRuns).toHaveLength(1);
  });

  it.each([
    ["a wrong signature", "not-the-secret"],
    ["no signature", null],
  ])("%s is refused with 4xx and causes no GitHub request", async (_name, secret) => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 1);
    mockGitHub(world); // no expectation: any GitHub request would be an unmatched request and fail the test
    const served = await serve(createTestApp(world));
    server = served.server;

    const answer = await deliverWebhook(served.url, pullRequestEvent(world, repo, pr), secret);

    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(world.requests).toEqual([]);
    expect(repo.checkRuns).toEqual([]);
  });

  it("a configuration error is still answered 2xx, with the failure on the check run", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    repo.files.set(".github/sdlc-guard.yml", "controls:\n  reviews:\n    min_approvals: two\n");
    const pr = compliantPullRequest(world, repo, 1);
    mockGitHub(world).expectToken().expectConfigError("acme", "payments");
    const served = await serve(createTestApp(world));
    server = served.server;

    const answer = await deliverWebhook(served.url, pullRequestEvent(world, repo, pr), WEBHOOK_SECRET);

    expect(answer.status).toBe(200);
    expect(repo.checkRuns[0]).toMatchObject({
      conclusion: "failure",
      output: { title: "Configuration error in acme/payments:.github/sdlc-guard.yml" },
    });
  });

  it("no token, private key or secret ever appears in a log line", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 1);
    const jiraToken = "jira-api-token-do-not-log-7f3a";
    const jira = createJiraClient({
      baseUrl: "https://acme.atlassian.example",
      email: "bot@acme.example",
      apiToken: jiraToken,
      timeoutMs: 2_000,
    });
    nock("https://acme.atlassian.example")
      .get("/rest/api/3/issue/PAY-101")
      .query(true)
      .reply(200, { key: "PAY-101", fields: { status: { name: "In Progress" } } });
    const capture = captureLog("trace");
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");
    const served = await serve(createTestApp(world, { jira, log: capture.log }));
    server = served.server;

    expect((await deliverWebhook(served.url, pullRequestEvent(world, repo, pr), WEBHOOK_SECRET)).status).toBe(200);
    expect((await deliverWebhook(served.url, pullRequestEvent(world, repo, pr), "forged-secret")).status).toBe(400);

    const logged = capture.text();
    expect(logged).toContain("sdlc-guard success for acme/payments#1"); // the log was captured at all
    const keyBody = testPrivateKey()
      .split("\n")
      .filter((line) => line && !line.startsWith("-----"));
    const secrets = [
      ["installation token", "ghs_simulated77"],
      ["webhook secret", WEBHOOK_SECRET],
      ["forged secret", "forged-secret"],
      ["Jira API token", jiraToken],
      ["Jira basic credentials", Buffer.from(`bot@acme.example:${jiraToken}`).toString("base64")],
      ["private key (first line)", keyBody[0]!],
      ["private key (a middle line)", keyBody[10]!],
    ];
    for (const [what, secret] of secrets) expect({ what, leaked: logged.includes(secret!) }).toEqual({ what, leaked: false });
  });
});
