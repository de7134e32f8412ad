import { GitHubWorld, sha, type SimPullRequest } from "../../sim/github-world.js";
import { approval, compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { pullRequestEvent } from "../../sim/webhook-payloads.js";
import { mockGitHub } from "../support/github-mock.js";
import { createTestApp } from "../support/test-app.js";

const CONFIG = ".github/sdlc-guard.yml";
const BASE_FILE = "controls:\n  jira:\n    projects: [PAY]\n";
const INFRA_RULE = `rules:
  - name: infra needs 3 approvals
    if: { paths: ["infra/**"] }
    controls:
      reviews: { min_approvals: 3 }
`;

function setup(repoFile: string) {
  const world = new GitHubWorld();
  const repo = compliantRepo(world);
  repo.files.set(CONFIG, repoFile);
  return { world, repo };
}

/** A PR whose head changes the policy file to `text`. */
const changesPolicy = (text: string): Partial<SimPullRequest> => ({
  files: ["src/index.ts", CONFIG],
  headFiles: new Map([[CONFIG, text]]),
});

/**
 * The requests of an evaluation of a PR that changes the policy file: the usual ones, the head's file and the org file
 * it inherits; then, when `rejudged` is given, the open PRs (one query) and one snapshot per PR whose policy shifts.
 */
function expectPolicyChangeEvaluation(world: GitHubWorld, rejudged?: number) {
  const api = mockGitHub(world).expectToken().expectConfigFiles("acme", "payments").expect("POST", "/graphql");
  api.expect("GET", "/orgs/acme/secret-scanning/alerts", 2).expect("GET", "/repos/acme/payments");
  api.expect("GET", "/repos/acme/payments/contents/.github%2Fsdlc-guard.yml?ref=*");
  api.expect("GET", "/repos/acme/.github/contents/.github%2Fsdlc-guard.yml");
  if (rejudged !== undefined) api.expect("POST", "/graphql", 1 + rejudged);
  return api.expect("POST", "/repos/acme/payments/check-runs");
}

const section = (summary: string | null | undefined) => summary?.slice(summary.indexOf("**Policy change**")) ?? "";
const graphqlOperations = (world: GitHubWorld) => world.requests.filter((r) => r.path === "/graphql").length;

describe("the policy-change preview lists the open PRs whose verdict a rules change flips", () => {
  it("adding `infra needs 3 approvals` lists an open infra PR with 2 approvals as would fail: reviews; a PR not touching infra is not listed", async () => {
    const { world, repo } = setup(BASE_FILE);
    compliantPullRequest(world, repo, 12, { title: "Fix login", files: ["infra/main.tf", "src/login.ts"] });
    compliantPullRequest(world, repo, 15, { title: "Tidy docs", files: ["docs/guide.md"] });
    const pr = compliantPullRequest(world, repo, 20, changesPolicy(`${BASE_FILE}${INFRA_RULE}`));
    const probot = createTestApp(world);
    expectPolicyChangeEvaluation(world, 1); // the open PRs, then #12's snapshot (#15's rules do not change)

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const run = repo.checkRuns.find((r) => r.headSha === pr.headSha)!;
    expect(run.conclusion).toBe("success"); // the proposed rule is not applied to the PR proposing it
    const text = section(run.output.summary);
    expect(text).toContain("Merged, it would change the policy of this repository:");
    expect(text).not.toContain("no effective value");
    expect(text).not.toContain("- `rules` `[]`"); // named below, not dumped as JSON
    expect(text).toContain("**Rules changed**: rule `infra needs 3 approvals` added.");
    expect(text).toContain("Merged, it would change the verdict of these among the 2 other open pull requests:");
    expect(text).toContain("- #12 `Fix login` would fail: reviews (rule `infra needs 3 approvals`)");
    expect(text).not.toContain("#15");
    expect(text).not.toContain("#20");
  });

  it("an open PR that renames a file out of infra/ is re-judged by an infra paths rule (its old path is unknown: the rule cannot be decided)", async () => {
    const { world, repo } = setup(BASE_FILE);
    compliantPullRequest(world, repo, 13, { title: "Move the VPC", files: ["legacy/vpc.tf"], renamed: ["legacy/vpc.tf"] });
    const pr = compliantPullRequest(world, repo, 21, changesPolicy(`${BASE_FILE}${INFRA_RULE}`));
    const probot = createTestApp(world);
    expectPolicyChangeEvaluation(world, 1); // the open PRs, then #13's snapshot

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const text = section(repo.checkRuns.find((r) => r.headSha === pr.headSha)!.output.summary);
    expect(text).toContain("#13 `Move the VPC`");
  });

  it("removing the rule lists the infra PR that fails today as one that would pass", async () => {
    const { world, repo } = setup(`${BASE_FILE}${INFRA_RULE}`);
    compliantPullRequest(world, repo, 12, { title: "Fix login", files: ["infra/main.tf"] });
    const headSha = sha("three-approvals");
    compliantPullRequest(world, repo, 14, {
      title: "Resize the VPC",
      headSha,
      files: ["infra/vpc.tf"],
      reviews: [approval("rev-bob", headSha, 10), approval("rev-carol", headSha, 20), approval("rev-dan", headSha, 30)],
    });
    const pr = compliantPullRequest(world, repo, 30, changesPolicy(BASE_FILE));
    const probot = createTestApp(world);
    expectPolicyChangeEvaluation(world, 2); // both infra PRs shift policy; only #12's verdict flips

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const text = section(repo.checkRuns.find((r) => r.headSha === pr.headSha)!.output.summary);
    expect(text).toContain("**Rules changed**: rule `infra needs 3 approvals` removed.");
    expect(text).toContain("- #12 `Fix login` would pass");
    expect(text).not.toContain("#14");
  });

  it("a changed rule says which of `if` and `controls` changed, and a PR with no flip makes the section say none flips", async () => {
    const { world, repo } = setup(`${BASE_FILE}${INFRA_RULE}`);
    compliantPullRequest(world, repo, 15, { title: "Tidy docs", files: ["docs/guide.md"] });
    const pr = compliantPullRequest(world, repo, 31, changesPolicy(`${BASE_FILE}${INFRA_RULE.replace("infra/**", "terraform/**")}`));
    const probot = createTestApp(world);
    expectPolicyChangeEvaluation(world, 0);

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const text = section(repo.checkRuns.find((r) => r.headSha === pr.headSha)!.output.summary);
    expect(text).toContain("**Rules changed**: rule `infra needs 3 approvals` changed (`if`).");
    expect(text).toContain("Merged, it would flip the verdict of none of the 1 other open pull request.");
  });

  it("at most 10 PRs are re-judged (one snapshot each): past that the section says how many more match different rules", async () => {
    const { world, repo } = setup(BASE_FILE);
    for (let n = 40; n < 51; n++) compliantPullRequest(world, repo, n, { title: `Infra ${n}`, files: [`infra/m${n}.tf`] });
    const pr = compliantPullRequest(world, repo, 20, changesPolicy(`${BASE_FILE}${INFRA_RULE}`));
    const probot = createTestApp(world);
    expectPolicyChangeEvaluation(world, 10);

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const text = section(repo.checkRuns.find((r) => r.headSha === pr.headSha)!.output.summary);
    expect(text.match(/^- #\d+ `Infra \d+` would fail: reviews/gm)).toHaveLength(10);
    expect(text).toContain("- … and 1 more PRs match different rules: not re-judged");
  });

  it("past the 50 most recently updated open PRs, the section says how many were not looked at", async () => {
    const { world, repo } = setup(BASE_FILE);
    for (let n = 100; n < 160; n++) compliantPullRequest(world, repo, n, { files: [`src/m${n}.ts`] });
    const pr = compliantPullRequest(world, repo, 20, changesPolicy(`${BASE_FILE}${INFRA_RULE}`));
    const probot = createTestApp(world);
    expectPolicyChangeEvaluation(world, 0); // one query for the open PRs; none touches infra/, none is read whole

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const text = section(repo.checkRuns.find((r) => r.headSha === pr.headSha)!.output.summary);
    expect(text).toMatch(
      /flip the verdict of none of the 50 most recently updated of the 60 other open pull requests \(the 10 others were not looked at\)\./,
    );
  });

  it("when the open PRs cannot be read the section says the flips are not known (it never claims none flips)", async () => {
    const { world, repo } = setup(BASE_FILE);
    compliantPullRequest(world, repo, 12, { title: "Fix login", files: ["infra/main.tf"] });
    const pr = compliantPullRequest(world, repo, 20, changesPolicy(`${BASE_FILE}${INFRA_RULE}`));
    world.failNext("POST", "/graphql", 403, { operation: "SdlcGuardOpenPullRequests", exact: true, message: "Resource not accessible" });
    const probot = createTestApp(world);
    expectPolicyChangeEvaluation(world, 0);

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const text = section(repo.checkRuns.find((r) => r.headSha === pr.headSha)!.output.summary);
    expect(text).toContain("The open pull requests could not be read (");
    expect(text).toContain("which verdicts this change would flip is **not known**");
    expect(text).not.toContain("none of");
  });

  it("a PR that changes the policy file but not its rules costs no extra request", async () => {
    const { world, repo } = setup(`${BASE_FILE}${INFRA_RULE}`);
    compliantPullRequest(world, repo, 12, { title: "Fix login", files: ["infra/main.tf"] });
    const proposed = `controls:\n  reviews: { min_approvals: 3 }\n  jira:\n    projects: [PAY]\n${INFRA_RULE}`;
    const pr = compliantPullRequest(world, repo, 32, changesPolicy(proposed));
    const probot = createTestApp(world);
    expectPolicyChangeEvaluation(world); // no open-PR query, no snapshot of another PR

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const text = section(repo.checkRuns.find((r) => r.headSha === pr.headSha)!.output.summary);
    expect(text).toContain("`controls.reviews.min_approvals`");
    expect(text).not.toContain("Rules changed");
    expect(graphqlOperations(world)).toBe(1);
  });
});
