import { Redis } from "ioredis";
import type { Logger } from "pino";
import type { AppOptions } from "../handlers/app-options.js";
import { DEFAULT_DELIVERY_TTL_MS } from "../handlers/deliveries.js";
import { RedisSharedState } from "./redis-shared-state.js";
import type { QueueMode, ScaleOutSettings } from "./scale-types.js";
import { SharedInvalidation } from "./shared-invalidation.js";
import { WebhookQueue } from "./webhook-queue.js";

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
  monitor(
    operations: { addReadinessCheck(name: string, check: () => string | undefined): () => void },
    setQueueDepth: (depth: number) => void,
    everyMs?: number,
  ): void;
  close(): Promise<void>;
}

export function startScaleOut(options: AppOptions, settings: ScaleOutSettings): ScaleOut {
  // Probot's logger (LOG_LEVEL, LOG_FORMAT) exists once the app is loaded: until then Redis errors are not reported.
  let log: Logger | undefined;
  // Commands of the shared state fail after a few reconnection attempts (an evaluation must not hang on Redis);
  // the queue's connection waits for Redis instead, as BullMQ's workers require.
  const stateConnection = new Redis(settings.redisUrl, { connectionName: `${settings.prefix}-state`, maxRetriesPerRequest: 3 });
  const queueConnection = new Redis(settings.redisUrl, { connectionName: `${settings.prefix}-queue`, maxRetriesPerRequest: null });
  for (const connection of [stateConnection, queueConnection])
    connection.on("error", (error: Error) => log?.warn({ reason: error.message }, "Redis connection error"));
  const sharedState = new RedisSharedState(stateConnection, {
    prefix: `${settings.prefix}:state:`,
    replicaId: settings.replicaId,
    lockTtlMs: settings.lockTtlMs,
    ownsConnection: true,
  });
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
      log.info(
        { replica: settings.replicaId, prefix: settings.prefix, concurrency: settings.concurrency },
        "multi-replica mode: webhooks are queued on Redis",
      );
    },
  });
  let closing: Promise<void> | undefined;
  let stopMonitoring = () => {};
  const monitor: ScaleOut["monitor"] = (operations, setQueueDepth, everyMs = 5_000) => {
    const removeCheck = operations.addReadinessCheck("redis", () =>
      queueConnection.status === "ready" && stateConnection.status === "ready"
        ? undefined
        : `Redis connection ${queueConnection.status === "ready" ? stateConnection.status : queueConnection.status}`,
    );
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
    attach: (server, tracker) => queue.attach(server, tracker),
    shareCaches: (cache) => {
      invalidation.share("config", cache.config);
      invalidation.share("config-files", cache.configFiles);
      invalidation.share("secret-scanning", cache.secretScanning);
      invalidation.share("org-secret-alerts", cache.orgSecretAlerts);
      invalidation.share("teams", cache.teams);
    },
  };
  return {
    settings,
    sharedState,
    queue,
    invalidation,
    appOptions: { ...options, sharedState: queue.handlerState(sharedState), queue: queueMode },
    monitor,
    close,
  };
}
