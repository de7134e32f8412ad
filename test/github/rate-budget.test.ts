import { jest } from "@jest/globals";
import nock from "nock";
import { ProbotOctokit } from "probot";
import { GitHubWorld } from "../../sim/github-world.js";
import { buildOrg } from "../../sim/org-scenario.js";
import { DEFAULT_RATE_RESET } from "../../sim/rate-limit.js";
import { collectOrgFacts } from "../../src/github/org/org-facts.js";
import { RateBudget, RateLimitExhaustedError, type RateBudgetOptions } from "../../src/github/transport/rate-budget.js";
import { GITHUB_API, mockGitHub, worldsInTest } from "../support/github-mock.js";

const NOW = Date.parse("2026-11-20T09:00:00Z");
const RESET_MS = DEFAULT_RATE_RESET * 1000; // the simulator's limits reset an hour after NOW
const octokitFor = () => new ProbotOctokit({ auth: { token: "ghs_test" }, retry: { enabled: false }, throttle: { enabled: false } });

/** A fake clock and sleep: sleeping moves the clock, and the limits refill at their reset, as GitHub's do. */
function fakeTime(world: GitHubWorld) {
  const time = { now: NOW, slept: [] as number[] };
  const options: RateBudgetOptions = {
    clock: () => time.now,
    sleep: async (ms) => {
      time.slept.push(ms);
      time.now += ms;
      for (const resource of ["core", "graphql"] as const) {
        if (world.rateLimit[resource].reset * 1000 <= time.now) world.resetRateLimit(resource, Math.floor(time.now / 1000) + 3600);
      }
    },
  };
  return { time, options };
}

describe("rate budget: a long read never starves the webhook evaluations", () => {
  it("reads the limits from GET /rate_limit and follows every response's headers", async () => {
    const world = new GitHubWorld();
    world.organization("acme");
    world.rateLimit.core.remaining = 900;
    mockGitHub(world).expect("GET", "/rate_limit").expect("GET", "/orgs/acme");
    const octokit = octokitFor();

    const budget = await RateBudget.start(octokit);
    expect([budget.remaining("core"), budget.remaining("graphql")]).toEqual([900, 5000]);
    await budget.spend("core", 1);
    await octokit.request("GET /orgs/{org}", { org: "acme" });

    expect(budget.remaining("core")).toBe(899); // GitHub's figure, from the answer's x-ratelimit headers
    budget.stop();
  });

  it("waits for the reset when a request would dig into the reserve, re-reads the limits, and resumes", async () => {
    const world = new GitHubWorld();
    world.rateLimit.core.remaining = 52;
    world.rateLimit.core.reset = NOW / 1000 + 300;
    mockGitHub(world).expect("GET", "/rate_limit", 2);
    const { time, options } = fakeTime(world);
    const budget = await RateBudget.start(octokitFor(), options);

    await budget.spend("core", 2);
    await Promise.all([budget.spend("core", 1), budget.spend("core", 1)]); // short together: one wait, one re-read

    expect(time.slept).toEqual([301_000]); // to the reset, and a second more
    // The new window, less the four spent on requests that (here) never got an answer.
    expect(budget.remaining("core")).toBe(4996);
    budget.stop();
  });

  it("fails when the reset is later than the collection may wait, and every later spend fails too", async () => {
    const world = new GitHubWorld();
    world.rateLimit.graphql.remaining = 60;
    mockGitHub(world).expect("GET", "/rate_limit");
    const { time, options } = fakeTime(world);
    const budget = await RateBudget.start(octokitFor(), { ...options, maxWaitMs: 30 * 60_000 });

    const error = await budget.spend("graphql", 16).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RateLimitExhaustedError);
    expect((error as Error).message).toBe(
      "GitHub's GraphQL rate limit: 16 points needed, 60 remaining; it resets at 2026-11-20T10:00:00.000Z (in 60 min, later than the 30 min the collection may wait, with 50 kept for webhook evaluations)",
    );
    expect(error).toMatchObject({ resource: "graphql", needed: 16, remaining: 60, resetAt: new Date(RESET_MS) });
    await expect(budget.spend("core", 1)).rejects.toBe(error);
    expect(time.slept).toEqual([]);
    budget.stop();
  });

  it("estimates a whole collection: enough with one wait for a near reset, never more than the next window holds", async () => {
    const world = new GitHubWorld();
    world.rateLimit.graphql.remaining = 100;
    mockGitHub(world).expect("GET", "/rate_limit", 3);
    const near = await RateBudget.start(octokitFor(), { clock: () => NOW, maxWaitMs: 60 * 60_000 });
    const far = await RateBudget.start(octokitFor(), { clock: () => NOW });
    const small = await RateBudget.start(octokitFor(), { clock: () => NOW, maxWaitMs: 60 * 60_000 });

    expect(() => near.ensureCanMeet({ core: 4000, graphql: 50 + 4950 })).not.toThrow();
    expect(() => far.ensureCanMeet({ graphql: 50 })).not.toThrow();
    expect(() => far.ensureCanMeet({ graphql: 51 })).toThrow(
      "estimated for the whole collection: in 60 min, later than the 15 min the collection may wait",
    );
    expect(() => small.ensureCanMeet({ graphql: 5001 })).toThrow("more than this window and the next leave beside the reserve of 50");
    for (const budget of [near, far, small]) budget.stop();
  });

  it("without rate limits (GitHub Enterprise Server answers 404), there is nothing to budget", async () => {
    const world = new GitHubWorld();
    world.failNext("GET", "/rate_limit", 404, { message: "Rate limiting is not enabled." });
    mockGitHub(world).expect("GET", "/rate_limit");
    const budget = await RateBudget.start(octokitFor());

    await budget.spend("graphql", 1_000_000);
    budget.ensureCanMeet({ core: 1_000_000 });

    expect(budget.remaining("graphql")).toBeUndefined();
    budget.stop();
  });

  it("watches each Octokit's responses with one pair of hooks, however many budgets come and go", async () => {
    const world = new GitHubWorld();
    mockGitHub(world).expect("GET", "/rate_limit", 3);
    const octokit = octokitFor();
    const after = jest.spyOn(octokit.hook, "after");

    const first = await RateBudget.start(octokit);
    first.stop();
    const second = await RateBudget.start(octokit);
    world.rateLimit.core.remaining = 4321;
    first.observe({ "x-ratelimit-resource": "core", "x-ratelimit-remaining": "1", "x-ratelimit-reset": String(DEFAULT_RATE_RESET) });
    await octokit.request("GET /rate_limit"); // the answer carries no x-ratelimit-resource: nothing to follow

    expect(after).toHaveBeenCalledTimes(1);
    expect([first.remaining("core"), second.remaining("core")]).toEqual([1, 5000]);
    second.stop();
  });
});

describe("rate budget of an org collection", () => {
  function setup(repositories: number, { graphql = true } = {}) {
    const world = new GitHubWorld();
    const org = buildOrg(world, { repositories, failures: [] });
    worldsInTest.push(world);
    const scope = nock(GITHUB_API)
      .persist()
      .get(/.*/)
      .reply(function (uri) {
        const a = world.handle("GET", uri, undefined, this.req.headers as Record<string, string>);
        return [a.status, a.body === undefined ? "" : JSON.stringify(a.body), { "content-type": "application/json", ...a.headers }];
      });
    // Without it, a GraphQL request is an unmatched request, which fails the test.
    if (graphql) {
      scope.post("/graphql").reply(function (uri, body) {
        const a = world.handle("POST", uri, typeof body === "string" ? JSON.parse(body) : body, this.req.headers as Record<string, string>);
        return [a.status, JSON.stringify(a.body), { "content-type": "application/json", ...a.headers }];
      });
    }
    const octokit = octokitFor();
    const issued: string[] = [];
    octokit.hook.before("request", (options) => void issued.push(`${options.method} ${String(options.url)}`));
    const collect = (budget: RateBudgetOptions) =>
      collectOrgFacts(octokit, {
        org: "acme",
        appId: world.appId,
        now: new Date(org.now),
        periodDays: 30,
        webUrl: "https://github.com",
        budget,
      });
    return { world, issued, collect };
  }

  it("waits for the reset, then completes", async () => {
    const { world, collect } = setup(9);
    world.rateLimit.graphql.remaining = 60; // the first batch of 10 repositories (about 16 points) would dig into the reserve
    const { time, options } = fakeTime(world);

    const facts = await collect({ ...options, maxWaitMs: 60 * 60_000 });

    expect(time.slept).toEqual([RESET_MS - NOW + 1_000]);
    expect(facts.repositories.every((r) => r.protection.ok && r.mergedPullRequests.ok && r.pushes.ok)).toBe(true);
    expect(world.requests.filter((r) => r.path === "/rate_limit")).toHaveLength(2);
  });

  it("fails before the GraphQL phase when the whole collection cannot be read before the deadline", async () => {
    const { world, issued, collect } = setup(9, { graphql: false });
    world.rateLimit.graphql.remaining = 60;
    const { time, options } = fakeTime(world);

    const error = await collect(options).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RateLimitExhaustedError);
    expect((error as Error).message).toMatch(
      /^GitHub's GraphQL rate limit: 28 points needed, 60 remaining; it resets at 2026-11-20T10:00:00.000Z \(estimated for the whole collection: in 60 min/,
    );
    expect(world.requests.map((r) => r.path).sort()).toEqual(["/orgs/acme", "/orgs/acme/repos", "/rate_limit"]);
    expect(issued).toHaveLength(3);
    expect(time.slept).toEqual([]);
  });

  it("a limit that runs out mid-collection stops it: nothing else is requested after the throw", async () => {
    const { world, issued, collect } = setup(9);
    // Enough for the list and the estimate of six alert-list requests, but the secret-scanning alerts take two pages.
    world.repos[0]!.secretScanning.openAlerts = 150;
    world.rateLimit.core.remaining = 50 + 2 + 6;
    const { options } = fakeTime(world);

    const error = await collect(options).catch((e: unknown) => e);
    const requestedAtTheThrow = issued.length;
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(error).toBeInstanceOf(RateLimitExhaustedError);
    expect(error).toMatchObject({ resource: "core", needed: 1, remaining: 50 });
    expect(issued).toHaveLength(requestedAtTheThrow);
    expect(world.requests.filter((r) => r.method === "GET" && r.path !== "/rate_limit")).toHaveLength(8);
  });
});
