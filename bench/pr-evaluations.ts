import { speedUpWorld } from "./sim-speedups.js";
import { randomBytes, randomUUID } from "node:crypto";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { simulatedAppEnv } from "../sim/app-env.js";
import { GitHubWorld, sha, type SimPullRequest, type SimRepo } from "../sim/github-world.js";
import { approval, compliantPullRequest, compliantRepo } from "../sim/scenarios.js";
import { startSimulator } from "../sim/server.js";
import { deliverWebhook } from "../sim/signed-delivery.js";
import { keepAliveFetch } from "../src/github/transport/keep-alive-fetch.js";
import { pullRequestEvent, type WebhookEvent } from "../sim/webhook-payloads.js";
import { freePort } from "../sim/free-port.js";
import { cpuSeconds, RssSampler, startAppProcess, statusMb, type AppProcess } from "./processes.js";
import { fixed, numberFlag, listFlag, parseArgs, percentile, table } from "./report.js";

// PR evaluations of the REAL app (`probot run ./dist/src/index.js` in a child process, so that its memory and CPU
// are its own) against the GitHub simulator served over HTTP on 127.0.0.1 with a latency per request. The workload:
// open, compliant PRs across a few repositories; `pull_request` webhooks, signed with the secret, alternate per PR
// between `synchronize` (a new head commit, re-approved: the app creates a check run) and `edited` (same head: the
// app updates its run). A fixed number of outstanding deliveries ("in flight", each on a different PR) is kept up;
// one is done when the simulator has applied its check-run write. Prints figures; asserts nothing.
//
// Three runs, one app process each, differing only in Probot's Octokit throttling (bench/throttling-preload.ts):
// "as shipped" (an installation's writes paced one per second, and its GraphQL queries one per second in a queue of
// their own: an evaluation has one of each, so at most 1 evaluation/s per installation back to back, and no wait for
// an evaluation whose queues are idle, the "pause" row; the busiest row puts each repository in its own installation,
// as many organisations would be, to show that rate multiply), "pacing off" (that spacing removed, the rest of the plugin as
// shipped) and "throttling off" (the plugin bypassed: the app's own cost). The simulator issues tokens for any
// installation id, and the payloads name one per repository.

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface PrBenchOptions {
  latencyMs: number;
  /** Deliveries per row (throttling off, pacing off), at least 10 per slot in flight and 5 s of an offered rate. */
  deliveries: number;
  inFlight: number[];
  /** Throttling off, one more row per rate: deliveries offered open-loop at this many per second. */
  offeredRates: number[];
  repos: number;
  prsPerRepo: number;
  /** Also run the busiest row with every PR in ONE repository (evaluations are serialized per repository). */
  oneRepoRow: boolean;
  /** Which throttling modes to run, in order. */
  modes: PhaseResult["mode"][];
  /** Deliveries per row of the as-shipped run (Probot's write pacing on); 0 skips it. */
  pacedDeliveries: number;
  pacedInFlight: number[];
  /** As shipped, one more row: this many repositories, each in its own installation, one delivery in flight on each. */
  pacedInstallations: number;
  /** As shipped, one more row: one webhook at a time with this pause before each (events spread out, as most are); 0 skips it. */
  pacedGapMs: number;
  /** As shipped, the burst row: this many events at once over `burstPrs` PRs of one repository in one installation (0 skips it). */
  burstEvents: number;
  burstPrs: number;
  log: (line: string) => void;
}

export interface PhaseResult {
  /** Probot's Octokit throttling: as shipped (per installation, 1 write/s and 1 GraphQL query/s), without that pacing, or bypassed. */
  mode: "as shipped" | "pacing off" | "throttling off";
  inFlight: number;
  /** Pause of each worker before each delivery (0: back to back). */
  gapMs: number;
  /** Open-loop row: deliveries offered at this rate (inFlight is then 0: unbounded). */
  ratePerSecond?: number;
  repositories: number;
  installations: number;
  deliveries: number;
  failed: number;
  seconds: number;
  perSecond: number;
  /** Over the deliveries after the start wave (closed-loop rows), or all of them (open-loop and 1-in-flight rows). */
  latency: { p50: number; p95: number; p99: number };
  added: { p50: number; p95: number; p99: number };
  /** The first `inFlight` deliveries of a closed-loop row, sent at once: a burst before the steady state. */
  startWave: { deliveries: number; p50: number; max: number };
  /** p99 over every delivery of the row, the start wave included. */
  wholeRowP99: number;
  /** Mean GitHub requests per delivery (all the simulator saw in the row / deliveries). */
  requestsPerEvaluation: number;
  /** Mean writes (REST requests other than GET, installation tokens aside) per delivery. */
  writesPerEvaluation: number;
  /** Median of the evaluations' own requests (their audit records' `github_requests`). */
  requestsMedian: number;
  /** The same over the edits only (same head, unchanged result): the steady state. */
  unchangedRequestsMedian: number;
  /** Requests each evaluation had on its critical path (min–max over the row). */
  criticalPath: { min: number; max: number };
  peakRssMb: number;
  appCpuSeconds: number;
  simCpuSeconds: number;
  /** How late the simulator's process ran its timers (event-loop delay), p99 in ms: its own share of "added". */
  simLoopDelayP99: number;
}

/** The burst row: events sent all at once, as GitHub sends a burst; what the app makes of them in the end. */
export interface BurstResult {
  events: number;
  prs: number;
  /** From the first event sent to the last write of a run that shows its PR's final state. */
  seconds: number;
  /** Check-run writes (creates and updates) the simulator applied during the burst. */
  writes: number;
  requests: number;
  /** PRs whose run on the final head shows the final state's conclusion (of `prs`). */
  correct: number;
  /** What the others showed, e.g. `#3: no run on the final head`. */
  wrong: string[];
  peakRssMb: number;
  appCpuSeconds: number;
}

export interface PrBenchResult {
  latencyMs: number;
  burst?: BurstResult;
  /**
   * GitHub requests of the first evaluation of each repository, its own (`requests`, `detail`: of a repository whose
   * organisation was already seen) apart from the organisation-wide reads shared by every repository of an
   * organisation (the org's policy file, its secret-scanning alert lists: `orgWide`, all of them over the warm-up),
   * and the very first evaluation's total (`orgFirst`: its own plus the org-wide ones). Also what the app asked GitHub
   * at start-up, and the installation tokens it fetched over the whole run.
   */
  firstEvaluation: {
    requests: number[];
    detail: string[];
    orgWide: string[];
    orgFirst: number;
    tokenRequests: number;
    startup: string[];
  };
  phases: PhaseResult[];
  /** VmHWM of each app process: its peak resident memory over its whole life. */
  lifetimePeakRssMb: number;
  /** The app's resident memory once started, before any webhook (first mode run). */
  startRssMb: number;
  appWarnings: string[];
  simulatorViolations: string[];
}

interface Pending {
  deliveryId: string;
  /** The event: a push (a new head, a new run) or an edit (the same head: the result is unchanged, nothing is written). */
  kind: "synchronize" | "edited";
  postedAt: number;
  /** When the simulator applied the check-run write of this head (if there was one). */
  writtenAt?: number;
  /**
   * When the app wrote its audit record `pull_request.evaluated` of this delivery (the record's own `time`, on this
   * process's `performance.now()` scale), not when this process got round to reading it from the log file.
   */
  auditedAt?: number;
  /** The audit record's `check_run_written` (false: the run already showed the result, nothing was written). */
  written?: boolean;
  /** The audit record's `github_requests`: this evaluation's requests, the write included. */
  requests?: number;
  /** The evaluated conclusion: every PR here is compliant, so anything but success is a failed delivery. */
  conclusion?: string;
  /** Resolved once the delivery's evaluation has ended: audited, and its write (if any) applied by the simulator. */
  ended: Promise<void>;
  resolveEnded: () => void;
}

/** When an evaluation ended: its write applied by the simulator, or, with nothing to write, its audit record. */
const endOf = (p: Pending): number => (p.written ? p.writtenAt! : p.auditedAt!);

/** Resolves the delivery once its audit record is in and the write it announces (if any) has been applied. */
function settle(pending: Pending): void {
  if (pending.auditedAt !== undefined && (!pending.written || pending.writtenAt !== undefined)) pending.resolveEnded();
}

interface Target {
  repo: SimRepo;
  pr: SimPullRequest;
  synchronize: WebhookEvent;
  edited: WebhookEvent;
  installation: number;
  deliveries: number;
  version: number;
}

/**
 * One row of the table: deliveries kept `inFlight` at a time, on the PRs of every repository, of the first one only,
 * or of one big repository (`monorepo`).
 */
interface Row {
  inFlight: number;
  deliveries: number;
  gapMs?: number;
  /** Open loop: a delivery every 1/rate s whatever the app's pace (`inFlight` is then unbounded); the latency at that load. */
  ratePerSecond?: number;
  pool?: "all" | "first" | "monorepo" | "burst";
}

/** The simulator's one installation; as shipped, each repository gets its own (tokens are issued for any id). */
const INSTALLATION = 77;
/** The burst row's installation: none of the other rows' (as shipped, they use 77 and up, one per repository). */
const BURST_INSTALLATION = 7_000;

/** One world, one simulator, one app process: the rows of one mode. */
async function runMode(
  options: PrBenchOptions,
  mode: PhaseResult["mode"],
  rows: Row[],
): Promise<{
  phases: PhaseResult[];
  burst?: BurstResult;
  first: PrBenchResult["firstEvaluation"];
  startRss: number;
  hwm: number;
  warnings: string[];
  violations: string[];
}> {
  const { latencyMs, log } = options;
  const world = new GitHubWorld();
  speedUpWorld(world);
  const repoCount = mode === "as shipped" ? Math.max(1, options.pacedInstallations) : options.repos;
  const targets: Target[][] = [];
  // Each delivery in flight is on a different PR: at least twice as many PRs as the most in flight.
  const prsPerRepo = Math.max(options.prsPerRepo, Math.ceil((2 * Math.max(...rows.map((r) => r.inFlight))) / repoCount));
  // As shipped, Probot paces per installation: one per repository shows how that rate scales (the first stays 77).
  for (let r = 0; r < repoCount; r++)
    targets.push(addRepository(world, `service-${r + 1}`, prsPerRepo, mode === "as shipped" ? INSTALLATION + r : INSTALLATION));
  const needsOneRepo = rows.some((r) => r.pool === "monorepo");
  const monorepo = needsOneRepo
    ? addRepository(world, "monorepo", Math.max(...rows.filter((r) => r.pool === "monorepo").map((r) => r.inFlight)) + 20, INSTALLATION)
    : [];
  // The burst row's repository, in an installation of its own (Probot paces per installation).
  const burstRow = rows.find((r) => r.pool === "burst");
  const burstPool = burstRow ? addRepository(world, "burst", burstRow.inFlight, BURST_INSTALLATION) : [];

  // What the simulator sees, recorded as it applies each request (after its latency): for each check-run write, the
  // delivery waiting for that head SHA, and the time of every check-run write (the burst row's final state).
  const pendingBySha = new Map<string, Pending>();
  const writesBySha = new Map<string, number>();
  const handle = world.handle.bind(world);
  world.handle = (method, url, body, headers) => {
    world.resetRateLimit(); // the rate limit is not what is measured here: the buckets stay full
    const path = url.split("?")[0]!;
    const answer = handle(method, url, body, headers);
    const headSha = answer.status < 300 ? checkRunWriteHead(world, method, path, body) : undefined;
    if (headSha) {
      writesBySha.set(headSha, performance.now());
      const pending = pendingBySha.get(headSha);
      if (pending && pending.writtenAt === undefined) {
        pending.writtenAt = performance.now();
        settle(pending);
      }
    }
    return answer;
  };
  // An evaluation ends with the app's audit record of its delivery (`pull_request.evaluated`): written or not.
  const pendingByDelivery = new Map<string, Pending>();
  const tracking: Tracking = { bySha: pendingBySha, byDelivery: pendingByDelivery };
  const onLine = (line: string) => {
    if (!line.includes('"pull_request.evaluated"')) return;
    const record = JSON.parse(line) as {
      action?: string;
      delivery_id?: string;
      check_run_written?: boolean;
      github_requests?: number;
      conclusion?: string;
      time?: number;
    };
    const pending = record.action === "pull_request.evaluated" ? pendingByDelivery.get(String(record.delivery_id)) : undefined;
    if (!pending || pending.auditedAt !== undefined) return;
    // pino's `time` is the wall clock in ms, as Date.now() here: the same clock on one machine.
    pending.auditedAt = typeof record.time === "number" ? record.time - performance.timeOrigin : performance.now();
    pending.written = record.check_run_written !== false;
    pending.requests = record.github_requests;
    pending.conclusion = record.conclusion;
    settle(pending);
  };

  const simulator = await startSimulator(world, 0, latencyMs);
  const secret = randomBytes(16).toString("hex");
  const port = await freePort();
  // The throttling modes preload bench/throttling-preload.ts into the app process; "as shipped" runs it untouched.
  const throttling = mode === "as shipped" ? undefined : mode === "pacing off" ? "unpaced" : "off";
  const nodeArgs = throttling ? ["--import", pathToFileURL(resolve(root, "dist/bench/throttling-preload.js")).href] : [];
  // e.g. BENCH_APP_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to see where the app's CPU goes.
  if (process.env.BENCH_APP_NODE_ARGS) nodeArgs.push(...process.env.BENCH_APP_NODE_ARGS.split(" ").filter(Boolean));
  const app = await startAppProcess(
    root,
    simulatedAppEnv(
      simulator,
      { appId: world.appId, secret },
      {
        PORT: String(port),
        LOG_LEVEL: "info", // the audit records (info) say when an evaluation ended, written or not
        SDLC_GUARD_SUMMARY_SCHEDULE: "off",
        ...(throttling ? { BENCH_THROTTLING: throttling } : {}),
      },
    ),
    nodeArgs,
    onLine,
  );
  const webhookUrl = `${app.url}/api/github/webhooks`;
  const startRss = statusMb(app.pid, "VmRSS");
  try {
    // What the app does on its own at start-up (e.g. looking for check runs left in progress) is not an evaluation's.
    // (As shipped, its GraphQL queries are paced a second apart: a quiet moment must be longer than that, and the sweep
    // of an installation's open PRs, 50 per query, takes a second per query.)
    await quiet(world, mode === "as shipped" ? 1_500 : 300, mode === "as shipped" ? 90_000 : 15_000);
    const startup = world.requests.map(describeRequest);
    // Warm-up: the first evaluation of each repository, one at a time (config, secret-scanning state: cached after).
    const firstRequests: number[] = [];
    let firstDetail: string[] | undefined;
    const orgWide: string[] = [];
    let orgFirst: number | undefined;
    const warmUp = async (list: Target[]) => {
      const before = world.requests.length;
      const result = await deliver(webhookUrl, secret, list[0]!, tracking);
      if (!result.ok) throw new Error(`warm-up delivery failed: ${result.why}\n${app.logLines.slice(-10).join("\n")}`);
      return world.requests.slice(before).filter((r) => !r.path.startsWith("/app/"));
    };
    const lists = [...targets, ...(needsOneRepo ? [monorepo] : []), ...(burstRow ? [burstPool] : [])];
    if (mode === "as shipped") {
      await Promise.all(lists.map(warmUp)); // one installation each: paced independently (requests not attributed)
    } else {
      for (const list of lists) {
        const seen = await warmUp(list);
        const own = seen.filter((r) => !isOrgWide(r));
        firstRequests.push(own.length);
        orgWide.push(...seen.filter(isOrgWide).map(describeRequest));
        // The detail shown: a repository's own requests once its organisation was seen (the second warm-up).
        if (orgFirst !== undefined) firstDetail ??= own.map(describeRequest);
        orgFirst ??= seen.length;
      }
    }

    const phases: PhaseResult[] = [];
    let burst: BurstResult | undefined;
    for (const row of rows) {
      if (row.pool === "burst") {
        log(`  ${mode}: a burst of ${row.deliveries} events over ${burstPool.length} PRs of one repository…`);
        burst = await runBurst(world, app, webhookUrl, secret, burstPool, row.deliveries, writesBySha);
        continue;
      }
      const pool = row.pool === "monorepo" ? monorepo : row.pool === "first" ? targets[0]! : interleave(targets);
      const repositories = new Set(pool.map((t) => t.repo.name)).size;
      log(
        `  ${mode}: ${row.ratePerSecond ? `${row.ratePerSecond}/s offered` : `${row.inFlight} in flight`}, ${row.deliveries} deliveries, ${repositories} ${repositories === 1 ? "repository" : "repositories"}…`,
      );
      phases.push(await runPhase(world, app, webhookUrl, secret, pool, tracking, row, mode, latencyMs));
    }
    const tokenRequests = world.requests.filter(
      (r) => r.path.startsWith("/app/installations/") && r.path.endsWith("/access_tokens"),
    ).length;
    return {
      phases,
      burst,
      first: { requests: firstRequests, detail: firstDetail ?? [], orgWide, orgFirst: orgFirst ?? Number.NaN, tokenRequests, startup },
      startRss,
      hwm: statusMb(app.pid, "VmHWM"),
      warnings: app.logLines,
      violations: [...world.violations],
    };
  } finally {
    await app.stop();
    await simulator.close();
  }
}

/** A request in a few words: `GraphQL`, or the method and the path within the repository. */
/** A read shared by every repository of an organisation: its own routes, and its `.github` repository (the org's policy). */
function isOrgWide(r: { path: string }): boolean {
  return r.path.startsWith("/orgs/") || /^\/repos\/[^/]+\/\.github\//.test(r.path);
}

function describeRequest(r: { method: string; path: string }): string {
  if (r.path === "/graphql") return "GraphQL";
  if (isOrgWide(r)) return `${r.method} ${decodeURIComponent(r.path.split("?")[0]!)}`;
  const within = decodeURIComponent(r.path.replace(/^\/repos\/[^/]+\/[^/]+/, ""));
  return `${r.method} ${within || "(the repository)"}`;
}

/** Waits until the simulator has seen no request for `quietMs` (at most `maxMs`). */
async function quiet(world: GitHubWorld, quietMs: number, maxMs: number): Promise<void> {
  const deadline = Date.now() + maxMs;
  let seen = -1;
  while (seen !== world.requests.length && Date.now() < deadline) {
    seen = world.requests.length;
    await new Promise((resolve) => setTimeout(resolve, quietMs));
  }
}

function addRepository(world: GitHubWorld, name: string, prs: number, installation: number): Target[] {
  const repo = compliantRepo(world, "acme", name);
  // Webhook payloads are built (and schema-checked) once per repository; each PR's copy gets its own fields.
  const first = compliantPullRequest(world, repo, 1);
  const templates = {
    synchronize: pullRequestEvent(world, repo, first, "synchronize"),
    edited: pullRequestEvent(world, repo, first, "edited"),
  };
  const targets: Target[] = [];
  for (let n = 1; n <= prs; n++) {
    const pr = n === 1 ? first : compliantPullRequest(world, repo, n);
    const forPr = (event: WebhookEvent): WebhookEvent => {
      const payload = structuredClone(event.payload);
      payload.number = pr.number;
      Object.assign(payload.pull_request, {
        number: pr.number,
        title: pr.title,
        head: { ...payload.pull_request.head, ref: pr.headRef, sha: pr.headSha },
      });
      payload.installation = { ...payload.installation, id: installation };
      return { name: event.name, payload };
    };
    targets.push({
      repo,
      pr,
      synchronize: forPr(templates.synchronize),
      edited: forPr(templates.edited),
      installation,
      deliveries: 0,
      version: 0,
    });
  }
  return targets;
}

/** PRs in round-robin order over the repositories, so consecutive deliveries go to different repositories. */
function interleave(lists: Target[][]): Target[] {
  const out: Target[] = [];
  for (let i = 0; i < Math.max(...lists.map((l) => l.length)); i++) for (const list of lists) if (list[i]) out.push(list[i]!);
  return out;
}

/** The next event of a PR: every other one is a push (a new head commit, approved again, as a compliant PR would be). */
function nextEvent(target: Target, forcePush = false): WebhookEvent {
  const { pr } = target;
  if (target.deliveries++ % 2 === 1 && !forcePush) return target.edited;
  const before = pr.headSha;
  const head = sha(`${target.repo.name}-pr-${pr.number}-v${++target.version}`);
  pr.headSha = head;
  pr.commits = [{ sha: head, message: `${pr.title} (v${target.version})` }];
  pr.reviews = [approval("rev-bob", head, 10), approval("rev-carol", head, 20)];
  const payload = target.synchronize.payload;
  payload.before = before;
  payload.after = head;
  payload.pull_request.head.sha = head;
  target.edited.payload.pull_request.head.sha = head;
  return target.synchronize;
}

/** The webhook sender's HTTP client: GitHub's sender is not on this machine, so it should take as little CPU as it can. */
const sender = keepAliveFetch();

/** The deliveries waiting for their end: by the head SHA their write would be on, and by delivery id (the audit record). */
interface Tracking {
  bySha: Map<string, Pending>;
  byDelivery: Map<string, Pending>;
}

async function deliver(
  url: string,
  secret: string,
  target: Target,
  tracking: Tracking,
): Promise<{ ok: true; pending: Pending } | { ok: false; why: string }> {
  const kind = target.deliveries % 2 === 1 ? "edited" : "synchronize";
  const event = nextEvent(target);
  let resolveEnded!: () => void;
  const ended = new Promise<void>((r) => (resolveEnded = r));
  const deliveryId = randomUUID();
  const pending: Pending = { deliveryId, kind, postedAt: performance.now(), ended, resolveEnded };
  tracking.bySha.set(target.pr.headSha, pending);
  tracking.byDelivery.set(deliveryId, pending);
  try {
    const response = await deliverWebhook(url, event, secret, deliveryId, sender);
    // Probot answers when the handler is done (200), or 202 if it takes longer than 9 s (the write comes later). The
    // audit record comes through the app's log, a moment after the answer at most.
    if (response.status !== 200 && response.status !== 202)
      return { ok: false, why: `HTTP ${response.status} ${response.body.slice(0, 200)}` };
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([ended, new Promise((r) => (timer = setTimeout(r, response.status === 202 ? 120_000 : 10_000)))]);
    clearTimeout(timer);
    if (pending.auditedAt === undefined) return { ok: false, why: "no audit record pull_request.evaluated for the delivery" };
    if (pending.written && pending.writtenAt === undefined) return { ok: false, why: "audited as written, but no check-run write" };
    return pending.conclusion === "success"
      ? { ok: true, pending }
      : { ok: false, why: `the evaluation concluded ${pending.conclusion ?? "nothing"}, not success` };
  } catch (error) {
    return { ok: false, why: (error as Error).message };
  } finally {
    tracking.bySha.delete(target.pr.headSha);
    tracking.byDelivery.delete(deliveryId);
  }
}

/**
 * A burst, as GitHub sends one: `events` webhooks at once over the PRs of `pool` (round-robin), each after its change in
 * the simulator: a push (a new head, approved), an edit of the title that changes nothing, then a push again, and so on;
 * the last event of every PR is a push whose head is approved on even PRs only, so half the final states fail. The final
 * state is reached when every PR's run on its last head shows that head's conclusion; the simulator's runs are checked
 * at the end (the app's answers are not trusted for it). Writes: every check-run create or update applied meanwhile.
 */
async function runBurst(
  world: GitHubWorld,
  app: AppProcess,
  url: string,
  secret: string,
  pool: Target[],
  events: number,
  writesBySha: Map<string, number>,
): Promise<BurstResult> {
  const requestsBefore = world.requests.length;
  const rss = new RssSampler(app.pid);
  const appCpu = cpuSeconds(app.pid);
  const perPr = Math.ceil(events / pool.length);
  const start = performance.now();
  const sent: Promise<unknown>[] = [];
  for (let i = 0, n = 0; n < events; i++) {
    for (const [index, target] of pool.entries()) {
      if (n++ >= events) break;
      const last = i === perPr - 1 || n > events - pool.length;
      const event = last || i % 2 === 0 ? push(target, !last || index % 2 === 0) : target.edited;
      sent.push(deliverWebhook(url, event, secret, undefined, sender).catch((error: unknown) => error));
    }
  }
  await Promise.all(sent);
  const expected = (t: Target) => (t.pr.reviews.length ? "success" : "not success");
  const shows = (t: Target) => {
    const run = t.repo.checkRuns.find((r) => r.headSha === t.pr.headSha && r.appId === world.appId);
    if (!run) return "no run on the final head";
    if (run.status !== "completed") return `a run ${run.status}`;
    return run.conclusion === "success" ? "success" : "not success";
  };
  // The final state: every run as expected, then nothing more for 3 s (a later write would show in the count).
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline && pool.some((t) => shows(t) !== expected(t))) await new Promise((r) => setTimeout(r, 100));
  await quiet(world, 3_000, 30_000);
  const wrong = pool.filter((t) => shows(t) !== expected(t)).map((t) => `#${t.pr.number}: ${shows(t)}, expected ${expected(t)}`);
  const lastWrite = Math.max(...pool.map((t) => writesBySha.get(t.pr.headSha) ?? Number.NaN));
  const requests = world.requests.slice(requestsBefore);
  return {
    events,
    prs: pool.length,
    seconds: (lastWrite - start) / 1000,
    writes: requests.filter((r) => /\/check-runs(\/\d+)?$/.test(r.path) && r.method !== "GET").length,
    requests: requests.length,
    correct: pool.length - wrong.length,
    wrong,
    peakRssMb: rss.stop(),
    appCpuSeconds: cpuSeconds(app.pid) - appCpu,
  };
}

/** A push to the PR: a new head commit, approved by two reviewers or not at all; its `synchronize` event. */
function push(target: Target, approved: boolean): WebhookEvent {
  const event = nextEvent(target, true);
  if (!approved) target.pr.reviews = [];
  return event;
}

async function runPhase(
  world: GitHubWorld,
  app: AppProcess,
  url: string,
  secret: string,
  pool: Target[],
  tracking: Tracking,
  row: Row,
  mode: PhaseResult["mode"],
  latencyMs: number,
): Promise<PhaseResult> {
  if (pool.length < row.inFlight) throw new Error(`${row.inFlight} in flight needs at least as many PRs (${pool.length})`);
  const busy = new Set<Target>();
  let next = 0;
  let issued = 0;
  const done: Pending[] = [];
  const failures: string[] = [];
  const requestsBefore = world.requests.length;
  const rss = new RssSampler(app.pid);
  const appCpu = cpuSeconds(app.pid);
  const simCpu = process.cpuUsage();
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const start = performance.now();
  // The first `inFlight` deliveries of a closed-loop row leave at once: a burst, not yet the steady state of that many in
  // flight. Their latencies are left out of the row's percentiles and shown apart (`startWave`).
  const startWave = new Set<Pending>();
  const one = async (seq: number) => {
    let target = pool[next++ % pool.length]!;
    while (busy.has(target)) target = pool[next++ % pool.length]!;
    busy.add(target);
    const result = await deliver(url, secret, target, tracking);
    busy.delete(target);
    if (!result.ok) return void failures.push(result.why);
    done.push(result.pending);
    if (!row.ratePerSecond && row.inFlight > 1 && seq < row.inFlight) startWave.add(result.pending);
  };
  const worker = async () => {
    while (issued < row.deliveries) {
      const seq = issued++;
      if (row.gapMs) await new Promise((resolve) => setTimeout(resolve, row.gapMs)); // before each: the previous row's too
      await one(seq);
    }
  };
  if (row.ratePerSecond) {
    const sent: Promise<void>[] = [];
    for (; issued < row.deliveries; issued++) {
      const wait = start + (issued * 1000) / row.ratePerSecond - performance.now();
      if (wait >= 1) await new Promise((resolve) => setTimeout(resolve, wait));
      while (busy.size >= pool.length) await Promise.race(sent); // every PR has a delivery out: the app is far behind
      sent.push(one(issued));
    }
    await Promise.all(sent);
  } else {
    await Promise.all(Array.from({ length: row.inFlight }, worker));
  }
  const seconds = (performance.now() - start) / 1000;
  loop.disable();
  const simCpuUsed = process.cpuUsage(simCpu);
  const peakRssMb = rss.stop();
  const steady = done.filter((p) => !startWave.has(p));
  const latencies = steady.map((p) => endOf(p) - p.postedAt);
  const waveLatencies = [...startWave].map((p) => endOf(p) - p.postedAt);
  // The part the app adds beyond GitHub's latency. Each of an evaluation's requests waits `latencyMs` in the
  // simulator before it is answered, and they run one after another (config, the GraphQL query, the secret-scanning
  // reads, then the check-run write: nothing of one evaluation is concurrent in this workload). The write is recorded
  // when the simulator applies it, i.e. after its own latency. So an app that cost nothing would show
  //   webhook POST → check-run write = k × latencyMs,  k = this evaluation's requests up to and including its write,
  // and everything above that is the app's (Probot's signature check and routing, JSON, our code, waiting for the
  // per-repository lock or for Octokit's throttling queues, loopback HTTP) plus the simulator's own CPU and timer
  // delay, which the "sim loop p99" column shows; the figure is therefore an upper bound of the app's share.
  const added = steady.map((p) => endOf(p) - p.postedAt - p.requests! * latencyMs);
  const criticalPath = done.map((p) => p.requests!);
  // Steady state: the edits (same head, a result the run already shows): what an unchanged evaluation costs.
  const unchanged = done.filter((p) => p.kind === "edited").map((p) => p.requests!);
  const rowRequests = world.requests.slice(requestsBefore);
  const writes = rowRequests.filter((r) => r.method !== "GET" && r.path !== "/graphql" && !r.path.startsWith("/app/")).length;
  if (failures.length) app.logLines.push(...failures.slice(0, 5).map((f) => `bench: delivery failed: ${f}`));
  return {
    mode,
    inFlight: row.inFlight,
    gapMs: row.gapMs ?? 0,
    ratePerSecond: row.ratePerSecond,
    repositories: new Set(pool.map((t) => t.repo.name)).size,
    installations: new Set(pool.map((t) => t.installation)).size,
    deliveries: row.deliveries,
    failed: failures.length,
    seconds,
    perSecond: done.length / seconds,
    latency: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99) },
    startWave: {
      deliveries: waveLatencies.length,
      p50: percentile(waveLatencies, 50),
      max: waveLatencies.length ? Math.max(...waveLatencies) : Number.NaN,
    },
    wholeRowP99: percentile([...latencies, ...waveLatencies], 99),
    added: { p50: percentile(added, 50), p95: percentile(added, 95), p99: percentile(added, 99) },
    requestsPerEvaluation: rowRequests.length / row.deliveries,
    writesPerEvaluation: writes / row.deliveries,
    requestsMedian: percentile(criticalPath, 50),
    unchangedRequestsMedian: percentile(unchanged, 50),
    criticalPath: { min: Math.min(...criticalPath), max: Math.max(...criticalPath) },
    peakRssMb,
    appCpuSeconds: cpuSeconds(app.pid) - appCpu,
    simCpuSeconds: (simCpuUsed.user + simCpuUsed.system) / 1e6,
    simLoopDelayP99: loop.percentile(99) / 1e6,
  };
}

/** The head SHA of a check-run create (`POST …/check-runs`) or update (`PATCH …/check-runs/{id}`), else undefined. */
function checkRunWriteHead(world: GitHubWorld, method: string, path: string, body: unknown): string | undefined {
  const parts = path.split("/"); // ["", "repos", owner, name, "check-runs", id?]
  if (parts[4] !== "check-runs") return undefined;
  if (method === "POST" && parts.length === 5) return (body as { head_sha?: string }).head_sha;
  if (method === "PATCH" && parts.length === 6)
    return world.repo(parts[2]!, parts[3]!)?.checkRuns.find((r) => r.id === Number(parts[5]))?.headSha;
  return undefined;
}

const MODE_NAMES: Record<string, PhaseResult["mode"]> = { off: "throttling off", unpaced: "pacing off", shipped: "as shipped" };

export async function runPrBench(options: PrBenchOptions): Promise<PrBenchResult> {
  const result: PrBenchResult = {
    latencyMs: options.latencyMs,
    firstEvaluation: { requests: [], detail: [], orgWide: [], orgFirst: Number.NaN, tokenRequests: 0, startup: [] },
    phases: [],
    lifetimePeakRssMb: 0,
    startRssMb: 0,
    appWarnings: [],
    simulatorViolations: [],
  };
  for (const mode of options.modes) {
    let rows: Row[];
    if (mode === "as shipped") {
      // Back to back, an evaluation waits for its query's slot (1 s after the previous query). Kept short.
      rows = options.pacedInFlight.map((inFlight) => ({
        inFlight,
        deliveries: Math.max(options.pacedDeliveries, inFlight),
        pool: "first" as const,
      }));
      // Webhooks spread out in time: an evaluation's query and write find their queues idle.
      if (options.pacedGapMs > 0) rows.push({ inFlight: 1, deliveries: options.pacedDeliveries, pool: "first", gapMs: options.pacedGapMs });
      // Every repository in its own installation (as several organisations would be): the paced rate multiplies.
      if (options.pacedInstallations > 1)
        rows.push({ inFlight: options.pacedInstallations, deliveries: 2 * options.pacedInstallations, pool: "all" });
      // A burst of events over a few PRs of one installation: latest wins, the final state written.
      if (options.burstEvents > 0 && options.burstPrs > 0)
        rows.push({ inFlight: options.burstPrs, deliveries: options.burstEvents, pool: "burst" });
    } else {
      // A sustained rate: at least ten deliveries per slot in flight, so that filling and draining the slots (and the
      // app's first, unoptimised calls) are a small part of the row.
      rows = options.inFlight.map((inFlight) => ({ inFlight, deliveries: Math.max(options.deliveries, 10 * inFlight) }));
      // The rate the goals ask for, offered open-loop (deliveries at a steady pace, not when the previous ones end): the
      // latency the app adds at that load, where closed-loop rows only show latency as in-flight ÷ throughput.
      if (mode === "throttling off")
        rows.push(
          ...options.offeredRates.map((rate) => ({ inFlight: 0, ratePerSecond: rate, deliveries: Math.max(options.deliveries, 5 * rate) })),
        );
      if (mode === "throttling off" && options.oneRepoRow && options.inFlight.length)
        rows.push({ inFlight: Math.max(...options.inFlight), deliveries: Math.min(options.deliveries, 200), pool: "monorepo" });
    }
    if (!rows.length || (mode === "as shipped" && options.pacedDeliveries === 0)) continue;
    const run = await runMode(options, mode, rows);
    if (!result.firstEvaluation.requests.length) {
      result.firstEvaluation = run.first;
      result.startRssMb = run.startRss;
    }
    result.phases.push(...run.phases);
    result.burst ??= run.burst;
    result.appWarnings.push(...run.warnings);
    result.simulatorViolations.push(...run.violations);
    result.lifetimePeakRssMb = Math.max(result.lifetimePeakRssMb, run.hwm);
  }
  return result;
}

export function printPrBench(result: PrBenchResult, print: (line: string) => void = console.log): void {
  print(
    `PR evaluations: the app (probot run, child process) ↔ GitHub simulator over HTTP on 127.0.0.1, ${result.latencyMs} ms per request`,
  );
  print(
    table(
      [
        "Octokit throttling",
        "in flight",
        "repos / installations",
        "deliveries",
        "evaluations/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "added p50 ms",
        "added p99 ms",
        "start wave p50 / max ms",
        "requests/eval",
        "writes/eval",
        "requests median (unchanged)",
        "on critical path",
        "peak RSS MB",
        "app CPU ms/eval",
        "sim CPU ms/eval",
        "sim loop p99 ms",
        "failed",
      ],
      result.phases.map((p) => [
        p.mode,
        p.ratePerSecond
          ? `${p.ratePerSecond}/s offered`
          : p.gapMs
            ? `${p.inFlight}, ${fixed(p.gapMs / 1000, 1)} s apart`
            : String(p.inFlight),
        `${p.repositories} / ${p.installations}`,
        String(p.deliveries),
        fixed(p.perSecond, p.perSecond < 10 ? 2 : 0),
        fixed(p.latency.p50),
        fixed(p.latency.p95),
        fixed(p.latency.p99),
        fixed(p.added.p50),
        fixed(p.added.p99),
        p.startWave.deliveries ? `${fixed(p.startWave.p50)} / ${fixed(p.startWave.max)}` : "–",
        fixed(p.requestsPerEvaluation, 2),
        fixed(p.writesPerEvaluation, 2),
        `${fixed(p.requestsMedian, 1)} (${fixed(p.unchangedRequestsMedian, 1)})`,
        p.criticalPath.min === p.criticalPath.max ? String(p.criticalPath.min) : `${p.criticalPath.min}–${p.criticalPath.max}`,
        fixed(p.peakRssMb),
        fixed((p.appCpuSeconds * 1000) / p.deliveries, 1),
        fixed((p.simCpuSeconds * 1000) / p.deliveries, 1),
        fixed(p.simLoopDelayP99),
        String(p.failed),
      ]),
    ),
  );
  print(
    "added: webhook POST → end (its check-run write applied by the simulator, or the time of its audit record when nothing was written), minus the evaluation's requests × the latency " +
      "(the app's share, upper bound). Percentiles leave out the start wave: the first deliveries of a row with N in flight, sent at once (a burst), shown apart. " +
      "sim CPU / sim loop: the benchmark's own process (simulator and webhook sender), " +
      'its CPU per evaluation and its event-loop delay p99 (counted in "added").',
  );
  const b = result.burst;
  if (b) {
    print("");
    print(`As shipped, a burst: ${b.events} events sent at once over ${b.prs} PRs of one repository in one installation`);
    print(
      table(
        [
          "events / PRs",
          "final state reached s",
          "check-run writes",
          "GitHub requests",
          "final runs right",
          "peak RSS MB",
          "app CPU ms/event",
        ],
        [
          [
            `${b.events} / ${b.prs}`,
            fixed(b.seconds, 1),
            String(b.writes),
            String(b.requests),
            `${b.correct} of ${b.prs}`,
            fixed(b.peakRssMb),
            fixed((b.appCpuSeconds * 1000) / b.events, 1),
          ],
        ],
      ),
    );
    if (b.wrong.length) print(`wrong final runs: ${b.wrong.slice(0, 5).join("; ")}`);
    print("");
  }
  const first = result.firstEvaluation;
  const parts: string[] = [];
  if (first.requests.length)
    parts.push(
      `GitHub requests of the first evaluation of a repository: ${[...new Set(first.requests)].join(" or ")} of its own (${first.detail.join(", ")}); steady state: "requests/eval"`,
    );
  if (first.orgWide.length) {
    const counts = new Map<string, number>();
    for (const request of first.orgWide) counts.set(request, (counts.get(request) ?? 0) + 1);
    parts.push(
      `Organisation-wide reads (the org's policy file and alert lists): ${first.orgWide.length} over the ${first.requests.length} first evaluations (${[
        ...counts,
      ]
        .map(([request, n]) => `${request} ×${n}`)
        .join(", ")}), so ${fixed(first.orgFirst)} requests for the very first evaluation of an organisation`,
    );
  }
  if (first.startup.length) parts.push(`At start-up: ${first.startup.length} (${first.startup.join(", ")})`);
  parts.push(`Installation tokens: one per installation and hour (${first.tokenRequests} in the first run)`);
  parts.push(`App RSS once started: ${fixed(result.startRssMb)} MB, peak over its life (VmHWM): ${fixed(result.lifetimePeakRssMb)} MB`);
  print(`${parts.join(". ")}.`);
  if (result.simulatorViolations.length)
    print(`simulator: ${result.simulatorViolations.length} requests GitHub would reject, e.g. ${result.simulatorViolations[0]}`);
  if (result.appWarnings.length)
    print(
      `app log at warn or above: ${result.appWarnings.length} lines, e.g.\n  ${result.appWarnings
        .slice(0, 3)
        .map((l) => l.slice(0, 300))
        .join("\n  ")}`,
    );
}

export const PR_FLAGS = [
  "modes",
  "latency-ms",
  "deliveries",
  "in-flight",
  "offered-rates",
  "repos",
  "prs-per-repo",
  "paced-deliveries",
  "paced-in-flight",
  "paced-installations",
  "paced-gap-ms",
  "one-repo-row",
  "burst-events",
  "burst-prs",
];

export function prOptionsFrom(flags: Map<string, string>, log: (line: string) => void): PrBenchOptions {
  return {
    latencyMs: numberFlag(flags, "latency-ms", 20),
    deliveries: numberFlag(flags, "deliveries", 300),
    inFlight: listFlag(flags, "in-flight", [1, 10, 100]),
    offeredRates: listFlag(flags, "offered-rates", [200]),
    repos: numberFlag(flags, "repos", 50),
    prsPerRepo: numberFlag(flags, "prs-per-repo", 25),
    oneRepoRow: (flags.get("one-repo-row") ?? "on") !== "off",
    modes: (flags.get("modes") ?? "off,unpaced,shipped").split(",").map((m) => {
      const mode = MODE_NAMES[m.trim()];
      if (!mode) throw new Error(`--modes takes off, unpaced and shipped, not "${m}"`);
      return mode;
    }),
    pacedDeliveries: numberFlag(flags, "paced-deliveries", 5),
    pacedInFlight: listFlag(flags, "paced-in-flight", [1]),
    pacedInstallations: numberFlag(flags, "paced-installations", 50),
    pacedGapMs: numberFlag(flags, "paced-gap-ms", 1500),
    burstEvents: numberFlag(flags, "burst-events", 200),
    burstPrs: numberFlag(flags, "burst-prs", 20),
    log,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { flags } = parseArgs(
    process.argv.slice(2).filter((a) => a !== "--sim-uncached"),
    PR_FLAGS,
  );
  const result = await runPrBench(prOptionsFrom(flags, (line) => console.error(line)));
  printPrBench(result);
}
