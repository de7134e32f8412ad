import { GitHubWorld, type SimCheckRun, type SimRepo } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { checkRunCompletedEvent, pullRequestEvent } from "../../sim/webhook-payloads.js";
import { mockGitHub } from "../support/github-mock.js";
import { createTestApp } from "../support/test-app.js";

const PINNED =
  "controls:\n  jira:\n    projects: [PAY]\n  required-checks:\n    checks: [ { name: CodeQL, app: github-advanced-security } ]\n";
const rowOf = (summary: string | null) => summary?.split("\n").find((l) => l.startsWith("| `required-checks` |")) ?? "";

let nextRunId = 70_000;
function runOf(repo: SimRepo, headSha: string, app: { id: number; slug: string }, conclusion: string): SimCheckRun {
  const run: SimCheckRun = {
    id: nextRunId++,
    appId: app.id,
    appSlug: app.slug,
    name: "CodeQL",
    headSha,
    status: "completed",
    conclusion,
    output: { title: null, summary: null },
    externalId: null,
    startedAt: "2026-11-20T09:00:00Z",
  };
  repo.checkRuns.push(run);
  return run;
}
const ACTIONS = { id: 15368, slug: "github-actions" };
const GHAS = { id: 57789, slug: "github-advanced-security" };

describe("required-checks: a check pinned to its app counts only from that app", () => {
  it("a workflow job and a commit status named CodeQL do not satisfy CodeQL pinned to github-advanced-security; the real tool's run does", async () => {
    const world = new GitHubWorld();
    const repo: SimRepo = compliantRepo(world);
    repo.files.set(".github/sdlc-guard.yml", PINNED);
    const pr = compliantPullRequest(world, repo, 41);
    runOf(repo, pr.headSha, ACTIONS, "success");
    repo.statuses.push({ sha: pr.headSha, context: "CodeQL", state: "SUCCESS", createdAt: "2026-11-20T09:00:00Z" });
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expectEvaluation("acme", "payments", { cached: true, write: "update" });

    await probot.receive(pullRequestEvent(world, repo, pr) as never);
    const ours = repo.checkRuns.find((r) => r.appId === world.appId)!;
    expect(ours).toMatchObject({ status: "in_progress", conclusion: null });
    expect(rowOf(ours.output.summary)).toContain(
      "`CodeQL` from app `github-advanced-security` (not reported yet on `" +
        pr.headSha.slice(0, 7) +
        "`; also reported by app `github-actions` and a commit status, which does not count)",
    );

    // The workflow's completion cannot change the verdict: it costs no request.
    const before = world.requests.length;
    await probot.receive(checkRunCompletedEvent(world, repo, pr, { name: "CodeQL", appId: ACTIONS.id, appSlug: ACTIONS.slug }) as never);
    expect(world.requests.length).toBe(before);
    expect(ours.status).toBe("in_progress");

    runOf(repo, pr.headSha, GHAS, "success");
    await probot.receive(checkRunCompletedEvent(world, repo, pr, { name: "CodeQL", appId: GHAS.id, appSlug: GHAS.slug }) as never);

    expect(ours).toMatchObject({ status: "completed", conclusion: "success" });
    expect(rowOf(ours.output.summary)).toContain(
      "`CodeQL` from app `github-advanced-security` (success from app `github-advanced-security`;",
    );
    expect(world.violations).toEqual([]);
  });

  it("a plain name keeps today's meaning: a workflow job of that name passes it, and the row names the workflow's app", async () => {
    const world = new GitHubWorld();
    const repo: SimRepo = compliantRepo(world);
    repo.files.set(".github/sdlc-guard.yml", "controls:\n  jira:\n    projects: [PAY]\n  required-checks:\n    checks: [CodeQL]\n");
    const pr = compliantPullRequest(world, repo, 42);
    runOf(repo, pr.headSha, ACTIONS, "success");
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");

    await createTestApp(world).receive(pullRequestEvent(world, repo, pr) as never);

    const ours = repo.checkRuns.find((r) => r.appId === world.appId)!;
    expect(ours.conclusion).toBe("success");
    expect(rowOf(ours.output.summary)).toContain("`CodeQL` (success from app `github-actions`)");
  });
});
