import { GitHubWorld } from "../../sim/github-world.js";
import { approval, compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { pullRequestEvent, pullRequestReviewEvent } from "../../sim/webhook-payloads.js";
import { mockGitHub } from "../support/github-mock.js";
import { createTestApp } from "../support/test-app.js";

describe("pull request events", () => {
  it("a compliant PR gets one successful sdlc-guard check run, in 7 GitHub requests plus the installation token", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 1);
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");

    await probot.receive(pullRequestEvent(world, repo, pr, "opened") as never);

    expect(repo.checkRuns).toHaveLength(1);
    const [run] = repo.checkRuns;
    expect(run).toMatchObject({ name: "sdlc-guard", headSha: pr.headSha, conclusion: "success" });
    expect(run!.output.title).toBe("All required controls pass");
    expect(run!.output.summary).toContain("| `reviews` | ✅ pass |");
    const evaluation = world.requests.filter((r) => !r.path.startsWith("/app/"));
    expect(evaluation.map((r) => `${r.method} ${r.path}`).sort()).toEqual(
      [
        "GET /repos/acme/payments/contents/.github%2Fsdlc-guard.yml",
        "POST /graphql",
        "GET /repos/acme/payments/rules/branches/main",
        "GET /repos/acme/payments/secret-scanning/alerts",
        "GET /repos/acme/payments/secret-scanning/alerts",
        "GET /repos/acme/payments",
        "POST /repos/acme/payments/check-runs",
      ].sort(),
    );
    expect(run!.output.summary).toContain("- `secret-scanning`: push protection is enabled");
    expect(world.violations).toEqual([]);
  });

  it("a redelivered webhook updates the same check run", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 2);
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments").expectEvaluation("acme", "payments", { write: "update" });
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
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments").expectEvaluation("acme", "payments", { write: "update" });

    await probot.receive(pullRequestEvent(world, repo, pr) as never);
    expect(repo.checkRuns[0]!.conclusion).toBe("failure");
    pr.reviews.push(approval("rev-bob", pr.headSha), approval("rev-carol", pr.headSha, 30));
    await probot.receive(pullRequestReviewEvent(world, repo, pr, "rev-carol") as never);

    expect(repo.checkRuns).toHaveLength(1);
    expect(repo.checkRuns[0]!.conclusion).toBe("success");
  });
});
