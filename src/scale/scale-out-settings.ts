import type { AppOptions } from "../handlers/app-options.js";
import { defaultReplicaId } from "./redis-shared-state.js";
import type { ScaleOut } from "./scale-out.js";
import type { ScaleOutSettings } from "./scale-types.js";

// Multi-replica mode's settings, and the switch that starts it. Without REDIS_URL nothing here loads Redis or BullMQ:
// the Redis side (./scale-out.js: ioredis, BullMQ) is imported only when it is used (it is most of the app's idle memory
// otherwise spent on code it never runs).

export function scaleOutSettingsFromEnv(env: NodeJS.ProcessEnv): ScaleOutSettings | undefined {
  const redisUrl = env.REDIS_URL?.trim();
  if (!redisUrl) return undefined;
  if (!/^rediss?:\/\//.test(redisUrl))
    throw new Error("REDIS_URL must be a redis:// or rediss:// URL (e.g. redis://:password@redis:6379/0)");
  const prefix = (env.SDLC_GUARD_REDIS_PREFIX ?? "sdlc-guard").trim();
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(prefix))
    throw new Error("SDLC_GUARD_REDIS_PREFIX may only hold letters, digits, '_', '.', '-' (at most 64)");
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

/**
 * With `REDIS_URL`: a Redis SharedState (delivery claims, locks, leases) and the webhook queue, added to the app's
 * options. Without it, the options come back unchanged and nothing connects anywhere.
 */
export async function withScaleOut(options: AppOptions, env: NodeJS.ProcessEnv): Promise<{ appOptions: AppOptions; scaleOut?: ScaleOut }> {
  const settings = scaleOutSettingsFromEnv(env);
  if (!settings) return { appOptions: options };
  const { startScaleOut } = await import("./scale-out.js");
  const scaleOut = startScaleOut(options, settings);
  return { appOptions: scaleOut.appOptions, scaleOut };
}
