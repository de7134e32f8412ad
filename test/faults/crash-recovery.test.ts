import { GitHubWorld, type SimCheckRun, type SimRepo } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { pullRequestEvent } from "../../sim/webhook-payloads.js";
import { queryProblems } from "../../sim/graphql.js";
import { IN_PROGRESS_QUERY, type RecoveryReport } from "../../src/handlers/recover-in-progress.js";
import { mockGitHub } from "../support/github-mock.js";
import { routeToWorld } from "../support/route-to-world.js";
import { createTestApp } from "../support/test-app.js";
import { deliver, requestsTo } from "./fault-kit.js";

// Policy: a check run we left in progress (the process died mid-evaluation, or the event that would have completed
// it was lost while the app was down) never hangs: the next event for its commit completes it, and at start-up the
// app finds such runs and completes them by evaluating their PR again, or fails them with the reason.

/** Our `sdlc-guard` run as a process that died after creating it left it. */
function leftInProgress(
  world: GitHubWorld,
  repo: SimRepo,
  headSha: string,
  number: number,
  startedAt = "2026-11-20T09:00:00Z",
): SimCheckRun {
  const run: SimCheckRun = {
    id: 9000 + repo.checkRuns.length,
    appId: world.appId,
    name: "sdlc-guard",
    headSha,
    status: "in_progress",
    conclusion: null,
    output: { title: "Evaluating", summary: null },
    externalId: `pr-${number}`,
    startedAt,
  };
  repo.checkRuns.push(run);
  return run;
}

/** A test app that sweeps at start-up, and the sweep's outcome. */
function appWithSweep(world: GitHubWorld, olderThanMs = 60_000) {
  let finished!: (outcome: RecoveryReport | Error) => void;
  const sweep = new Promise<RecoveryReport | Error>((resolve) => (finished = resolve));
  const probot = createTestApp(world, { recoverInProgress: { olderThanMs, onFinished: finished } });
  return { probot, sweep };
}

describe("a check run left in progress", () => {
  it("is completed by the next event for its commit (updated in place: still one run)", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 5);
    const stuck = leftInProgress(world, repo, pr.headSha, 5);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments", { write: "update" });

    await deliver(createTestApp(world), pullRequestEvent(world, repo, pr, "edited"), "after-crash");

    expect(repo.checkRuns).toEqual([expect.objectContaining({ id: stuck.id, status: "completed", conclusion: "success" })]);
  });

  it("is found at start-up and completed: re-evaluated on an open PR's head, failed with the reason otherwise; recent and other apps' runs are left alone", async () => {
    const world = new GitHubWorld();
    world.organization("acme");
    const repo = compliantRepo(world);
    // #5: left in progress on its head: evaluated again (it complies, so it passes).
    const open = compliantPullRequest(world, repo, 5);
    const onHead = leftInProgress(world, repo, open.headSha, 5);
    // #6: left in progress on a commit that is no longer its head.
    const moved = compliantPullRequest(world, repo, 6);
    const oldCommit = "0".repeat(39) + "6";
    moved.commits = [
      { sha: oldCommit, message: "PAY-106: first try" },
      { sha: moved.headSha, message: "PAY-106: rotate keys" },
    ];
    const superseded = leftInProgress(world, repo, oldCommit, 6);
    // #7: closed since: nothing to evaluate.
    const closed = compliantPullRequest(world, repo, 7, { updatedAt: new Date().toISOString() });
    closed.state = "CLOSED";
    const onClosed = leftInProgress(world, repo, closed.headSha, 7);
    // #8: in progress for a few seconds only (another replica may be writing it); #9: another app's run in progress.
    const young = compliantPullRequest(world, repo, 8);
    const recent = leftInProgress(world, repo, young.headSha, 8, new Date().toISOString());
    const other = compliantPullRequest(world, repo, 9);
    repo.checkRuns.push({
      id: 9100,
      appId: 999,
      name: "sdlc-guard",
      headSha: other.headSha,
      status: "in_progress",
      conclusion: null,
      output: { title: "impostor", summary: null },
      externalId: null,
    });
    const log = routeToWorld(world, ["GET", "POST", "PATCH"]);

    const { sweep } = appWithSweep(world);

    expect(await sweep).toEqual({ installations: 1, found: 3, reevaluated: 1, failed: 2, errors: 0 });
    expect(repo.checkRuns.find((r) => r.id === onHead.id)).toMatchObject({ status: "completed", conclusion: "success" });
    expect(repo.checkRuns.find((r) => r.id === superseded.id)).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(repo.checkRuns.find((r) => r.id === superseded.id)!.output.summary).toContain("is no longer the head of pull request #6");
    expect(repo.checkRuns.find((r) => r.id === onClosed.id)).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(repo.checkRuns.find((r) => r.id === onClosed.id)!.output.summary).toContain("pull request #7 is closed");
    expect(repo.checkRuns.find((r) => r.id === recent.id)!.status).toBe("in_progress");
    expect(repo.checkRuns.find((r) => r.id === 9100)!.status).toBe("in_progress");
    expect(repo.checkRuns.filter((r) => r.appId === world.appId)).toHaveLength(4); // nothing created: each run completed in place
    // One sweep per installation: the open PRs, and the recently closed ones, in a query GitHub's schema accepts.
    expect(log.filter((l) => l === "POST graphql SdlcGuardInProgress")).toHaveLength(2);
    expect(queryProblems(IN_PROGRESS_QUERY)).toEqual([]);
  });

  it("a sweep that cannot read GitHub is logged, and the app keeps serving", async () => {
    const world = new GitHubWorld();
    world.organization("acme");
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 5);
    world.failNext("POST", "/graphql", 502, { operation: "SdlcGuardInProgress" });
    routeToWorld(world, ["GET", "POST"]);

    const { probot, sweep } = appWithSweep(world);

    expect(await sweep).toEqual({ installations: 1, found: 0, reevaluated: 0, failed: 0, errors: 1 });
    await deliver(probot, pullRequestEvent(world, repo, pr), "after-sweep");
    expect(repo.checkRuns.map((r) => r.conclusion)).toEqual(["success"]);
    expect(requestsTo(world, "POST", "/graphql").filter((r) => r.status === 502)).toHaveLength(1);
  });
});
