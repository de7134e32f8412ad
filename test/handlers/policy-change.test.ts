import { GitHubWorld, strictClassicRule, type SimPullRequest } from "../../sim/github-world.js";
import { approval, compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { pullRequestEvent } from "../../sim/webhook-payloads.js";
import { mockGitHub } from "../support/github-mock.js";
import { createTestApp } from "../support/test-app.js";

const CONFIG = ".github/sdlc-guard.yml";

/** The org policy: 3 approvals by default, a floor of 2 no repository may go below. */
const ORG_FILE = `floor:
  controls:
    reviews: { enforcement: required, min_approvals: 2 }
controls:
  reviews: { min_approvals: 3 }
`;
const REPO_FILE = "controls:\n  jira:\n    projects: [PAY, OPS]\n";

function setup() {
  const world = new GitHubWorld();
  const repo = compliantRepo(world);
  repo.files.set(CONFIG, REPO_FILE);
  const org = world.addRepo("acme", ".github");
  org.files.set(CONFIG, ORG_FILE);
  return { world, repo, org };
}

/** A PR whose head changes the policy file to `text` (`null`: deletes it). */
function changesPolicy(text: string | null, extra: Partial<SimPullRequest> = {}): Partial<SimPullRequest> {
  return { files: ["src/index.ts", CONFIG], headFiles: new Map([[CONFIG, text]]), ...extra };
}

/** A PR evaluation whose PR changes the policy: the usual requests, then the head's file and the files it inherits. */
function expectPolicyChangeEvaluation(world: GitHubWorld, repo: string) {
  const api = mockGitHub(world).expectToken().expectConfigFiles("acme", repo).expect("POST", "/graphql");
  api.expect("GET", "/orgs/acme/secret-scanning/alerts", 2).expect("GET", `/repos/acme/${repo}`);
  api.expect("GET", `/repos/acme/${repo}/contents/.github%2Fsdlc-guard.yml?ref=*`); // the head's version
  if (repo !== ".github") api.expect("GET", "/repos/acme/.github/contents/.github%2Fsdlc-guard.yml"); // it inherits the org file
  return api.expect("POST", `/repos/acme/${repo}/check-runs`);
}

describe("a pull request that changes the policy file is checked in its own check run", () => {
  it("lowering min_approvals below the org floor lists the change and says it is held at the floor", async () => {
    const { world, repo } = setup();
    const pr = compliantPullRequest(world, repo, 11, changesPolicy(`${REPO_FILE}  reviews:\n    min_approvals: 1\n`));
    pr.reviews.push(approval("rev-dan", pr.headSha, 30));
    const probot = createTestApp(world);
    expectPolicyChangeEvaluation(world, "payments");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const run = repo.checkRuns[0]!;
    expect(run.conclusion).toBe("success");
    expect(run.output.summary).toContain("**Policy change**: this pull request changes `acme/payments:.github/sdlc-guard.yml`.");
    expect(run.output.summary).toContain("- `controls.reviews.min_approvals` `3` → `1`: below the org floor, held at `2`");
  });

  it("raising a value lists the change, and the PR's own new policy is not applied to itself", async () => {
    const { world, repo } = setup();
    const pr = compliantPullRequest(world, repo, 12, changesPolicy(`${REPO_FILE}  reviews:\n    min_approvals: 5\n`));
    pr.reviews.push(approval("rev-dan", pr.headSha, 30));
    const probot = createTestApp(world);
    expectPolicyChangeEvaluation(world, "payments");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const run = repo.checkRuns[0]!;
    // 3 approvals meet today's 3; the proposed 5 applies only once merged.
    expect(run.conclusion).toBe("success");
    expect(run.output.summary).toContain("| `reviews` | ✅ pass |");
    expect(run.output.summary).toContain("- `controls.reviews.min_approvals` `3` → `5`");
    expect(run.output.summary).not.toContain("held at");
  });

  it("a PR cannot lower its own bar: the 1 approval it proposes does not make its 1 approval enough", async () => {
    const { world, repo } = setup();
    const pr = compliantPullRequest(world, repo, 13, changesPolicy(`${REPO_FILE}  reviews:\n    min_approvals: 1\n`));
    pr.reviews = [approval("rev-bob", pr.headSha)];
    const probot = createTestApp(world);
    expectPolicyChangeEvaluation(world, "payments");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const run = repo.checkRuns[0]!;
    expect(run.conclusion).toBe("failure");
    expect(run.output.summary).toContain("1 of 3 required approvals");
  });

  it("an invalid proposed file fails the check run, naming the file, the line and the key", async () => {
    const { world, repo } = setup();
    const pr = compliantPullRequest(world, repo, 14, changesPolicy(`${REPO_FILE}  reviews:\n    min_approvals: two\n`));
    pr.reviews.push(approval("rev-dan", pr.headSha, 30));
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql")
      .expect("GET", "/orgs/acme/secret-scanning/alerts", 2)
      .expect("GET", "/repos/acme/payments")
      .expect("GET", "/repos/acme/payments/contents/.github%2Fsdlc-guard.yml?ref=*")
      .expect("POST", "/repos/acme/payments/check-runs"); // an invalid file is refused before the files it inherits are read

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const run = repo.checkRuns[0]!;
    expect(run.conclusion).toBe("failure");
    expect(run.output.title).toBe("Invalid policy proposed (acme/payments:.github/sdlc-guard.yml): All required controls pass");
    expect(run.output.summary).toContain("The proposed policy is **invalid**");
    expect(run.output.summary).toContain("| File | Key | Expected | Line |");
    expect(run.output.summary).toMatch(
      /\| `acme\/payments:\.github\/sdlc-guard\.yml` \| `controls\.reviews\.min_approvals` \| [^|]*expected number[^|]* \| 5 \|/,
    );
  });

  it("a YAML syntax error in the proposed file fails with its line", async () => {
    const { world, repo } = setup();
    const pr = compliantPullRequest(world, repo, 15, changesPolicy("controls:\n  reviews: [unclosed\n"));
    pr.reviews.push(approval("rev-dan", pr.headSha, 30));
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql")
      .expect("GET", "/orgs/acme/secret-scanning/alerts", 2)
      .expect("GET", "/repos/acme/payments")
      .expect("GET", "/repos/acme/payments/contents/.github%2Fsdlc-guard.yml?ref=*")
      .expect("POST", "/repos/acme/payments/check-runs");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const run = repo.checkRuns[0]!;
    expect(run.conclusion).toBe("failure");
    expect(run.output.summary).toMatch(
      /\| `acme\/payments:\.github\/sdlc-guard\.yml` \| \(whole file\) \| valid YAML \(line 3, [^|]* \| 3 \|/,
    );
  });

  it("a proposed file GitHub cannot return fails the check run (fail closed), with the reason", async () => {
    const { world, repo } = setup();
    const pr = compliantPullRequest(world, repo, 19, changesPolicy(`${REPO_FILE}  reviews:\n    min_approvals: 1\n`));
    pr.reviews.push(approval("rev-dan", pr.headSha, 30));
    world.failNext("GET", "/repos/acme/payments/contents/", 502, { skip: 1 }); // the default branch's file reads fine
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expectConfigFiles("acme", "payments")
      .expect("POST", "/graphql")
      .expect("GET", "/orgs/acme/secret-scanning/alerts", 2)
      .expect("GET", "/repos/acme/payments")
      .expect("GET", "/repos/acme/payments/contents/.github%2Fsdlc-guard.yml?ref=*")
      .expect("POST", "/repos/acme/payments/check-runs");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const run = repo.checkRuns[0]!;
    expect(run.conclusion).toBe("failure");
    expect(run.output.title).toBe("Policy change not checked: All required controls pass");
    expect(run.output.summary).toContain("It could not be checked: its version of the file could not be read (GitHub answered HTTP 502");
  });

  it("a PR that does not touch the policy file costs the same requests as before, and says nothing about a policy change", async () => {
    const { world, repo } = setup();
    const pr = compliantPullRequest(world, repo, 16, { files: ["src/index.ts", ".github/workflows/ci.yml"] });
    pr.reviews.push(approval("rev-dan", pr.headSha, 30));
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const run = repo.checkRuns[0]!;
    expect(run.conclusion).toBe("success");
    expect(run.output.summary).not.toContain("Policy change");
  });

  it("deleting the repository's file lists what it falls back to (the org file)", async () => {
    const { world, repo } = setup();
    repo.files.set(CONFIG, `${REPO_FILE}  reviews:\n    min_approvals: 4\n`);
    const pr = compliantPullRequest(world, repo, 17, changesPolicy(null));
    const probot = createTestApp(world);
    expectPolicyChangeEvaluation(world, "payments");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const summary = repo.checkRuns[0]!.output.summary!;
    expect(summary).toContain("this pull request deletes `acme/payments:.github/sdlc-guard.yml`");
    expect(summary).toContain("- `controls.reviews.min_approvals` `4` → `3`");
    expect(summary).toContain("- `controls.jira.projects` `[PAY, OPS]` → `[]`");
  });

  it("a PR to the org's file says it affects every repository of the org and lists the floor changes", async () => {
    const { world, org } = setup();
    org.classicRules.set("main", strictClassicRule("main", 2));
    const lowered =
      "floor:\n  controls:\n    reviews: { enforcement: required, min_approvals: 1 }\ncontrols:\n  reviews: { min_approvals: 3 }\n";
    const pr = compliantPullRequest(world, org, 18, changesPolicy(lowered));
    pr.reviews.push(approval("rev-dan", pr.headSha, 30));
    const probot = createTestApp(world);
    expectPolicyChangeEvaluation(world, ".github");

    await probot.receive(pullRequestEvent(world, org, pr) as never);

    const summary = org.checkRuns[0]!.output.summary!;
    expect(summary).toContain(
      "**Policy change**: this pull request changes `acme/.github:.github/sdlc-guard.yml`, the org file: it applies to every repository of `acme`",
    );
    expect(summary).toContain("- `floor.controls.reviews.min_approvals` `2` → `1`");
  });
});
