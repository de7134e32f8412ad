import { GitHubWorld } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { deliverWebhook } from "../../sim/signed-delivery.js";
import { pullRequestEvent } from "../../sim/webhook-payloads.js";
import { MAX_WEBHOOK_BYTES } from "../../src/operations/body-limit.js";
import { mockGitHub } from "../support/github-mock.js";
import { WEBHOOK_SECRET } from "../support/test-app.js";
import { postChunked, postWebhook, sign, startApp, streamPost, type RunningApp } from "./probot-server.js";

// Bad input against Probot's real HTTP server (what `probot run` starts), in this process on 127.0.0.1.
// The strict GitHub mock fails a test on any GitHub request it did not declare.

describe("bad input on the webhook endpoint", () => {
  let app: RunningApp | undefined;
  afterEach(async () => {
    await app?.stop();
    app = undefined;
  });

  it.each([
    ["a wrong signature", sign("something else")],
    ["a signature made with another secret", "forged"],
    ["no signature", null],
  ])("%s: 4xx and zero GitHub requests", async (_name, signature) => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 1);
    mockGitHub(world); // nothing expected
    app = await startApp(world);
    const body = JSON.stringify(pullRequestEvent(world, repo, pr).payload);
    const forged = signature === "forged" ? sign(body, "not-the-secret") : signature;

    const answer = await postWebhook(app.webhookUrl, "pull_request", body, forged);

    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(world.requests).toEqual([]);
    expect(repo.checkRuns).toEqual([]);
  });

  it("malformed JSON with a valid signature: 400, no crash, and the next good delivery is evaluated", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 1);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");
    app = await startApp(world);

    for (const broken of ['{"action": "opened", "pull_request": ', "not json at all", ""]) {
      const answer = await postWebhook(app.webhookUrl, "pull_request", broken);
      expect({ broken, status: answer.status }).toEqual({ broken, status: 400 });
    }
    expect(world.requests).toEqual([]);

    const good = await deliverWebhook(app.webhookUrl, pullRequestEvent(world, repo, pr), WEBHOOK_SECRET);
    expect(good.status).toBe(200);
    expect(repo.checkRuns).toHaveLength(1);
  });

  it.each([["sponsorship"], ["an-event-github-never-sends"]])("an event no handler listens to (%s): 2xx, ignored", async (event) => {
    const world = new GitHubWorld();
    mockGitHub(world); // nothing expected
    app = await startApp(world);
    const body = JSON.stringify({ action: "created", sponsorship: { tier: { name: "gold" } }, installation: { id: world.installationId } });

    const answer = await postWebhook(app.webhookUrl, event, body);

    expect(answer.status).toBe(200);
    expect(world.requests).toEqual([]);
  });

  it("a body of 25 MB + 1 byte with its content-length: 413 before the body is read, nothing of it kept, the connection closed; the server goes on", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 1);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");
    app = await startApp(world);

    const sent = await streamPost(app.webhookUrl, MAX_WEBHOOK_BYTES + 1);

    expect(sent.status).toBe(413);
    expect(sent.answer).toContain('{"error":"Payload too large: webhook bodies are at most 26214400 bytes"}');
    // Answered at once: only what sat in socket buffers had been written, nowhere near the 25 MB (the rest, sent during
    // the lingering close, is dropped as it comes), and the server closed the connection (streamPost waits for that).
    expect(sent.sentWhenAnswered).toBeLessThan(8 * 1024 * 1024);
    expect(sent.rssGrowth).toBeLessThan(MAX_WEBHOOK_BYTES); // the body was never held (it alone is 25 MB)
    expect(world.requests).toEqual([]);

    expect((await deliverWebhook(app.webhookUrl, pullRequestEvent(world, repo, pr), WEBHOOK_SECRET)).status).toBe(200);
    expect(repo.checkRuns).toHaveLength(1);
  });

  it("a chunked body (no length) growing past 25 MB: 413 as it crosses the limit, reading stops there", async () => {
    const world = new GitHubWorld();
    mockGitHub(world);
    app = await startApp(world);

    const sent = await streamPost(app.webhookUrl, MAX_WEBHOOK_BYTES + 16 * 1024 * 1024, { chunked: true });

    expect(sent.status).toBe(413);
    expect(sent.sentWhenAnswered).toBeLessThan(MAX_WEBHOOK_BYTES + 8 * 1024 * 1024);
    // At most the 25 MB the limit allows were held (GitHub's own cap), never the whole body.
    expect(sent.rssGrowth).toBeLessThan(MAX_WEBHOOK_BYTES + 24 * 1024 * 1024);
    expect(world.requests).toEqual([]);
  });

  it("a chunked body within the limit is still verified and handled as usual", async () => {
    const world = new GitHubWorld();
    mockGitHub(world);
    app = await startApp(world);
    const body = JSON.stringify({ action: "created", sponsorship: {}, installation: { id: world.installationId } });
    const headers = { "content-type": "application/json", "x-github-event": "sponsorship", "x-github-delivery": "chunked-1" };
    const pieces = [body.slice(0, 10), body.slice(10)];

    const good = await postChunked(app.webhookUrl, { ...headers, "x-hub-signature-256": sign(body) }, pieces);
    const forged = await postChunked(app.webhookUrl, { ...headers, "x-hub-signature-256": sign(body, "nope") }, pieces);

    expect(good).toBe(200);
    expect(forged).toBe(400);
  });

  it("a body of exactly 25 MB is taken (GitHub's cap is allowed)", async () => {
    const world = new GitHubWorld();
    mockGitHub(world);
    app = await startApp(world);
    const skeleton = JSON.stringify({ action: "created", installation: { id: world.installationId }, padding: "" });
    const body = skeleton.replace('"padding":""', `"padding":"${"x".repeat(MAX_WEBHOOK_BYTES - skeleton.length)}"`);
    expect(Buffer.byteLength(body)).toBe(MAX_WEBHOOK_BYTES);

    const answer = await postWebhook(app.webhookUrl, "sponsorship", body);

    expect(answer.status).toBe(200);
  });
});
