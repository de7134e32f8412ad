import { GitHubWorld } from "../../sim/github-world.js";
import { approval, compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { pullRequestEvent, pushEvent } from "../../sim/webhook-payloads.js";
import { mockGitHub } from "../support/github-mock.js";
import { createTestApp } from "../support/test-app.js";

/** The org policy of issue 18: the floor no repository may lower, and the defaults every repository inherits. */
const ORG_FILE = `floor:
  controls:
    reviews: { enforcement: required, min_approvals: 2 }
    jira: { enforcement: required }
controls:
  reviews: { min_approvals: 3 }
  jira: { projects: [PAY] }
`;

function setup(repoFile: string | undefined, orgFile = ORG_FILE) {
  const world = new GitHubWorld();
  const repo = compliantRepo(world);
  if (repoFile === undefined) repo.files.delete(".github/sdlc-guard.yml");
  else repo.files.set(".github/sdlc-guard.yml", repoFile);
  world.addRepo("acme", ".github").files.set(".github/sdlc-guard.yml", orgFile);
  return { world, repo };
}

describe("the org floor: no repository can lower it", () => {
  it("a repository that switches reviews and jira off is held at the floor: 0 approvals and no Jira key fail, and the policy line says so", async () => {
    const { world, repo } = setup("controls:\n  reviews: { enforcement: off }\n  jira: { enforcement: off }\n");
    const pr = compliantPullRequest(world, repo, 3, { title: "rotate card-token keys", headRef: "feature/rotate", reviews: [] });
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const run = repo.checkRuns[0]!;
    expect(run.conclusion).toBe("failure");
    expect(run.output.title).toBe("2 required control(s) failing: reviews, jira");
    expect(run.output.summary).toContain(
      "Held at the org floor: `controls.reviews.enforcement` `off` → `required`, `controls.jira.enforcement` `off` → `required`.",
    );
    expect(run.output.summary).toContain("0 of 3 required approvals");
  });

  it("advisory is below a required floor: `_extends: .github` with reviews advisory and 1 approval is held at required and 2", async () => {
    const { world, repo } = setup("_extends: .github\ncontrols:\n  reviews: { enforcement: advisory, min_approvals: 1 }\n");
    const pr = compliantPullRequest(world, repo, 4, { reviews: [] });
    pr.reviews = [approval("rev-bob", pr.headSha)];
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments"); // the org file is read once, though named twice

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const run = repo.checkRuns[0]!;
    expect(run.conclusion).toBe("failure");
    expect(run.output.summary).toContain("| `reviews` | ❌ fail | required | 1 of 2 required approvals");
    expect(run.output.summary).toContain(
      "`controls.reviews.enforcement` `advisory` → `required`, `controls.reviews.min_approvals` `1` → `2`",
    );
  });

  it("an empty repository file no longer discards the org policy: the org's 3 approvals and PAY project apply", async () => {
    const { world, repo } = setup("");
    const pr = compliantPullRequest(world, repo, 5, { title: "OPS-7: rotate card-token keys", headRef: "feature/rotate" });
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const summary = repo.checkRuns[0]!.output.summary!;
    expect(repo.checkRuns[0]!.conclusion).toBe("failure");
    expect(summary).toContain("2 of 3 required approvals");
    expect(summary).toMatch(/\| `jira` \| ❌ fail \|/);
    expect(summary).toContain("the policy in `acme/payments:.github/sdlc-guard.yml` ← `acme/.github:.github/sdlc-guard.yml`.");
    expect(summary).not.toContain("Held at the org floor");
  });

  it("a repository may raise what the floor sets: 3 approvals required stays 3, nothing is held", async () => {
    const { world, repo } = setup("controls:\n  reviews: { min_approvals: 4 }\n  jira: { projects: [PAY] }\n");
    const pr = compliantPullRequest(world, repo, 6);
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const summary = repo.checkRuns[0]!.output.summary!;
    expect(summary).toContain("2 of 4 required approvals");
    expect(summary).not.toContain("Held at the org floor");
  });

  it("a repository file cannot set its own floor: it is a config error that names the org file", async () => {
    const { world, repo } = setup("floor:\n  controls:\n    reviews: { min_approvals: 1 }\n");
    const pr = compliantPullRequest(world, repo, 7);
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectConfigError("acme", "payments");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const run = repo.checkRuns[0]!;
    expect(run.conclusion).toBe("failure");
    expect(run.output.summary).toContain("| `acme/payments:.github/sdlc-guard.yml` | `floor` |");
    expect(run.output.summary).toContain("the floor is read only from acme/.github:.github/sdlc-guard.yml");
  });

  it("the floor holds push controls too: a direct push to main fails though the repository switched direct-push off", async () => {
    const { world, repo } = setup(
      "controls:\n  direct-push: { enforcement: off }\n",
      "floor:\n  controls:\n    direct-push: { enforcement: required }\n",
    );
    const direct = world.commit(repo, "main", "hotfix without review");
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql")
      .expect("POST", "/repos/acme/payments/check-runs")
      .expect("GET", "/repos/acme/payments/issues")
      .expect("POST", "/repos/acme/payments/issues");

    await probot.receive(pushEvent(world, repo, { shas: [direct], sender: "mallory" }) as never);

    const run = repo.checkRuns.find((r) => r.headSha === direct)!;
    expect(run.conclusion).toBe("failure");
    expect(run.output.title).toBe("1 required control(s) failing: direct-push");
    expect(run.output.summary).toContain("Held at the org floor: `controls.direct-push.enforcement` `off` → `required`.");
  });
});
