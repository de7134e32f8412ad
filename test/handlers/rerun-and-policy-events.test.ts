import { GitHubWorld, rulesetRule, type SimRepo } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import {
  branchProtectionRuleEvent,
  checkRunRerequestedEvent,
  checkSuiteRerequestedEvent,
  pushEvent,
  pullRequestEvent,
  repositoryEvent,
  repositoryRulesetEvent,
  secretScanningAlertEvent,
  securityAndAnalysisEvent,
} from "../../sim/webhook-payloads.js";
import { mockGitHub } from "../support/github-mock.js";
import { createTestApp } from "../support/test-app.js";

function setup() {
  const world = new GitHubWorld();
  const repo = compliantRepo(world);
  const pr = compliantPullRequest(world, repo, 7);
  return { world, repo, pr };
}

describe("the Re-run buttons", () => {
  it("check_run rerequested re-evaluates the PR and updates its one check run", async () => {
    const { world, repo, pr } = setup();
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments").expectEvaluation("acme", "payments", { write: "update" });
    await probot.receive(pullRequestEvent(world, repo, pr) as never);
    repo.secretScanning.openAlerts = 2; // state changed since: the re-run must read it fresh

    await probot.receive(checkRunRerequestedEvent(world, repo, pr) as never);

    expect(repo.checkRuns).toHaveLength(1);
    expect(repo.checkRuns[0]!.conclusion).toBe("failure");
    expect(repo.checkRuns[0]!.output.summary).toContain("2 open secret-scanning alert(s)");
  });

  it("a re-run of another app's check run is ignored", async () => {
    const { world, repo, pr } = setup();
    const probot = createTestApp(world);
    mockGitHub(world);

    await probot.receive(checkRunRerequestedEvent(world, repo, pr, { name: "unit-tests" }) as never);

    expect(world.requests).toEqual([]);
  });

  it("a re-run on a fork PR (no pull_requests in the payload) finds the PR among the open PRs by its head", async () => {
    const { world, repo, pr } = setup();
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expect("GET", "/repos/acme/payments/pulls").expectEvaluation("acme", "payments");

    await probot.receive(checkRunRerequestedEvent(world, repo, pr, { linked: false }) as never);

    expect(repo.checkRuns).toHaveLength(1);
  });

  it("check_suite rerequested re-evaluates the PRs of the suite", async () => {
    const { world, repo, pr } = setup();
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");

    await probot.receive(checkSuiteRerequestedEvent(world, repo, pr) as never);

    expect(repo.checkRuns).toHaveLength(1);
  });
});

describe("changes to what every open PR is judged against", () => {
  function withOpenPullRequests() {
    const { world, repo, pr } = setup();
    const second = compliantPullRequest(world, repo, 8);
    compliantPullRequest(world, repo, 9, { state: "CLOSED" });
    return { world, repo, open: [pr, second] };
  }

  /** A repository without a policy file of its own, so the org's `.github` file (`policy`) is its policy; an open PR. */
  function fallingBackToOrgFile(policy: string) {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    repo.files.delete(".github/sdlc-guard.yml");
    const org = world.addRepo("acme", ".github");
    org.files.set(".github/sdlc-guard.yml", policy);
    return { world, repo, org, pr: compliantPullRequest(world, repo, 7), probot: createTestApp(world) };
  }

  /** The push GitHub sends when it merges a (compliant) PR into main, touching `modified`. */
  function mergePush(world: GitHubWorld, repo: SimRepo, opts: { modified?: string[]; forced?: boolean } = {}) {
    const merged = compliantPullRequest(world, repo, 99);
    // Compliant: its own evaluation passed on its head before it merged (the merge commit inherits that verdict).
    repo.checkRuns.push({
      id: 99,
      appId: world.appId,
      name: "sdlc-guard",
      headSha: merged.headSha,
      status: "completed",
      conclusion: "success",
      output: { title: "All required controls pass", summary: "" },
      externalId: null,
    });
    return pushEvent(world, repo, { merged, ...opts });
  }
  const runsOnPullRequests = (repo: SimRepo) => repo.checkRuns.filter((r) => r.externalId?.startsWith("pr-"));

  it.each([
    ["a branch protection rule is edited", branchProtectionRuleEvent],
    ["a repository ruleset is edited", repositoryRulesetEvent],
    ["a secret-scanning alert is created", secretScanningAlertEvent],
  ])("when %s, every open PR is re-evaluated (closed ones are not)", async (_name, makeEvent) => {
    const { world, repo, open } = withOpenPullRequests();
    repo.classicRules.clear();
    repo.branchRules.set("main", [
      rulesetRule.pullRequest(2),
      rulesetRule.nonFastForward(),
      rulesetRule.deletion(),
      rulesetRule.requiredGuard(world.appId),
    ]);
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expect("GET", "/repos/acme/payments/pulls")
      .expectEvaluation("acme", "payments")
      .expectEvaluation("acme", "payments", { cached: true });

    await probot.receive(makeEvent(world, repo) as never);

    expect(repo.checkRuns.map((r) => r.headSha).sort()).toEqual(open.map((p) => p.headSha).sort());
    expect(repo.checkRuns.every((r) => r.conclusion === "success")).toBe(true); // rulesets satisfy branch protection
  });

  it("an organisation ruleset change (no repository in the payload) is acknowledged without a GitHub request", async () => {
    const { world, repo } = withOpenPullRequests();
    const probot = createTestApp(world);
    mockGitHub(world);

    await probot.receive(repositoryRulesetEvent(world, repo, "edited", true) as never);

    expect(world.requests).toEqual([]);
  });

  it("a PR that cannot be read during re-evaluation gets a failing run on its listed head, and the others are still evaluated", async () => {
    const { world, repo, open } = withOpenPullRequests();
    world.failNext("POST", "/graphql", 502);
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expect("GET", "/repos/acme/payments/pulls")
      .expectUnreadablePullRequest("acme", "payments", open[0]!.headSha)
      .expectEvaluation("acme", "payments", { cached: "config" });

    await probot.receive(branchProtectionRuleEvent(world, repo) as never);

    expect(repo.checkRuns.map((r) => [r.headSha, r.conclusion])).toEqual([
      [open[0]!.headSha, "failure"],
      [open[1]!.headSha, "success"],
    ]);
  });

  it("re-evaluation is bounded per event", async () => {
    const { world, repo } = withOpenPullRequests();
    const probot = createTestApp(world, { maxReevaluations: 1 });
    mockGitHub(world).expectToken().expect("GET", "/repos/acme/payments/pulls").expectEvaluation("acme", "payments");

    await probot.receive(branchProtectionRuleEvent(world, repo) as never);

    expect(repo.checkRuns).toHaveLength(1);
  });

  // A push to main is also judged itself (direct-push, force-push): it reads the config first (cached for the PRs after
  // it), asks one GraphQL query and writes the merge commit's run.
  it("a push to the default branch that changes .github/sdlc-guard.yml re-evaluates open PRs", async () => {
    const { world, repo } = withOpenPullRequests();
    repo.files.set(".github/sdlc-guard.yml", "controls:\n  reviews:\n    min_approvals: 3\n");
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expect("GET", "/repos/acme/payments/pulls")
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql")
      .expect("POST", "/repos/acme/payments/check-runs")
      .expectEvaluation("acme", "payments", { cached: "config" })
      .expectEvaluation("acme", "payments", { cached: true });

    await probot.receive(mergePush(world, repo, { modified: [".github/sdlc-guard.yml"] }) as never);

    expect(runsOnPullRequests(repo).map((r) => r.conclusion)).toEqual(["failure", "failure"]);
    expect(runsOnPullRequests(repo)[0]!.output.summary).toContain("2 of 3 required approvals");
  });

  it("a push to the default branch that changes CODEOWNERS re-evaluates open PRs (a passing run must not outlive new owners)", async () => {
    const { world, repo } = withOpenPullRequests();
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expect("GET", "/repos/acme/payments/pulls")
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql")
      .expect("POST", "/repos/acme/payments/check-runs")
      .expectEvaluation("acme", "payments", { cached: "config" })
      .expectEvaluation("acme", "payments", { cached: true });

    await probot.receive(mergePush(world, repo, { modified: [".github/CODEOWNERS"] }) as never);

    expect(runsOnPullRequests(repo)).toHaveLength(2);
  });

  it("a push to main that does not touch the config re-evaluates no PR: only the push itself is judged", async () => {
    const { world, repo } = withOpenPullRequests();
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql")
      .expect("POST", "/repos/acme/payments/check-runs");

    await probot.receive(mergePush(world, repo, { modified: ["src/app.ts"] }) as never);

    expect(runsOnPullRequests(repo)).toEqual([]);
    expect(repo.checkRuns.filter((r) => r.externalId !== null).map((r) => [r.externalId, r.conclusion])).toEqual([
      ["push:main", "success"],
    ]);
  });

  it("a push to another (unprotected) branch re-evaluates no PR and writes nothing", async () => {
    const { world, repo } = withOpenPullRequests();
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectConfigFiles("acme", "payments").expect("POST", "/graphql");

    await probot.receive(pushEvent(world, repo, { branch: "feature/x", modified: [".github/sdlc-guard.yml"] }) as never);

    expect(repo.checkRuns).toEqual([]);
  });

  it("a forced push to the default branch may have rewritten the config unseen, so open PRs are re-evaluated", async () => {
    const { world, repo } = withOpenPullRequests();
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expect("GET", "/repos/acme/payments/pulls")
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql")
      .expect("POST", "/repos/acme/payments/check-runs")
      .expect("GET", "/repos/acme/payments/issues") // the forced push is a force-push violation: its issue
      .expect("POST", "/repos/acme/payments/issues")
      .expectEvaluation("acme", "payments", { cached: "config" })
      .expectEvaluation("acme", "payments", { cached: true });

    await probot.receive(mergePush(world, repo, { forced: true }) as never);

    expect(runsOnPullRequests(repo)).toHaveLength(2);
  });

  it("a push to the org's .github repository drops the cached config of every repository that fell back to it", async () => {
    const { world, repo, org, pr, probot } = fallingBackToOrgFile("controls:\n  jira:\n    projects: [PAY]\n");
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments", { orgFallback: true })
      .expect("GET", "/repos/acme/.github/pulls") // the org repository's own open PRs (none)
      // The push to the org repository's main is judged too (its own config is the org file; a direct push: an issue).
      .expect("GET", "/repos/acme/.github/contents/.github%2Fsdlc-guard.yml")
      .expect("POST", "/graphql")
      .expect("POST", "/repos/acme/.github/check-runs")
      .expect("GET", "/repos/acme/.github/issues")
      .expect("POST", "/repos/acme/.github/issues")
      // The next evaluation builds its config again from the files: the org's, read again by the push's own
      // evaluation, and the repository's (absent, unchanged, still cached); the secret-scanning state is still cached.
      .expect("POST", "/graphql")
      .expect("PATCH", "/repos/acme/payments/check-runs/*");
    await probot.receive(pullRequestEvent(world, repo, pr) as never);
    expect(repo.checkRuns[0]!.conclusion).toBe("success");

    org.files.set(".github/sdlc-guard.yml", "controls:\n  reviews:\n    min_approvals: 3\n");
    await probot.receive(pushEvent(world, org, { modified: [".github/sdlc-guard.yml"] }) as never);
    await probot.receive(pullRequestEvent(world, repo, pr, "edited") as never);

    expect(repo.checkRuns[0]!.conclusion).toBe("failure");
    expect(repo.checkRuns[0]!.output.summary).toContain("2 of 3 required approvals");
  });

  it("the org's .github repository renamed away (no push says so): repositories that fell back to it read it again", async () => {
    const { world, repo, org, pr, probot } = fallingBackToOrgFile("controls:\n  reviews:\n    min_approvals: 3\n");
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments", { orgFallback: true })
      // The next evaluation reads the org's file again (gone: the defaults apply); the repository's own is cached.
      .expect("GET", "/repos/acme/.github/contents/.github%2Fsdlc-guard.yml")
      .expect("POST", "/graphql")
      .expect("PATCH", "/repos/acme/payments/check-runs/*");
    await probot.receive(pullRequestEvent(world, repo, pr) as never);
    expect(repo.checkRuns[0]!.conclusion).toBe("failure");

    org.name = "old-policies";
    await probot.receive(repositoryEvent(world, org, "renamed", { repository: { name: { from: ".github" } } }) as never);
    await probot.receive(pullRequestEvent(world, repo, pr, "edited") as never);

    expect(repo.checkRuns[0]!.conclusion).toBe("success");
  });

  it("a default branch switched (no push says so) drops the repository's cached policy and re-evaluates its open PRs", async () => {
    const { world, repo, open } = withOpenPullRequests();
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expect("GET", "/repos/acme/payments/pulls")
      .expect("GET", "/repos/acme/payments/contents/.github%2Fsdlc-guard.yml") // the org's file is still cached
      .expectEvaluation("acme", "payments", { cached: true, write: "update" })
      .expectEvaluation("acme", "payments", { cached: true });
    await probot.receive(pullRequestEvent(world, repo, open[0]!) as never);
    expect(repo.checkRuns[0]!.conclusion).toBe("success");

    repo.files.set(".github/sdlc-guard.yml", "controls:\n  reviews:\n    min_approvals: 3\n"); // the new default branch's
    await probot.receive(repositoryEvent(world, repo, "edited", { default_branch: { from: "master" } }) as never);

    expect(repo.checkRuns[0]!.conclusion).toBe("failure");
    expect(repo.checkRuns[0]!.output.summary).toContain("of 3 required approvals");
  });

  it("a security_and_analysis change drops the cached secret-scanning state and re-evaluates open PRs with fresh settings", async () => {
    const { world, repo, open } = withOpenPullRequests();
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expect("GET", "/repos/acme/payments/pulls")
      .expectEvaluation("acme", "payments", { cached: "config", write: "update" })
      .expectEvaluation("acme", "payments", { cached: true });
    await probot.receive(pullRequestEvent(world, repo, open[0]!) as never);
    expect(repo.checkRuns[0]!.output.summary).toContain("push protection is enabled");

    repo.secretScanning.pushProtection = false;
    await probot.receive(securityAndAnalysisEvent(world, repo) as never);

    expect(repo.checkRuns).toHaveLength(2);
    expect(repo.checkRuns.every((r) => r.output.summary?.includes("push protection is disabled"))).toBe(true);
  });
});
