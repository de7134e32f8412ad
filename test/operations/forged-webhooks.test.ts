import { randomUUID } from "node:crypto";
import { connect } from "node:net";
import { existsSync, readFileSync } from "node:fs";
import { GitHubWorld } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { startSimulator, type RunningSimulator } from "../../sim/server.js";
import { deliverWebhook } from "../../sim/signed-delivery.js";
import { pullRequestEvent } from "../../sim/webhook-payloads.js";
import { ENTRY, SECRET, startAppProcess, type AppProcess } from "../support/app-process.js";
import { eventually } from "../support/eventually.js";

// Forged webhooks against the real server, started as the Docker image starts it (`probot run`, a 192 MB JS heap, JSON
// logs): a forged delivery is refused after its signature is checked on the stream, before anything parses or logs it,
// so a storm of them costs neither memory nor log volume, and a real delivery during the storm is still handled.

const MiB = 1024 * 1024;
const DOCKER_ENV = { NODE_OPTIONS: "--max-old-space-size=192", LOG_FORMAT: "json" };

interface ForgedAnswer {
  deliveryId: string;
  status: number | undefined;
  /** From the first byte sent to the answer's status line (ms). */
  ms: number;
  /** Body bytes written when the answer came. */
  sentWhenAnswered: number;
}

/**
 * POSTs a `total`-byte forged webhook over a raw socket (one reused 64 KiB buffer: the sender holds almost nothing),
 * `piece` bytes at a time, `everyMs` apart (0: as fast as the socket takes them); resolves once the answer's status line
 * arrived or the server closed the connection.
 */
function forge(url: string, total: number, signature: string, { piece = 64 * 1024, everyMs = 0 } = {}): Promise<ForgedAnswer> {
  const target = new URL(url);
  const deliveryId = randomUUID();
  const head = {
    host: target.host,
    "content-type": "application/json",
    "content-length": String(total),
    "x-github-event": "pull_request",
    "x-github-delivery": deliveryId,
    "x-hub-signature-256": signature,
  };
  return new Promise((resolve) => {
    const socket = connect(Number(target.port), target.hostname);
    const chunk = Buffer.alloc(piece, 0x20);
    const started = Date.now();
    let sent = 0;
    let answer = "";
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (status: number | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ deliveryId, status, ms: Date.now() - started, sentWhenAnswered: sent });
    };
    socket.on("data", (data: Buffer) => {
      answer += data.toString("latin1");
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1];
      if (status) finish(Number(status));
    });
    socket.on("error", () => finish(undefined));
    socket.on("close", () => finish(undefined));
    const pump = () => {
      while (sent < total && !done) {
        const n = Math.min(chunk.length, total - sent);
        sent += n;
        const ok = socket.write(n === chunk.length ? chunk : chunk.subarray(0, n));
        if (everyMs > 0) {
          timer = setTimeout(pump, everyMs);
          return;
        }
        if (!ok) {
          socket.once("drain", pump);
          return;
        }
      }
    };
    socket.once("connect", () => {
      socket.write(
        `POST ${target.pathname} HTTP/1.1\r\n${Object.entries(head)
          .map(([k, v]) => `${k}: ${v}`)
          .join("\r\n")}\r\n\r\n`,
      );
      pump();
    });
  });
}

/** The app's peak resident memory so far (Linux: VmHWM), in MB; undefined elsewhere. */
function peakRssMb(pid: number): number | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8")
      .split("\n")
      .find((l) => l.startsWith("VmHWM:"));
    return line ? Math.round(Number.parseInt(line.slice(6), 10) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

type Line = Record<string, unknown> & { id?: string; req?: { id?: string } };
const aboutDelivery = (line: Line, id: string) => line.id === id || line.req?.id === id;
const rawLinesAbout = (app: AppProcess, id: string) =>
  app
    .stdout()
    .split("\n")
    .filter((l) => l.includes(id));
/** The app's start-up work against the simulator is over (its first request makes the simulator load GitHub's schemas). */
const startedUp = (app: AppProcess) =>
  eventually(() => app.lines().some((l) => l.msg === "check runs left in progress: recovered"), {
    what: "the start-up recovery",
    timeoutMs: 30_000,
  });
const report = (what: string, figures: Record<string, unknown>) =>
  process.stdout.write(`\n[forged webhooks] ${what}: ${JSON.stringify(figures)}\n`);

const WELL_FORMED_WRONG = `sha256=${"0".repeat(64)}`; // the whole body must be read to know it is wrong
const MALFORMED = "sha256=00"; // cannot match any body

describe("forged webhooks cost nothing (the app process as the Docker image runs it)", () => {
  let simulator: RunningSimulator | undefined;
  let app: AppProcess | undefined;
  beforeAll(() => {
    if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run \`npm run build\` first`);
  });
  afterEach(async () => {
    if (app && app.child.exitCode === null) {
      app.child.kill("SIGKILL");
      await app.exited;
    }
    app = undefined;
    await simulator?.close();
    simulator = undefined;
  });

  it("8 concurrent forged 24 MiB bodies, 5 times: all refused (400, or 503 past the budget of unverified bytes), the process stays up and answers /health, one log line per refusal, and a real delivery sent during the storm gets its check run", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 1);
    simulator = await startSimulator(world);
    app = await startAppProcess(simulator, { ...DOCKER_ENV, LOG_LEVEL: "info" });
    await startedUp(app);
    const url = `${app.base}/api/github/webhooks`;
    const logBytesBefore = Buffer.byteLength(app.stdout());

    const refused: ForgedAnswer[] = [];
    let real: Promise<{ status: number }> | undefined;
    for (let round = 0; round < 5; round++) {
      const storm = Array.from({ length: 8 }, (_, i) => forge(url, 24 * MiB, i % 2 === 0 ? WELL_FORMED_WRONG : MALFORMED));
      if (round === 2) real = deliverWebhook(url, pullRequestEvent(world, repo, pr), SECRET);
      refused.push(...(await Promise.all(storm)));
      expect(app.child.exitCode).toBeNull();
      expect((await fetch(`${app.base}/health`)).status).toBe(200);
    }

    // A malformed signature is refused before its body is read (400); a well-formed wrong one once its body is read (400),
    // or at once while two such bodies already hold the 64 MiB budget of large unverified bodies (503 busy).
    expect(refused.map((r, i) => (i % 2 === 1 ? r.status === 400 : r.status === 400 || r.status === 503))).toEqual(refused.map(() => true));
    expect((await real!).status).toBe(200);
    await eventually(() => repo.checkRuns.some((run) => run.status === "completed"), {
      what: "the real delivery's check run",
      timeoutMs: 30_000,
    });
    expect(repo.checkRuns[0]).toMatchObject({ status: "completed", conclusion: "success" });

    await eventually(() => refused.every((r) => rawLinesAbout(app!, r.deliveryId).length > 0), { what: "a log line for every refusal" });
    const lines = app.lines() as Line[];
    const perRefusal = refused.map((r) => lines.filter((l) => aboutDelivery(l, r.deliveryId)));
    expect(perRefusal.map((found) => found.length)).toEqual(refused.map(() => 1));
    expect(perRefusal.map((found) => found[0])).toEqual(
      refused.map((r) => expect.objectContaining({ level: 40, msg: expect.stringContaining(`HTTP ${r.status}`) })),
    );
    // Nothing else mentions them either (no line without the id carrying the body).
    expect(refused.map((r) => rawLinesAbout(app!, r.deliveryId).length)).toEqual(refused.map(() => 1));
    const refusalBytes = refused.map((r) => Buffer.byteLength(rawLinesAbout(app!, r.deliveryId)[0]!));
    expect(Math.max(...refusalBytes)).toBeLessThan(2_048);

    const times = refused.map((r) => r.ms).sort((a, b) => a - b);
    report("storm of 40 x 24 MiB (8 at a time)", {
      peak_rss_mb: peakRssMb(app.child.pid!),
      log_bytes_per_refusal_max: Math.max(...refusalBytes),
      log_bytes_during_storm_total: Buffer.byteLength(app.stdout()) - logBytesBefore,
      time_to_reject_ms: { median: times[times.length >> 1], max: times[times.length - 1] },
    });
  }, 240_000);

  it("a forged body dripped slowly is cut off at SDLC_GUARD_WEBHOOK_RECEIVE_TIMEOUT_MS with 408, not answered 202; a forged 5 MiB body adds one short log line", async () => {
    simulator = await startSimulator(new GitHubWorld());
    app = await startAppProcess(simulator, { ...DOCKER_ENV, LOG_LEVEL: "info", SDLC_GUARD_WEBHOOK_RECEIVE_TIMEOUT_MS: "2000" });
    await startedUp(app);
    const url = `${app.base}/api/github/webhooks`;

    // 1 KiB every 100 ms: the whole MiB would take 100 s (Probot alone answered such a body 202 after 9 s).
    const dripped = await forge(url, MiB, WELL_FORMED_WRONG, { piece: 1024, everyMs: 100 });
    expect(dripped.status).toBe(408);
    expect(dripped.sentWhenAnswered).toBeLessThan(MiB); // cut off while it was still arriving

    const logBytesBefore = Buffer.byteLength(app.stdout());
    const forged = await forge(url, 5 * MiB, WELL_FORMED_WRONG);
    expect(forged.status).toBe(400);
    await eventually(() => rawLinesAbout(app!, forged.deliveryId).length > 0, { what: "the refusal's log line" });
    const added = Buffer.byteLength(app.stdout()) - logBytesBefore;
    expect(added).toBeLessThan(2_048);
    expect((app.lines() as Line[]).filter((l) => aboutDelivery(l, forged.deliveryId))).toEqual([
      expect.objectContaining({
        level: 40,
        status: 400,
        event: "pull_request",
        msg: "webhook refused: signature does not match the body and the webhook secret (HTTP 400)",
      }),
    ]);
    const dripLine = (app.lines() as Line[]).find((l) => aboutDelivery(l, dripped.deliveryId));
    expect(dripLine).toMatchObject({ level: 40, status: 408, msg: expect.stringContaining("HTTP 408") });

    report("slow drip and one 5 MiB body", {
      receive_timeout_ms: 2000,
      drip_time_to_408_ms: dripped.ms,
      drip_bytes_sent_when_answered: dripped.sentWhenAnswered,
      forged_5mib_log_bytes_added: added,
      forged_5mib_time_to_reject_ms: forged.ms,
      peak_rss_mb: peakRssMb(app.child.pid!),
    });
  }, 120_000);

  it("at LOG_LEVEL=error a forged 5 MiB body logs nothing at all", async () => {
    simulator = await startSimulator(new GitHubWorld());
    app = await startAppProcess(simulator, { ...DOCKER_ENV, LOG_LEVEL: "error" });
    const logBytesBefore = Buffer.byteLength(app.stdout());

    const forged = await forge(`${app.base}/api/github/webhooks`, 5 * MiB, WELL_FORMED_WRONG);

    expect(forged.status).toBe(400);
    app.child.kill("SIGTERM"); // everything written before the exit
    expect(await app.exited).toBe(0);
    expect(Buffer.byteLength(app.stdout()) - logBytesBefore).toBe(0);
  }, 60_000);
});
