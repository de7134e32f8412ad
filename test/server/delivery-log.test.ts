import { request } from "node:http";
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

  it("a forged delivery to another spelling of the webhook path Probot accepts is refused unread, in one short line", async () => {
    const world = new GitHubWorld();
    mockGitHub(world);
    const capture = captureLog("info");
    app = await startApp(world, { log: capture.log });
    const url = new URL(app.webhookUrl);
    const forged = JSON.stringify({ action: "opened", padding: "x".repeat(200_000) });

    for (const path of ["/api/github/./webhooks", "/api/github/x/../webhooks", "/api/github/%2e/webhooks"]) {
      capture.lines.length = 0;
      const status = await new Promise<number | undefined>((resolve, reject) => {
        const req = request(
          {
            host: url.hostname,
            port: url.port,
            method: "POST",
            path,
            headers: {
              "content-type": "application/json",
              "x-github-event": "pull_request",
              "x-github-delivery": `forged-${path}`,
              "x-hub-signature-256": `sha256=${"0".repeat(64)}`,
            },
          },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode));
          },
        );
        req.on("error", reject);
        req.end(forged);
      });

      expect([path, status]).toEqual([path, 400]);
      const logged = capture.lines.join("");
      expect([path, capture.lines.length, logged.length < 2_000, logged.includes("padding")]).toEqual([path, 1, true, false]);
    }
  });
});
