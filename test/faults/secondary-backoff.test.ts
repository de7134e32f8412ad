import { GitHubWorld } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { pullRequestEvent } from "../../sim/webhook-payloads.js";
import { defaultRequestPolicy, type RequestPolicy } from "../../src/github/transport/harden-requests.js";
import { warmUpGitHubModel } from "../support/github-mock.js";
import { routeToWorld } from "../support/route-to-world.js";
import { createTestApp } from "../support/test-app.js";
import { eventually } from "../support/eventually.js";
import { deliver, requestsTo, rowOf } from "./fault-kit.js";

// Policy (GitHub's docs): a secondary rate limit without `retry-after` is retried after at least a minute, then with
// exponential backoff; a wait the webhook may not make fails the control closed, with GitHub's words. No real waiting
// here: the waits are recorded by an injected sleep.

const SECONDARY = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";
/** The evaluation's one GraphQL query (the PR, its reviews, the base protection): asked once per evaluation. */
const QUERY = "/graphql";

function setup(policy: Partial<RequestPolicy>, failures: number) {
  const world = new GitHubWorld();
  const repo = compliantRepo(world);
  const pr = compliantPullRequest(world, repo, 5);
  world.failNext("POST", QUERY, 403, { times: failures, message: SECONDARY });
  routeToWorld(world, ["GET", "POST"]);
  const waits: number[] = [];
  const sleep = (ms: number) => {
    waits.push(ms);
    return Promise.resolve();
  };
  const probot = createTestApp(world, { requestPolicy: { ...defaultRequestPolicy, ...policy, sleep } });
  return { world, repo, pr, probot, waits };
}

describe("a secondary rate limit without retry-after", () => {
  beforeAll(warmUpGitHubModel);

  it("is retried after a minute (the default policy), and the PR passes", async () => {
    const { world, repo, pr, probot, waits } = setup({}, 1);

    await deliver(probot, pullRequestEvent(world, repo, pr), "backoff-1");

    expect(waits).toEqual([60_000]);
    expect(requestsTo(world, "POST", QUERY).map((r) => r.status)).toEqual([403, 200]);
    expect(repo.checkRuns.map((r) => r.conclusion)).toEqual(["success"]);
  });

  it("backs off exponentially: a minute, then two, when the policy allows waits that long", async () => {
    const { world, repo, pr, probot, waits } = setup({ maxRetryAfterSeconds: 300, secondaryRateLimitRetries: 2 }, 2);

    await deliver(probot, pullRequestEvent(world, repo, pr), "backoff-2");

    expect(waits).toEqual([60_000, 120_000]);
    expect(requestsTo(world, "POST", QUERY).map((r) => r.status)).toEqual([403, 403, 200]);
    expect(repo.checkRuns.map((r) => r.conclusion)).toEqual(["success"]);
  });

  it("a wait longer than a webhook may make is not made: the controls fail closed with GitHub's words", async () => {
    const { world, repo, pr, probot, waits } = setup({}, 2);

    await deliver(probot, pullRequestEvent(world, repo, pr), "backoff-3");

    // A minute was waited once; the next wait (two minutes) is past the 60 s the policy allows.
    expect(waits).toEqual([60_000]);
    expect(requestsTo(world, "POST", QUERY).map((r) => r.status)).toEqual([403, 403]);
    const run = repo.checkRuns[0]!;
    expect(run.conclusion).toBe("failure");
    expect(rowOf(run.output.summary, "reviews")).toContain(
      "Could not read the pull request: GitHub answered HTTP 403 (You have exceeded a secondary rate limit",
    );
  });

  it("with no wait allowed at all, nothing is waited and the request fails at once", async () => {
    const { world, repo, pr, probot, waits } = setup({ maxRetryAfterSeconds: 0 }, 1);

    await deliver(probot, pullRequestEvent(world, repo, pr), "backoff-4");

    expect(waits).toEqual([]);
    expect(requestsTo(world, "POST", QUERY)[0]!.status).toBe(403);
    expect(rowOf(repo.checkRuns[0]!.output.summary, "reviews")).toContain("secondary rate limit");
  });

  it("a 403 that is not a rate limit (no access) is never retried", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 5);
    world.failNext("POST", QUERY, 403, { message: "Resource not accessible by integration" });
    routeToWorld(world, ["GET", "POST"]);
    const waits: number[] = [];
    const sleep = (ms: number) => (waits.push(ms), Promise.resolve());
    const probot = createTestApp(world, { requestPolicy: { ...defaultRequestPolicy, sleep } });

    await deliver(probot, pullRequestEvent(world, repo, pr), "backoff-5");

    expect(waits).toEqual([]);
    expect(requestsTo(world, "POST", QUERY).map((r) => r.status)).toEqual([403]);
    expect(rowOf(repo.checkRuns[0]!.output.summary, "reviews")).toContain(
      "GitHub answered HTTP 403 (Resource not accessible by integration)",
    );
  });

  it("a wait not made inside the webhook is not lost: the PR is evaluated again once it is over", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 5);
    world.failNext("POST", QUERY, 429, { headers: { "retry-after": "1" }, message: "Too many requests" });
    routeToWorld(world, ["GET", "POST", "PATCH"]);
    // No wait allowed inside the webhook: the one-second wait is left to the deferred evaluation.
    const probot = createTestApp(world, { requestPolicy: { ...defaultRequestPolicy, maxRetryAfterSeconds: 0 } });

    await deliver(probot, pullRequestEvent(world, repo, pr), "backoff-6");
    expect(repo.checkRuns.map((r) => r.conclusion)).toEqual(["failure"]);
    expect(rowOf(repo.checkRuns[0]!.output.summary, "reviews")).toContain("GitHub answered HTTP 429 (Too many requests)");

    await eventually(() => repo.checkRuns[0]!.conclusion === "success", { what: "the evaluation after the wait", timeoutMs: 8_000 });
    expect(requestsTo(world, "POST", QUERY).map((r) => r.status)).toEqual([429, 200]);
  });
});
