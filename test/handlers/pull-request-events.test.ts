import { GitHubWorld } from "../../sim/github-world.js";
import { approval, compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { pullRequestEvent, pullRequestReviewEvent } from "../../sim/webhook-payloads.js";
import { mockGitHub } from "../support/github-mock.js";
import { createTestApp } from "../support/test-app.js";

describe("pull request events", () => {
  it("a compliant PR gets one successful sdlc-guard check run: 7 GitHub requests for the first PR of an organisation, 2 in steady state", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 1);
    const second = compliantPullRequest(world, repo, 4);
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expectEvaluation("acme", "payments", { cached: true })
      .expectEvaluation("acme", "payments", { cached: true, write: "none" });
    const requestsSince = (start: number) =>
      world.requests
        .slice(start)
        .filter((r) => !r.path.startsWith("/app/"))
        .map((r) => `${r.method} ${r.path}`);

    await probot.receive(pullRequestEvent(world, repo, pr, "opened") as never);
    const first = requestsSince(0);
    const before = world.requests.length;
    await probot.receive(pullRequestEvent(world, repo, second, "opened") as never);
    const steady = requestsSince(before);
    const beforeReview = world.requests.length;
    await probot.receive(pullRequestReviewEvent(world, repo, pr, "rev-carol") as never);
    const review = requestsSince(beforeReview);

    expect(repo.checkRuns).toHaveLength(2);
    const [run] = repo.checkRuns;
    expect(run).toMatchObject({ name: "sdlc-guard", headSha: pr.headSha, conclusion: "success" });
    expect(run!.output.title).toBe("All required controls pass");
    expect(run!.output.summary).toContain("| `reviews` | ✅ pass |");
    expect(run!.output.summary).toContain("- `secret-scanning`: push protection is enabled");
    // The first PR of the organisation: config (the repository's file and the org's, which it inherits), one GraphQL
    // query, secret-scanning state (the repository's settings, the organisation's two alert lists, read once for all
    // its repositories: test/handlers/org-secret-alerts.test.ts), the write.
    expect(first.sort()).toEqual(
      [
        "GET /repos/acme/payments/contents/.github%2Fsdlc-guard.yml",
        "GET /repos/acme/.github/contents/.github%2Fsdlc-guard.yml",
        "POST /graphql",
        "GET /orgs/acme/secret-scanning/alerts",
        "GET /orgs/acme/secret-scanning/alerts",
        "GET /repos/acme/payments",
        "POST /repos/acme/payments/check-runs",
      ].sort(),
    );
    // Steady state (config and secret-scanning state cached until a webhook changes them): the query and the write.
    expect(steady).toEqual(["POST /graphql", "POST /repos/acme/payments/check-runs"]);
    // A third approval changes no result: the run already says so, nothing is written.
    expect(review).toEqual(["POST /graphql"]);
    expect(world.violations).toEqual([]);
  });

  it("a redelivered webhook leaves the same check run as it is (its result did not change)", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 2);
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expectEvaluation("acme", "payments", { write: "none", cached: true });
    const event = pullRequestEvent(world, repo, pr, "opened");

    await probot.receive(event as never);
    await probot.receive(event as never);

    expect(repo.checkRuns).toHaveLength(1);
  });

  it("a review submitted later re-evaluates against fresh state", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 3, { reviews: [] });
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expectEvaluation("acme", "payments", { write: "update", cached: true });

    await probot.receive(pullRequestEvent(world, repo, pr) as never);
    expect(repo.checkRuns[0]!.conclusion).toBe("failure");
    pr.reviews.push(approval("rev-bob", pr.headSha), approval("rev-carol", pr.headSha, 30));
    await probot.receive(pullRequestReviewEvent(world, repo, pr, "rev-carol") as never);

    expect(repo.checkRuns).toHaveLength(1);
    expect(repo.checkRuns[0]!.conclusion).toBe("success");
  });
});
