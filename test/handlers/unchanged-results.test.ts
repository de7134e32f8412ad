import { GitHubWorld, type SimPullRequest, type SimRepo } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { pullRequestEvent, pullRequestReviewEvent } from "../../sim/webhook-payloads.js";
import { mockGitHub } from "../support/github-mock.js";
import { createTestApp } from "../support/test-app.js";

// Issue 21, point 1: a result the check run on the head already shows is not written again (GitHub paces writes
// hardest); the decision comes from the run the evaluation's one query read, so an unchanged result costs one read.

/** The GitHub requests (not the app's token) made since `start`, as `METHOD path`. */
const requestsSince = (world: GitHubWorld, start: number) =>
  world.requests
    .slice(start)
    .filter((r) => !r.path.startsWith("/app/"))
    .map((r) => `${r.method} ${r.path}`);

/** A repository whose PR #1 was evaluated once (its run written), and the app that did it. */
async function evaluatedOnce(pr: (world: GitHubWorld, repo: SimRepo) => SimPullRequest = (w, r) => compliantPullRequest(w, r, 1)) {
  const world = new GitHubWorld();
  const repo = compliantRepo(world);
  const pull = pr(world, repo);
  const probot = createTestApp(world);
  const github = mockGitHub(world).expectToken().expectEvaluation("acme", "payments");
  await probot.receive(pullRequestEvent(world, repo, pull, "opened") as never);
  expect(repo.checkRuns).toHaveLength(1);
  const written = { ...repo.checkRuns[0]!, output: { ...repo.checkRuns[0]!.output } };
  return { world, repo, pr: pull, probot, github, written, start: world.requests.length };
}

describe("a result the check run already shows is not written again", () => {
  it("a redelivered webhook costs one read and no write: the run stays as it was", async () => {
    const { world, repo, pr, probot, github, written, start } = await evaluatedOnce();
    github.expect("POST", "/graphql");

    await probot.receive(pullRequestEvent(world, repo, pr, "opened") as never);

    expect(requestsSince(world, start)).toEqual(["POST /graphql"]);
    expect(repo.checkRuns).toHaveLength(1);
    expect(repo.checkRuns[0]).toMatchObject({ id: written.id, conclusion: "success", output: written.output });
  });

  it("a COMMENTED review changes no control: one read, no write", async () => {
    const { world, repo, pr, probot, github, start } = await evaluatedOnce();
    github.expect("POST", "/graphql");
    pr.reviews.push({ author: { login: "rev-dan" }, state: "COMMENTED", commitSha: pr.headSha, submittedAt: "2026-11-20T10:40:00Z" });

    await probot.receive(pullRequestReviewEvent(world, repo, pr, "rev-dan", "commented") as never);

    expect(requestsSince(world, start)).toEqual(["POST /graphql"]);
  });

  it("an edited title that keeps its Jira key costs one read and no write", async () => {
    const { world, repo, pr, probot, github, start } = await evaluatedOnce();
    github.expect("POST", "/graphql");
    pr.title = "PAY-101: rotate the card-token keys (reworded)";

    await probot.receive(pullRequestEvent(world, repo, pr, "edited") as never);

    expect(requestsSince(world, start)).toEqual(["POST /graphql"]);
  });

  it("a result that changed is written: an approval withdrawn turns the run red", async () => {
    const { world, repo, pr, probot, github, written, start } = await evaluatedOnce();
    github.expect("POST", "/graphql").expect("PATCH", "/repos/acme/payments/check-runs/*");
    pr.reviews.pop();

    await probot.receive(pullRequestEvent(world, repo, pr, "synchronize") as never);

    expect(requestsSince(world, start)).toEqual(["POST /graphql", `PATCH /repos/acme/payments/check-runs/${written.id}`]);
    expect(repo.checkRuns[0]!.conclusion).toBe("failure");
  });

  it("a run left in progress (e.g. by a restart) is written even when the result is the same", async () => {
    const { world, repo, pr, probot, github, written, start } = await evaluatedOnce();
    github.expect("POST", "/graphql").expect("PATCH", "/repos/acme/payments/check-runs/*");
    Object.assign(repo.checkRuns[0]!, { status: "in_progress", conclusion: null });

    await probot.receive(pullRequestEvent(world, repo, pr, "opened") as never);

    expect(requestsSince(world, start)).toEqual(["POST /graphql", `PATCH /repos/acme/payments/check-runs/${written.id}`]);
    expect(repo.checkRuns[0]).toMatchObject({ status: "completed", conclusion: "success" });
  });

  it("a run whose output differs (another row, an edited summary) is written again", async () => {
    const { world, repo, pr, probot, github, written, start } = await evaluatedOnce();
    github.expect("POST", "/graphql").expect("PATCH", "/repos/acme/payments/check-runs/*");
    repo.checkRuns[0]!.output.summary = written.output.summary!.replace("✅ pass", "❌ fail");

    await probot.receive(pullRequestEvent(world, repo, pr, "opened") as never);

    expect(requestsSince(world, start)).toEqual(["POST /graphql", `PATCH /repos/acme/payments/check-runs/${written.id}`]);
    expect(repo.checkRuns[0]!.output.summary).toContain("✅ pass");
  });

  it("a fresh evaluation after a skipped write finds the run identical: a new app writes nothing either", async () => {
    const { world, repo, pr, probot, github, written } = await evaluatedOnce();
    github.expect("POST", "/graphql");
    await probot.receive(pullRequestEvent(world, repo, pr, "opened") as never);
    // A second replica with nothing cached: it reads everything again, and finds nothing to write.
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments", { write: "none" });
    const fresh = createTestApp(world);
    const start = world.requests.length;
    await fresh.receive(pullRequestEvent(world, repo, pr, "opened") as never);

    expect(requestsSince(world, start).filter((r) => !r.startsWith("GET") && r !== "POST /graphql")).toEqual([]);
    expect(repo.checkRuns[0]).toMatchObject({ id: written.id, conclusion: "success", output: written.output });
  });
});
