import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simulatedAppEnv } from "../../sim/app-env.js";
import { GitHubWorld } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { startSimulator, type RunningSimulator } from "../../sim/server.js";
import { deliverWebhook } from "../../sim/signed-delivery.js";
import { pullRequestEvent } from "../../sim/webhook-payloads.js";
import { freePort } from "../../sim/free-port.js";
import { postWebhook, sign } from "../server/probot-server.js";
import { testPrivateKey } from "../support/test-app.js";
import { eventually } from "../support/eventually.js";

// The production entry as the Dockerfile runs it — `node node_modules/probot/bin/probot.js run ./dist/src/index.js`, a
// real process with real signals — against the GitHub simulator over HTTP. It runs the build (`npm run build`; CI
// builds before it tests).
const ENTRY = "dist/src/index.js";
const SECRET = "process-test-secret";

interface AppProcess {
  child: ChildProcess;
  base: string;
  lines: () => Record<string, unknown>[];
  stdout: () => string;
  exited: Promise<number | null>;
}

async function startAppProcess(simulator: RunningSimulator, env: Record<string, string>): Promise<AppProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ["node_modules/probot/bin/probot.js", "run", `./${ENTRY}`], {
    env: {
      PATH: process.env.PATH ?? "",
      NODE_ENV: "production",
      ...simulatedAppEnv(simulator, { appId: 4242, secret: SECRET, privateKey: testPrivateKey() }),
      PORT: String(port),
      LOG_FORMAT: "json",
      SDLC_GUARD_SUMMARY_SCHEDULE: "off",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await fetch(`${base}/ready`).then((r) => r.status, () => 0);
    if (ready === 200) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the app did not get ready: ${err || out}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const lines = () =>
    out
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { child, base, lines, stdout: () => out, exited };
}


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
    const delivery = deliverWebhook(`${app.base}/api/github/webhooks`, pullRequestEvent(world, repo, pr), SECRET).finally(() => (answered = true));
    await eventually(() => world.requests.length > 0, { what: "a GitHub request", everyMs: 10 });
    app.child.kill("SIGTERM");

    // The listening socket closes while the evaluation still runs.
    let refused = false;
    while (!refused && !answered) refused = await fetch(`${app.base}/health`).then(() => false, () => true);
    expect(refused).toBe(true);
    expect(answered).toBe(false);

    expect((await delivery).status).toBe(200);
    expect(await app.exited).toBe(0);
    expect(repo.checkRuns).toHaveLength(1);
    expect(repo.checkRuns[0]).toMatchObject({ status: "completed", conclusion: "success" });
    const records = readFileSync(auditFile, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toEqual([expect.objectContaining({ action: "pull_request.evaluated", conclusion: "success" })]);

    const lines = app.lines();
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(["SIGTERM: shutting down; no new webhooks, waiting for those in flight", "shutdown complete"]));
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
    expect(report?.still_running).toEqual(expect.arrayContaining([expect.objectContaining({ what: "delivery", event: "pull_request", id: expect.any(String) })]));
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
    expect(app.lines()).toEqual(expect.arrayContaining([expect.objectContaining({ level: 20, msg: expect.stringMatching(/^ping event received \(id: /) })]));
    expect(app.lines().map((l) => l.msg)).toContain("shutdown complete");
  }, 60_000);
});
