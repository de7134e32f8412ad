import { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Probot } from "probot";
import type { StateCache } from "../evaluation/state-cache.js";
import type { AppOptions } from "../handlers/app-options.js";
import { DEFAULT_DELIVERY_TTL_MS } from "../handlers/deliveries.js";
import { defaultReplicaId, RedisSharedState } from "./redis-shared-state.js";
import { SharedInvalidation } from "./shared-invalidation.js";
import { WebhookQueue } from "./webhook-queue.js";

/** What the app gets in multi-replica mode (`AppOptions.queue`). */
export interface QueueMode {
  /** Wires the queue into the server's Probot; returns the Probot the handlers register on (the workers feed it). */
  attach(server: Probot): Probot;
  /** Makes the replica's cache invalidations (config, secret scanning, teams) happen on every replica. */
  shareCaches(cache: StateCache): void;
}

/** Multi-replica settings from the environment; undefined without `REDIS_URL` (one process, everything in memory). */
export interface ScaleOutSettings {
  redisUrl: string;
  /** Prefix of every key: two deployments may share one Redis with different prefixes. */
  prefix: string;
  replicaId: string;
  concurrency: number;
  attempts: number;
  backoffMs: number;
  jobLockMs: number;
  lockTtlMs: number;
}

export function scaleOutSettingsFromEnv(env: NodeJS.ProcessEnv): ScaleOutSettings | undefined {
  const redisUrl = env.REDIS_URL?.trim();
  if (!redisUrl) return undefined;
  if (!/^rediss?:\/\//.test(redisUrl)) throw new Error("REDIS_URL must be a redis:// or rediss:// URL (e.g. redis://:password@redis:6379/0)");
  const prefix = (env.SDLC_GUARD_REDIS_PREFIX ?? "sdlc-guard").trim();
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(prefix)) throw new Error("SDLC_GUARD_REDIS_PREFIX may only hold letters, digits, '_', '.', '-' (at most 64)");
  return {
    redisUrl,
    prefix,
    replicaId: env.SDLC_GUARD_REPLICA_ID?.trim() || defaultReplicaId(),
    concurrency: integer(env, "SDLC_GUARD_QUEUE_CONCURRENCY", 16, 1),
    attempts: integer(env, "SDLC_GUARD_QUEUE_ATTEMPTS", 5, 1),
    backoffMs: integer(env, "SDLC_GUARD_QUEUE_BACKOFF_MS", 2_000, 0),
    jobLockMs: integer(env, "SDLC_GUARD_QUEUE_LOCK_MS", 30_000, 1_000),
    lockTtlMs: integer(env, "SDLC_GUARD_LOCK_TTL_MS", 15_000, 1_000),
  };
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer of at least ${min}, not "${raw.slice(0, 20)}"`);
  return value;
}

export interface ScaleOut {
  settings: ScaleOutSettings;
  sharedState: RedisSharedState;
  queue: WebhookQueue;
  invalidation: SharedInvalidation;
  /** The app options with the Redis shared state and the queue: what `createSdlcGuardApp` gets. */
  appOptions: AppOptions;
  /**
   * Reports to the operations side: not ready while Redis is unreachable (`/ready`), and the queue's backlog
   * (`sdlc_guard_queue_depth`, waiting and retrying deliveries) every `everyMs`.
   */
  monitor(operations: { addReadinessCheck(name: string, check: () => string | undefined): () => void }, setQueueDepth: (depth: number) => void, everyMs?: number): void;
  close(): Promise<void>;
}

/**
 * With `REDIS_URL`: a Redis SharedState (delivery claims, locks, leases) and the webhook queue, added to the app's
 * options. Without it, the options come back unchanged and nothing connects anywhere.
 */
export function withScaleOut(options: AppOptions, env: NodeJS.ProcessEnv): { appOptions: AppOptions; scaleOut?: ScaleOut } {
  const settings = scaleOutSettingsFromEnv(env);
  if (!settings) return { appOptions: options };
  const scaleOut = startScaleOut(options, settings);
  return { appOptions: scaleOut.appOptions, scaleOut };
}

export function startScaleOut(options: AppOptions, settings: ScaleOutSettings): ScaleOut {
  // Probot's logger (LOG_LEVEL, LOG_FORMAT) exists once the app is loaded: until then Redis errors are not reported.
  let log: Logger | undefined;
  // Commands of the shared state fail after a few reconnection attempts (an evaluation must not hang on Redis);
  // the queue's connection waits for Redis instead, as BullMQ's workers require.
  const stateConnection = new Redis(settings.redisUrl, { connectionName: `${settings.prefix}-state`, maxRetriesPerRequest: 3 });
  const queueConnection = new Redis(settings.redisUrl, { connectionName: `${settings.prefix}-queue`, maxRetriesPerRequest: null });
  for (const connection of [stateConnection, queueConnection]) connection.on("error", (error: Error) => log?.warn({ reason: error.message }, "Redis connection error"));
  const sharedState = new RedisSharedState(stateConnection, { prefix: `${settings.prefix}:state:`, replicaId: settings.replicaId, lockTtlMs: settings.lockTtlMs, ownsConnection: true });
  const invalidation = new SharedInvalidation(stateConnection, `${settings.prefix}:invalidate`, settings.replicaId);
  const queue = new WebhookQueue({
    connection: queueConnection,
    sharedState,
    replicaId: settings.replicaId,
    prefix: settings.prefix,
    concurrency: settings.concurrency,
    attempts: settings.attempts,
    backoffMs: settings.backoffMs,
    jobLockMs: settings.jobLockMs,
    // As in one process: a handled delivery id is remembered SDLC_GUARD_DELIVERY_TTL_SECONDS (handlers/deliveries.ts).
    doneTtlMs: options.deliveryTtlMs ?? DEFAULT_DELIVERY_TTL_MS,
    onAttach: (app) => {
      log = app.log as unknown as Logger;
      sharedState.log = log;
      invalidation.log = log;
      log.info({ replica: settings.replicaId, prefix: settings.prefix, concurrency: settings.concurrency }, "multi-replica mode: webhooks are queued on Redis");
    },
  });
  let closing: Promise<void> | undefined;
  let stopMonitoring = () => {};
  const monitor: ScaleOut["monitor"] = (operations, setQueueDepth, everyMs = 5_000) => {
    const removeCheck = operations.addReadinessCheck("redis", () => (queueConnection.status === "ready" && stateConnection.status === "ready" ? undefined : `Redis connection ${queueConnection.status === "ready" ? stateConnection.status : queueConnection.status}`));
    const timer = setInterval(() => {
      queue.depth().then(
        (depth) => setQueueDepth(depth.waiting + depth.delayed),
        () => undefined, // Redis unreachable: /ready says so; the gauge keeps its last value
      );
    }, everyMs);
    timer.unref?.();
    stopMonitoring = () => {
      clearInterval(timer);
      removeCheck();
    };
  };
  const close = () =>
    (closing ??= (async () => {
      stopMonitoring();
      // Redis unreachable: nothing to wait for (a job left running is taken up by another replica later).
      if (queueConnection.status !== "ready" || stateConnection.status !== "ready") {
        queueConnection.disconnect();
        stateConnection.disconnect();
      }
      await queue.close();
      await invalidation.close();
      await sharedState.close();
      if (queueConnection.status === "ready") await queueConnection.quit().catch(() => queueConnection.disconnect());
    })());
  const queueMode: QueueMode = {
    attach: (server) => queue.attach(server),
    shareCaches: (cache) => {
      invalidation.share("config", cache.config);
      invalidation.share("secret-scanning", cache.secretScanning);
      invalidation.share("teams", cache.teams);
    },
  };
  return { settings, sharedState, queue, invalidation, appOptions: { ...options, sharedState: queue.handlerState(sharedState), queue: queueMode }, monitor, close };
}
