import { GitHubWorld } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { pullRequestEvent } from "../../sim/webhook-payloads.js";
import { mockGitHub } from "../support/github-mock.js";
import { captureLog } from "../support/test-app.js";
import { postWebhook, startApp, streamPost, type RunningApp } from "./probot-server.js";

type Line = Record<string, unknown> & { level: number; msg: string; id?: string; req?: { id?: string } };

describe("log lines of a delivery", () => {
  let app: RunningApp | undefined;
  afterEach(async () => {
    await app?.stop();
    app = undefined;
  });

  it("every line logged at info and above while handling a delivery carries its delivery id: handler lines, the audit record, the access line", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    repo.files.set(".github/sdlc-guard.yml", "controls:\n  reviews:\n    min_approvals: two\n"); // the handler warns about it
    const pr = compliantPullRequest(world, repo, 1);
    mockGitHub(world).expectToken().expectConfigError("acme", "payments");
    const capture = captureLog("info");
    app = await startApp(world, { log: capture.log });
    capture.lines.length = 0; // start-up lines belong to no delivery

    const delivery = await postWebhook(app.webhookUrl, "pull_request", JSON.stringify(pullRequestEvent(world, repo, pr, "opened").payload));
    expect(delivery.status).toBe(200);

    const lines = capture.lines.map((text) => JSON.parse(text) as Line);
    const handlerLine = lines.find((l) => l.msg === "configuration error");
    const auditLine = lines.find((l) => l.audit === true);
    expect(handlerLine).toMatchObject({ level: 40, id: delivery.deliveryId });
    expect(auditLine).toMatchObject({
      level: 30,
      id: delivery.deliveryId,
      delivery_id: delivery.deliveryId,
      action: "pull_request.evaluated",
    });
    expect(lines.find((l) => l.name === "http")).toMatchObject({
      req: { id: delivery.deliveryId },
      msg: expect.stringContaining("POST /api/github/webhooks 200"),
    });
    const without = lines.filter((l) => l.id !== delivery.deliveryId && l.req?.id !== delivery.deliveryId).map((l) => l.msg);
    expect(without).toEqual([]);
  });

  it("the refusal of an oversized body names the delivery too", async () => {
    const world = new GitHubWorld();
    mockGitHub(world);
    const capture = captureLog("info");
    app = await startApp(world, { log: capture.log });
    capture.lines.length = 0;

    await streamPost(app.webhookUrl, 25 * 1024 * 1024 + 1, { headers: { "x-github-delivery": "oversized-1" } });

    const refusal = capture.lines.map((text) => JSON.parse(text) as Line).find((l) => l.level === 40);
    expect(refusal).toMatchObject({ id: "oversized-1", msg: expect.stringContaining("HTTP 413") });
  });
});
