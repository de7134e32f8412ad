import nock from "nock";
import { GitHubWorld } from "../../sim/github-world.js";
import { approval, compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { pullRequestEvent, pullRequestReviewEvent, pushEvent } from "../../sim/webhook-payloads.js";
import { mockGitHub } from "../support/github-mock.js";
import { routeToWorld } from "../support/route-to-world.js";
import { createTestApp } from "../support/test-app.js";
import { deliver, requestsTo, rowOf } from "./fault-kit.js";

// Policy: a delivery is handled once however often it arrives; a storm of events for one PR leaves exactly one check
// run, which shows the PR's last state; no event is lost; the app keeps serving.

function setup() {
  const world = new GitHubWorld();
  const repo = compliantRepo(world);
  const pr = compliantPullRequest(world, repo, 5);
  return { world, repo, pr };
}

describe("the same delivery again and again", () => {
  it("one delivery sent 100 times (same X-GitHub-Delivery) is evaluated once and makes one check run; a new delivery is evaluated", async () => {
    const { world, repo, pr } = setup();
    const probot = createTestApp(world);
    // Strict mocks: one evaluation for the storm, then one (cached state) for the new delivery. Any other request fails.
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expectEvaluation("acme", "payments", { cached: true, write: "none" }); // the result is unchanged: nothing to write
    const event = pullRequestEvent(world, repo, pr, "synchronize");

    await Promise.all(Array.from({ length: 100 }, () => deliver(probot, event, "72d3162e-cc78-11e3-81ab-4c9367dc0958")));
    await deliver(probot, event, "72d3162e-cc78-11e3-81ab-4c9367dc0958"); // and once more, after it was handled

    expect(repo.checkRuns).toHaveLength(1);
    expect(requestsTo(world, "POST", "/graphql")).toHaveLength(1);

    await deliver(probot, pullRequestEvent(world, repo, pr, "edited"), "0b989ba4-242f-11e5-81e1-c7b6c7c1e1d0");
    expect(requestsTo(world, "POST", "/graphql")).toHaveLength(2);
    expect(repo.checkRuns.map((r) => r.conclusion)).toEqual(["success"]);
  });

  it("a redelivery (same id) after the delivery TTL is handled again; within it, it is ignored", async () => {
    const { world, repo, pr } = setup();
    const probot = createTestApp(world, { deliveryTtlMs: 1_000 });
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expectEvaluation("acme", "payments", { cached: true, write: "none" }); // the result is unchanged: nothing to write
    const event = pullRequestEvent(world, repo, pr);

    await deliver(probot, event, "redeliver-1");
    await deliver(probot, event, "redeliver-1"); // GitHub's "Redeliver": ignored, Re-run is the way to evaluate again
    expect(requestsTo(world, "POST", "/graphql")).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await deliver(probot, event, "redeliver-1");

    expect(requestsTo(world, "POST", "/graphql")).toHaveLength(2);
    expect(repo.checkRuns).toHaveLength(1);
  });

  it("a delivery whose handling failed is not taken for a duplicate: its redelivery is handled (nothing is lost)", async () => {
    const { world, repo, pr } = setup();
    // GitHub fails the check-run write twice (the create, and the create after the look-up): the handler fails.
    world.failNext("POST", "/repos/acme/payments/check-runs", 502, { times: 2, message: "Bad gateway" });
    routeToWorld(world, ["GET", "POST"]);
    const probot = createTestApp(world);
    const event = pullRequestEvent(world, repo, pr);

    await expect(deliver(probot, event, "failed-once")).rejects.toThrow(/Bad gateway/);
    expect(repo.checkRuns).toEqual([]);
    await deliver(probot, event, "failed-once");

    expect(repo.checkRuns.map((r) => r.conclusion)).toEqual(["success"]);
  });

  it("every handler of an event runs once per delivery: three copies of a push to the default branch cost what one does", async () => {
    const pushOnce = async (copies: number) => {
      const { world, repo } = setup();
      const log = routeToWorld(world, ["GET", "POST"]);
      const probot = createTestApp(world);
      const direct = world.commit(repo, "main", "hotfix straight to main");
      const push = pushEvent(world, repo, { shas: [direct], modified: ["src/app.ts"] });
      await Promise.all(Array.from({ length: copies }, () => deliver(probot, push, "push-delivery")));
      nock.cleanAll(); // the next world gets its own routes
      return { requests: log.length, issues: world.issues.list("acme", "payments").length, runs: repo.checkRuns.length };
    };

    const once = await pushOnce(1);
    expect(once).toMatchObject({ runs: 1, issues: 1 }); // the push fails `direct-push`: its check run, and the violation issue
    expect(await pushOnce(3)).toEqual(once);
  });
});

describe("a storm of events for one pull request", () => {
  it("50 concurrent events (different deliveries) make exactly one check run, showing the PR's last state, with a handful of evaluations", async () => {
    const { world, repo, pr } = setup();
    routeToWorld(world, ["GET", "POST", "PATCH"]);
    const probot = createTestApp(world);
    const actions = ["opened", "edited", "synchronize", "ready_for_review", "reopened"] as const;
    const storm = (from: number) =>
      Array.from({ length: 25 }, (_, i) =>
        deliver(probot, pullRequestEvent(world, repo, pr, actions[i % actions.length]), `storm-${from + i}`),
      );

    const first = storm(0);
    await new Promise((resolve) => setTimeout(resolve, 5)); // evaluations are under way...
    pr.reviews = [approval("rev-bob", pr.headSha)]; // ...when an approval is dismissed: the PR no longer complies
    const second = storm(25);
    await Promise.all([...first, ...second]);

    expect(repo.checkRuns).toHaveLength(1);
    const run = repo.checkRuns[0]!;
    expect(run).toMatchObject({ headSha: pr.headSha, status: "completed", conclusion: "failure" });
    expect(rowOf(run.output.summary, "reviews")).toContain("1 of 2 required approvals");
    // Events that find an evaluation of the PR still waiting join it: far fewer evaluations than events.
    expect(requestsTo(world, "POST", "/graphql").length).toBeLessThanOrEqual(4);

    // The storm is over: the app still serves, and the PR's state is read afresh.
    pr.reviews = [approval("rev-bob", pr.headSha), approval("rev-carol", pr.headSha)];
    await deliver(probot, pullRequestReviewEvent(world, repo, pr, "rev-carol"), "after-storm");
    expect(repo.checkRuns.map((r) => r.conclusion)).toEqual(["success"]);
  });

  it("a storm across ten PRs of one repository: one check run per PR, each right", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pulls = Array.from({ length: 10 }, (_, i) =>
      compliantPullRequest(world, repo, 20 + i, { headSha: `${String(i).padStart(2, "0")}${"e".repeat(38)}` }),
    );
    pulls[3]!.reviews = []; // this one has no approval at all
    routeToWorld(world, ["GET", "POST"]);
    const probot = createTestApp(world);

    await Promise.all(
      pulls.flatMap((pr, p) =>
        Array.from({ length: 5 }, (_, i) =>
          deliver(probot, pullRequestEvent(world, repo, pr, i % 2 ? "edited" : "synchronize"), `many-${p}-${i}`),
        ),
      ),
    );

    expect(repo.checkRuns).toHaveLength(10);
    for (const [p, pr] of pulls.entries()) {
      const runs = repo.checkRuns.filter((r) => r.headSha === pr.headSha);
      expect(runs).toHaveLength(1);
      expect(runs[0]!.conclusion).toBe(p === 3 ? "failure" : "success");
    }
  });
});
