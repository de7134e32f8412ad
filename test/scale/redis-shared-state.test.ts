import { Redis } from "ioredis";
import { pino, type Logger } from "pino";
import { LockTimeoutError, RedisSharedState } from "../../src/scale/redis-shared-state.js";
import { captureLog } from "../support/test-app.js";
import { describeWithRedis, startRedisServer, type RunningRedis } from "./redis-server.js";

const silent = pino({ level: "silent" }) as Logger;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithRedis("RedisSharedState on a real redis-server", () => {
  let redis: RunningRedis;
  const clients: Redis[] = [];
  let prefixCount = 0;

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit().catch(() => undefined)));
    await redis?.stop();
  });

  /** Two "replicas": separate connections and replica ids on the same Redis, with a prefix of their own per test. */
  function replicas(options: ConstructorParameters<typeof RedisSharedState>[1] = {}) {
    const prefix = `t${++prefixCount}:`;
    const make = (replicaId: string) => {
      const client = new Redis(redis.url);
      clients.push(client);
      return new RedisSharedState(client, { prefix, replicaId, log: silent, ...options });
    };
    return { a: make("replica-a"), b: make("replica-b"), prefix };
  }

  it("claims a delivery id once across replicas, again after its ttl", async () => {
    const { a, b } = replicas();
    const claims = await Promise.all([a, b, a, b].map((s) => s.claimDelivery("delivery-1", 1_000)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await b.claimDelivery("delivery-2", 1_000)).toBe(true);
    await sleep(1_100);
    expect(await a.claimDelivery("delivery-1", 1_000)).toBe(true);
    // A claim dropped (its handler failed) can be taken again at once.
    expect(await a.claimDelivery("delivery-3", 60_000)).toBe(true);
    await b.forgetDelivery("delivery-3");
    expect(await b.claimDelivery("delivery-3", 60_000)).toBe(true);
  });

  it("runs tasks with the same key one at a time across replicas; other keys run alongside", async () => {
    const { a, b } = replicas();
    let inside = 0;
    let most = 0;
    const order: string[] = [];
    const task = (name: string) => async () => {
      inside++;
      most = Math.max(most, inside);
      await sleep(20);
      order.push(name);
      inside--;
      return name;
    };
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).withLock("acme/payments", task(`t${i}`))));
    expect(most).toBe(1);
    expect(results).toEqual(Array.from({ length: 12 }, (_, i) => `t${i}`));
    expect(order).toHaveLength(12);

    let together = 0;
    let peak = 0;
    const other = (s: RedisSharedState, key: string) =>
      s.withLock(key, async () => {
        peak = Math.max(peak, ++together);
        await sleep(50);
        together--;
      });
    await Promise.all([other(a, "acme/one"), other(b, "acme/two")]);
    expect(peak).toBe(2);
  });

  it("releases the lock when the task fails, and passes the error on", async () => {
    const { a, b } = replicas();
    await expect(a.withLock("k", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    const started = Date.now();
    await expect(b.withLock("k", async () => "next")).resolves.toBe("next");
    expect(Date.now() - started).toBeLessThan(2_000); // not the lock's ttl (15 s)
  });

  it("renews the lock while a long task runs, so nobody else enters after the ttl", async () => {
    const { a, b } = replicas({ lockTtlMs: 400 });
    const events: string[] = [];
    let started!: () => void;
    const aStarted = new Promise<void>((resolve) => (started = resolve));
    const long = a.withLock("k", async () => {
      events.push("a-start");
      started();
      await sleep(1_500); // almost four times the ttl: only renewal keeps the lock
      events.push("a-end");
    });
    await aStarted;
    await b.withLock("k", async () => void events.push("b"));
    await long;
    expect(events).toEqual(["a-start", "a-end", "b"]);
  });

  it("frees the lock of a holder that died (no renewal) after its ttl, and the dead holder cannot release the new holder's lock", async () => {
    const { a, b, prefix } = replicas({ lockTtlMs: 200 });
    const raw = clients.at(-1)!;
    // A replica that took the lock and died: the key is there, nobody renews it.
    await raw.set(`${prefix}lock:k`, "dead-replica:token", "PX", 200);
    const started = Date.now();
    await b.withLock("k", async () => {
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
      // A stale release by someone else's token does nothing.
      await raw.eval(
        `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`,
        1,
        `${prefix}lock:k`,
        "dead-replica:token",
      );
      expect(await raw.exists(`${prefix}lock:k`)).toBe(1);
    });
    expect(await raw.exists(`${prefix}lock:k`)).toBe(0);
    await expect(a.withLock("k", async () => 1)).resolves.toBe(1);
  });

  it("gives up waiting after acquireTimeoutMs with a LockTimeoutError", async () => {
    const { a, b } = replicas({ acquireTimeoutMs: 150 });
    let release!: () => void;
    let started!: () => void;
    const aStarted = new Promise<void>((resolve) => (started = resolve));
    const held = a.withLock("k", () => new Promise<void>((resolve) => ((release = resolve), started())));
    await aStarted;
    const waiting = b.withLock("k", async () => "never");
    await expect(waiting).rejects.toBeInstanceOf(LockTimeoutError);
    await expect(waiting).rejects.toThrow('lock "k" still held');
    release();
    await held;
  });

  it("warns when a lock was lost while its task ran", async () => {
    const capture = captureLog("warn");
    const prefix = `lost${++prefixCount}:`;
    const client = new Redis(redis.url);
    clients.push(client);
    const state = new RedisSharedState(client, { prefix, lockTtlMs: 300, renewEveryMs: 50, log: capture.log });
    await state.withLock("k", async () => {
      await client.set(`${prefix}lock:k`, "someone-else");
      await sleep(120);
    });
    expect(capture.text()).toContain("a lock expired while its task ran");
    expect(await client.get(`${prefix}lock:k`)).toBe("someone-else");
  });

  it("a lease is held by one replica, renewed by it, taken over when it expires or is given up", async () => {
    const { a, b } = replicas();
    expect(await a.holdsLease("summary:acme", 1_000)).toBe(true);
    expect(await b.holdsLease("summary:acme", 1_000)).toBe(false);
    await sleep(600);
    expect(await a.holdsLease("summary:acme", 1_000)).toBe(true); // renewed
    await sleep(600);
    expect(await b.holdsLease("summary:acme", 1_000)).toBe(false); // still a's: the renewal extended it
    await sleep(1_100);
    expect(await b.holdsLease("summary:acme", 1_000)).toBe(true); // a stopped renewing
    expect(await a.holdsLease("summary:acme", 1_000)).toBe(false);

    expect(await b.holdsLease("summary:globex", 60_000)).toBe(true);
    await b.close(); // gives up its leases
    expect(await a.holdsLease("summary:globex", 60_000)).toBe(true);
    expect(await b.holdsLease("summary:globex", 60_000)).toBe(false); // closed
    await b.close();
  });

  it("closes a connection it owns", async () => {
    const client = new Redis(redis.url);
    const state = new RedisSharedState(client, { ownsConnection: true });
    expect(state.replicaId).toContain(String(process.pid));
    await state.claimDelivery("x", 1000);
    const ended = new Promise((resolve) => client.once("end", resolve));
    await state.close();
    await ended;
    expect(client.status).toBe("end");
  });
});
