import { randomUUID } from "node:crypto";
import { connect, type Socket } from "node:net";
import { GitHubWorld } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { deliverWebhook } from "../../sim/signed-delivery.js";
import { pullRequestEvent } from "../../sim/webhook-payloads.js";
import { renderMetrics } from "../../src/operations/metrics.js";
import { Operations } from "../../src/operations/operations.js";
import { eventually } from "../support/eventually.js";
import { mockGitHub } from "../support/github-mock.js";
import { captureLog, WEBHOOK_SECRET } from "../support/test-app.js";
import { postWebhook, sign, startApp, streamPost, type RunningApp } from "./probot-server.js";

const MiB = 1024 * 1024;

// What a flood of forged deliveries may cost the process: the bytes it holds while signatures are unchecked, and its logs.

/** The connections `holdOpen` keeps: closed after each test even when an assertion failed first. */
const held: Socket[] = [];

/** A forged delivery that declares `length` bytes, sends a few and keeps the connection open. */
function holdOpen(url: string, length: number): Promise<Socket> {
  const target = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(target.port), target.hostname, () => {
      socket.write(
        [
          `POST ${target.pathname} HTTP/1.1`,
          `host: ${target.host}`,
          "content-type: application/json",
          "x-github-event: pull_request",
          `x-github-delivery: forged-${randomUUID()}`,
          `x-hub-signature-256: sha256=${"0".repeat(64)}`,
          `content-length: ${length}`,
          "",
          '{"action":',
        ].join("\r\n"),
      );
      resolve(socket);
    });
    held.push(socket);
    socket.on("error", () => undefined);
  });
}

const refusedCount = async (status: string) => {
  const { body } = await renderMetrics();
  const line = body.split("\n").find((l) => l.startsWith(`sdlc_guard_webhooks_refused_total{status="${status}"} `));
  return Number(line?.split(" ")[1] ?? 0);
};

describe("forged floods", () => {
  let app: RunningApp | undefined;
  afterEach(async () => {
    for (const socket of held.splice(0)) socket.destroy();
    await app?.stop();
    app = undefined;
  });

  it("large bodies awaiting their signature check share one budget: past it a large delivery gets 503 at once, while GitHub's small deliveries are still taken", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 1);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");
    const operations = new Operations({ maxWebhookBytes: 4 * MiB, webhookBufferBytes: 4 * MiB });
    app = await startApp(world, { operations });

    // Two forged deliveries that declare 2 MiB each and never finish hold the whole budget of large bodies.
    const forged = [await holdOpen(app.webhookUrl, 2 * MiB), await holdOpen(app.webhookUrl, 2 * MiB)];
    await eventually(() => operations.unverifiedBytesHeld === 4 * MiB, { what: "both forged bodies to hold their bytes" });

    const large = await streamPost(app.webhookUrl, 3 * MiB);
    expect(large.status).toBe(503);
    expect(large.answer).toMatch(/busy: more than 4194304 bytes .*deliver again later/);

    // A delivery as GitHub sends them (a few KB) draws from the budget of small bodies: taken and evaluated.
    const genuine = await deliverWebhook(app.webhookUrl, pullRequestEvent(world, repo, pr), WEBHOOK_SECRET);
    expect(genuine.status).toBe(200);
    expect(repo.checkRuns).toHaveLength(1);

    for (const socket of forged) socket.destroy();
    await eventually(() => operations.unverifiedBytesHeld === 0, { what: "the forged bodies to give their bytes back" });
  });

  it("refusals are logged one by one up to the allowance per minute, and all of them counted in the metrics", async () => {
    const world = new GitHubWorld();
    mockGitHub(world); // a forged delivery causes no GitHub request
    const capture = captureLog("warn");
    app = await startApp(world, { log: capture.log, operations: new Operations({ refusalLinesPerMinute: 2 }) });
    capture.lines.length = 0;
    const before = await refusedCount("400");

    for (let i = 0; i < 6; i++) {
      const answer = await postWebhook(app.webhookUrl, "pull_request", '{"action":"opened"}', sign("another body"));
      expect(answer.status).toBe(400);
    }

    const refusals = capture.lines.map((text) => JSON.parse(text) as { msg: string }).filter((l) => l.msg.startsWith("webhook refused"));
    expect(refusals).toHaveLength(2);
    expect((await refusedCount("400")) - before).toBe(6);
  });
});
