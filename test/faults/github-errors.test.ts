import { GitHubWorld } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { pullRequestEvent } from "../../sim/webhook-payloads.js";
import { mockGitHub, warmUpGitHubModel } from "../support/github-mock.js";
import { routeToWorld } from "../support/route-to-world.js";
import { createTestApp } from "../support/test-app.js";
import { deliver, requestsTo, rowOf } from "./fault-kit.js";

// Policy: when GitHub fails (errors, secondary limits, slowness), every control it could not answer fails closed
// with the reason in the check run; retries are bounded; nothing passes by accident; the next event is served.

function setup() {
  const world = new GitHubWorld();
  const repo = compliantRepo(world);
  const pr = compliantPullRequest(world, repo, 5);
  return { world, repo, pr };
}

const SECONDARY = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";

describe("GitHub answering with errors", () => {
  beforeAll(warmUpGitHubModel);

  it("a burst of 5xx that outlasts Probot's retries fails every control closed with the reason, then the next event passes", async () => {
    const { world, repo, pr } = setup();
    world.failNext("POST", "/graphql", 502, { times: 4 }); // the first try and Probot's three retries
    routeToWorld(world, ["GET", "POST", "PATCH"]);
    const probot = createTestApp(world, { retry: true });

    await deliver(probot, pullRequestEvent(world, repo, pr), "burst-1");

    expect(requestsTo(world, "POST", "/graphql").map((r) => r.status)).toEqual([502, 502, 502, 502]);
    const run = repo.checkRuns[0]!;
    expect(run).toMatchObject({ headSha: pr.headSha, status: "completed", conclusion: "failure" });
    for (const id of ["reviews", "branch-protection", "jira", "secret-scanning", "description"]) {
      expect(rowOf(run.output.summary, id)).toContain("Could not read the pull request: GitHub answered HTTP 502");
    }

    await deliver(probot, pullRequestEvent(world, repo, pr, "edited"), "burst-2");
    expect(repo.checkRuns).toHaveLength(1);
    expect(repo.checkRuns[0]!.conclusion).toBe("success");
  });

  it("a burst of 5xx that Probot's retries absorb is invisible: the PR passes", async () => {
    const { world, repo, pr } = setup();
    world.failNext("GET", "/orgs/acme/secret-scanning", 503, { times: 3 });
    routeToWorld(world, ["GET", "POST"]);
    const probot = createTestApp(world, { retry: true });

    await deliver(probot, pullRequestEvent(world, repo, pr), "absorbed-1");

    expect(requestsTo(world, "GET", "/orgs/acme/secret-scanning").filter((r) => r.status === 503)).toHaveLength(3);
    // The retries got the organisation's lists: the repository's own were not needed.
    expect(requestsTo(world, "GET", "/repos/acme/payments/secret-scanning")).toHaveLength(0);
    expect(repo.checkRuns.map((r) => r.conclusion)).toEqual(["success"]);
  });

  it("a secondary rate limit that persists is retried twice per request, then fails secret-scanning with GitHub's words; the other controls pass", async () => {
    const { world, repo, pr } = setup();
    // Settings hidden from the app, so the repository's own alert lists are read: those are rate limited.
    repo.securityAndAnalysisHidden = true;
    world.failNext("GET", "/repos/acme/payments/secret-scanning", 403, { times: 6, headers: { "retry-after": "0" }, message: SECONDARY });
    routeToWorld(world, ["GET", "POST", "PATCH"]);
    const probot = createTestApp(world);

    await deliver(probot, pullRequestEvent(world, repo, pr), "secondary-1");

    // Two alert lists (provider patterns, generic secrets), each tried three times: never more.
    const tries = requestsTo(world, "GET", "/repos/acme/payments/secret-scanning");
    expect(tries).toHaveLength(6);
    expect(tries.every((r) => r.status === 403)).toBe(true);
    const run = repo.checkRuns[0]!;
    expect(run.conclusion).toBe("failure");
    expect(run.output.title).toContain("secret-scanning");
    expect(rowOf(run.output.summary, "secret-scanning")).toContain("GitHub answered HTTP 403 (You have exceeded a secondary rate limit");
    expect(rowOf(run.output.summary, "reviews")).toContain("✅");

    await deliver(probot, pullRequestEvent(world, repo, pr, "edited"), "secondary-2");
    expect(repo.checkRuns.map((r) => r.conclusion)).toEqual(["success"]);
  });

  it("429 with retry-after is waited out (once here) and the PR passes", async () => {
    const { world, repo, pr } = setup();
    world.failNext("POST", "/graphql", 429, { headers: { "retry-after": "1" }, message: "Too many requests" });
    routeToWorld(world, ["GET", "POST"]);
    const probot = createTestApp(world);

    const started = Date.now();
    await deliver(probot, pullRequestEvent(world, repo, pr), "429-1");

    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(requestsTo(world, "POST", "/graphql").map((r) => r.status)).toEqual([429, 200]);
    expect(repo.checkRuns.map((r) => r.conclusion)).toEqual(["success"]);
  });

  it("429 asking to wait longer than a webhook may is not waited for: the PR fails closed at once, with the reason", async () => {
    const { world, repo, pr } = setup();
    world.failNext("POST", "/graphql", 429, { headers: { "retry-after": "600" }, message: "Too many requests" });
    routeToWorld(world, ["GET", "POST"]);
    const probot = createTestApp(world);

    const started = Date.now();
    await deliver(probot, pullRequestEvent(world, repo, pr), "429-long");

    expect(Date.now() - started).toBeLessThan(5_000);
    expect(requestsTo(world, "POST", "/graphql")).toHaveLength(1);
    const run = repo.checkRuns[0]!;
    expect(run.conclusion).toBe("failure");
    expect(rowOf(run.output.summary, "reviews")).toContain("Could not read the pull request: GitHub answered HTTP 429 (Too many requests)");
  });
});

describe("GitHub answering too slowly", () => {
  beforeAll(warmUpGitHubModel);

  it("a pull request GitHub does not serve in time fails every control closed with 'GitHub did not answer in time'; the next event passes", async () => {
    const { world, repo, pr } = setup();
    const probot = createTestApp(world, { requestPolicy: { timeoutMs: 500, secondaryRateLimitRetries: 0, maxRetryAfterSeconds: 0 } });
    mockGitHub(world)
      .expectToken()
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql", 1, 2_000)
      .expect("GET", `/repos/acme/payments/commits/${pr.headSha}/check-runs`)
      .expect("POST", "/repos/acme/payments/check-runs")
      // GitHub is fast again: config cached, the rest read afresh, the same run updated.
      .expectEvaluation("acme", "payments", { cached: "config", write: "update" });

    await deliver(probot, pullRequestEvent(world, repo, pr), "slow-1");

    const run = repo.checkRuns[0]!;
    expect(run.conclusion).toBe("failure");
    for (const id of ["reviews", "branch-protection", "secret-scanning"]) {
      expect(rowOf(run.output.summary, id)).toContain(
        "Could not read the pull request: GitHub did not answer in time (no answer within 500 ms)",
      );
    }

    await deliver(probot, pullRequestEvent(world, repo, pr, "edited"), "slow-2");
    expect(repo.checkRuns.map((r) => r.conclusion)).toEqual(["success"]);
  });
});
