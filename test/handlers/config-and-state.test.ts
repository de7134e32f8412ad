import { GitHubWorld } from "../../sim/github-world.js";
import { approval, compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { pullRequestEvent } from "../../sim/webhook-payloads.js";
import { mockGitHub } from "../support/github-mock.js";
import { createTestApp } from "../support/test-app.js";

function setup(config?: string) {
  const world = new GitHubWorld();
  const repo = compliantRepo(world);
  if (config === undefined) repo.files.delete(".github/sdlc-guard.yml");
  else repo.files.set(".github/sdlc-guard.yml", config);
  const pr = compliantPullRequest(world, repo, 3);
  return { world, repo, pr };
}

describe("configuration on the default branch", () => {
  it("invalid YAML fails the check with the file and line, and nothing crashes", async () => {
    const { world, repo, pr } = setup("controls:\n  reviews:\n    min_approvals: 2\n   jira: [\n");
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectConfigError("acme", "payments");

    await expect(probot.receive(pullRequestEvent(world, repo, pr) as never)).resolves.not.toThrow();

    const run = repo.checkRuns[0]!;
    expect(run).toMatchObject({ conclusion: "failure", output: { title: "Configuration error in acme/payments:.github/sdlc-guard.yml" } });
    expect(run.output.summary).toMatch(/valid YAML \(line \d+, column \d+\)/);
    expect(run.output.summary).toContain("No control was evaluated");
  });

  it("a value the schema refuses fails the check with the key path and what was expected", async () => {
    const { world, repo, pr } = setup("controls:\n  reviews:\n    min_approvals: two\n");
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectConfigError("acme", "payments");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const summary = repo.checkRuns[0]!.output.summary!;
    expect(summary).toContain("| `acme/payments:.github/sdlc-guard.yml` | `controls.reviews.min_approvals` |");
    expect(summary).toMatch(/expected number/);
  });

  it("the org's .github repository is the fallback when the repository has no config", async () => {
    const { world, repo, pr } = setup();
    const org = world.addRepo("acme", ".github");
    org.files.set(".github/sdlc-guard.yml", "controls:\n  reviews:\n    min_approvals: 1\n");
    pr.reviews = [approval("rev-bob", pr.headSha)];
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments", { orgFallback: true });

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const run = repo.checkRuns[0]!;
    expect(run.conclusion).toBe("success");
    expect(run.output.summary).toContain("the policy in `acme/.github:.github/sdlc-guard.yml`");
  });

  it("without any config the POL-008 defaults apply (2 approvals, every core control required)", async () => {
    const { world, repo, pr } = setup();
    pr.reviews = [approval("rev-bob", pr.headSha)];
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments", { orgFallback: true });

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const run = repo.checkRuns[0]!;
    expect(run.conclusion).toBe("failure");
    expect(run.output.summary).toContain("built-in POL-008 defaults");
    expect(run.output.summary).toContain("1 of 2 required approvals");
  });

  it("the config is read from the default branch: no ref is sent, so a PR cannot weaken its own policy", async () => {
    const { world, repo, pr } = setup("controls:\n  jira:\n    projects: [PAY]\n");
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const contents = world.requests.find((r) => r.path.includes("/contents/"))!;
    expect(contents.query).not.toMatch(/(^|&)ref=/);
  });

  it("_extends inherits a shared policy from another repository", async () => {
    const { world, repo, pr } = setup("_extends: security-policies:policies/sdlc.yml\ncontrols:\n  jira:\n    projects: [PAY]\n");
    const shared = world.addRepo("acme", "security-policies");
    shared.files.set("policies/sdlc.yml", "controls:\n  reviews:\n    min_approvals: 3\n");
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expect("GET", "/repos/acme/security-policies/contents/policies%2Fsdlc.yml");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const summary = repo.checkRuns[0]!.output.summary!;
    expect(summary).toContain("2 of 3 required approvals");
    expect(summary).toContain("`acme/payments:.github/sdlc-guard.yml` ← `acme/security-policies:policies/sdlc.yml`");
  });

  it("an off control is listed as off and not evaluated (nothing is read for it); an advisory failure only warns", async () => {
    const { world, repo, pr } = setup(
      "controls:\n  secret-scanning:\n    enforcement: off\n  jira:\n    enforcement: advisory\n    projects: [OPS]\n",
    );
    repo.secretScanning.enabled = false;
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql")
      .expect("POST", "/repos/acme/payments/check-runs");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const run = repo.checkRuns[0]!;
    expect(run.conclusion).toBe("success");
    expect(run.output.title).toBe("All required controls pass; advisory: jira");
    expect(run.output.summary).toContain("| `secret-scanning` | ➖ off |");
    expect(run.output.summary).toContain("| `jira` | ⚠️ advisory |");
  });
});

describe("fresh state, one check run", () => {
  it("evaluations read current state: a head that moved since the webhook is the one evaluated", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 4);
    const event = pullRequestEvent(world, repo, pr);
    pr.headSha = "c".repeat(40); // pushed again after the webhook was sent: the old approvals are now stale
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");

    await probot.receive(event as never);

    expect(repo.checkRuns[0]).toMatchObject({ headSha: "c".repeat(40), conclusion: "failure" });
    expect(repo.checkRuns[0]!.output.summary).toContain("Approvals on an older commit do not count: rev-bob, rev-carol.");
  });

  it("two events for the same PR at once produce one check run (and share one evaluation: see test/faults)", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 5);
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");

    await Promise.all([
      probot.receive(pullRequestEvent(world, repo, pr, "opened") as never),
      probot.receive(pullRequestEvent(world, repo, pr, "edited") as never),
    ]);

    expect(repo.checkRuns).toHaveLength(1);
  });

  it("after a restart, the existing check run is found on GitHub and updated, not duplicated", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 6);
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expectToken()
      .expectEvaluation("acme", "payments", { write: "update" });

    await createTestApp(world).receive(pullRequestEvent(world, repo, pr) as never);
    pr.reviews.pop(); // the result changes, so the run is written (an unchanged one is left as it is)
    await createTestApp(world).receive(pullRequestEvent(world, repo, pr, "synchronize") as never);

    expect(repo.checkRuns).toHaveLength(1);
  });

  it("another app's check run of the same name is not ours to update", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 7);
    repo.checkRuns.push({
      id: 5,
      appId: 999,
      name: "sdlc-guard",
      headSha: pr.headSha,
      status: "completed",
      conclusion: "success",
      output: { title: "impostor", summary: "" },
      externalId: null,
    });
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    expect(repo.checkRuns.filter((r) => r.appId === world.appId)).toHaveLength(1);
    expect(repo.checkRuns.find((r) => r.id === 5)!.output.title).toBe("impostor");
  });

  it("a commit that is the head of two open PRs fails closed and names the other PR", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 11);
    compliantPullRequest(world, repo, 12, { headSha: pr.headSha, baseRef: "release" });
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const run = repo.checkRuns[0]!;
    expect(run.conclusion).toBe("failure");
    expect(run.output.title).toBe("Shared head commit (also #12): All required controls pass");
    expect(run.output.summary).toContain("This commit is also the head of open pull request(s) #12.");
  });

  it("our run is found even when many other apps have check suites on the head commit", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 9);
    for (let app = 1; app <= 12; app++) {
      repo.checkRuns.push({
        id: 100 + app,
        appId: app,
        name: `ci-${app}`,
        headSha: pr.headSha,
        status: "completed",
        conclusion: "success",
        output: { title: "ok", summary: "" },
        externalId: null,
      });
    }
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expectToken()
      .expectEvaluation("acme", "payments", { write: "update" });

    await createTestApp(world).receive(pullRequestEvent(world, repo, pr) as never);
    // a fresh app instance (a restart) has no memory of the run: it must find it on GitHub among 13 suites
    pr.reviews.pop(); // and the result changed, so it is written
    await createTestApp(world).receive(pullRequestEvent(world, repo, pr, "edited") as never);

    expect(repo.checkRuns.filter((r) => r.name === "sdlc-guard")).toHaveLength(1);
  });

  it("a PR the event names but GitHub does not return fails closed on the announced head", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 10);
    const event = pullRequestEvent(world, repo, pr);
    repo.pulls.splice(0); // e.g. the app's access to it was just revoked
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectUnreadablePullRequest("acme", "payments", pr.headSha);

    await probot.receive(event as never);

    expect(repo.checkRuns[0]).toMatchObject({ headSha: pr.headSha, conclusion: "failure" });
    expect(repo.checkRuns[0]!.output.summary).toContain("GitHub returned no such pull request");
  });

  it("a closed PR is not evaluated, and nothing past the PR itself is read for it", async () => {
    const world = new GitHubWorld();
    const repo = compliantRepo(world);
    const pr = compliantPullRequest(world, repo, 8);
    const event = pullRequestEvent(world, repo, pr, "edited");
    pr.state = "CLOSED";
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectConfigFiles("acme", "payments").expect("POST", "/graphql");

    await probot.receive(event as never);

    expect(repo.checkRuns).toEqual([]);
  });
});
