import { Redis } from "ioredis";
import { TtlCache } from "../../src/common/ttl-cache.js";
import { SharedInvalidation } from "../../src/scale/shared-invalidation.js";
import { captureLog } from "../support/test-app.js";
import { describeWithRedis, startRedisServer, type RunningRedis } from "./redis-server.js";
import { eventually } from "../support/eventually.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const until = (condition: () => boolean, what: string) => eventually(condition, { what, timeoutMs: 5_000, everyMs: 10 });

describeWithRedis("cache invalidations shared by the replicas (real redis-server)", () => {
  let redis: RunningRedis;
  const clients: Redis[] = [];
  const buses: SharedInvalidation[] = [];
  let channelCount = 0;

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await Promise.all(buses.map((b) => b.close()));
    await Promise.all(clients.map((c) => c.quit().catch(() => undefined)));
    await redis?.stop();
  });

  async function replica(name: string, channel: string) {
    const client = new Redis(redis.url);
    clients.push(client);
    const bus = new SharedInvalidation(client, channel, name);
    buses.push(bus);
    await bus.listening();
    const config = new TtlCache<string>(60_000, 100);
    const teams = new TtlCache<string>(60_000, 100);
    bus.share("config", config);
    bus.share("teams", teams);
    return { bus, client, config, teams };
  }

  it("an entry dropped on one replica is dropped on the other; an invalidation also stops a read under way from being cached", async () => {
    const channel = `inv${++channelCount}`;
    const a = await replica("replica-a", channel);
    const b = await replica("replica-b", channel);
    for (const r of [a, b]) {
      r.config.set("acme/payments", "config of payments", [
        "file:acme/payments:.github/sdlc-guard.yml",
        "file:acme/.github:.github/sdlc-guard.yml",
      ]);
      r.config.set("acme/ledger", "config of ledger", ["file:acme/.github:.github/sdlc-guard.yml"]);
      r.teams.set("acme/reviewers", "team", ["org:acme"]);
    }
    const readAt = b.config.generation;

    // A push to acme/payments' config, handled by replica A.
    expect(a.config.invalidateTag("file:acme/payments:.github/sdlc-guard.yml")).toBe(1);
    await until(() => b.config.get("acme/payments") === undefined, "replica B to drop the entry");
    expect(b.config.get("acme/ledger")).toBe("config of ledger");
    // B had started reading before the invalidation reached it: what it read is not stored.
    b.config.set("acme/payments", "stale config", [], readAt);
    expect(b.config.get("acme/payments")).toBeUndefined();

    // The other way round, and a single key.
    expect(b.teams.delete("acme/reviewers")).toBe(true);
    await until(() => a.teams.get("acme/reviewers") === undefined, "replica A to drop the team");
    expect(a.config.get("acme/payments")).toBeUndefined();
  });

  it("ignores its own messages, other caches' names and anything malformed", async () => {
    const channel = `inv${++channelCount}`;
    const a = await replica("replica-a", channel);
    a.config.set("k", "v");
    const publisher = new Redis(redis.url);
    clients.push(publisher);
    await publisher.publish(channel, "not json");
    await publisher.publish(channel, JSON.stringify({ from: "replica-a", cache: "config", op: "delete", value: "k" }));
    await publisher.publish(channel, JSON.stringify({ from: "replica-z", cache: "unknown", op: "delete", value: "k" }));
    await publisher.publish(channel, JSON.stringify({ from: "replica-z", cache: "config", op: "other", value: "k" }));
    await publisher.publish(channel, JSON.stringify({ from: "replica-z", cache: "config", op: "delete", value: 7 }));
    await publisher.publish(`${channel}-other`, JSON.stringify({ from: "replica-z", cache: "config", op: "delete", value: "k" }));
    await sleep(100);
    expect(a.config.get("k")).toBe("v");
    await publisher.publish(channel, JSON.stringify({ from: "replica-z", cache: "config", op: "delete", value: "k" }));
    await until(() => a.config.get("k") === undefined, "the valid message to apply");
  });

  it("says so when it reconnects (invalidations may have been missed meanwhile), and when it cannot publish", async () => {
    const channel = `inv${++channelCount}`;
    const a = await replica("replica-a", channel);
    const b = await replica("replica-b", channel);
    const capture = captureLog("warn");
    a.bus.log = capture.log;
    await a.client.call("CLIENT", "KILL", "TYPE", "pubsub");
    await until(
      () => capture.text().includes("cache invalidations sent meanwhile by other replicas were missed"),
      "the reconnection warning",
    );
    // Subscribed again: B's invalidations reach A (sent until one arrives: A may still be resubscribing).
    a.config.set("acme/payments", "config");
    await until(() => {
      b.config.delete("acme/payments");
      return a.config.get("acme/payments") === undefined;
    }, "an invalidation after the reconnection");

    const offline = new Redis(redis.url, { lazyConnect: true, enableOfflineQueue: false });
    const bus = new SharedInvalidation(offline, `${channel}-offline`, "replica-x");
    bus.log = capture.log;
    const cache = new TtlCache<string>(60_000, 10);
    bus.share("config", cache);
    expect(cache.delete("nothing")).toBe(false);
    await until(() => capture.text().includes("could not share a cache invalidation"), "the publish failure");
    await bus.close();
    offline.disconnect();
  });
});
