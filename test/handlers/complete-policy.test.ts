import { GitHubWorld, sha, type SimCheckRun, type SimPullRequest, type SimRepo } from "../../sim/github-world.js";
import { approval, compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import {
  checkRunCompletedEvent,
  checkRunRerequestedEvent,
  checkSuiteCompletedEvent,
  membershipEvent,
  mergeGroupEvent,
  organizationMemberRemovedEvent,
  pullRequestEvent,
  pullRequestReviewEvent,
  statusEvent,
  teamEvent,
} from "../../sim/webhook-payloads.js";
import { mockGitHub } from "../support/github-mock.js";
import { createTestApp } from "../support/test-app.js";

const CONFIG_PATH = ".github/sdlc-guard.yml";
const rowOf = (summary: string | null, id: string) => summary?.split("\n").find((l) => l.startsWith(`| \`${id}\` |`)) ?? "";
const evaluationRequests = (world: GitHubWorld, since = 0) =>
  world.requests
    .slice(since)
    .filter((r) => !r.path.startsWith("/app/"))
    .map((r) => `${r.method} ${r.path}`);

function repoWithConfig(world: GitHubWorld, config: string): SimRepo {
  const repo = compliantRepo(world);
  repo.files.set(CONFIG_PATH, `controls:\n  jira:\n    projects: [PAY]\n${config}`);
  return repo;
}

let nextRunId = 50_000;
/** Another tool's check run (e.g. CodeQL) on a commit. */
function toolRun(
  repo: SimRepo,
  headSha: string,
  name: string,
  status: SimCheckRun["status"],
  conclusion: string | null = null,
  minute = 0,
): SimCheckRun {
  const run: SimCheckRun = {
    id: nextRunId++,
    appId: 29310,
    appSlug: "code-scanning",
    name,
    headSha,
    status,
    conclusion,
    output: { title: null, summary: null },
    externalId: null,
    startedAt: `2026-11-20T09:${String(minute).padStart(2, "0")}:00Z`,
  };
  repo.checkRuns.push(run);
  return run;
}
const ourRuns = (world: GitHubWorld, repo: SimRepo) => repo.checkRuns.filter((r) => r.appId === world.appId);

describe("reviewer-teams: at least one counted approval from a member of each configured team (ECO 6.2)", () => {
  const TEAMS = "  reviewer-teams:\n    teams: [acme/senior-engineers, acme/cto]\n";

  it("an approval by someone outside senior-engineers does not satisfy reviewer-teams; a senior engineer's approval does", async () => {
    const world = new GitHubWorld();
    world.teams.set("acme/senior-engineers", ["rev-dave"]);
    world.teams.set("acme/cto", ["rev-carol"]);
    const repo = repoWithConfig(world, TEAMS);
    const pr = compliantPullRequest(world, repo, 1); // approved by rev-bob and rev-carol (the CTO)
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expect("POST", "/graphql")
      .expectEvaluation("acme", "payments", { cached: true, write: "update" });

    await probot.receive(pullRequestEvent(world, repo, pr) as never);
    const [run] = ourRuns(world, repo);
    expect(run!.conclusion).toBe("failure");
    expect(rowOf(run!.output.summary, "reviewer-teams")).toContain("No counted approval from a member of acme/senior-engineers");

    const before = world.requests.length;
    pr.reviews.push(approval("rev-dave", pr.headSha, 40));
    await probot.receive(pullRequestReviewEvent(world, repo, pr, "rev-dave") as never);

    expect(ourRuns(world, repo)).toHaveLength(1);
    expect(run!.conclusion).toBe("success");
    expect(rowOf(run!.output.summary, "reviewer-teams")).toMatch(/acme\/senior-engineers.*rev-dave/);
    // Team membership was read once (one GraphQL query for both teams) and then came from the cache.
    expect(evaluationRequests(world, before)).toEqual(["POST /graphql", `PATCH /repos/acme/payments/check-runs/${run!.id}`]);
  });

  it.each([
    ["a member is removed from a team", (world: GitHubWorld) => membershipEvent(world, "acme", "cto", "rev-carol", "removed")],
    ["a team is renamed or deleted", (world: GitHubWorld) => teamEvent(world, "acme", "senior-engineers", "edited")],
    ["a member leaves the organisation", (world: GitHubWorld) => organizationMemberRemovedEvent(world, "acme", "rev-carol")],
  ])("when %s, the cached teams are read again: an approver who left no longer counts", async (_name, event) => {
    const world = new GitHubWorld();
    world.teams.set("acme/senior-engineers", ["rev-bob"]);
    world.teams.set("acme/cto", ["rev-carol"]);
    const repo = repoWithConfig(world, TEAMS);
    const pr = compliantPullRequest(world, repo, 2);
    const probot = createTestApp(world);
    // teams read at the first evaluation, and again after the event
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expect("POST", "/graphql", 2)
      .expectEvaluation("acme", "payments", { cached: true, write: "update" });

    await probot.receive(pullRequestEvent(world, repo, pr) as never);
    expect(ourRuns(world, repo)[0]!.conclusion).toBe("success");
    world.teams.set("acme/cto", []);
    await probot.receive(event(world) as never);
    await probot.receive(pullRequestEvent(world, repo, pr, "edited") as never);

    expect(ourRuns(world, repo)[0]!.conclusion).toBe("failure");
    expect(rowOf(ourRuns(world, repo)[0]!.output.summary, "reviewer-teams")).toContain("acme/cto");
  });

  it("a team the app cannot see fails closed with the reason (never an empty team that nobody needs to satisfy)", async () => {
    const world = new GitHubWorld();
    world.teams.set("acme/cto", ["rev-carol"]);
    const repo = repoWithConfig(world, TEAMS);
    const pr = compliantPullRequest(world, repo, 3);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments").expect("POST", "/graphql");

    await createTestApp(world).receive(pullRequestEvent(world, repo, pr) as never);

    const run = ourRuns(world, repo)[0]!;
    expect(run.conclusion).toBe("failure");
    expect(rowOf(run.output.summary, "reviewer-teams")).toMatch(/❌ not evaluated.*acme\/senior-engineers was not found or is not visible/);
  });
});

describe("CODEOWNERS (controls.reviews.require_code_owners): every changed file's owners approved on the head commit", () => {
  const OWNERS = "  reviews:\n    require_code_owners: true\n";

  function ownedRepo(world: GitHubWorld) {
    world.teams.set("acme/platform", ["rev-bob", "rev-carol"]);
    world.teams.set("acme/payments", ["rev-erin"]);
    const repo = repoWithConfig(world, OWNERS);
    repo.files.set(".github/CODEOWNERS", "# owners\n*       @acme/platform\n/src/payments/ @acme/payments\n");
    return repo;
  }

  it("a file owned by @acme/payments needs a payments approval", async () => {
    const world = new GitHubWorld();
    const repo = ownedRepo(world);
    const pr = compliantPullRequest(world, repo, 4, { files: ["README.md", "src/payments/refunds.ts"] });
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expect("POST", "/graphql")
      .expectEvaluation("acme", "payments", { cached: true, write: "update" });

    await probot.receive(pullRequestEvent(world, repo, pr) as never);
    const run = ourRuns(world, repo)[0]!;
    expect(run.conclusion).toBe("failure");
    expect(rowOf(run.output.summary, "reviews")).toMatch(/`src\/payments\/refunds.ts` \(owners: @\u200Bacme\/payments\)/);

    pr.reviews.push(approval("rev-erin", pr.headSha, 45));
    await probot.receive(pullRequestReviewEvent(world, repo, pr, "rev-erin") as never);
    expect(run.conclusion).toBe("success");
    expect(rowOf(run.output.summary, "reviews")).toContain("Code owners:");
  });

  it("a missing CODEOWNERS file is a clear failure, not a pass", async () => {
    const world = new GitHubWorld();
    const repo = repoWithConfig(world, OWNERS);
    const pr = compliantPullRequest(world, repo, 5);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");

    await createTestApp(world).receive(pullRequestEvent(world, repo, pr) as never);

    const run = ourRuns(world, repo)[0]!;
    expect(run.conclusion).toBe("failure");
    expect(rowOf(run.output.summary, "reviews")).toContain("No CODEOWNERS file");
  });

  it("CODEOWNERS is found in docs/ when .github/ and the root have none", async () => {
    const world = new GitHubWorld();
    world.teams.set("acme/platform", ["rev-bob"]);
    const repo = repoWithConfig(world, OWNERS);
    repo.files.set("docs/CODEOWNERS", "* @acme/platform\n");
    const pr = compliantPullRequest(world, repo, 6);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments").expect("POST", "/graphql");

    await createTestApp(world).receive(pullRequestEvent(world, repo, pr) as never);

    expect(ourRuns(world, repo)[0]!.conclusion).toBe("success");
    expect(rowOf(ourRuns(world, repo)[0]!.output.summary, "reviews")).toContain("docs/CODEOWNERS");
  });
});

describe("required-checks: named checks concluded successfully on the head commit", () => {
  const CHECKS = "  required-checks:\n    checks: [CodeQL, ci/test]\n";

  it("a pending SAST check keeps the control pending; its completion re-evaluates the PR and the one run turns green", async () => {
    const world = new GitHubWorld();
    const repo = repoWithConfig(world, CHECKS);
    const pr = compliantPullRequest(world, repo, 7);
    const codeql = toolRun(repo, pr.headSha, "CodeQL", "in_progress");
    repo.statuses.push({ sha: pr.headSha, context: "ci/test", state: "SUCCESS", createdAt: "2026-11-20T09:00:00Z" });
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expectEvaluation("acme", "payments", { cached: true, write: "update" });

    await probot.receive(pullRequestEvent(world, repo, pr) as never);
    const run = ourRuns(world, repo)[0]!;
    expect(run).toMatchObject({ status: "in_progress", conclusion: null });
    expect(run.output.title).toBe("Waiting for required-checks");
    expect(rowOf(run.output.summary, "required-checks")).toMatch(/⏳ pending.*CodeQL/);

    Object.assign(codeql, { status: "completed", conclusion: "success" });
    const before = world.requests.length;
    await probot.receive(checkRunCompletedEvent(world, repo, pr, { name: "CodeQL" }) as never);

    expect(ourRuns(world, repo)).toHaveLength(1);
    expect(run).toMatchObject({ status: "completed", conclusion: "success" });
    expect(evaluationRequests(world, before)).toEqual(["POST /graphql", `PATCH /repos/acme/payments/check-runs/${run.id}`]);
  });

  it("a failed SAST check fails the control", async () => {
    const world = new GitHubWorld();
    const repo = repoWithConfig(world, CHECKS);
    const pr = compliantPullRequest(world, repo, 8);
    toolRun(repo, pr.headSha, "CodeQL", "completed", "failure");
    repo.statuses.push({ sha: pr.headSha, context: "ci/test", state: "SUCCESS", createdAt: "2026-11-20T09:00:00Z" });
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");

    await createTestApp(world).receive(pullRequestEvent(world, repo, pr) as never);

    const run = ourRuns(world, repo)[0]!;
    expect(run.conclusion).toBe("failure");
    expect(rowOf(run.output.summary, "required-checks")).toMatch(/❌ fail.*CodeQL.*failure/);
  });

  it("a commit status reported later re-evaluates the PR whose head it is (statuses link no PR: found among open PRs)", async () => {
    const world = new GitHubWorld();
    const repo = repoWithConfig(world, CHECKS);
    const pr = compliantPullRequest(world, repo, 9);
    toolRun(repo, pr.headSha, "CodeQL", "completed", "success");
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expect("GET", "/repos/acme/payments/pulls")
      .expectEvaluation("acme", "payments", { cached: true, write: "update" });

    await probot.receive(pullRequestEvent(world, repo, pr) as never);
    expect(ourRuns(world, repo)[0]!.status).toBe("in_progress");
    repo.statuses.push({ sha: pr.headSha, context: "ci/test", state: "SUCCESS", createdAt: "2026-11-20T09:30:00Z" });
    await probot.receive(statusEvent(world, repo, pr.headSha, "ci/test") as never);

    expect(ourRuns(world, repo)[0]).toMatchObject({ status: "completed", conclusion: "success" });
  });

  it("sdlc-guard never waits on itself: our own run completing, or a check the policy does not name, evaluates nothing", async () => {
    const world = new GitHubWorld();
    const repo = repoWithConfig(world, CHECKS);
    const pr = compliantPullRequest(world, repo, 10);
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectConfigFiles("acme", "payments");

    await probot.receive(checkRunCompletedEvent(world, repo, pr, { name: "sdlc-guard", appId: world.appId }) as never);
    await probot.receive(checkSuiteCompletedEvent(world, repo, pr, world.appId) as never);
    await probot.receive(statusEvent(world, repo, pr.headSha, "sdlc-guard") as never);
    expect(evaluationRequests(world)).toEqual([]);
    await probot.receive(checkRunCompletedEvent(world, repo, pr, { name: "lint" }) as never);
    await probot.receive(checkRunCompletedEvent(world, repo, pr, { name: "docs" }) as never);

    // The config is read once (then cached); no PR is evaluated for a check the policy does not require.
    expect(evaluationRequests(world).sort()).toEqual([
      `GET /repos/acme/.github/contents/${encodeURIComponent(CONFIG_PATH)}`,
      `GET /repos/acme/payments/contents/${encodeURIComponent(CONFIG_PATH)}`,
    ]);
    expect(ourRuns(world, repo)).toEqual([]);
  });

  it("a repository that requires no checks ignores check events after one config read", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 11);
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectConfigFiles("acme", "payments");

    await probot.receive(checkSuiteCompletedEvent(world, repo, pr) as never);
    await probot.receive(checkRunCompletedEvent(world, repo, pr, { name: "CodeQL" }) as never);

    expect(evaluationRequests(world)).toHaveLength(2); // the repository's policy file and the org's
  });

  it("pending on a run that already completed fails instead (GitHub cannot reopen it), saying what it waits for", async () => {
    const world = new GitHubWorld();
    const repo = repoWithConfig(world, CHECKS);
    const pr = compliantPullRequest(world, repo, 12);
    toolRun(repo, pr.headSha, "CodeQL", "completed", "success", 0);
    repo.statuses.push({ sha: pr.headSha, context: "ci/test", state: "SUCCESS", createdAt: "2026-11-20T09:00:00Z" });
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expectEvaluation("acme", "payments", { cached: true, write: "update" });
    await probot.receive(pullRequestEvent(world, repo, pr) as never);
    expect(ourRuns(world, repo)[0]!.conclusion).toBe("success");

    toolRun(repo, pr.headSha, "CodeQL", "in_progress", null, 30); // a re-run started later
    await probot.receive(pullRequestEvent(world, repo, pr, "edited") as never);

    const run = ourRuns(world, repo)[0]!;
    expect(run).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(run.output.title).toBe("Waiting for required-checks");
    expect(run.output.summary).toContain("GitHub cannot reopen a completed check run");
  });
});

describe("draft PRs, description and commit messages", () => {
  it("a draft PR is evaluated and labelled as draft in the title", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 13, { draft: true });
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");

    await createTestApp(world).receive(pullRequestEvent(world, repo, pr) as never);

    expect(ourRuns(world, repo)[0]!.output.title).toBe("[draft] All required controls pass");
  });

  it("a PR from the unfilled template gets an advisory description warning; a one-word commit fails commit-messages when required", async () => {
    const world = new GitHubWorld();
    const repo = repoWithConfig(world, "  commit-messages:\n    enforcement: required\n");
    const pr = compliantPullRequest(world, repo, 14, {
      body: "## Description\n<!-- what changed -->\n\n## Testing\n<!-- how -->\n",
      commits: [
        { sha: sha("c1"), message: "PAY-114: rotate the card-token keys every 30 days" },
        { sha: sha("c2"), message: "fix" },
      ],
    });
    pr.headSha = sha("c2");
    pr.reviews = [approval("rev-bob", pr.headSha), approval("rev-carol", pr.headSha, 20)];
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");

    await createTestApp(world).receive(pullRequestEvent(world, repo, pr) as never);

    const run = ourRuns(world, repo)[0]!;
    expect(run.conclusion).toBe("failure");
    expect(run.output.title).toBe("1 required control(s) failing: commit-messages; advisory: description");
    expect(rowOf(run.output.summary, "commit-messages")).toContain(sha("c2").slice(0, 7));
    expect(rowOf(run.output.summary, "description")).toMatch(/⚠️ advisory/);
  });
});

describe("frugality: every control on, requests counted one by one", () => {
  it("the first PR of a repository takes at most 8 requests, a later event at most 3", async () => {
    const world = new GitHubWorld();
    world.teams.set("acme/senior-engineers", ["rev-bob"]);
    world.teams.set("acme/platform", ["rev-carol"]);
    const repo = repoWithConfig(
      world,
      "  reviews:\n    require_code_owners: true\n  reviewer-teams:\n    teams: [acme/senior-engineers]\n  required-checks:\n    checks: [CodeQL]\n  commit-messages:\n    enforcement: required\n",
    );
    repo.files.set("CODEOWNERS", "* @acme/platform\n");
    const pr = compliantPullRequest(world, repo, 15);
    toolRun(repo, pr.headSha, "CodeQL", "completed", "success");
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expect("POST", "/graphql")
      .expectEvaluation("acme", "payments", { cached: true, write: "none" });

    await probot.receive(pullRequestEvent(world, repo, pr) as never);
    const first = evaluationRequests(world);
    const before = world.requests.length;
    await probot.receive(pullRequestEvent(world, repo, pr, "synchronize") as never);
    const steady = evaluationRequests(world, before);

    expect(ourRuns(world, repo)[0]!.conclusion).toBe("success");
    expect(first.sort()).toEqual(
      [
        `GET /repos/acme/payments/contents/${encodeURIComponent(CONFIG_PATH)}`,
        `GET /repos/acme/.github/contents/${encodeURIComponent(CONFIG_PATH)}`, // the org policy it inherits (and its floor)
        "POST /graphql", // the PR: reviews, protection, rules, files, commits, checks, CODEOWNERS
        "POST /graphql", // the members of the two teams
        "GET /orgs/acme/secret-scanning/alerts", // the org's open alerts (provider patterns), once for all its repositories
        "GET /orgs/acme/secret-scanning/alerts", // and generic ones
        "GET /repos/acme/payments", // visibility, secret scanning, push protection
        "POST /repos/acme/payments/check-runs",
      ].sort(),
    );
    expect(first.length).toBeLessThanOrEqual(8);
    // Nothing changed, so the run already shows the result: the query alone (issue 21: no-op writes skipped).
    expect(steady).toEqual(["POST /graphql"]);
    expect(steady.length).toBeLessThanOrEqual(3);
  });

  it("after the cache TTL, REST re-reads are conditional: GitHub answers 304 and the stored answer is reused", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 16);
    const probot = createTestApp(world, { cacheTtlMs: 0 });
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments").expectEvaluation("acme", "payments", { write: "none" });

    await probot.receive(pullRequestEvent(world, repo, pr) as never);
    const before = world.requests.length;
    await probot.receive(pullRequestEvent(world, repo, pr, "edited") as never);

    const again = world.requests.slice(before).filter((r) => r.method === "GET");
    // The org has no policy file: GitHub's 404 carries no ETag, so that one re-read is not conditional.
    expect(again.map((r) => `${r.path.split("?")[0]} ${r.status}`).sort()).toEqual(
      [
        "/repos/acme/.github/contents/.github%2Fsdlc-guard.yml 404",
        "/repos/acme/payments 304",
        "/repos/acme/payments/contents/.github%2Fsdlc-guard.yml 304",
        "/orgs/acme/secret-scanning/alerts 304",
        "/orgs/acme/secret-scanning/alerts 304",
      ].sort(),
    );
    expect(ourRuns(world, repo)[0]!.conclusion).toBe("success");
    expect(rowOf(ourRuns(world, repo)[0]!.output.summary, "secret-scanning")).toContain("✅ pass");
  });
});

describe("merge queue: a merge group passes only if every PR in it passed sdlc-guard", () => {
  function queued(world: GitHubWorld, results: string[]) {
    const repo = compliantRepo(world);
    const pulls: SimPullRequest[] = results.map((_, i) => compliantPullRequest(world, repo, 20 + i));
    pulls.forEach((pr, i) => {
      repo.checkRuns.push({
        id: 60_000 + i,
        appId: world.appId,
        name: "sdlc-guard",
        headSha: pr.headSha,
        status: "completed",
        conclusion: results[i]!,
        output: { title: null, summary: null },
        externalId: `pr-${pr.number}`,
      });
    });
    repo.mergeQueues.set(
      "main",
      pulls.map((pr, i) => ({ pullNumber: pr.number, headCommitSha: sha(`group-${i}`), position: i + 1 })),
    );
    return { repo, pulls };
  }

  it("a merge group with one failing PR fails and names it", async () => {
    const world = new GitHubWorld();
    const { repo, pulls } = queued(world, ["success", "failure"]);
    mockGitHub(world).expectToken().expect("POST", "/graphql").expect("POST", "/repos/acme/payments/check-runs");

    await createTestApp(world).receive(
      mergeGroupEvent(world, repo, { headSha: sha("group-1"), lastPullNumber: pulls[1]!.number }) as never,
    );

    const run = repo.checkRuns.find((r) => r.headSha === sha("group-1"))!;
    expect(run).toMatchObject({ name: "sdlc-guard", conclusion: "failure" });
    expect(run.output.title).toBe(`1 of 2 pull request(s) in the group lack a successful sdlc-guard result: #${pulls[1]!.number}`);
  });

  it("a merge group whose PRs all passed succeeds; PRs queued behind it are not part of it", async () => {
    const world = new GitHubWorld();
    const { repo, pulls } = queued(world, ["success", "success", "failure"]);
    mockGitHub(world).expectToken().expect("POST", "/graphql").expect("POST", "/repos/acme/payments/check-runs");

    await createTestApp(world).receive(
      mergeGroupEvent(world, repo, { headSha: sha("group-1"), lastPullNumber: pulls[1]!.number }) as never,
    );

    const run = repo.checkRuns.find((r) => r.headSha === sha("group-1"))!;
    expect(run.conclusion).toBe("success");
    expect(run.output.title).toBe("All 2 pull request(s) in the group passed sdlc-guard");
  });

  it("a group GitHub no longer has in the queue, or a queue that cannot be read, fails closed", async () => {
    const world = new GitHubWorld();
    const { repo } = queued(world, ["success"]);
    world.failNext("POST", "/graphql", 502);
    mockGitHub(world)
      .expectToken()
      .expect("POST", "/graphql", 2)
      // The failed query could not say whether the group's head already has our run: it is looked up before writing.
      .expect("GET", `/repos/acme/payments/commits/${sha("group-0")}/check-runs`)
      .expect("POST", "/repos/acme/payments/check-runs", 2);
    const probot = createTestApp(world);

    await probot.receive(mergeGroupEvent(world, repo, { headSha: sha("group-0"), lastPullNumber: 20 }) as never);
    await probot.receive(mergeGroupEvent(world, repo, { headSha: sha("gone"), lastPullNumber: 99 }) as never);

    const unreadable = repo.checkRuns.find((r) => r.headSha === sha("group-0"))!;
    expect(unreadable).toMatchObject({ conclusion: "failure" });
    expect(unreadable.output.summary).toContain("could not read the merge queue: GitHub answered HTTP 502");
    const gone = repo.checkRuns.find((r) => r.headSha === sha("gone"))!;
    expect(gone).toMatchObject({ conclusion: "failure", output: { title: "Merge group could not be verified" } });
    expect(gone.output.summary).toContain("no longer holds this group's last pull request #99");
  });

  it("the Re-run button on a merge group's run checks the group again (it is no PR's head)", async () => {
    const world = new GitHubWorld();
    const { repo, pulls } = queued(world, ["failure"]);
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expect("POST", "/graphql", 2)
      .expect("POST", "/repos/acme/payments/check-runs")
      .expect("PATCH", "/repos/acme/payments/check-runs/*");
    await probot.receive(mergeGroupEvent(world, repo, { headSha: sha("group-0"), lastPullNumber: pulls[0]!.number }) as never);
    const run = repo.checkRuns.find((r) => r.headSha === sha("group-0"))!;
    expect(run.conclusion).toBe("failure");

    repo.checkRuns.find((r) => r.headSha === pulls[0]!.headSha)!.conclusion = "success"; // the PR was fixed and re-checked
    const rerun = checkRunRerequestedEvent(world, repo, { ...pulls[0]!, headSha: sha("group-0") }, { linked: false });
    rerun.payload.check_run.check_suite.head_branch = `gh-readonly-queue/main/pr-${pulls[0]!.number}-${"1".repeat(40)}`;
    await probot.receive(rerun as never);

    expect(repo.checkRuns.filter((r) => r.headSha === sha("group-0"))).toHaveLength(1);
    expect(run.conclusion).toBe("success");
  });
});
