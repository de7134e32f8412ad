import type { Redis } from "ioredis";
import type { Logger } from "pino";

/** What can be invalidated: the caches of `StateCache` (config, secret scanning, teams). */
export interface InvalidatableCache {
  delete(key: string): boolean;
  invalidateTag(tag: string): number;
}

interface Message {
  from: string;
  cache: string;
  op: "delete" | "tag";
  value: string;
}

/**
 * Each replica caches config, secret-scanning state and team members, and drops an entry when a webhook announces its
 * change; with several replicas only one of them handles that webhook. This bus makes every drop happen on every
 * replica: the caches' `delete` and `invalidateTag` also publish on a Redis channel, and each replica applies what the
 * others published. Pub/sub delivers at most once: a replica cut off from Redis when a message is sent misses it, and its
 * entry lives until the cache TTL (`SDLC_GUARD_CACHE_TTL_SECONDS`) ends it, which it logs when it reconnects.
 */
export class SharedInvalidation {
  private readonly caches = new Map<string, InvalidatableCache & { local: Pick<InvalidatableCache, "delete" | "invalidateTag"> }>();
  private readonly subscriber: Redis;
  private readonly ready: Promise<unknown>;
  private connectedOnce = false;
  log: Pick<Logger, "warn"> | undefined;

  constructor(
    private readonly publisher: Redis,
    private readonly channel: string,
    private readonly replicaId: string,
  ) {
    // Resubscribed here after a reconnection, not by ioredis: its own resubscription leaves the SUBSCRIBE's promise
    // unhandled, and a connection closed before the reply (a shutdown during a reconnection) would then be an
    // unhandled rejection, which ends a Node process.
    this.subscriber = publisher.duplicate({ autoResubscribe: false });
    this.subscriber.on("error", () => undefined); // reported by the publisher's own listener
    this.subscriber.on("ready", () => {
      if (!this.connectedOnce) return void (this.connectedOnce = true);
      this.log?.warn(
        { channel },
        "reconnected to Redis: cache invalidations sent meanwhile by other replicas were missed (entries expire with the cache TTL)",
      );
      void this.subscriber.subscribe(channel).catch(() => undefined); // a failure: the next reconnection tries again
    });
    this.subscriber.on("message", (channelName: string, text: string) => {
      if (channelName === this.channel) this.apply(text);
    });
    this.ready = this.subscriber.subscribe(channel).catch(() => undefined);
  }

  /** Resolves once this replica listens (tests; in production invalidations start flowing when it does). */
  listening(): Promise<unknown> {
    return this.ready;
  }

  /** Makes this cache's invalidations shared by every replica (under `name`, the same on all of them). */
  share(name: string, cache: InvalidatableCache): void {
    const local = { delete: cache.delete.bind(cache), invalidateTag: cache.invalidateTag.bind(cache) };
    this.caches.set(name, Object.assign(cache, { local }));
    cache.delete = (key: string) => {
      this.publish({ from: this.replicaId, cache: name, op: "delete", value: key });
      return local.delete(key);
    };
    cache.invalidateTag = (tag: string) => {
      this.publish({ from: this.replicaId, cache: name, op: "tag", value: tag });
      return local.invalidateTag(tag);
    };
  }

  async close(): Promise<void> {
    if (this.subscriber.status === "ready") await this.subscriber.quit().catch(() => this.subscriber.disconnect());
    else this.subscriber.disconnect();
  }

  private publish(message: Message): void {
    this.publisher
      .publish(this.channel, JSON.stringify(message))
      .catch((error: unknown) =>
        this.log?.warn({ reason: (error as Error).message }, "could not share a cache invalidation with the other replicas"),
      );
  }

  private apply(text: string): void {
    let message: Message;
    try {
      message = JSON.parse(text) as Message;
    } catch {
      return;
    }
    if (message.from === this.replicaId || typeof message.value !== "string") return;
    const cache = this.caches.get(message.cache);
    if (!cache) return;
    if (message.op === "delete") cache.local.delete(message.value);
    else if (message.op === "tag") cache.local.invalidateTag(message.value);
  }
}
