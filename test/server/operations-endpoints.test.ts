import { GitHubWorld } from "../../sim/github-world.js";
import { approval, compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { deliverWebhook } from "../../sim/signed-delivery.js";
import { pullRequestEvent } from "../../sim/webhook-payloads.js";
import { metricsRegistry, setQueueDepth } from "../../src/operations/metrics.js";
import { Operations } from "../../src/operations/operations.js";
import { mockGitHub } from "../support/github-mock.js";
import { WEBHOOK_SECRET } from "../support/test-app.js";
import { startApp, type RunningApp } from "./probot-server.js";

/** One sample of the exposition: `name{labels} value`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? "").matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v) && Object.keys(have).length === Object.keys(labels).length)
      return Number(match[3]);
  }
  return undefined;
}

describe("operational endpoints on Probot's server", () => {
  let app: RunningApp | undefined;
  beforeEach(() => metricsRegistry.resetMetrics());
  afterEach(async () => {
    await app?.stop();
    app = undefined;
  });

  it("GET /health: 200 {status: ok}; GET /ready: 200 {status: ready}; /ping still answers PONG", async () => {
    app = await startApp(new GitHubWorld());

    const health = await fetch(`${app.base}/health`);
    expect(health.status).toBe(200);
    expect(health.headers.get("content-type")).toBe("application/json");
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await fetch(`${app.base}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", in_flight: 0 });
    const ping = await fetch(`${app.base}/ping`);
    expect([ping.status, await ping.text()]).toEqual([200, "PONG"]);
    expect((await fetch(`${app.base}/nothing-here`)).status).toBe(404);
  });

  it("/ready is 503 with the reason while shutting down or while a readiness check fails; /health stays 200; webhooks get 503", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 1);
    mockGitHub(world); // no GitHub request may happen
    const operations = new Operations();
    app = await startApp(world, { operations });

    const removeCheck = operations.addReadinessCheck("queue", () => "Redis is not reachable");
    let ready = await fetch(`${app.base}/ready`);
    expect([ready.status, await ready.json()]).toEqual([
      503,
      { status: "not ready", reason: "queue: Redis is not reachable", in_flight: 0 },
    ]);
    // A webhook that cannot be taken now is refused at once, with the reason (GitHub records a failed delivery).
    const refused = await deliverWebhook(app.webhookUrl, pullRequestEvent(world, repo, pr), WEBHOOK_SECRET);
    expect([refused.status, JSON.parse(refused.body)]).toEqual([
      503,
      { error: "not ready (queue: Redis is not reachable): deliver again later" },
    ]);
    removeCheck();
    expect((await fetch(`${app.base}/ready`)).status).toBe(200);

    operations.beginShutdown("shutting down (SIGTERM)");
    ready = await fetch(`${app.base}/ready`);
    expect([ready.status, await ready.json()]).toEqual([503, { status: "not ready", reason: "shutting down (SIGTERM)", in_flight: 0 }]);
    expect(ready.headers.get("connection")).toBe("close");
    expect((await fetch(`${app.base}/health`)).status).toBe(200);
    const webhook = await deliverWebhook(app.webhookUrl, pullRequestEvent(world, repo, pr), WEBHOOK_SECRET);
    expect(webhook.status).toBe(503);
    expect(world.requests).toEqual([]);
  });

  it("GET /metrics after one evaluation: Prometheus text with evaluations, requests by route template, rate limit, latency, queue depth, process metrics", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 1);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");
    app = await startApp(world);

    expect((await deliverWebhook(app.webhookUrl, pullRequestEvent(world, repo, pr), WEBHOOK_SECRET)).status).toBe(200);
    const response = await fetch(`${app.base}/metrics`);
    const text = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain; version=0.0.4");
    expect(sample(text, "sdlc_guard_evaluations_total", { kind: "pull_request", conclusion: "success" })).toBe(1);
    expect(sample(text, "sdlc_guard_github_requests_total", { route: "POST /graphql", status: "200" })).toBe(1);
    expect(sample(text, "sdlc_guard_github_requests_total", { route: "GET /repos/{owner}/{repo}/contents/{path}", status: "200" })).toBe(1);
    expect(sample(text, "sdlc_guard_github_requests_total", { route: "POST /repos/{owner}/{repo}/check-runs", status: "201" })).toBe(1);
    expect(sample(text, "sdlc_guard_rate_limit_remaining", { installation: String(world.installationId), resource: "core" })).toEqual(
      expect.any(Number),
    );
    expect(sample(text, "sdlc_guard_rate_limit_remaining", { installation: String(world.installationId), resource: "graphql" })).toEqual(
      expect.any(Number),
    );
    expect(sample(text, "sdlc_guard_webhook_to_result_seconds_count", { kind: "pull_request" })).toBe(1);
    expect(sample(text, "sdlc_guard_webhook_to_result_seconds_bucket", { kind: "pull_request", le: "+Inf" })).toBe(1);
    expect(sample(text, "sdlc_guard_queue_depth")).toBe(0);
    expect(sample(text, "process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(text).toContain("# TYPE nodejs_eventloop_lag_seconds gauge");
    // Route labels are templates: no owner, repository or file name in any of them.
    const routes = [...text.matchAll(/route="([^"]*)"/g)].map((m) => m[1]!);
    expect(routes.length).toBeGreaterThan(3);
    for (const route of routes) expect(route).not.toMatch(/acme|payments|sdlc-guard\.yml/);
  });

  it("counts failing controls by id and the queue depth a queue reports", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 2);
    pr.reviews = [approval("rev-bob", pr.headSha)]; // one approval of the two required
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");
    app = await startApp(world);

    expect((await deliverWebhook(app.webhookUrl, pullRequestEvent(world, repo, pr), WEBHOOK_SECRET)).status).toBe(200);
    setQueueDepth(7);
    const text = await (await fetch(`${app.base}/metrics`)).text();

    expect(sample(text, "sdlc_guard_evaluations_total", { kind: "pull_request", conclusion: "failure" })).toBe(1);
    expect(sample(text, "sdlc_guard_control_failures_total", { control: "reviews" })).toBe(1);
    expect(text).not.toContain('sdlc_guard_control_failures_total{control="jira"}');
    expect(sample(text, "sdlc_guard_queue_depth")).toBe(7);
  });

  it("with a metrics token, /metrics wants it as a bearer token", async () => {
    app = await startApp(new GitHubWorld(), { operations: new Operations({ metricsToken: "scrape-token-1" }) });

    expect((await fetch(`${app.base}/metrics`)).status).toBe(401);
    expect((await fetch(`${app.base}/metrics`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    const allowed = await fetch(`${app.base}/metrics`, { headers: { authorization: "Bearer scrape-token-1" } });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain("sdlc_guard_queue_depth");
    expect((await fetch(`${app.base}/health`)).status).toBe(200); // health and readiness stay open for probes
  });
});
