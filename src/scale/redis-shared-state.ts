import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { KeyedLock } from "../evaluation/keyed-lock.js";
import type { SharedState } from "../evaluation/shared-state.js";

export interface RedisSharedStateOptions {
  /** Prefix of every key (several deployments may share one Redis). Default `sdlc-guard:state:`. */
  prefix?: string;
  /** Who this replica is: the value of the leases it holds. Default `<hostname>:<pid>:<random>`. */
  replicaId?: string;
  /** Life of a lock without renewal: a holder that died frees it after this (ms). Default 15 s. */
  lockTtlMs?: number;
  /** A lock held longer is renewed this often while its task runs. Default a third of `lockTtlMs`. */
  renewEveryMs?: number;
  /** Waiting for a lock: first retry after `minWaitMs`, doubling up to `maxWaitMs` (plus jitter). */
  minWaitMs?: number;
  maxWaitMs?: number;
  /** Past this, `withLock` gives up with a `LockTimeoutError` (the queued job is retried later). Default 15 min. */
  acquireTimeoutMs?: number;
  log?: Pick<Logger, "warn" | "error">;
}

/** A lock that could not be taken in time: another replica holds it (or held it and Redis has not let go yet). */
export class LockTimeoutError extends Error {
  override readonly name = "LockTimeoutError";
  constructor(
    readonly key: string,
    readonly waitedMs: number,
  ) {
    super(`lock "${key}" still held by another holder after ${waitedMs} ms`);
  }
}

// Only the holder (same token) may extend or release: a holder whose lock expired cannot free a later holder's lock.
const RENEW = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`;
// The lease: taken if free, renewed if ours, refused if another replica's.
const LEASE = `local v = redis.call("GET", KEYS[1])
if v == ARGV[1] then redis.call("PEXPIRE", KEYS[1], ARGV[2]) return 1 end
if not v then redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2]) return 1 end
return 0`;

export const defaultReplicaId = (): string => `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

/**
 * SharedState on Redis, for two or more replicas: delivery claims are `SET NX PX`; locks are a key per lock holding a
 * random token, taken with `SET NX PX`, renewed while the task runs, and released by a compare-and-delete script
 * (the usual single-instance Redis lock); leases are `SET NX PX` renewed by the same replica id.
 * Waiters in this process queue locally first, so one of them at a time polls Redis for a key.
 */
export class RedisSharedState implements SharedState {
  readonly replicaId: string;
  private readonly prefix: string;
  private readonly lockTtlMs: number;
  private readonly renewEveryMs: number;
  private readonly minWaitMs: number;
  private readonly maxWaitMs: number;
  private readonly acquireTimeoutMs: number;
  private readonly local = new KeyedLock();
  private readonly leases = new Set<string>();
  private closed = false;
  /** Where lost or unreleasable locks are reported (set after construction once Probot's logger exists). */
  log: Pick<Logger, "warn" | "error"> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisSharedStateOptions & { ownsConnection?: boolean } = {},
  ) {
    this.prefix = options.prefix ?? "sdlc-guard:state:";
    this.replicaId = options.replicaId ?? defaultReplicaId();
    this.lockTtlMs = options.lockTtlMs ?? 15_000;
    this.renewEveryMs = options.renewEveryMs ?? Math.max(10, Math.floor(this.lockTtlMs / 3));
    this.minWaitMs = options.minWaitMs ?? 5;
    this.maxWaitMs = options.maxWaitMs ?? 100;
    this.acquireTimeoutMs = options.acquireTimeoutMs ?? 15 * 60_000;
    this.log = options.log;
  }

  async claimDelivery(deliveryId: string, ttlMs: number): Promise<boolean> {
    const answer = await this.redis.set(`${this.prefix}delivery:${deliveryId}`, this.replicaId, "PX", positive(ttlMs), "NX");
    return answer === "OK";
  }

  async forgetDelivery(deliveryId: string): Promise<void> {
    await this.redis.del(`${this.prefix}delivery:${deliveryId}`);
  }

  withLock<T>(key: string, task: () => Promise<T>): Promise<T> {
    return this.local.run(key, () => this.lockAcrossReplicas(key, task));
  }

  async holdsLease(name: string, ttlMs: number): Promise<boolean> {
    if (this.closed) return false;
    const held = (await this.redis.eval(LEASE, 1, `${this.prefix}lease:${name}`, this.replicaId, positive(ttlMs))) === 1;
    if (held) this.leases.add(name);
    else this.leases.delete(name);
    return held;
  }

  /** Gives up the leases this replica holds (another replica takes over at once), and closes the connection if it is ours. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(
      [...this.leases].map((name) => this.redis.eval(RELEASE, 1, `${this.prefix}lease:${name}`, this.replicaId).catch(() => 0)),
    );
    this.leases.clear();
    if (this.options.ownsConnection) {
      if (this.redis.status === "ready") await this.redis.quit().catch(() => this.redis.disconnect());
      else this.redis.disconnect();
    }
  }

  private async lockAcrossReplicas<T>(key: string, task: () => Promise<T>): Promise<T> {
    const redisKey = `${this.prefix}lock:${key}`;
    const token = `${this.replicaId}:${randomUUID()}`;
    await this.acquire(key, redisKey, token);
    let lost = false;
    const renewal = setInterval(() => {
      this.redis.eval(RENEW, 1, redisKey, token, this.lockTtlMs).then(
        (renewed) => {
          if (renewed === 0 && !lost) {
            lost = true;
            this.log?.warn(
              { lock: key },
              "a lock expired while its task ran (Redis unreachable or the process stalled): another holder may run at the same time",
            );
          }
        },
        (error: unknown) => this.log?.warn({ lock: key, err: error }, "could not renew a lock"),
      );
    }, this.renewEveryMs);
    renewal.unref?.();
    try {
      return await task();
    } finally {
      clearInterval(renewal);
      // A failed release is not the task's failure: the lock expires by itself after lockTtlMs.
      await this.redis
        .eval(RELEASE, 1, redisKey, token)
        .catch((error: unknown) => this.log?.warn({ lock: key, err: error }, "could not release a lock"));
    }
  }

  private async acquire(key: string, redisKey: string, token: string): Promise<void> {
    const started = Date.now();
    for (let wait = this.minWaitMs; ; wait = Math.min(wait * 2, this.maxWaitMs)) {
      if ((await this.redis.set(redisKey, token, "PX", this.lockTtlMs, "NX")) === "OK") return;
      const waited = Date.now() - started;
      if (waited >= this.acquireTimeoutMs) throw new LockTimeoutError(key, waited);
      // Jitter: waiters on several replicas do not poll in lock-step.
      await sleep(Math.min(wait / 2 + Math.random() * wait, this.acquireTimeoutMs - waited));
    }
  }
}

const positive = (ms: number) => Math.max(1, Math.ceil(ms));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
