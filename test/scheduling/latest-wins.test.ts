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
  worldsInTest.push(world);
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let reads = 0;
  const answer = (method: string) =>
    async function (this: { req: { headers: Record<string, string> } }, uri: string, body: unknown) {
      const parsed = typeof body === "string" && body ? JSON.parse(body) : body || undefined;
      if (method === "POST" && uri.startsWith("/graphql") && reads++ === 0) await released;
      const a = world.handle(method, uri, parsed, this.req.headers);
      return [a.status, a.body === undefined ? "" : JSON.stringify(a.body), { "content-type": "application/json", ...a.headers }] as [
        number,
        string,
        Record<string, string>,
      ];
    };
  const scope = nock(GITHUB_API).persist();
  for (const method of ["GET", "POST"]) scope.intercept(/.*/, method).reply(answer(method));
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
});
