import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { simulatedAppEnv } from "../../sim/app-env.js";
import { GitHubWorld, type SimPullRequest, type SimRepo } from "../../sim/github-world.js";
import { buildOrg } from "../../sim/org-scenario.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { startSimulator, type RunningSimulator } from "../../sim/server.js";
import { deliverWebhook, type DeliveryResult } from "../../sim/signed-delivery.js";
import { installationCreatedEvent, pullRequestEvent, type WebhookEvent } from "../../sim/webhook-payloads.js";
import { SUMMARY_TITLE } from "../../src/common/product.js";
import { jobIdOf, QUEUE_NAME, type QueuedDelivery } from "../../src/scale/webhook-queue.js";
import { freePort } from "../../sim/free-port.js";
import { describeWithRedis, startRedisServer, type RunningRedis } from "./redis-server.js";
import { eventually } from "../support/eventually.js";
import { builtFolder } from "../support/built.js";

// Two real app processes (`probot run` on the built app, as in production) share one redis-server and the GitHub
// simulator over HTTP. Webhooks go to both; one replica is killed with SIGKILL while jobs are queued.

const ROOT = resolve(process.cwd());
const PREFIX = "replicas-test";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The app as `probot run` starts it: dist/ when `npm run build` is fresh, else a build of this test's own. */
const builtApp = (): string =>
  `./${builtFolder({ sources: ["src"], tsconfig: "tsconfig.build.json", outDir: "dist/scale-test", entry: "src/index.js" })}/src/index.js`;

interface Replica {
  name: string;
  url: string;
  child: ChildProcess;
  output: () => string;
}

async function startReplica(name: string, appPath: string, env: Record<string, string>): Promise<Replica> {
  const port = await freePort();
  const child = spawn("node", ["node_modules/probot/bin/probot.js", "run", appPath], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", ...env, PORT: String(port), SDLC_GUARD_REPLICA_ID: name },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}): ${output.slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`${name} did not start: ${output.slice(-2000)}`);
    const ok = await fetch(`${url}/ping`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await sleep(100);
  }
  return { name, url: `${url}/api/github/webhooks`, child, output: () => output };
}

const stop = (child: ChildProcess, signal: NodeJS.Signals = "SIGKILL") =>
  new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once("exit", () => done());
    child.kill(signal);
  });

describeWithRedis("two app processes on one Redis", () => {
  let redis: RunningRedis;
  let simulator: RunningSimulator;
  let queue: Queue<QueuedDelivery>;
  let connection: Redis;
  const replicas: Replica[] = [];
  const world = new GitHubWorld();
  buildOrg(world, { repositories: 3 });
  const repos: SimRepo[] = [0, 1].map((i) => compliantRepo(world, "acme", `service-${i}`));
  const secret = randomBytes(16).toString("hex");
  const delivered: { id: string; result: DeliveryResult; ms: number }[] = [];

  const send = async (replica: Replica, event: WebhookEvent, id: string) => {
    const started = Date.now();
    // A keep-alive connection the server closed just as it was reused fails without an answer: GitHub would show a
    // failed delivery, redelivered with the same id; here it is sent again at once.
    const result = await deliverWebhook(replica.url, event, secret, id).catch(() => deliverWebhook(replica.url, event, secret, id));
    delivered.push({ id, result, ms: Date.now() - started });
    return result;
  };
  const ourRuns = (repo: SimRepo, pr: SimPullRequest) => repo.checkRuns.filter((r) => r.name === "sdlc-guard" && r.headSha === pr.headSha);
  const creates = (repo: SimRepo) =>
    world.requests.filter((r) => r.method === "POST" && r.path === `/repos/acme/${repo.name}/check-runs`).length;
  /** A delivery coalesced into its PR's waiting job (issue 21) has no job: it is handled once that job ran. */
  const handledWithoutJob = async (id: string) => (await connection.exists(`${PREFIX}:delivery-done:${id}`)) === 1;
  const finished = async (ids: string[]) => {
    const jobs = await Promise.all(ids.map((id) => queue.getJob(jobIdOf(id))));
    const handled = await Promise.all(ids.map((id, i) => (jobs[i] ? jobs[i]!.finishedOn !== undefined : handledWithoutJob(id))));
    return handled.every(Boolean);
  };
  /** Where every job is, for a failure message. */
  const jobStates = async () => {
    const jobs = await queue.getJobs(["waiting", "active", "delayed", "completed", "failed", "prioritized"]);
    const states = await Promise.all(
      jobs.map(
        async (j) =>
          `${j.id}: ${await j.getState()} on ${j.processedBy ?? "-"} attempts ${j.attemptsMade}${j.failedReason ? ` (${j.failedReason})` : ""}`,
      ),
    );
    const keys = await connection.keys(`${PREFIX}:state:*`);
    // Probot's shared throttling (Bottleneck on Redis): requests running per limiter, across replicas.
    const limiters = await connection.keys("b_octokit-*_settings");
    const running = await Promise.all(limiters.map(async (k) => `${k}=${await connection.hget(k, "running")}`));
    return `${states.sort().join("\n")}\nlocks: ${keys.join(", ")}\nthrottling: ${running.join(", ")}`;
  };
  const until = (condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 40_000) =>
    eventually(condition, {
      what,
      timeoutMs,
      everyMs: 50,
      explain: async () => `${await jobStates()}\n${replicas.map((r) => `--- ${r.name}\n${r.output().slice(-3000)}`).join("\n")}`,
    });

  beforeAll(async () => {
    const appPath = builtApp();
    redis = await startRedisServer();
    // GitHub's latency, so that jobs are still running when a replica dies.
    simulator = await startSimulator(world, 0, 30);
    connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    queue = new Queue<QueuedDelivery>(QUEUE_NAME, { connection, prefix: PREFIX });
    const env = simulatedAppEnv(
      simulator,
      { appId: world.appId, secret },
      {
        LOG_LEVEL: process.env.SCALE_TEST_LOG_LEVEL ?? "warn",
        LOG_FORMAT: "json",
        SDLC_GUARD_SUMMARY_SCHEDULE: "off",
        SDLC_GUARD_ASSOCIATION_RETRY_MS: "100",
        REDIS_URL: redis.url,
        SDLC_GUARD_REDIS_PREFIX: PREFIX,
        // A dead replica's jobs and locks are free again after 2 s (production: 30 s and 15 s).
        SDLC_GUARD_QUEUE_LOCK_MS: "2000",
        SDLC_GUARD_LOCK_TTL_MS: "2000",
        SDLC_GUARD_QUEUE_BACKOFF_MS: "200",
        // Few jobs per replica at a time, so that both take some.
        SDLC_GUARD_QUEUE_CONCURRENCY: "2",
      },
    );
    replicas.push(...(await Promise.all([startReplica("replica-a", appPath, env), startReplica("replica-b", appPath, env)])));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => stop(r.child)));
    // SCALE_TEST_LOGS=1 prints what the replicas logged (LOG_LEVEL=warn and above).
    if (process.env.SCALE_TEST_LOGS) for (const r of replicas) console.log(`--- ${r.name}\n${r.output()}`);
    await queue?.close();
    await connection?.quit();
    await simulator?.close();
    await redis?.stop();
  });

  it("concurrent and duplicated deliveries to both replicas: each handled once, one check run per head SHA, one summary issue", async () => {
    const [a, b] = replicas as [Replica, Replica];
    const pulls = repos.map((repo) => ({ repo, pr: compliantPullRequest(world, repo, 1) }));
    const ids: string[] = [];
    const sends: Promise<DeliveryResult>[] = [];
    pulls.forEach(({ repo, pr }, i) => {
      const id = `opened-${repo.name}-${pr.number}`;
      ids.push(id);
      const event = pullRequestEvent(world, repo, pr, "opened");
      // The same delivery reaches both replicas (GitHub's redelivery, a load balancer retrying).
      sends.push(send(a, event, id), send(b, event, id));
      // A second event for the first PR at the same moment: its two evaluations must not overlap.
      if (i === 0) {
        ids.push(`edited-${repo.name}-${pr.number}`);
        sends.push(send(b, pullRequestEvent(world, repo, pr, "edited"), `edited-${repo.name}-${pr.number}`));
      }
    });
    // The app installed on the organisation, delivered to both replicas.
    const installed = installationCreatedEvent(world, "acme");
    sends.push(send(a, installed, "installed-acme"), send(b, installed, "installed-acme"));
    ids.push("installed-acme");

    const results = await Promise.all(sends);
    expect(results.every((r) => r.status >= 200 && r.status < 300)).toBe(true);
    await until(() => finished(ids), "every delivery to be handled");

    for (const { repo, pr } of pulls) {
      expect(ourRuns(repo, pr)).toHaveLength(1);
      expect(ourRuns(repo, pr)[0]!.status).toBe("completed");
    }
    for (const repo of repos) expect(creates(repo)).toBe(1);
    expect(world.issues.list("acme", ".github").filter((i) => i.title === SUMMARY_TITLE)).toHaveLength(1);
    // Each delivery ran as a job, or (the edit, when it arrived while the PR's job still waited) joined that job.
    const jobs = await Promise.all(ids.map((id) => queue.getJob(jobIdOf(id))));
    const own = jobs.filter((j) => j !== undefined);
    expect(own.map((j) => j.returnvalue)).toEqual(own.map(() => "handled"));
    const joined = ids.filter((_, i) => jobs[i] === undefined);
    expect(joined.filter((id) => !id.startsWith("edited-"))).toEqual([]);
    for (const id of joined) expect(await handledWithoutJob(id)).toBe(true);
    expect(await queue.getJobCounts("failed")).toEqual({ failed: 0 });
    // Both replicas took jobs from the one queue.
    expect(new Set(own.map((j) => j.processedBy))).toEqual(new Set(["replica-a", "replica-b"]));
  }, 60_000);

  it("a replica killed while jobs are queued loses nothing: the other one finishes them", async () => {
    const [a, b] = replicas as [Replica, Replica];
    const pulls = repos.flatMap((repo) => [2, 3].map((n) => ({ repo, pr: compliantPullRequest(world, repo, n) })));
    const ids = pulls.map(({ repo, pr }) => `opened-${repo.name}-${pr.number}`);
    const before = Date.now();
    const results = await Promise.all(pulls.map(({ repo, pr }, i) => send(a, pullRequestEvent(world, repo, pr, "opened"), ids[i]!)));
    expect(results.every((r) => r.status >= 200 && r.status < 300)).toBe(true);
    // Answered at once: the webhooks were queued, not evaluated, before the answer.
    expect(Date.now() - before).toBeLessThan(5_000);

    // Kill replica A while it is running some of these jobs (the others still wait in the queue).
    let activeOnA: string[] = [];
    await until(
      async () => {
        activeOnA = (await queue.getActive()).filter((j) => j.processedBy === "replica-a").map((j) => j.id!);
        return activeOnA.length > 0;
      },
      "replica A to take a job",
      20_000,
    );
    await stop(a.child, "SIGKILL");
    const unfinished = (await Promise.all(ids.map((id) => queue.getJob(jobIdOf(id))))).filter((j) => j?.finishedOn === undefined).length;
    expect(unfinished).toBeGreaterThan(0);

    // Usually seconds. At worst a minute and more: a replica killed in the middle of a GitHub request keeps that
    // request's slot in Probot's shared throttling (Bottleneck on Redis) until it expires after 60 s, and until then the
    // other replica's requests for the same installation may wait for it (README: "Several replicas on Redis"); then
    // the jobs left are evaluated, their queries and writes paced a second apart.
    await until(() => finished(ids), "replica B to finish every job", 110_000);
    for (const { repo, pr } of pulls) expect(ourRuns(repo, pr)).toHaveLength(1);
    for (const repo of repos) expect(creates(repo)).toBe(3);
    const jobs = await Promise.all(ids.map((id) => queue.getJob(jobIdOf(id))));
    expect(jobs.every((j) => j?.returnvalue === "handled")).toBe(true);
    // The jobs A was running when it died were run again, by B.
    for (const id of activeOnA) expect(jobs.find((j) => j!.id === id)!.processedBy).toBe("replica-b");
    expect(b.child.exitCode).toBeNull();
  }, 150_000);
});
