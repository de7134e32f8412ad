import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GitHubWorld } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { startSimulator, type RunningSimulator } from "../../sim/server.js";
import { deliverWebhook } from "../../sim/signed-delivery.js";
import { pullRequestEvent } from "../../sim/webhook-payloads.js";
import { postWebhook, sign } from "../server/probot-server.js";
import { ENTRY, SECRET, startAppProcess, type AppProcess } from "../support/app-process.js";
import { eventually } from "../support/eventually.js";

describe("the app process (probot run ./dist/src/index.js)", () => {
  let simulator: RunningSimulator | undefined;
  let app: AppProcess | undefined;
  let dir: string;
  beforeAll(() => {
    if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run \`npm run build\` first`);
  });
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "sdlc-guard-process-"))));
  afterEach(async () => {
    if (app && app.child.exitCode === null) {
      app.child.kill("SIGKILL");
      await app.exited;
    }
    app = undefined;
    await simulator?.close();
    simulator = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it("SIGTERM mid-evaluation: no new connections, the evaluation finishes, its audit record reaches the file, exit 0", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 1);
    simulator = await startSimulator(world, 0, 300); // GitHub answers each request after 300 ms
    const auditFile = join(dir, "audit.jsonl");
    app = await startAppProcess(simulator, { LOG_LEVEL: "info", AUDIT_LOG_PATH: auditFile });

    let answered = false;
    const delivery = deliverWebhook(`${app.base}/api/github/webhooks`, pullRequestEvent(world, repo, pr), SECRET).finally(
      () => (answered = true),
    );
    await eventually(() => world.requests.length > 0, { what: "a GitHub request", everyMs: 10 });
    app.child.kill("SIGTERM");

    // The listening socket closes while the evaluation still runs.
    let refused = false;
    while (!refused && !answered)
      refused = await fetch(`${app.base}/health`).then(
        () => false,
        () => true,
      );
    expect(refused).toBe(true);
    expect(answered).toBe(false);

    expect((await delivery).status).toBe(200);
    expect(await app.exited).toBe(0);
    expect(repo.checkRuns).toHaveLength(1);
    expect(repo.checkRuns[0]).toMatchObject({ status: "completed", conclusion: "success" });
    const records = readFileSync(auditFile, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toEqual([expect.objectContaining({ action: "pull_request.evaluated", conclusion: "success" })]);

    const lines = app.lines();
    expect(lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining(["SIGTERM: shutting down; no new webhooks, waiting for those in flight", "shutdown complete"]),
    );
    expect(lines.every((l) => typeof l.level === "number" && l.level >= 30)).toBe(true); // LOG_LEVEL=info
    const audit = lines.find((l) => l.audit === true);
    expect(audit).toMatchObject({ id: records[0]!.delivery_id, delivery_id: records[0]!.delivery_id });
  }, 60_000);

  it("SIGTERM with an evaluation outlasting SDLC_GUARD_SHUTDOWN_TIMEOUT_MS: exit 1, naming the delivery still running", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 1);
    simulator = await startSimulator(world, 0, 3_000);
    app = await startAppProcess(simulator, { LOG_LEVEL: "info", SDLC_GUARD_SHUTDOWN_TIMEOUT_MS: "300" });

    const delivery = deliverWebhook(`${app.base}/api/github/webhooks`, pullRequestEvent(world, repo, pr), SECRET).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 500)); // the delivery is being handled (waiting 3 s for GitHub)
    const signalled = Date.now();
    app.child.kill("SIGTERM");

    expect(await app.exited).toBe(1);
    expect(Date.now() - signalled).toBeLessThan(8_000); // the evaluation itself needs 6 answers of 3 s each
    const report = app.lines().find((l) => Array.isArray(l.still_running));
    expect(report?.msg).toMatch(/still running after 300 ms/);
    expect(report?.still_running).toEqual(
      expect.arrayContaining([expect.objectContaining({ what: "delivery", event: "pull_request", id: expect.any(String) })]),
    );
    await delivery;
  }, 60_000);

  it("LOG_LEVEL sets the level (warn: no info lines; debug: debug lines); /health, /ready and /metrics answer in the real process", async () => {
    simulator = await startSimulator(new GitHubWorld());
    app = await startAppProcess(simulator, { LOG_LEVEL: "warn" });
    expect(await (await fetch(`${app.base}/health`)).json()).toEqual({ status: "ok" });
    expect(await (await fetch(`${app.base}/ready`)).json()).toEqual({ status: "ready", in_flight: 0 });
    const metrics = await (await fetch(`${app.base}/metrics`)).text();
    expect(metrics).toContain("# TYPE sdlc_guard_evaluations_total counter");
    expect(metrics).toContain("sdlc_guard_queue_depth 0");
    expect(metrics).toContain("process_resident_memory_bytes");
    app.child.kill("SIGTERM");
    expect(await app.exited).toBe(0);
    expect(app.lines().filter((l) => (l.level as number) < 40)).toEqual([]);

    app = await startAppProcess(simulator, { LOG_LEVEL: "debug" });
    const ping = JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1 });
    expect((await postWebhook(`${app.base}/api/github/webhooks`, "ping", ping, sign(ping, SECRET))).status).toBe(200);
    app.child.kill("SIGTERM");
    expect(await app.exited).toBe(0);
    expect(app.lines()).toEqual(
      expect.arrayContaining([expect.objectContaining({ level: 20, msg: expect.stringMatching(/^ping event received \(id: /) })]),
    );
    expect(app.lines().map((l) => l.msg)).toContain("shutdown complete");
  }, 60_000);
});
