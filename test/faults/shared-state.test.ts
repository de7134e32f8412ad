import { GitHubWorld } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { pullRequestEvent, pushEvent } from "../../sim/webhook-payloads.js";
import { InMemorySharedState, type SharedState } from "../../src/evaluation/shared-state.js";
import { routeToWorld } from "../support/route-to-world.js";
import { createTestApp } from "../support/test-app.js";
import { deliver } from "./fault-kit.js";

// Policy: what replicas must agree on goes through SharedState: delivery claims, and the locks evaluations take: one per
// pull request (its evaluations one at a time), one per commit around every write of its one check run (two PRs can
// share a head commit), and the repository's for repository-wide evaluations (pushes: their violation issues). In one process it is in memory and
// behaves as the app always did; a Redis implementation plugs into the same interface to make it hold across replicas.

/** The in-memory state, watched: which locks were taken, how many holders each had at once, which claims were made. */
class WatchedState implements SharedState {
  readonly inner = new InMemorySharedState();
  readonly locks: string[] = [];
  readonly claims: string[] = [];
  maxHolders = 0;
  private readonly holders = new Map<string, number>();
  constructor(private readonly claimAnswer?: boolean) {}

  async claimDelivery(deliveryId: string, ttlMs: number): Promise<boolean> {
    this.claims.push(deliveryId);
    return this.claimAnswer ?? this.inner.claimDelivery(deliveryId, ttlMs);
  }
  withLock<T>(key: string, task: () => Promise<T>): Promise<T> {
    this.locks.push(key);
    return this.inner.withLock(key, async () => {
      const holders = (this.holders.get(key) ?? 0) + 1;
      this.holders.set(key, holders);
      this.maxHolders = Math.max(this.maxHolders, holders);
      try {
        return await task();
      } finally {
        this.holders.set(key, holders - 1);
      }
    });
  }
  holdsLease(_name: string, _ttlMs: number): Promise<boolean> {
    return this.inner.holdsLease();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

describe("evaluations take their lock through SharedState", () => {
  it("a PR evaluation locks its PR and, to write, its head commit; a push locks the repository and its commit; one holder at a time", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 5);
    routeToWorld(world, ["GET", "POST"]);
    const sharedState = new WatchedState();
    const probot = createTestApp(world, { sharedState });
    const direct = world.commit(repo, "main", "hotfix straight to main");

    await Promise.all([
      deliver(probot, pullRequestEvent(world, repo, pr), "lock-1"),
      deliver(probot, pushEvent(world, repo, { shas: [direct] }), "lock-2"),
    ]);

    expect(new Set(sharedState.locks)).toEqual(
      new Set([
        "evaluate:acme/payments#5",
        `evaluate:acme/payments@${pr.headSha}`,
        "evaluate:acme/payments",
        `evaluate:acme/payments@${direct}`,
      ]),
    );
    expect(sharedState.locks).toHaveLength(4);
    expect(sharedState.maxHolders).toBe(1);
    expect(sharedState.claims).toEqual(expect.arrayContaining([expect.stringContaining("lock-1"), expect.stringContaining("lock-2")]));
  });

  it("two PRs sharing a head commit never race: their writes of the commit's run are one after the other, and the commit keeps one run", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const first = compliantPullRequest(world, repo, 11);
    const second = compliantPullRequest(world, repo, 12, { headSha: first.headSha, baseRef: "release" });
    routeToWorld(world, ["GET", "POST", "PATCH"]);
    const sharedState = new WatchedState();
    const probot = createTestApp(world, { sharedState });

    await Promise.all(
      Array.from({ length: 4 }, (_, i) => [
        deliver(probot, pullRequestEvent(world, repo, first, "edited"), `shared-a${i}`),
        deliver(probot, pullRequestEvent(world, repo, second, "edited"), `shared-b${i}`),
      ]).flat(),
    );

    // Each PR its own key (evaluated side by side); their one commit's key around every write of its run.
    expect(new Set(sharedState.locks)).toEqual(
      new Set(["evaluate:acme/payments#11", "evaluate:acme/payments#12", `evaluate:acme/payments@${first.headSha}`]),
    );
    expect(sharedState.maxHolders).toBe(1);
    expect(repo.checkRuns).toHaveLength(1);
    expect(repo.checkRuns[0]).toMatchObject({ headSha: first.headSha, conclusion: "failure" });
  });

  it("a delivery another replica already claimed is not handled here: not one GitHub request", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 5);
    const sharedState = new WatchedState(false);
    const probot = createTestApp(world, { sharedState });

    await deliver(probot, pullRequestEvent(world, repo, pr), "claimed-elsewhere");

    expect(sharedState.claims).toEqual(["claimed-elsewhere#0"]);
    expect(world.requests).toEqual([]);
    expect(sharedState.locks).toEqual([]);
  });
});

describe("the in-memory shared state (one process, the default)", () => {
  it("runs tasks of one key in arrival order, other keys at once, as the app's lock always did", async () => {
    const state = new InMemorySharedState();
    const order: string[] = [];
    const task = (name: string, ms: number) => async () => {
      order.push(`${name} starts`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      order.push(`${name} ends`);
      return name;
    };

    const done = await Promise.all([
      state.withLock("evaluate:acme/a", task("a1", 20)),
      state.withLock("evaluate:acme/a", task("a2", 1)),
      state.withLock("evaluate:acme/b", task("b1", 1)),
    ]);

    expect(done).toEqual(["a1", "a2", "b1"]);
    expect(order.indexOf("a2 starts")).toBeGreaterThan(order.indexOf("a1 ends"));
    expect(order.indexOf("b1 starts")).toBeLessThan(order.indexOf("a1 ends"));
    // A failed task does not stop the next one.
    await expect(state.withLock("k", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(state.withLock("k", async () => "next")).resolves.toBe("next");
  });

  it("claims a delivery once within its TTL; a forgotten claim (a failed handler) can be claimed again", async () => {
    let now = 0;
    const state = new InMemorySharedState(2, () => now);
    expect(await state.claimDelivery("d1", 1_000)).toBe(true);
    expect(await state.claimDelivery("d1", 1_000)).toBe(false);
    await state.forgetDelivery("d1");
    expect(await state.claimDelivery("d1", 1_000)).toBe(true);
    now = 1_000;
    expect(await state.claimDelivery("d1", 1_000)).toBe(true); // the TTL ran out
    // Bounded: past `maxDeliveries`, the oldest claims are forgotten.
    await state.claimDelivery("d2", 10_000);
    await state.claimDelivery("d3", 10_000);
    expect(await state.claimDelivery("d1", 10_000)).toBe(true);
    expect(await state.holdsLease()).toBe(true);
  });
});
