import { GitHubWorld } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { pullRequestEvent } from "../../sim/webhook-payloads.js";
import { describeGitHubError } from "../../src/common/describe-error.js";
import { PrimaryRateLimitError, RateLimitBook, resourceOfUrl } from "../../src/github/transport/rate-limits.js";
import { warmUpGitHubModel } from "../support/github-mock.js";
import { routeToWorld } from "../support/route-to-world.js";
import { pino, type Logger } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { createSdlcGuardApp } from "../../src/app.js";
import { createTestApp, testPrivateKey, WEBHOOK_SECRET } from "../support/test-app.js";
import { deliver, hhmm, requestsTo, resetIn, rowOf } from "./fault-kit.js";
import { eventually } from "../support/eventually.js";

// Policy: a spent primary rate limit is waited out when it resets soon (within the deadline a webhook may wait);
// otherwise every control that needed it fails closed with "GitHub's rate limit is exhausted until HH:MM", nothing
// more is asked of GitHub until the reset, and the PR is evaluated again after it (nothing is lost).

function setup() {
  const world = new GitHubWorld();
  const repo = compliantRepo(world);
  const pr = compliantPullRequest(world, repo, 5);
  return { world, repo, pr };
}

describe("GitHub's primary rate limit spent", () => {
  beforeAll(warmUpGitHubModel); // the simulator's first GraphQL answer compiles GitHub's schema: not part of the timing

  it("a limit that resets within the deadline is waited out, then the PR is evaluated from fresh state", async () => {
    const { world, repo, pr } = setup();
    // Spent; GitHub's answer to the first query says it resets a second later, and it refills then.
    world.rateLimit.spendUntilAfterRefusal("graphql", 1);
    routeToWorld(world, ["GET", "POST"]);
    const probot = createTestApp(world); // the default deadline: 60 s

    await deliver(probot, pullRequestEvent(world, repo, pr), "wait-1");

    // One query refused by GitHub, one after the reset (the bucket refills only then: an earlier one would be refused
    // too and show here): no hammering while spent.
    expect(requestsTo(world, "POST", "/graphql").map((r) => r.status)).toEqual([200, 200]);
    expect(repo.checkRuns.map((r) => r.conclusion)).toEqual(["success"]);
  });

  it("a limit spent past the deadline fails every control that needed it with the reason, and nothing more is asked until the reset", async () => {
    const { world, repo, pr } = setup();
    const reset = resetIn(30 * 60);
    Object.assign(world.rateLimit.graphql, { remaining: 0, reset });
    routeToWorld(world, ["GET", "POST", "PATCH"]);
    const probot = createTestApp(world);

    const started = Date.now();
    await deliver(probot, pullRequestEvent(world, repo, pr), "spent-1");

    expect(Date.now() - started).toBeLessThan(5_000); // no waiting half an hour inside a webhook
    const run = repo.checkRuns[0]!;
    expect(run).toMatchObject({ headSha: pr.headSha, conclusion: "failure" });
    for (const id of ["reviews", "branch-protection", "jira", "secret-scanning"]) {
      expect(rowOf(run.output.summary, id)).toContain(
        `Could not read the pull request: GitHub's rate limit is exhausted until ${hhmm(reset)} UTC (GraphQL API)`,
      );
    }

    // More events for the installation: still served (the REST limit is fine), still failing closed, and not one
    // more GraphQL request reaches GitHub before the reset.
    for (let i = 2; i <= 5; i++) await deliver(probot, pullRequestEvent(world, repo, pr, "edited"), `spent-${i}`);
    expect(requestsTo(world, "POST", "/graphql")).toHaveLength(1);
    expect(repo.checkRuns).toHaveLength(1);
    expect(repo.checkRuns[0]!.conclusion).toBe("failure");
  });

  it("with Probot's throttling as in production (it would wait for the reset, up to an hour), a spent limit still fails at once", async () => {
    const { world, repo, pr } = setup();
    const reset = resetIn(45 * 60);
    Object.assign(world.rateLimit.graphql, { remaining: 0, reset });
    routeToWorld(world, ["GET", "POST"]);
    // Probot's own Octokit settings: throttling on (its rate-limit handler retries after the reset), retries on.
    const probot = new Probot({
      appId: world.appId,
      privateKey: testPrivateKey(),
      secret: WEBHOOK_SECRET,
      log: pino({ level: "silent" }) as Logger,
      Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
        ...options,
        retry: { enabled: true, retryAfterBaseValue: 1 },
      })),
    });
    probot.load(createSdlcGuardApp({ appId: world.appId, jira: undefined, maxReevaluations: 10 }));

    await deliver(probot, pullRequestEvent(world, repo, pr), "throttled-1");

    expect(requestsTo(world, "POST", "/graphql")).toHaveLength(1);
    expect(rowOf(repo.checkRuns[0]!.output.summary, "reviews")).toContain(`GitHub's rate limit is exhausted until ${hhmm(reset)} UTC`);
  });

  it("with the REST limit spent nothing can be written: the PR is evaluated again after the reset, so the event is not lost", async () => {
    const { world, repo, pr } = setup();
    world.rateLimit.spendUntilAfterRefusal("core", 2);
    routeToWorld(world, ["GET", "POST"]);
    // A deadline of 0: nothing is waited for inside the webhook.
    const probot = createTestApp(world, {
      requestPolicy: { timeoutMs: 10_000, secondaryRateLimitRetries: 2, maxRetryAfterSeconds: 60, maxRateLimitWaitSeconds: 0 },
    });

    await expect(deliver(probot, pullRequestEvent(world, repo, pr), "rest-spent-1")).rejects.toThrow(/rate limit is exhausted until/);
    expect(repo.checkRuns).toEqual([]);
    const restRequests = () => world.requests.filter((r) => r.path !== "/graphql" && !r.path.startsWith("/app/"));
    // Only the first REST request reached GitHub (and was refused): the check-run write was never sent.
    expect(restRequests().map((r) => `${r.method} ${r.status}`)).toEqual(["GET 403"]);

    await eventually(() => repo.checkRuns.length === 1, { what: "the check run", timeoutMs: 30_000 });
    expect(repo.checkRuns[0]).toMatchObject({ headSha: pr.headSha, conclusion: "success" });
    expect(restRequests().filter((r) => r.status === 403)).toHaveLength(1);
  });
});

describe("the rate-limit book", () => {
  const headers = (values: Record<string, string>) => new Headers(values);

  it("keeps each installation's limits apart: one installation's spent limit never stops another", async () => {
    let now = 1_000_000;
    const book = new RateLimitBook(
      () => now,
      async (ms) => void (now += ms),
    );
    book.observe(
      "installation:1",
      headers({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": "4000", "x-ratelimit-resource": "core" }),
      "core",
    );
    book.observe(
      "installation:2",
      headers({ "x-ratelimit-remaining": "10", "x-ratelimit-reset": "4000", "x-ratelimit-resource": "core" }),
      "core",
    );

    expect(book.spentUntil("installation:1", "core")).toBe(4_000_000);
    expect(book.spentUntil("installation:1", "graphql")).toBeUndefined();
    expect(book.spentUntil("installation:2", "core")).toBeUndefined();
    await expect(book.admit("installation:1", "core", 60_000)).rejects.toThrow(PrimaryRateLimitError);
    await book.admit("installation:2", "core", 0);

    // Within the deadline, the request waits for the reset (and a margin), then goes.
    now = 3_990_000;
    await book.admit("installation:1", "core", 60_000);
    expect(now).toBe(4_001_000);
    expect(book.spentUntil("installation:1", "core")).toBeUndefined();
  });

  it("answers arriving out of order never revive a spent window; a later window replaces it", () => {
    const book = new RateLimitBook(() => 0);
    book.observe("i", headers({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": "100" }), "core");
    book.observe("i", headers({ "x-ratelimit-remaining": "7", "x-ratelimit-reset": "100" }), "core");
    book.observe("i", headers({ "x-ratelimit-remaining": "9", "x-ratelimit-reset": "50" }), "core");
    expect(book.spentUntil("i", "core")).toBe(100_000);
    book.observe("i", headers({ "x-ratelimit-remaining": "4999", "x-ratelimit-reset": "3700" }), "core");
    expect(book.spentUntil("i", "core")).toBeUndefined();
    book.observe("i", headers({}), "core"); // GitHub Enterprise Server without rate limits: nothing to learn
    expect(book.spentUntil("i", "core")).toBeUndefined();
  });

  it("tells the limits apart by URL, and says when a limit resets in words fit for a check run", () => {
    expect(resourceOfUrl("https://api.github.com/graphql")).toBe("graphql");
    expect(resourceOfUrl("https://ghe.example/api/graphql")).toBe("graphql");
    expect(resourceOfUrl("/search/issues?q=x")).toBe("search");
    expect(resourceOfUrl("/repos/{owner}/{repo}/pulls")).toBe("core");
    expect(describeGitHubError(new PrimaryRateLimitError("core", Date.UTC(2026, 10, 23, 15, 42, 7)))).toBe(
      "GitHub's rate limit is exhausted until 15:42 UTC (REST API)",
    );
  });
});
