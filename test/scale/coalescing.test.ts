import { Redis } from "ioredis";
import { pino, type Logger } from "pino";
import type { Probot } from "probot";
import { GitHubWorld, type SimPullRequest, type SimRepo } from "../../sim/github-world.js";
import { approval, compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { pullRequestEvent, pullRequestReviewEvent, type WebhookEvent } from "../../sim/webhook-payloads.js";
import { createSdlcGuardApp } from "../../src/app.js";
import { mayChangeAnyResult } from "../../src/controls/event-relevance.js";
import { RedisSharedState } from "../../src/scale/redis-shared-state.js";
import { COALESCED_EVENTS, coalescingOf } from "../../src/scale/coalescing.js";
import { jobIdOf, orderingKeyOf, WebhookQueue } from "../../src/scale/webhook-queue.js";
import { rowOf } from "../faults/fault-kit.js";
import { eventually } from "../support/eventually.js";
import { routeToWorld } from "../support/route-to-world.js";
import { captureLog, testProbot } from "../support/test-app.js";
import { describeWithRedis, startRedisServer, type RunningRedis } from "./redis-server.js";

// Policy: with REDIS_URL, a burst of webhooks for one pull request costs one evaluation while its job waits, and one
// more for whatever arrives while it runs; nothing whose handling is more than "evaluate this PR" is coalesced away.

const silent = pino({ level: "silent" }) as Logger;
const until = (condition: () => boolean | Promise<boolean>, what: string) => eventually(condition, { what, timeoutMs: 15_000 });

describe("which queued deliveries coalesce", () => {
  const payload = (action: string, extra: Record<string, unknown> = {}) => ({
    action,
    repository: { full_name: "Acme/Payments" },
    pull_request: { number: 7 },
    ...extra,
  });
  const coalescing = (name: string, p: unknown) => coalescingOf(name, p, orderingKeyOf(p));
  const hosts = { key: "evaluate:acme/payments#7", role: "hosts" };
  const joins = { key: "evaluate:acme/payments#7", role: "joins" };

  it.each([
    ["pull_request", payload("synchronize"), hosts],
    ["pull_request", payload("opened"), hosts],
    ["pull_request", payload("reopened"), hosts],
    ["pull_request", payload("ready_for_review"), hosts],
    ["pull_request", payload("converted_to_draft"), hosts],
    ["pull_request", payload("edited", { changes: { base: { ref: { from: "develop" } } } }), hosts],
    ["pull_request", payload("edited", { changes: { title: { from: "x" } } }), joins],
    ["pull_request", payload("labeled"), joins],
    ["pull_request", payload("unlabeled"), joins],
    ["pull_request_review", payload("submitted"), joins],
    ["pull_request_review", payload("dismissed"), joins],
    ["pull_request", payload("closed"), undefined],
    ["pull_request", payload("assigned"), undefined],
    ["issue_comment", { action: "created", repository: { full_name: "acme/payments" }, issue: { number: 7, pull_request: {} } }, undefined],
    ["push", { repository: { full_name: "acme/payments" }, ref: "refs/heads/main" }, undefined],
  ])("%s %j", (name, p, expected) => {
    const action = (p as { action?: string }).action;
    expect([name, action, coalescing(name, p)]).toEqual([name, action, expected]);
  });

  it("every coalesced event always evaluates the PR, whatever the configuration (a waiting job of it stands for any other)", () => {
    for (const event of COALESCED_EVENTS) {
      const [name, action] = event.split(".") as [string, string];
      const changes = action === "edited" ? { base: { ref: { from: "develop" } } } : undefined;
      expect([event, mayChangeAnyResult({ name, action, changes })]).toEqual([event, "yes"]);
    }
  });
});

describeWithRedis("a burst of queued webhooks for one pull request (BullMQ on a real redis-server)", () => {
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

  /** One replica with the app loaded as `probot run` loads it; `extra` adds handlers on the workers' Probot. */
  async function replica(world: GitHubWorld, extra: (handlers: Probot) => void = () => undefined, log = silent) {
    const prefix = `c${++prefixCount}`;
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const state = new RedisSharedState(new Redis(redis.url), {
      prefix: `${prefix}:state:`,
      replicaId: "replica-a",
      log: silent,
      ownsConnection: true,
    });
    let handlers!: Probot;
    const queue = new WebhookQueue({
      connection,
      sharedState: state,
      replicaId: "replica-a",
      prefix,
      backoffMs: 50,
      jobLockMs: 10_000,
      createWorkerProbot: () => (handlers = testProbot(world, { log })),
    });
    const server = testProbot(world, { log });
    await server.load((app: Probot) => {
      createSdlcGuardApp({
        appId: world.appId,
        jira: undefined,
        maxReevaluations: 100,
        sharedState: queue.handlerState(state),
        queue: { attach: (s, tracker) => queue.attach(s, tracker), shareCaches: () => undefined },
      })(app);
      extra(handlers);
    });
    toClose.push(
      () => connection.quit(),
      () => state.close(),
      () => queue.close(2_000),
    );
    const send = (event: WebhookEvent, id: string) =>
      server.receive({ id, name: event.name, payload: event.payload } as Parameters<Probot["receive"]>[0]);
    const drained = async () => {
      const d = await queue.depth();
      return d.waiting + d.active + d.delayed === 0;
    };
    return { queue, send, drained, prefix, redis: connection };
  }

  const evaluationsOf = (requests: string[]) => requests.filter((r) => r.startsWith("POST graphql")).length;
  const baseChanged = (world: GitHubWorld, repo: SimRepo, pr: SimPullRequest) => {
    const event = pullRequestEvent(world, repo, pr, "edited");
    (event.payload as { changes: unknown }).changes = { base: { ref: { from: "develop" }, sha: { from: "0".repeat(40) } } };
    return event;
  };
  /** Ten evaluate-only deliveries, in the order GitHub might send a busy minute's worth (the first one hosts). */
  const tenFor = (world: GitHubWorld, repo: SimRepo, pr: SimPullRequest) => [
    pullRequestEvent(world, repo, pr, "synchronize"),
    pullRequestReviewEvent(world, repo, pr, "rev-bob"),
    baseChanged(world, repo, pr),
    pullRequestEvent(world, repo, pr, "labeled"),
    pullRequestEvent(world, repo, pr, "edited"),
    pullRequestEvent(world, repo, pr, "synchronize"),
    pullRequestReviewEvent(world, repo, pr, "rev-carol"),
    pullRequestEvent(world, repo, pr, "ready_for_review"),
    pullRequestEvent(world, repo, pr, "unlabeled"),
    pullRequestEvent(world, repo, pr, "reopened"),
  ];

  it("ten deliveries for one PR queued before its job starts make one evaluation, of the final state; each is acknowledged and logged", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 5);
    const requests = routeToWorld(world, ["GET", "POST"]);
    const capture = captureLog("info");
    const a = await replica(world, undefined, capture.log);
    await a.queue.queue.pause(); // the workers take nothing: every delivery is queued before any runs

    const events = tenFor(world, repo, pr);
    for (const [i, event] of events.entries()) {
      // Halfway, a reviewer's approval is dismissed: the check run must show it.
      if (i === 5) pr.reviews = [approval("rev-bob", pr.headSha)];
      await a.send(event, `burst-${i}`);
    }
    const queued = await a.queue.queue.getJobs(["waiting"]);
    expect(queued.map((j) => j.id)).toEqual([jobIdOf("burst-0")]);
    await a.queue.queue.resume();
    await until(() => a.drained(), "the queue to drain");

    expect(evaluationsOf(requests)).toBe(1);
    expect(requests.filter((r) => r === "POST /repos/acme/payments/check-runs")).toHaveLength(1);
    expect(repo.checkRuns.filter((r) => r.name === "sdlc-guard")).toHaveLength(1);
    expect(repo.checkRuns[0]).toMatchObject({ headSha: pr.headSha, status: "completed", conclusion: "failure" });
    expect(rowOf(repo.checkRuns[0]!.output.summary, "reviews")).toContain("1 of 2 required approvals");
    // Nothing lost: each coalesced delivery says into which job, and is remembered as handled (a redelivery is a no-op).
    for (let i = 1; i < 10; i++) expect(capture.text()).toContain(`"id":"burst-${i}"`);
    expect(capture.text().match(/coalesced into the waiting evaluation of its pull request/g)).toHaveLength(9);
    expect(capture.text()).toContain(`"into":"${jobIdOf("burst-0")}"`);
    const before = requests.length;
    await a.send(events[7]!, "burst-7");
    await until(() => a.drained(), "the redelivery");
    expect((await a.queue.queue.getJob(jobIdOf("burst-7")))?.returnvalue).toBe("duplicate");
    expect(requests.length).toBe(before);
  });

  it("deliveries that arrive while the PR's job runs make exactly one more evaluation after it, of the final state", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 6);
    const requests = routeToWorld(world, ["GET", "POST", "PATCH"]);
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    // The first job stays running (its evaluation done, a handler of its own still busy) while the burst arrives.
    const a = await replica(world, (handlers) =>
      handlers.on("pull_request.opened", async (context) => {
        if (context.id === "first") await gate;
      }),
    );
    await a.send(pullRequestEvent(world, repo, pr, "opened"), "first");
    await until(() => repo.checkRuns.length === 1 && repo.checkRuns[0]!.status === "completed", "the first evaluation");
    expect(repo.checkRuns[0]!.conclusion).toBe("success");
    expect(await a.queue.queue.getJobState(jobIdOf("first"))).toBe("active");

    pr.reviews = [approval("rev-bob", pr.headSha)];
    for (const [i, event] of tenFor(world, repo, pr).entries()) await a.send(event, `during-${i}`);
    open();
    await until(() => a.drained(), "the queue to drain");

    expect(evaluationsOf(requests)).toBe(2);
    expect((await a.queue.queue.getJobs(["completed"])).map((j) => j.id).sort()).toEqual([jobIdOf("during-0"), jobIdOf("first")].sort());
    expect(repo.checkRuns).toHaveLength(1);
    expect(repo.checkRuns[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(rowOf(repo.checkRuns[0]!.output.summary, "reviews")).toContain("1 of 2 required approvals");
  });

  it("a delivery that joined a job whose own delivery turns out already handled is still evaluated", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 9);
    const requests = routeToWorld(world, ["GET", "POST"]);
    const a = await replica(world);
    await a.queue.queue.pause();
    await a.send(pullRequestEvent(world, repo, pr, "synchronize"), "handled-elsewhere");
    // Its id becomes "handled" meanwhile (a redelivery of it that raced with its first job's completion).
    await a.redis.set(`${a.prefix}:delivery-done:handled-elsewhere`, "1", "PX", 60_000);
    await a.send(pullRequestEvent(world, repo, pr, "synchronize"), "joined");
    expect((await a.queue.queue.getJobs(["waiting"])).map((j) => j.id)).toEqual([jobIdOf("handled-elsewhere")]);
    await a.queue.queue.resume();
    await until(() => a.drained(), "the queue to drain");

    expect(evaluationsOf(requests)).toBe(1);
    expect(repo.checkRuns).toHaveLength(1);
    expect((await a.queue.queue.getJob(jobIdOf("handled-elsewhere")))?.returnvalue).toBe("handled");
  });

  it("a merged pull_request.closed in the middle of a burst is a job of its own; a review never hosts others", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 8);
    routeToWorld(world, ["GET", "POST"]);
    const closedSeen: string[] = [];
    const a = await replica(world, (handlers) => handlers.on("pull_request.closed", async (context) => void closedSeen.push(context.id)));
    await a.queue.queue.pause();

    // A review with no job of the PR waiting: a job of its own, which nothing joins (it might evaluate nothing).
    await a.send(pullRequestReviewEvent(world, repo, pr, "rev-bob"), "review-1");
    await a.send(pullRequestEvent(world, repo, pr, "synchronize"), "sync-1");
    await a.send(pullRequestReviewEvent(world, repo, pr, "rev-carol"), "review-2");
    await a.send(pullRequestEvent(world, repo, pr, "edited"), "title-1");
    pr.state = "MERGED";
    pr.mergedAt = "2026-01-01T00:00:00Z";
    pr.mergeCommitSha = "a".repeat(40);
    await a.send(pullRequestEvent(world, repo, pr, "closed"), "merged-1");
    await a.send(pullRequestEvent(world, repo, pr, "synchronize"), "sync-2");

    const queued = (await a.queue.queue.getJobs(["waiting"])).map((j) => j.id).sort();
    expect(queued).toEqual(["review-1", "sync-1", "merged-1"].map(jobIdOf).sort());
    await a.queue.queue.resume();
    await until(() => a.drained(), "the queue to drain");
    expect(closedSeen).toEqual(["merged-1"]);
    expect((await a.queue.queue.getJob(jobIdOf("merged-1")))?.returnvalue).toBe("handled");
  });

  it("deliveries for two PRs are never coalesced together: each PR gets its own evaluation and check run", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const one = compliantPullRequest(world, repo, 1);
    const two = compliantPullRequest(world, repo, 2);
    const requests = routeToWorld(world, ["GET", "POST"]);
    const a = await replica(world);
    await a.queue.queue.pause();

    for (let i = 0; i < 5; i++) {
      await a.send(pullRequestEvent(world, repo, one, "synchronize"), `one-${i}`);
      await a.send(pullRequestEvent(world, repo, two, "synchronize"), `two-${i}`);
    }
    expect((await a.queue.queue.getJobs(["waiting"])).map((j) => j.id).sort()).toEqual(["one-0", "two-0"].map(jobIdOf).sort());
    await a.queue.queue.resume();
    await until(() => a.drained(), "the queue to drain");

    expect(evaluationsOf(requests)).toBe(2);
    expect(repo.checkRuns.map((r) => [r.headSha, r.conclusion]).sort()).toEqual(
      [
        [one.headSha, "success"],
        [two.headSha, "success"],
      ].sort(),
    );
  });
});
