import type { Probot } from "probot";
import type { StateCache } from "../evaluation/state-cache.js";

// The types multi-replica mode shares with the app options and the queue (no code: nothing here loads Redis).

/** What the app gets in multi-replica mode (`AppOptions.queue`). */
export interface QueueMode {
  /**
   * Wires the queue into the server's Probot; returns the Probot the handlers register on (the workers feed it).
   * `tracker` (the app's Operations) times each queued delivery from its receipt, for the webhook-to-result histogram.
   */
  attach(server: Probot, tracker?: QueuedDeliveryTracker): Probot;
  /** Makes the replica's cache invalidations (config, secret scanning, teams) happen on every replica. */
  shareCaches(cache: StateCache): void;
}

/** What times a queued delivery from when a replica received it to its result (src/operations/operations.ts). */
export interface QueuedDeliveryTracker {
  handlingQueued<T>(deliveryId: string, receivedAt: number, work: () => Promise<T>): Promise<T>;
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
