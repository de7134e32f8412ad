import { GitHubWorld, rulesetRule, strictClassicRule, type SimRepo } from "../../sim/github-world.js";
import { compliantPullRequest, compliantRepo, PAYMENTS_CONFIG } from "../../sim/scenarios.js";
import { pullRequestEvent } from "../../sim/webhook-payloads.js";
import { decodeResults } from "../../src/report/check-run-state.js";
import { mockGitHub } from "../support/github-mock.js";
import { createTestApp } from "../support/test-app.js";

/** Opens a compliant PR on `repo` and returns the `branch-protection` row of its check run, and the run's conclusion. */
async function branchProtectionRow(world: GitHubWorld, repo: SimRepo) {
  const pr = compliantPullRequest(world, repo, 1);
  const probot = createTestApp(world);
  mockGitHub(world).expectToken().expectEvaluation("acme", "payments");
  await probot.receive(pullRequestEvent(world, repo, pr, "opened") as never);
  expect(world.violations).toEqual([]);
  const run = repo.checkRuns.find((r) => r.headSha === pr.headSha)!;
  const row = decodeResults(run.output.summary).find((r) => r.id === "branch-protection")!;
  return { row, conclusion: run.conclusion, requests: world.requests.filter((r) => r.path === "/graphql").length };
}

/** `main` protected by a repository ruleset: a PR with 2 approvals, no force push, no deletion, `sdlc-guard` of this app. */
function rulesetRepo(world: GitHubWorld, config = PAYMENTS_CONFIG): SimRepo {
  const repo = compliantRepo(world);
  repo.classicRules.clear();
  repo.branchRules.set("main", [
    rulesetRule.pullRequest(2),
    rulesetRule.nonFastForward(),
    rulesetRule.deletion(),
    rulesetRule.requiredGuard(world.appId),
  ]);
  repo.files.set(".github/sdlc-guard.yml", config);
  return repo;
}

const withBranchProtection = (settings: string) => `${PAYMENTS_CONFIG}  branch-protection:\n${settings}`;

describe("branch-protection: the guard cannot be walked around", () => {
  describe("sdlc-guard must be a required status check of the base branch, from this app", () => {
    it("a base branch that does not require sdlc-guard fails, with the fix", async () => {
      const world = new GitHubWorld();
      const repo = compliantRepo(world);
      repo.classicRules.set("main", { ...strictClassicRule("main", 2), requiredChecks: ["build"] });

      const { row, conclusion } = await branchProtectionRow(world, repo);

      expect(conclusion).toBe("failure");
      expect(row.outcome).toBe("fail");
      expect(row.reason).toContain("does not require `sdlc-guard` as a status check");
      expect(row.fix).toContain("Add `sdlc-guard` to the branch's required status checks");
    });

    it("sdlc-guard required from any source does not count: anyone could post a status named sdlc-guard", async () => {
      const world = new GitHubWorld();
      const repo = compliantRepo(world);
      repo.classicRules.set("main", { ...strictClassicRule("main", 2), checkSources: { "sdlc-guard": null } });

      const { row } = await branchProtectionRow(world, repo);

      expect(row.outcome).toBe("fail");
      expect(row.reason).toContain("requires `sdlc-guard` from any source");
      expect(row.fix).toContain("pin it to the sdlc-guard app");
    });

    it("sdlc-guard required from another app does not count", async () => {
      const world = new GitHubWorld();
      const repo = rulesetRepo(world);
      repo.branchRules.set("main", [
        rulesetRule.pullRequest(2),
        rulesetRule.nonFastForward(),
        rulesetRule.deletion(),
        rulesetRule.requiredGuard(world.appId + 1),
      ]);

      const { row } = await branchProtectionRow(world, repo);

      expect(row.outcome).toBe("fail");
      expect(row.reason).toContain("requires `sdlc-guard` from another app");
    });

    it("a ruleset that requires sdlc-guard from this app, with no bypass, passes: one GraphQL query as before", async () => {
      const world = new GitHubWorld();
      const repo = rulesetRepo(world);

      const { row, conclusion, requests } = await branchProtectionRow(world, repo);

      expect(conclusion).toBe("success");
      expect(row.outcome).toBe("pass");
      expect(row.notes).toEqual(
        expect.arrayContaining(["`sdlc-guard` is a required status check, from this app only", "no one may bypass the rules"]),
      );
      expect(requests).toBe(1);
    });
  });

  describe("who may bypass the rules", () => {
    it("a ruleset bypass actor that is not allowed fails the control, named in the row", async () => {
      const world = new GitHubWorld();
      const repo = rulesetRepo(world);
      repo.rulesetBypass = new Map([[7, [{ type: "Team", name: "acme/platform" }, { type: "OrganizationAdmin" }]]]);

      const { row } = await branchProtectionRow(world, repo);

      expect(row.outcome).toBe("fail");
      expect(row.reason).toContain("can be bypassed by `acme/platform` via ruleset");
      expect(row.reason).toContain("`organization-admin` via ruleset");
      expect(row.fix).toContain("allowed_bypass");
    });

    it("the break-glass team listed in allowed_bypass may bypass: the control passes and names it", async () => {
      const world = new GitHubWorld();
      const repo = rulesetRepo(world, withBranchProtection("    allowed_bypass: [acme/break-glass, deploy-app]\n"));
      repo.rulesetBypass = new Map([
        [
          7,
          [
            { type: "Team", name: "acme/break-glass" },
            { type: "App", name: "deploy-app", mode: "PULL_REQUEST" },
          ],
        ],
      ]);

      const { row } = await branchProtectionRow(world, repo);

      expect(row.outcome).toBe("pass");
      expect(row.notes!.join("\n")).toContain("may be bypassed by `acme/break-glass` via ruleset");
      expect(row.notes!.join("\n")).toContain(
        "`deploy-app` via ruleset `ruleset 7` of `Repository acme/payments`, through pull requests (allowed by `allowed_bypass`)",
      );
    });

    it("a bypass list GitHub hides from the app fails closed, saying it could not be read", async () => {
      const world = new GitHubWorld();
      const repo = rulesetRepo(world);
      repo.rulesetBypass = new Map([[7, null]]);

      const { row } = await branchProtectionRow(world, repo);

      expect(row.outcome).toBe("fail");
      expect(row.reason).toContain("who may bypass is unknown: could not read the bypass list of ruleset `ruleset 7`");
      expect(row.fix).toContain("unreadable_bypass: note");
    });

    it("with unreadable_bypass: note, a hidden bypass list is reported as unknown and does not fail", async () => {
      const world = new GitHubWorld();
      const repo = rulesetRepo(world, withBranchProtection("    unreadable_bypass: note\n"));
      repo.rulesetBypass = new Map([[7, null]]);

      const { row } = await branchProtectionRow(world, repo);

      expect(row.outcome).toBe("pass");
      expect(row.notes!.join("\n")).toContain("who may bypass is unknown");
    });

    it("a classic rule that does not include administrators counts as a bypass by the repository admins", async () => {
      const world = new GitHubWorld();
      const repo = compliantRepo(world);
      repo.classicRules.set("main", { ...strictClassicRule("main", 2), isAdminEnforced: false });

      const { row } = await branchProtectionRow(world, repo);

      expect(row.outcome).toBe("fail");
      expect(row.reason).toContain("can be bypassed by `repository-admins` via classic rule `main` (administrators not included)");
    });

    it("classic bypass allowances (pull requests, force pushes) are named; an allowed one passes", async () => {
      const world = new GitHubWorld();
      const repo = compliantRepo(world);
      repo.files.set(".github/sdlc-guard.yml", withBranchProtection("    allowed_bypass: [release-bot]\n"));
      repo.classicRules.set("main", {
        ...strictClassicRule("main", 2),
        bypassPullRequest: [{ type: "User", name: "dev-alice" }],
        bypassForcePush: [{ type: "App", name: "release-bot" }],
      });

      const { row } = await branchProtectionRow(world, repo);

      expect(row.outcome).toBe("fail");
      expect(row.reason).toContain("can be bypassed by `dev-alice` via classic rule `main` (pull request requirement)");
      expect(row.reason).not.toContain("release-bot");
      expect(row.notes!.join("\n")).toContain("`release-bot` via classic rule `main` (force pushes) (allowed by `allowed_bypass`)");
    });
  });
});
