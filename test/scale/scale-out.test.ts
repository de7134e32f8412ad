import { Probot, ProbotOctokit } from "probot";
import { GitHubWorld } from "../../sim/github-world.js";
import { installationDeletedEvent } from "../../sim/webhook-payloads.js";
import { createSdlcGuardApp } from "../../src/app.js";
import { createStateCache } from "../../src/evaluation/state-cache.js";
import type { AppOptions } from "../../src/handlers/app-options.js";
import { scaleOutSettingsFromEnv, withScaleOut } from "../../src/scale/scale-out-settings.js";
import { jobIdOf } from "../../src/scale/webhook-queue.js";
import { captureLog, testPrivateKey, WEBHOOK_SECRET } from "../support/test-app.js";
import { describeWithRedis, startRedisServer, type RunningRedis } from "./redis-server.js";

const base: AppOptions = { appId: 1, jira: undefined, maxReevaluations: 100 };

describe("multi-replica settings from the environment", () => {
  it("without REDIS_URL nothing changes: no settings, the same options, no connection", async () => {
    expect(scaleOutSettingsFromEnv({})).toBeUndefined();
    expect(scaleOutSettingsFromEnv({ REDIS_URL: "  " })).toBeUndefined();
    const result = await withScaleOut(base, {});
    expect(result.appOptions).toBe(base);
    expect(result.scaleOut).toBeUndefined();
  });

  it("REDIS_URL turns it on, with defaults; each setting can be changed", () => {
    const defaults = scaleOutSettingsFromEnv({ REDIS_URL: "redis://redis:6379/0" })!;
    expect(defaults).toMatchObject({
      redisUrl: "redis://redis:6379/0",
      prefix: "sdlc-guard",
      concurrency: 16,
      attempts: 5,
      backoffMs: 2000,
      jobLockMs: 30000,
      lockTtlMs: 15000,
    });
    expect(defaults.replicaId).toContain(String(process.pid));
    expect(
      scaleOutSettingsFromEnv({
        REDIS_URL: "rediss://:secret@cache.internal:6380",
        SDLC_GUARD_REDIS_PREFIX: "guard-staging",
        SDLC_GUARD_REPLICA_ID: "pod-1",
        SDLC_GUARD_QUEUE_CONCURRENCY: "4",
        SDLC_GUARD_QUEUE_ATTEMPTS: "2",
        SDLC_GUARD_QUEUE_BACKOFF_MS: "0",
        SDLC_GUARD_QUEUE_LOCK_MS: "5000",
        SDLC_GUARD_LOCK_TTL_MS: "3000",
      }),
    ).toEqual({
      redisUrl: "rediss://:secret@cache.internal:6380",
      prefix: "guard-staging",
      replicaId: "pod-1",
      concurrency: 4,
      attempts: 2,
      backoffMs: 0,
      jobLockMs: 5000,
      lockTtlMs: 3000,
    });
  });

  it("refuses settings it cannot use, saying which", () => {
    expect(() => scaleOutSettingsFromEnv({ REDIS_URL: "localhost:6379" })).toThrow("REDIS_URL must be a redis:// or rediss:// URL");
    expect(() => scaleOutSettingsFromEnv({ REDIS_URL: "redis://r", SDLC_GUARD_REDIS_PREFIX: "a:b" })).toThrow("SDLC_GUARD_REDIS_PREFIX");
    expect(() => scaleOutSettingsFromEnv({ REDIS_URL: "redis://r", SDLC_GUARD_QUEUE_CONCURRENCY: "0" })).toThrow(
      'SDLC_GUARD_QUEUE_CONCURRENCY must be an integer of at least 1, not "0"',
    );
    expect(() => scaleOutSettingsFromEnv({ REDIS_URL: "redis://r", SDLC_GUARD_QUEUE_LOCK_MS: "soon" })).toThrow("SDLC_GUARD_QUEUE_LOCK_MS");
  });
});

describeWithRedis("multi-replica mode wired from the environment (real redis-server)", () => {
  let redis: RunningRedis;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it("queues what the server's Probot verified and handles it on a second instance of the same Probot class", async () => {
    const world = new GitHubWorld();
    const capture = captureLog("info");
    const { appOptions, scaleOut } = await withScaleOut(base, {
      REDIS_URL: redis.url,
      SDLC_GUARD_REDIS_PREFIX: "wired",
      SDLC_GUARD_REPLICA_ID: "pod-7",
    });
    expect(appOptions.queue).toBeDefined();
    expect(appOptions.sharedState).toBeDefined();
    // As `probot run` does: the class carries the app's credentials, the server's instance is made from it.
    const ProbotClass = Probot.defaults({
      appId: world.appId,
      privateKey: testPrivateKey(),
      secret: WEBHOOK_SECRET,
      log: capture.log,
      Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
        ...options,
        retry: { enabled: false },
        throttle: { enabled: false },
      })),
    });
    const server = new ProbotClass({});
    await server.load(createSdlcGuardApp(appOptions));
    expect(capture.text()).toContain("multi-replica mode: webhooks are queued on Redis");

    // An installation removed from a user account: handled without a GitHub request.
    const event = installationDeletedEvent(world, "acme");
    (event.payload as { installation: { account: unknown } }).installation.account = null;
    await server.receive({ id: "wired-1", name: event.name, payload: event.payload } as Parameters<Probot["receive"]>[0]);
    const deadline = Date.now() + 10_000;
    while ((await scaleOut!.queue.queue.getJob(jobIdOf("wired-1")))?.finishedOn === undefined && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 25));
    const job = await scaleOut!.queue.queue.getJob(jobIdOf("wired-1"));
    expect(job?.returnvalue).toBe("handled");
    expect(job?.processedBy).toBe("pod-7");
    expect(await scaleOut!.queue.depth()).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 });
    expect(await appOptions.sharedState!.claimDelivery("wired-x", 1000)).toBe(true);
    // The caches' invalidations go through the bus (shared-invalidation.test.ts shows them reaching other replicas).
    const cache = createStateCache();
    const local = cache.config.invalidateTag;
    appOptions.queue!.shareCaches(cache);
    expect(cache.config.invalidateTag).not.toBe(local);

    // What /ready and /metrics get: Redis reachable, the backlog (nothing waits).
    const checks = new Map<string, () => string | undefined>();
    const depths: number[] = [];
    scaleOut!.monitor(
      { addReadinessCheck: (name, check) => (checks.set(name, check), () => checks.delete(name)) },
      (depth) => depths.push(depth),
      20,
    );
    expect(checks.get("redis")!()).toBeUndefined();
    await new Promise((r) => setTimeout(r, 100));
    expect(depths.length).toBeGreaterThan(0);
    expect(depths.every((d) => d === 0)).toBe(true);

    await scaleOut!.close();
    expect(checks.size).toBe(0);
    await scaleOut!.close(); // idempotent
  });

  it("is not ready while Redis cannot be reached", async () => {
    const { scaleOut } = await withScaleOut(base, {
      REDIS_URL: `redis://127.0.0.1:${redis.port + 1}`,
      SDLC_GUARD_REDIS_PREFIX: "unreachable",
    });
    const checks = new Map<string, () => string | undefined>();
    scaleOut!.monitor({ addReadinessCheck: (name, check) => (checks.set(name, check), () => checks.delete(name)) }, () => undefined, 20);
    await new Promise((r) => setTimeout(r, 100));
    expect(checks.get("redis")!()).toMatch(/^Redis connection (connecting|reconnecting|connect|wait|close)$/);
    const started = Date.now();
    await scaleOut!.close();
    expect(Date.now() - started).toBeLessThan(3_000);
    // ioredis lets a dropped connection's socket end for 2 s: the test waits, so nothing is left behind.
    await new Promise((r) => setTimeout(r, 2_100));
  });
});
