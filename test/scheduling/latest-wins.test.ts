import nock from "nock";
import { GitHubWorld } from "../../sim/github-world.js";
import { approval, compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { pullRequestEvent, pullRequestReviewEvent } from "../../sim/webhook-payloads.js";
import type { EvaluationMemory } from "../../src/evaluation/evaluate-pull-request.js";
import { GITHUB_API, worldsInTest } from "../support/github-mock.js";
import { eventually } from "../support/eventually.js";
import { createTestApp } from "../support/test-app.js";
import { deliver, requestsTo, rowOf } from "../faults/fault-kit.js";

// Policy: a burst of events for one pull request costs one write, of its final state. An event that arrives while an
// evaluation of the PR runs is never dropped: the PR is evaluated once more after it, from the state GitHub has then,
// and the running evaluation's write, whose result is already out of date, is not sent.

/** Routes every request to the world; the first GraphQL read of the PR is answered only once `release` is called. */
function routeHoldingFirstRead(world: GitHubWorld) {
  return routeHoldingRead(world, 0);
}

/**
 * Routes every request to the world; GraphQL request number `held` (from 0) is answered only once `release` is called:
 * with the state GitHub has then, or (`answerFirst`) with the state it had when the request arrived, delivered late.
 */
function routeHoldingRead(world: GitHubWorld, held: number, { answerFirst = false } = {}) {
  worldsInTest.push(world);
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let reads = 0;
  const answer = (method: string) =>
    async function (this: { req: { headers: Record<string, string> } }, uri: string, body: unknown) {
      const parsed = typeof body === "string" && body ? JSON.parse(body) : body || undefined;
      const hold = method === "POST" && uri.startsWith("/graphql") && reads++ === held;
      const early = hold && answerFirst ? world.handle(method, uri, parsed, this.req.headers) : undefined;
      if (hold) await released;
      const a = early ?? world.handle(method, uri, parsed, this.req.headers);
      return [a.status, a.body === undefined ? "" : JSON.stringify(a.body), { "content-type": "application/json", ...a.headers }] as [
        number,
        string,
        Record<string, string>,
      ];
    };
  const scope = nock(GITHUB_API).persist();
  for (const method of ["GET", "POST", ...(answerFirst ? ["PATCH"] : [])]) scope.intercept(/.*/, method).reply(answer(method));
  return { release, readsSent: () => reads };
}

describe("latest wins: a burst of events for one pull request", () => {
  it("ten events while the PR's evaluation reads: one more evaluation after it, and ONE write, of the final state", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 5);
    const route = routeHoldingFirstRead(world);
    let memory!: EvaluationMemory;
    const probot = createTestApp(world, { onMemory: (m) => (memory = m) });

    const first = deliver(probot, pullRequestEvent(world, repo, pr, "synchronize"), "burst-0");
    await eventually(() => route.readsSent() === 1, { what: "the first evaluation reads the PR" });
    // While it reads, a reviewer's approval is dismissed, and GitHub sends ten events.
    pr.reviews = [approval("rev-bob", pr.headSha)];
    const burst = Array.from({ length: 10 }, (_, i) =>
      deliver(
        probot,
        i % 2 ? pullRequestReviewEvent(world, repo, pr, "rev-bob") : pullRequestEvent(world, repo, pr, "edited"),
        `burst-${i + 1}`,
      ),
    );
    await eventually(() => memory.waiting.size === 1, { what: "the burst waits as one evaluation" });
    route.release();
    await Promise.all([first, ...burst]);

    // Two reads (the running one, and one after the burst); one write: the final state, never the stale one.
    expect(requestsTo(world, "POST", "/graphql")).toHaveLength(2);
    expect(requestsTo(world, "POST", "/repos/acme/payments/check-runs")).toHaveLength(1);
    expect(requestsTo(world, "PATCH", "/repos/acme/payments/check-runs")).toHaveLength(0);
    expect(repo.checkRuns).toHaveLength(1);
    expect(repo.checkRuns[0]).toMatchObject({ headSha: pr.headSha, status: "completed", conclusion: "failure" });
    expect(rowOf(repo.checkRuns[0]!.output.summary, "reviews")).toContain("1 of 2 required approvals");
  });

  it("an event during the evaluation with nothing changed still leads to an evaluation after it (nothing is dropped)", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 5);
    const route = routeHoldingFirstRead(world);
    let memory!: EvaluationMemory;
    const probot = createTestApp(world, { onMemory: (m) => (memory = m) });

    const first = deliver(probot, pullRequestEvent(world, repo, pr, "synchronize"), "during-0");
    await eventually(() => route.readsSent() === 1, { what: "the first evaluation reads the PR" });
    const second = deliver(probot, pullRequestEvent(world, repo, pr, "edited"), "during-1");
    await eventually(() => memory.waiting.size === 1, { what: "the second event waits" });
    route.release();
    await Promise.all([first, second]);

    expect(requestsTo(world, "POST", "/graphql")).toHaveLength(2);
    expect(repo.checkRuns.map((r) => r.conclusion)).toEqual(["success"]);
  });

  it("a write that takes a pass away is never superseded: the PR merged before the later evaluation read it still gets its failing run", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 5);
    // The first evaluation goes through; the second one's read is answered at once but arrives late.
    const route = routeHoldingRead(world, 1, { answerFirst: true });
    let memory!: EvaluationMemory;
    const probot = createTestApp(world, { onMemory: (m) => (memory = m) });
    await deliver(probot, pullRequestEvent(world, repo, pr, "synchronize"), "pass-0");
    expect(repo.checkRuns[0]).toMatchObject({ conclusion: "success" });

    // An approval is dismissed: its evaluation reads the PR (held), computes a failure...
    pr.reviews = [approval("rev-bob", pr.headSha)];
    const dismissed = deliver(probot, pullRequestReviewEvent(world, repo, pr, "rev-bob"), "pass-1");
    await eventually(() => route.readsSent() === 2, { what: "the evaluation after the dismissal reads the PR" });
    // ...while another event waits behind it, and the author merges on the still-passing run before that one reads.
    const later = deliver(probot, pullRequestEvent(world, repo, pr, "edited"), "pass-2");
    await eventually(() => memory.waiting.size === 1, { what: "the later event waits" });
    world.mergePullRequest(repo, pr, "squash");
    route.release();
    await Promise.all([dismissed, later]);

    // The later evaluation finds the PR merged and writes nothing; the failure was written all the same.
    expect(repo.checkRuns).toHaveLength(1);
    expect(repo.checkRuns[0]).toMatchObject({ headSha: pr.headSha, status: "completed", conclusion: "failure" });
    expect(rowOf(repo.checkRuns[0]!.output.summary, "reviews")).toContain("1 of 2 required approvals");
  });
});
