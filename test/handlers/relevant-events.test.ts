import { GitHubWorld, type SimRepo } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { pullRequestEvent, type WebhookEvent } from "../../sim/webhook-payloads.js";
import { mockGitHub } from "../support/github-mock.js";
import { createTestApp } from "../support/test-app.js";

// Issue 21, point 2: an event that no configured control's triggers name is not evaluated: it costs no request.

const NOTHING_READS_TITLE_OR_BODY = "controls:\n  jira:\n    enforcement: off\n  description:\n    enforcement: off\n";

/** PR #1 of a repository with `config`, evaluated once by the app (config now cached). */
async function evaluatedOnce(config?: string) {
  const world = new GitHubWorld();
  const repo: SimRepo = compliantRepo(world);
  if (config !== undefined) repo.files.set(".github/sdlc-guard.yml", config);
  const pr = compliantPullRequest(world, repo, 1);
  const probot = createTestApp(world);
  const github = mockGitHub(world).expectToken().expectEvaluation("acme", "payments");
  await probot.receive(pullRequestEvent(world, repo, pr, "opened") as never);
  return { world, repo, pr, probot, github, start: world.requests.length };
}

/** A `pull_request.edited` whose `changes` are exactly `changes` (GitHub lists what the edit changed). */
function edited(event: WebhookEvent, changes: Record<string, unknown>): WebhookEvent {
  return { ...event, payload: { ...event.payload, changes } };
}

const githubRequestsSince = (world: GitHubWorld, start: number) =>
  world.requests
    .slice(start)
    .filter((r) => !r.path.startsWith("/app/"))
    .map((r) => `${r.method} ${r.path}`);

describe("events no configured control cares about cost nothing", () => {
  it("an edited title when no control reads the title (jira and description off) is not evaluated: zero requests", async () => {
    const { world, repo, pr, probot, start } = await evaluatedOnce(NOTHING_READS_TITLE_OR_BODY);
    pr.title = "no key here any more";

    await probot.receive(edited(pullRequestEvent(world, repo, pr, "edited"), { title: { from: pr.title } }) as never);

    expect(githubRequestsSince(world, start)).toEqual([]);
  });

  it("an edited that changed neither title, body nor base is not evaluated, whatever the policy", async () => {
    const { world, repo, pr, probot, start } = await evaluatedOnce();

    await probot.receive(edited(pullRequestEvent(world, repo, pr, "edited"), {}) as never);

    expect(githubRequestsSince(world, start)).toEqual([]);
  });

  it("an edited title is evaluated when the jira control reads it: the key now found only in the branch is reported", async () => {
    const { world, repo, pr, probot, github, start } = await evaluatedOnce();
    github.expectEvaluation("acme", "payments", { cached: true, write: "update" });
    pr.title = "rotate card-token keys";

    await probot.receive(edited(pullRequestEvent(world, repo, pr, "edited"), { title: { from: "PAY-101: rotate" } }) as never);

    expect(githubRequestsSince(world, start)).toEqual(["POST /graphql", `PATCH /repos/acme/payments/check-runs/${repo.checkRuns[0]!.id}`]);
  });

  it("a changed base branch is always evaluated (protection and rules are the base's), even when nothing reads the title", async () => {
    const { world, repo, pr, probot, github, start } = await evaluatedOnce(NOTHING_READS_TITLE_OR_BODY);
    github.expectEvaluation("acme", "payments", { cached: true, write: "none" });

    await probot.receive(edited(pullRequestEvent(world, repo, pr, "edited"), { base: { ref: { from: "develop" } } }) as never);

    expect(githubRequestsSince(world, start)).toEqual(["POST /graphql"]);
  });

  it("an edited whose changes GitHub names a key the app does not know is evaluated (fail safe)", async () => {
    const { world, repo, pr, probot, github, start } = await evaluatedOnce(NOTHING_READS_TITLE_OR_BODY);
    github.expectEvaluation("acme", "payments", { cached: true, write: "none" });

    await probot.receive(edited(pullRequestEvent(world, repo, pr, "edited"), { something_new: { from: "x" } }) as never);

    expect(githubRequestsSince(world, start)).toEqual(["POST /graphql"]);
  });

  it("a PR labeled or assigned costs zero requests: no control reads labels or assignees", async () => {
    const { world, repo, pr, probot, start } = await evaluatedOnce();

    await probot.receive(pullRequestEvent(world, repo, pr, "labeled") as never);
    await probot.receive(pullRequestEvent(world, repo, pr, "assigned") as never);

    expect(githubRequestsSince(world, start)).toEqual([]);
  });
});
