import { KeyedLock } from "./keyed-lock.js";

/**
 * What replicas of the app must agree on: which webhook deliveries were already handled, who may evaluate a
 * repository right now, and which replica runs the scheduled work. In one process (the default) it lives in memory;
 * with `REDIS_URL` it lives on Redis, so every replica sees the same answers.
 */
export interface SharedState {
  /** True only for the first claim of this delivery id within `ttlMs`, across every replica. */
  claimDelivery(deliveryId: string, ttlMs: number): Promise<boolean>;
  /**
   * Optional: drops a claim, so that a redelivery is handled again (called when the delivery's handler failed, so a
   * manual redelivery of a failed delivery is not taken for a duplicate). Without it, the claim stays until its TTL.
   */
  forgetDelivery?(deliveryId: string): Promise<void>;
  /** Runs `task` while no other holder (on any replica) runs a task with the same key; waits its turn. */
  withLock<T>(key: string, task: () => Promise<T>): Promise<T>;
  /** True while this replica holds the named lease (renewed by calling again before `ttlMs` runs out). */
  holdsLease(name: string, ttlMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** One process: delivery ids in a bounded map, locks per key in arrival order, every lease held. */
export class InMemorySharedState implements SharedState {
  private readonly deliveries = new Map<string, number>();
  private readonly locks = new KeyedLock();

  constructor(
    private readonly maxDeliveries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  async claimDelivery(deliveryId: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    const seen = this.deliveries.get(deliveryId);
    if (seen !== undefined && seen > now) return false;
    this.deliveries.delete(deliveryId);
    this.deliveries.set(deliveryId, now + ttlMs);
    // Oldest first: past the bound, the oldest claims are forgotten (a redelivery that late is evaluated again,
    // which is harmless: evaluations are idempotent).
    while (this.deliveries.size > this.maxDeliveries) this.deliveries.delete(this.deliveries.keys().next().value!);
    return true;
  }

  async forgetDelivery(deliveryId: string): Promise<void> {
    this.deliveries.delete(deliveryId);
  }

  withLock<T>(key: string, task: () => Promise<T>): Promise<T> {
    return this.locks.run(key, task);
  }

  async holdsLease(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {}
}
