import { GitHubWorld } from "../../sim/github-world.js";
import { approval, compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { pullRequestEvent } from "../../sim/webhook-payloads.js";
import nock from "nock";
import { GITHUB_API, mockGitHub, warmUpGitHubModel } from "../support/github-mock.js";
import { createTestApp } from "../support/test-app.js";
import { renderControlResults } from "../../src/report/check-run-output.js";
import { decodeResults } from "../../src/report/check-run-state.js";

function setup() {
  const world = new GitHubWorld();
  const repo = compliantRepo(world);
  const pr = compliantPullRequest(world, repo, 5);
  return { world, repo, pr };
}

const rowOf = (summary: string | null, id: string) => summary?.split("\n").find((line) => line.startsWith(`| \`${id}\``)) ?? "";

describe("fail closed: what cannot be read never passes", () => {
  beforeAll(warmUpGitHubModel);

  it("the 150th review is read", async () => {
    const { world, repo, pr } = setup();
    pr.reviews = [approval("rev-bob", pr.headSha, 1), approval("rev-carol", pr.headSha, 2)];
    for (let i = 3; i < 150; i++)
      pr.reviews.push({
        author: { login: `commenter-${i}` },
        state: "COMMENTED",
        commitSha: pr.headSha,
        submittedAt: `2026-11-20T11:${String(i % 60).padStart(2, "0")}:${String(Math.floor(i / 60)).padStart(2, "0")}Z`,
      });
    pr.reviews.push({
      author: { login: "rev-zed" },
      state: "CHANGES_REQUESTED",
      commitSha: pr.headSha,
      submittedAt: "2026-11-20T12:00:00Z",
    });
    expect(pr.reviews).toHaveLength(150);
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments").expect("POST", "/graphql");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const run = repo.checkRuns[0]!;
    expect(run.conclusion).toBe("failure");
    expect(rowOf(run.output.summary, "reviews")).toContain("Changes requested by rev-zed");
    expect(world.requests.filter((r) => r.path === "/graphql")).toHaveLength(2);
  });

  it("a 502 on the second page of reviews never passes", async () => {
    const { world, repo, pr } = setup();
    for (let i = 0; i < 120; i++) pr.reviews.push(approval(`rev-${i}`, pr.headSha, i % 60));
    world.failNext("POST", "/graphql", 502, { skip: 1 });
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments").expect("POST", "/graphql");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const run = repo.checkRuns[0]!;
    expect(run.conclusion).toBe("failure");
    expect(rowOf(run.output.summary, "reviews")).toMatch(/❌ not evaluated .*reviews page 2: GitHub answered HTTP 502/);
  });

  it("a 502 on the pull request itself fails every control on the announced head commit", async () => {
    const { world, repo, pr } = setup();
    world.failNext("POST", "/graphql", 502);
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectUnreadablePullRequest("acme", "payments", pr.headSha);

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const run = repo.checkRuns[0]!;
    expect(run).toMatchObject({ headSha: pr.headSha, conclusion: "failure" });
    for (const id of ["reviews", "jira", "branch-protection", "secret-scanning"]) {
      expect(rowOf(run.output.summary, id)).toContain("Could not read the pull request: GitHub answered HTTP 502");
    }
  });

  it("a 502 on the pull request, over a run that recorded a direct push of its head: the push's rows stay and keep it failing", async () => {
    const { world, repo, pr } = setup();
    // The head commit was also pushed straight to main: a push evaluation stored its rows on the commit's one run.
    const pushed = renderControlResults(
      [
        {
          id: "direct-push",
          enforcement: "required",
          outcome: "fail",
          reason: "pushed to `main` without a pull request",
          fix: "open a pull request",
          source: "push to `main`",
        },
      ],
      "failure",
      {
        subject: "push to `main`",
        headSha: pr.headSha,
        isDraft: false,
        configSources: [],
        evaluatedAt: "2026-11-20T09:00:00Z",
      },
    );
    repo.checkRuns.push({
      id: 9001,
      appId: world.appId,
      name: "sdlc-guard",
      headSha: pr.headSha,
      status: "completed",
      conclusion: "failure",
      output: { title: pushed.output.title, summary: pushed.output.summary },
      externalId: "push:main",
    });
    world.failNext("POST", "/graphql", 502);
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql")
      .expect("GET", `/repos/acme/payments/commits/${pr.headSha}/check-runs`)
      .expect("PATCH", "/repos/acme/payments/check-runs/9001");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    expect(repo.checkRuns).toHaveLength(1);
    const run = repo.checkRuns[0]!;
    expect(run.conclusion).toBe("failure");
    expect(rowOf(run.output.summary, "reviews")).toContain("Could not read the pull request: GitHub answered HTTP 502");
    expect(decodeResults(run.output.summary).find((r) => r.id === "direct-push")).toMatchObject({
      outcome: "fail",
      source: "push to `main`",
    });
    expect(run.output.summary).toContain("**Also recorded on this commit**");
  });

  it("a 502 on secret scanning fails secret-scanning, not passes it", async () => {
    const { world, repo, pr } = setup();
    // The organisation's lists fail, so the repository's own are read: they fail too.
    world.failNext("GET", "/orgs/acme/secret-scanning", 502);
    world.failNext("GET", "/repos/acme/payments/secret-scanning", 502);
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments").expect("GET", "/repos/acme/payments/secret-scanning/alerts", 2);

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const run = repo.checkRuns[0]!;
    expect(run.conclusion).toBe("failure");
    expect(run.output.title).toContain("secret-scanning");
    expect(rowOf(run.output.summary, "secret-scanning")).toContain("GitHub answered HTTP 502");
  });

  it("a connection GitHub resets is named as a network error in the row, not as an HTTP status, and fails the control", async () => {
    const { world, repo, pr } = setup();
    // A read of the organisation's alert lists, then of the repository's own, gets no answer at all: the connection is
    // reset under it.
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    nock(GITHUB_API)
      .get(/^\/orgs\/acme\/secret-scanning\/alerts/)
      .replyWithError(reset);
    nock(GITHUB_API)
      .get(/^\/repos\/acme\/payments\/secret-scanning\/alerts/)
      .replyWithError(reset);
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql")
      .expect("GET", "/orgs/acme/secret-scanning/alerts")
      .expect("GET", "/repos/acme/payments/secret-scanning/alerts")
      .expect("GET", "/repos/acme/payments")
      .expect("POST", "/repos/acme/payments/check-runs");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const run = repo.checkRuns[0]!;
    expect(run.conclusion).toBe("failure");
    const row = rowOf(run.output.summary, "secret-scanning");
    expect(row).toContain("❌ not evaluated");
    expect(row).toContain("network error, no answer from GitHub: connection reset by api.github.com");
    expect(row).not.toMatch(/HTTP 500/);
  });

  it("secret scanning disabled (GitHub answers 404) fails with that reason", async () => {
    const { world, repo, pr } = setup();
    repo.secretScanning.enabled = false;
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    expect(rowOf(repo.checkRuns[0]!.output.summary, "secret-scanning")).toContain("Secret scanning is disabled");
  });

  it("an open private-key alert, which GitHub lists only when asked by name, fails secret-scanning", async () => {
    const { world, repo, pr } = setup();
    repo.secretScanning.genericAlerts = 1;
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    expect(rowOf(repo.checkRuns[0]!.output.summary, "secret-scanning")).toContain("1 open secret-scanning alert(s)");
    const alertReads = world.requests.filter((r) => r.path.endsWith("/secret-scanning/alerts"));
    expect(alertReads.map((r) => new URLSearchParams(r.query).get("hide_secret"))).toEqual(["true", "true"]);
  });

  it("push protection is reported as advisory: disabled, or unreadable after a 502, it never decides the control", async () => {
    const { world, repo, pr } = setup();
    repo.secretScanning.pushProtection = false;
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");
    await createTestApp(world).receive(pullRequestEvent(world, repo, pr) as never);
    expect(repo.checkRuns[0]!.output.summary).toContain("- `secret-scanning`: push protection is disabled (advisory");

    // Another app instance (nothing cached) that cannot read the setting: still a pass, with the reason. Without the
    // repository's settings the organisation's count cannot be used: its own lists say scanning is on.
    const probot = createTestApp(world);
    world.failNext("GET", "/repos/acme/payments", 502, { exact: true });
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments", { write: "update" })
      .expect("GET", "/repos/acme/payments/secret-scanning/alerts", 2)
      .expectEvaluation("acme", "payments", { write: "update", cached: "config", orgCached: true });
    await probot.receive(pullRequestEvent(world, repo, pr, "edited") as never);

    expect(repo.checkRuns[0]!.conclusion).toBe("success");
    expect(repo.checkRuns[0]!.output.summary).toContain("- `secret-scanning`: push protection could not be read (GitHub answered HTTP 502");
    // A state read with an error is not cached: the next evaluation reads the secret-scanning state again.
    await probot.receive(pullRequestEvent(world, repo, pr, "edited") as never);
    expect(repo.checkRuns[0]!.output.summary).toContain("- `secret-scanning`: push protection is disabled (advisory");
  });

  it("rules GitHub does not return for the base branch fail branch-protection, even with classic protection in place", async () => {
    const { world, repo, pr } = setup();
    repo.rulesHidden = true;
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    expect(repo.checkRuns[0]!.conclusion).toBe("failure");
    expect(rowOf(repo.checkRuns[0]!.output.summary, "branch-protection")).toContain("rulesets of the base branch");
  });

  it("a configuration GitHub cannot serve fails the check instead of falling back to defaults", async () => {
    const { world, repo, pr } = setup();
    world.failNext("GET", "/repos/acme/payments/contents", 500);
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expect("GET", "/repos/acme/payments/contents/.github%2Fsdlc-guard.yml")
      .expect("POST", "/graphql")
      .expect("POST", "/repos/acme/payments/check-runs")
      .expectEvaluation("acme", "payments", { write: "update" });

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    expect(repo.checkRuns[0]!.conclusion).toBe("failure");
    expect(repo.checkRuns[0]!.output.title).toBe("Configuration error in acme/payments:.github/sdlc-guard.yml");
    // A config GitHub could not serve is not cached: the next event reads it again, and passes.
    await probot.receive(pullRequestEvent(world, repo, pr, "edited") as never);
    expect(repo.checkRuns[0]!.conclusion).toBe("success");
  });

  it("a 502 on creating the check run is followed by a look-up, then one create", async () => {
    const { world, repo, pr } = setup();
    world.failNext("POST", "/repos/acme/payments/check-runs", 502);
    const probot = createTestApp(world, { retry: true });
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expect("GET", `/repos/acme/payments/commits/${pr.headSha}/check-runs`)
      .expect("POST", "/repos/acme/payments/check-runs");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    expect(repo.checkRuns).toHaveLength(1);
    expect(repo.checkRuns[0]!.conclusion).toBe("success");
  });

  it("a 502 after GitHub did create the check run does not create a second one", async () => {
    const { world, repo, pr } = setup();
    world.failNext("POST", "/repos/acme/payments/check-runs", 502, { afterApplying: true });
    const probot = createTestApp(world, { retry: true });
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expect("GET", `/repos/acme/payments/commits/${pr.headSha}/check-runs`)
      .expect("PATCH", "/repos/acme/payments/check-runs/*");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    expect(repo.checkRuns).toHaveLength(1);
    expect(repo.checkRuns[0]!.conclusion).toBe("success");
  });

  it("a transient 502 on updating the check run is retried", async () => {
    const { world, repo, pr } = setup();
    const probot = createTestApp(world, { retry: true });
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expectEvaluation("acme", "payments", { write: "update", cached: true })
      .expect("PATCH", "/repos/acme/payments/check-runs/*");
    await probot.receive(pullRequestEvent(world, repo, pr) as never);
    world.failNext("PATCH", "/repos/acme/payments/check-runs", 502);
    pr.title = "rotate card-token keys"; // the Jira key is gone: a changed result, so the run is written

    await probot.receive(pullRequestEvent(world, repo, pr, "edited") as never);

    expect(repo.checkRuns).toHaveLength(1);
  });

  it("a secondary rate limit with retry-after is waited out and retried", async () => {
    const { world, repo, pr } = setup();
    // Settings hidden from the app: the repository's own alert lists are read, and the first is rate limited.
    repo.securityAndAnalysisHidden = true;
    world.failNext("GET", "/repos/acme/payments/secret-scanning", 403, {
      headers: { "retry-after": "0" },
      message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
    });
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments").expect("GET", "/repos/acme/payments/secret-scanning/alerts", 3);

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    expect(repo.checkRuns[0]!.conclusion).toBe("success");
  });

  it("a GitHub request that does not answer in time fails its control with the reason", async () => {
    const { world, repo, pr } = setup();
    const probot = createTestApp(world, { requestPolicy: { timeoutMs: 1_000, secondaryRateLimitRetries: 0, maxRetryAfterSeconds: 0 } });
    mockGitHub(world)
      .expectToken()
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql")
      // The organisation's lists time out, then the repository's own.
      .expect("GET", "/orgs/acme/secret-scanning/alerts", 2, 4_000)
      .expect("GET", "/repos/acme/payments/secret-scanning/alerts", 2, 4_000)
      .expect("GET", "/repos/acme/payments")
      .expect("POST", "/repos/acme/payments/check-runs");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const run = repo.checkRuns[0]!;
    expect(run.conclusion).toBe("failure");
    expect(rowOf(run.output.summary, "secret-scanning")).toContain("did not answer in time");
  });
});
