import { jest } from "@jest/globals";
import { GitHubWorld } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { deliverWebhook } from "../../sim/signed-delivery.js";
import { pullRequestEvent } from "../../sim/webhook-payloads.js";
import { InFlight } from "../../src/operations/in-flight.js";
import { Operations } from "../../src/operations/operations.js";
import { createShutdown, DEFAULT_SHUTDOWN_TIMEOUT_MS, shutdownTimeoutFromEnv } from "../../src/operations/shutdown.js";
import { mockGitHub } from "../support/github-mock.js";
import { captureLog, WEBHOOK_SECRET } from "../support/test-app.js";
import { startApp, type RunningApp } from "../server/probot-server.js";
import { eventually } from "../support/eventually.js";

const untilRequested = (world: { requests: unknown[] }) =>
  eventually(() => world.requests.length > 0, { what: "a GitHub request", timeoutMs: 5_000, everyMs: 10 });

/** The requests of a first PR evaluation, with GitHub slow to answer the GraphQL snapshot. */
function slowEvaluation(world: GitHubWorld, delayMs: number) {
  return mockGitHub(world)
    .expectToken()
    .expectConfigFiles("acme", "payments")
    .expect("POST", "/graphql", 1, delayMs)
    .expect("GET", "/orgs/acme/secret-scanning/alerts", 2)
    .expect("GET", "/repos/acme/payments")
    .expect("POST", "/repos/acme/payments/check-runs");
}

describe("graceful shutdown (Probot's server in this process)", () => {
  let app: RunningApp | undefined;
  afterEach(async () => {
    await app?.stop().catch(() => undefined);
    app = undefined;
  });

  it("stops taking connections at once, lets the webhook in flight finish, flushes the audit file, then exits 0", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 1);
    slowEvaluation(world, 800);
    const operations = new Operations();
    const capture = captureLog("info");
    app = await startApp(world, { operations, log: capture.log });
    const events: string[] = [];
    const exit = jest.fn((code: number) => void events.push(`exit ${code}`));
    const flush = jest.fn(
      async () => void events.push(`flush after ${repo.checkRuns.length} check run(s), ${operations.inFlight.size} in flight`),
    );

    const delivery = deliverWebhook(app.webhookUrl, pullRequestEvent(world, repo, pr), WEBHOOK_SECRET);
    await untilRequested(world); // the evaluation is under way
    expect(operations.inFlight.size).toBeGreaterThan(0);

    const shutdown = createShutdown({ operations, timeoutMs: 10_000, flush, exit });
    const code = shutdown("SIGTERM");
    expect(operations.readiness()).toEqual({ ready: false, reason: "shutting down (SIGTERM)" });
    await expect(fetch(`${app.base}/health`)).rejects.toThrow(); // no new connections

    expect(await code).toBe(0);
    expect((await delivery).status).toBe(200);
    expect(repo.checkRuns).toHaveLength(1);
    expect(repo.checkRuns[0]).toMatchObject({ status: "completed", conclusion: "success" });
    expect(events).toEqual(["flush after 1 check run(s), 0 in flight", "exit 0"]);
    expect(shutdown("SIGINT")).toBe(shutdown("SIGTERM")); // once, however often asked
    expect(exit).toHaveBeenCalledTimes(1);
    const messages = capture.lines.map((l) => JSON.parse(l) as { msg: string });
    expect(messages.map((m) => m.msg)).toEqual(
      expect.arrayContaining(["SIGTERM: shutting down; no new webhooks, waiting for those in flight", "shutdown complete"]),
    );
  });

  it("exits 1 when the bound is hit, logging what was still running with its delivery id", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 1);
    slowEvaluation(world, 3_000);
    const operations = new Operations();
    const capture = captureLog("info");
    app = await startApp(world, { operations, log: capture.log });
    const exit = jest.fn((_code: number) => undefined);
    const flush = jest.fn(async (): Promise<void> => undefined);

    const delivery = deliverWebhook(app.webhookUrl, pullRequestEvent(world, repo, pr), WEBHOOK_SECRET);
    await untilRequested(world);
    const started = Date.now();
    const code = await createShutdown({ operations, timeoutMs: 200, flush, exit })("SIGTERM");

    expect(code).toBe(1);
    expect(Date.now() - started).toBeLessThan(2_500); // not the 3 s GitHub takes
    expect(exit).toHaveBeenCalledWith(1);
    expect(flush).toHaveBeenCalled(); // what is queued is still written
    const lines = capture.lines.map((l) => JSON.parse(l) as { msg: string; still_running?: { what: string; id: string; event: string }[] });
    const report = lines.find((l) => l.still_running);
    expect(report?.msg).toMatch(/still running after 200 ms; exiting without them/);
    expect(report?.still_running).toEqual(
      expect.arrayContaining([expect.objectContaining({ what: "delivery", event: "pull_request", id: expect.any(String) })]),
    );
    await delivery; // (the test lets the slow answer arrive before the mocks are checked)
  });

  it("with nothing in flight, exits 0 at once; a failing flush makes it 1", async () => {
    const operations = new Operations();
    const exit = jest.fn((_code: number) => undefined);
    const log = captureLog("info");
    expect(await createShutdown({ operations, timeoutMs: 5_000, exit, log: log.log, flush: async () => undefined })("SIGINT")).toBe(0);
    expect(
      await createShutdown({
        operations: new Operations(),
        timeoutMs: 5_000,
        exit,
        log: log.log,
        flush: () => Promise.reject(new Error("disk full")),
      })("SIGTERM"),
    ).toBe(1);
    expect(exit.mock.calls).toEqual([[0], [1]]);
    expect(log.text()).toContain("disk full");
  });

  it("waits for the queue's running work (drain) within the same bound", async () => {
    const exit = jest.fn((_code: number) => undefined);
    const log = captureLog("info").log;
    const slowDrain = () => new Promise<void>((resolve) => setTimeout(resolve, 5_000).unref());
    const started = Date.now();
    expect(await createShutdown({ operations: new Operations(), timeoutMs: 150, exit, log, drain: slowDrain })("SIGTERM")).toBe(1);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(
      await createShutdown({ operations: new Operations(), timeoutMs: 1_000, exit, log, drain: async () => undefined })("SIGTERM"),
    ).toBe(0);
  });
});

describe("SDLC_GUARD_SHUTDOWN_TIMEOUT_MS", () => {
  it.each([
    [undefined, DEFAULT_SHUTDOWN_TIMEOUT_MS],
    ["", DEFAULT_SHUTDOWN_TIMEOUT_MS],
    ["10000", 10_000],
    [" 0 ", 0],
  ])("%j → %d ms", (value, ms) => {
    expect(shutdownTimeoutFromEnv({ SDLC_GUARD_SHUTDOWN_TIMEOUT_MS: value })).toBe(ms);
  });

  it.each([["-1"], ["2.5"], ["25s"], ["1e3"]])("%j is refused with a clear error", (value) => {
    expect(() => shutdownTimeoutFromEnv({ SDLC_GUARD_SHUTDOWN_TIMEOUT_MS: value })).toThrow(
      /SDLC_GUARD_SHUTDOWN_TIMEOUT_MS must be a whole number of milliseconds/,
    );
  });
});

describe("work in flight", () => {
  it("is listed while it runs and waited for; whenIdle gives up after its bound", async () => {
    const inFlight = new InFlight();
    let finish!: () => void;
    const work = inFlight.track(
      { what: "delivery", deliveryId: "d-1", event: "push" },
      () => new Promise<void>((resolve) => (finish = resolve)),
    );
    expect(inFlight.list()).toEqual([expect.objectContaining({ what: "delivery", deliveryId: "d-1", event: "push" })]);
    expect(await inFlight.whenIdle(20)).toBe(false);
    const idle = inFlight.whenIdle(5_000);
    finish();
    await work;
    expect(await idle).toBe(true);
    expect(inFlight.size).toBe(0);
    await expect(
      inFlight.track({ what: "request", deliveryId: undefined, event: undefined }, () => Promise.reject(new Error("boom"))),
    ).rejects.toThrow("boom");
    expect(inFlight.size).toBe(0);
  });
});
