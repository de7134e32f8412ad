import { Redis } from "ioredis";
import { pino, type Logger } from "pino";
import type { Probot } from "probot";
import { GitHubWorld, type SimRepo } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { pullRequestEvent, type WebhookEvent } from "../../sim/webhook-payloads.js";
import { createSdlcGuardApp } from "../../src/app.js";
import { InMemorySharedState, type SharedState } from "../../src/evaluation/shared-state.js";
import { webhookToResultSeconds } from "../../src/operations/metrics.js";
import { RedisSharedState } from "../../src/scale/redis-shared-state.js";
import { jobIdOf, orderingKeyOf, repositoryOf, WebhookQueue, type WebhookQueueOptions } from "../../src/scale/webhook-queue.js";
import { routeToWorld } from "../support/route-to-world.js";
import { captureLog, testProbot } from "../support/test-app.js";
import { describeWithRedis, startRedisServer, type RunningRedis } from "./redis-server.js";
import { eventually } from "../support/eventually.js";

const silent = pino({ level: "silent" }) as Logger;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const until = (condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000) => eventually(condition, { what, timeoutMs });

describe("the webhook queue's helpers", () => {
  it("job ids are the delivery ids, made safe for BullMQ (no integer, no ':')", () => {
    expect(jobIdOf("72d3162e-cc78-11e3-81ab-4c9367dc0958")).toBe("delivery-72d3162e-cc78-11e3-81ab-4c9367dc0958");
    expect(jobIdOf("12345")).toBe("delivery-12345");
    expect(jobIdOf("a:b%3A")).toBe("delivery-a%3Ab%253A");
    expect(jobIdOf("a:b")).not.toBe(jobIdOf("a%3Ab"));
  });

  it("the repository of an event is its full name in lower case, when it has one", () => {
    expect(repositoryOf({ repository: { full_name: "Acme/Payments" } })).toBe("acme/payments");
    expect(repositoryOf({ installation: { id: 1 } })).toBeUndefined();
    expect(repositoryOf(null)).toBeUndefined();
  });

  it.each([
    ["a pull_request event: its PR", { repository: { full_name: "Acme/Payments" }, pull_request: { number: 7 } }, "acme/payments#7"],
    ["a review: its PR", { repository: { full_name: "acme/payments" }, pull_request: { number: 8 }, review: {} }, "acme/payments#8"],
    [
      "a comment on a PR: its PR",
      { repository: { full_name: "acme/payments" }, issue: { number: 9, pull_request: {} } },
      "acme/payments#9",
    ],
    ["a comment on an issue: the repository", { repository: { full_name: "acme/payments" }, issue: { number: 9 } }, "acme/payments"],
    ["a push: the repository", { repository: { full_name: "acme/payments" }, ref: "refs/heads/main" }, "acme/payments"],
    ["no repository: none", { installation: { id: 1 } }, undefined],
  ])("queued jobs are ordered per pull request, not per repository: %s", (_what, payload, key) => {
    expect(orderingKeyOf(payload)).toBe(key);
  });
});

describeWithRedis("the webhook queue (BullMQ on a real redis-server, two replicas in this process)", () => {
  let redis: RunningRedis;
  let prefixCount = 0;
  const toClose: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterEach(async () => {
    for (const close of toClose.splice(0).reverse()) await close().catch(() => undefined);
  });
  afterAll(async () => {
    await redis?.stop();
  });

  interface Replica {
    server: Probot;
    handlers: Probot;
    queue: WebhookQueue;
    state: RedisSharedState;
    /** Cuts this replica off Redis, as if its process died. */
    die(): Promise<void>;
  }

  /** A replica: its own connections, queue and Probot instances; the app loaded as `probot run` loads it. */
  async function replica(
    world: GitHubWorld,
    prefix: string,
    name: string,
    extra: (handlers: Probot, state: SharedState) => void = () => undefined,
    options: Partial<WebhookQueueOptions> = {},
    log = silent,
  ): Promise<Replica> {
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const stateConnection = new Redis(redis.url);
    const state = new RedisSharedState(stateConnection, {
      prefix: `${prefix}:state:`,
      replicaId: name,
      log: silent,
      ownsConnection: true,
      lockTtlMs: 1_000,
    });
    let handlers!: Probot;
    const queue = new WebhookQueue({
      connection,
      sharedState: state,
      replicaId: name,
      prefix,
      backoffMs: 50,
      // Long enough that a busy test process (the world validates every answer) never looks like a dead replica.
      jobLockMs: 10_000,
      ...options,
      createWorkerProbot: (app) => (handlers = options.createWorkerProbot?.(app) ?? testProbot(world, { log })),
    });
    const handlerState = queue.handlerState(state);
    const server = testProbot(world, { log });
    await server.load((app: Probot) => {
      createSdlcGuardApp({
        appId: world.appId,
        jira: undefined,
        maxReevaluations: 100,
        sharedState: handlerState,
        queue: { attach: (server, tracker) => queue.attach(server, tracker), shareCaches: () => undefined },
      })(app);
      extra(handlers, handlerState);
    });
    toClose.push(
      () => connection.quit(),
      () => state.close(),
      () => queue.close(2_000),
    );
    const die = async () => {
      await (queue as unknown as { worker: { close(force: boolean): Promise<void> } }).worker.close(true);
      stateConnection.disconnect();
    };
    return { server, handlers, queue, state, die };
  }

  /** A worker Probot that takes a job and never returns from it. */
  const hanging = (world: GitHubWorld, onStart: () => void) => {
    const probot = testProbot(world);
    probot.receive = () => (onStart(), new Promise<void>(() => undefined));
    return probot;
  };
  const send = (r: Replica, event: WebhookEvent, id: string) =>
    r.server.receive({ id, name: event.name, payload: event.payload } as Parameters<Probot["receive"]>[0]);
  const drained = async (r: Replica) => {
    const d = await r.queue.depth();
    return d.waiting + d.active + d.delayed === 0;
  };
  const runsBySha = (repo: SimRepo) => {
    const counts = new Map<string, number>();
    for (const run of repo.checkRuns.filter((c) => c.name === "sdlc-guard")) counts.set(run.headSha, (counts.get(run.headSha) ?? 0) + 1);
    return counts;
  };

  it("times a queued delivery from when the answering replica received it: /metrics' webhook-to-result histogram counts it", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 1);
    routeToWorld(world, ["GET", "POST"]);
    const a = await replica(world, `q${++prefixCount}`, "replica-a");
    const observed = async () => {
      const values = (await webhookToResultSeconds.get()).values.filter((v) => v.labels.kind === "pull_request");
      const value = (suffix: string) => values.find((v) => v.metricName === `sdlc_guard_webhook_to_result_seconds_${suffix}`)?.value ?? 0;
      return { count: value("count"), sum: value("sum") };
    };
    const before = await observed();

    await send(a, pullRequestEvent(world, repo, pr, "opened"), "timed-1");
    await until(() => repo.checkRuns.length === 1, "the check run");
    await until(async () => (await observed()).count === before.count + 1, "the observation");

    const after = await observed();
    expect(after.count).toBe(before.count + 1);
    expect(after.sum).toBeGreaterThan(before.sum);
  });

  it("answers as soon as the webhook is queued; a delivery sent to both replicas is handled once; one check run per head", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pulls = [1, 2, 3, 4].map((n) => compliantPullRequest(world, repo, n));
    routeToWorld(world, ["GET", "POST"]); // no PATCH: a result the run already shows is not written again
    const prefix = `q${++prefixCount}`;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const seen: string[] = [];
    const hold = (handlers: Probot) =>
      handlers.on("pull_request", async (context) => {
        seen.push(context.id);
        await gate;
      });
    const a = await replica(world, prefix, "replica-a", hold);
    const b = await replica(world, prefix, "replica-b", hold);

    // Each PR's delivery reaches both replicas (a redelivery, a load balancer retry): the same id twice.
    const events = pulls.map((pr, i) => ({ id: `opened-${i + 1}`, event: pullRequestEvent(world, repo, pr, "opened") }));
    await Promise.all(events.flatMap(({ id, event }) => [send(a, event, id), send(b, event, id)]));
    // A second, different delivery for PR 1 at the same time: the two jobs of one PR never overlap. (Not one that only
    // evaluates the PR: that one could join PR 1's job while it waits, test/scale/coalescing.test.ts.)
    await send(b, pullRequestEvent(world, repo, pulls[0]!, "closed"), "closed-1");
    // Every webhook was answered while the handlers were still held at the gate: no job has finished.
    expect(await a.queue.queue.getJobCounts("completed")).toEqual({ completed: 0 });
    expect((await a.queue.queue.getJobs(["waiting", "active"])).map((j) => j.id).sort()).toEqual(
      ["delivery-closed-1", ...events.map((e) => jobIdOf(e.id))].sort(),
    );
    open();

    await until(async () => (await drained(a)) && seen.length >= 5, "the queue to drain");
    expect(seen.sort()).toEqual(["closed-1", "opened-1", "opened-2", "opened-3", "opened-4"]);
    expect([...runsBySha(repo).entries()].sort()).toEqual(pulls.map((pr) => [pr.headSha, 1]).sort());
    expect(repo.checkRuns.every((r) => r.status === "completed" && r.conclusion === "success")).toBe(true);
    const completed = await a.queue.queue.getJobs(["completed"]);
    expect(completed).toHaveLength(5);
    expect(new Set(completed.map((j) => j.processedBy)).size).toBeGreaterThanOrEqual(1);

    // The same delivery again, after its job was removed from Redis: remembered as handled, not evaluated again.
    const before = world.requests.length;
    await (await a.queue.queue.getJob(jobIdOf(events[0]!.id)))!.remove();
    await send(b, events[0]!.event, events[0]!.id);
    await until(() => drained(b), "the redelivery");
    expect(await (await b.queue.queue.getJob(jobIdOf(events[0]!.id)))?.returnvalue).toBe("duplicate");
    expect(world.requests.length).toBe(before);
  });

  it("a webhook that cannot be queued in time (Redis down) is refused with 503; if the process lives, it is queued once Redis is back", async () => {
    const own = await startRedisServer();
    const connection = new Redis(own.url, { maxRetriesPerRequest: null, retryStrategy: () => 50 });
    connection.on("error", () => undefined);
    const queue = new WebhookQueue({
      connection,
      sharedState: new InMemorySharedState(),
      replicaId: "r",
      prefix: `q${++prefixCount}`,
      enqueueTimeoutMs: 300,
    });
    toClose.push(
      () => own.stop(),
      () => (connection.disconnect(), Promise.resolve()),
      () => queue.close(500),
    );
    await queue.queue.waitUntilReady();
    await own.stop();
    await until(() => connection.status !== "ready", "the connection to see Redis gone");

    const delivery = { id: "while-down", name: "pull_request", payload: { action: "opened" }, receivedAt: Date.now() };
    // Probot's middleware answers with the status of the handler's error: 503, and GitHub records a failed delivery.
    await expect(queue.enqueue(delivery)).rejects.toMatchObject({
      name: "WebhookNotQueuedError",
      status: 503,
      message: expect.stringContaining("Redis did not answer within 300 ms"),
    });

    const again = await startRedisServer(own.port);
    toClose.unshift(() => again.stop()); // after the queue is closed (closing waits for Redis)
    await until(async () => (await queue.queue.getJob(jobIdOf("while-down")))?.data.id === "while-down", "the late queueing");
  });

  it("events no handler listens to are answered and never queued", async () => {
    const world = new GitHubWorld();
    const a = await replica(world, `q${++prefixCount}`, "replica-a");
    await a.server.receive({
      id: "star-1",
      name: "star",
      payload: { action: "created", repository: { full_name: "acme/payments" } },
    } as unknown as Parameters<Probot["receive"]>[0]);
    await a.server.receive({ id: "ping-1", name: "ping", payload: { zen: "Keep it logically awesome." } } as unknown as Parameters<
      Probot["receive"]
    >[0]);
    expect(await a.queue.queue.getJobCounts()).toMatchObject({ waiting: 0, active: 0, completed: 0 });
  });

  it("a failed job is retried with backoff; the handlers' claim of the delivery being retried still succeeds", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 7);
    routeToWorld(world, ["GET", "POST"]); // no PATCH: a result the run already shows is not written again
    const capture = captureLog("warn");
    const claims: boolean[] = [];
    let attempts = 0;
    const a = await replica(
      world,
      `q${++prefixCount}`,
      "replica-a",
      (handlers, state) =>
        handlers.on("pull_request.opened", async (context) => {
          claims.push(await state.claimDelivery(context.id, 60_000));
          if (++attempts === 1) {
            await state.forgetDelivery!(context.id); // a no-op for the job's own delivery
            throw new Error("GitHub had a bad moment");
          }
        }),
      {},
      capture.log,
    );
    await send(a, pullRequestEvent(world, repo, pr, "opened"), "flaky-1");
    await until(async () => (await a.queue.queue.getJobCounts("completed")).completed === 1, "the retried job to complete");

    expect(attempts).toBe(2);
    expect(claims).toEqual([true, true]);
    expect(runsBySha(repo).get(pr.headSha)).toBe(1);
    expect(capture.text()).toContain("queued webhook failed: it is retried");
    // Claims of other deliveries are the shared state's: the first wins.
    const state = a.queue.handlerState(new InMemorySharedState());
    expect(await state.claimDelivery("another", 1000)).toBe(true);
    expect(await state.claimDelivery("another", 1000)).toBe(false);
    await state.forgetDelivery!("another");
    expect(await state.claimDelivery("another", 1000)).toBe(true);
    expect(await state.holdsLease("x", 1000)).toBe(true);
    expect(await state.withLock("k", async () => 3)).toBe(3);
    await state.close();
  });

  it("a job that fails on every attempt is logged and kept as failed", async () => {
    const world = new GitHubWorld();
    const capture = captureLog("error");
    const a = await replica(
      world,
      `q${++prefixCount}`,
      "replica-a",
      (handlers) => handlers.on("star", async () => Promise.reject(new Error("always"))),
      { attempts: 2 },
      capture.log,
    );
    await send(
      a,
      { name: "star", payload: { action: "created", repository: { full_name: "acme/payments" } } } as unknown as WebhookEvent,
      "star-1",
    );
    await until(async () => (await a.queue.depth()).failed === 1, "the job to fail for good");
    expect(capture.text()).toContain("queued webhook failed for good");
  });

  it("a delivery whose job failed for good runs again when GitHub redelivers it; a handled one does not", async () => {
    const world = new GitHubWorld();
    let calls = 0;
    const a = await replica(
      world,
      `q${++prefixCount}`,
      "replica-a",
      (handlers) =>
        handlers.on("star", async () => {
          if (++calls === 1) throw new Error("once");
        }),
      { attempts: 1 },
    );
    const star = { name: "star", payload: { action: "created", repository: { full_name: "acme/payments" } } } as unknown as WebhookEvent;
    await send(a, star, "star-2");
    await until(async () => (await a.queue.depth()).failed === 1, "the job to fail");
    await send(a, star, "star-2"); // "Redeliver"
    await until(async () => (await a.queue.queue.getJobCounts("completed")).completed === 1, "the redelivered job to complete");
    expect(calls).toBe(2);
    await send(a, star, "star-2"); // handled now: ignored
    await sleep(200);
    expect(calls).toBe(2);
  });

  it("a job whose replica died is taken up by another replica once its lock expires", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 9);
    routeToWorld(world, ["GET", "POST"]);
    const prefix = `q${++prefixCount}`;
    let startedOnA = false;
    // Replica A takes the job and never finishes it (the process hangs, then dies).
    const a = await replica(world, prefix, "replica-a", undefined, {
      createWorkerProbot: () => hanging(world, () => (startedOnA = true)),
      jobLockMs: 1_000,
    });
    await send(a, pullRequestEvent(world, repo, pr, "opened"), "orphan-1");
    await until(() => startedOnA, "replica A to start the job");
    await a.die();
    expect(runsBySha(repo).size).toBe(0);

    const b = await replica(world, prefix, "replica-b", undefined, { jobLockMs: 1_000 });
    await until(
      async () => (await b.queue.queue.getJobCounts("completed")).completed === 1,
      "replica B to finish the orphaned job",
      20_000,
    );
    expect((await b.queue.queue.getJob(jobIdOf("orphan-1")))?.processedBy).toBe("replica-b");
    expect(runsBySha(repo).get(pr.headSha)).toBe(1);
  });

  it("closing waits for running jobs within a grace period, then leaves them to the other replicas", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 11);
    let started = false;
    const a = await replica(world, `q${++prefixCount}`, "replica-a", undefined, {
      createWorkerProbot: () => hanging(world, () => (started = true)),
    });
    await send(a, pullRequestEvent(world, repo, pr, "opened"), "slow-1");
    await until(() => started, "the job to start");
    const begun = Date.now();
    await a.queue.close(200);
    expect(Date.now() - begun).toBeLessThan(2_000);
    await a.queue.close(); // idempotent
    expect(() => a.queue.attach(a.server)).toThrow("already attached");
  });
});
