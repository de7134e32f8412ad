import { GitHubWorld, sha, type SimCheckRun, type SimRepo } from "../../sim/github-world.js";
import { approval, compliantPullRequest, compliantRepo } from "../../sim/scenarios.js";
import { checkRunCompletedEvent, pullRequestEvent } from "../../sim/webhook-payloads.js";
import { mockGitHub } from "../support/github-mock.js";
import { createTestApp } from "../support/test-app.js";

const CONFIG_PATH = ".github/sdlc-guard.yml";
const rowOf = (summary: string | null | undefined, id: string) => summary?.split("\n").find((l) => l.startsWith(`| \`${id}\` |`)) ?? "";
const policyLine = (summary: string | null | undefined) => summary?.split("\n")[0] ?? "";

/** The rules of issue 23, as the issue writes them. */
const ISSUE_RULES = `rules:
  - name: infrastructure changes need security
    if: { paths: ["infra/**", "terraform/**"] }
    controls:
      reviews: { min_approvals: 3 }
      reviewer-teams: { teams: [acme/security] }
  - name: release branches need the CTO
    if: { base: ["release/*"] }
    controls:
      reviewer-teams: { teams: [acme/cto] }
`;

function setup(rules: string, orgFile?: string) {
  const world = new GitHubWorld();
  world.teams.set("acme/security", ["sec-sam"]);
  world.teams.set("acme/cto", ["cto-carla"]);
  const repo = compliantRepo(world);
  repo.files.set(CONFIG_PATH, `controls:\n  jira:\n    projects: [PAY]\n${rules}`);
  if (orgFile !== undefined) world.addRepo("acme", ".github").files.set(CONFIG_PATH, orgFile);
  return { world, repo };
}

const ourRun = (world: GitHubWorld, repo: SimRepo) => repo.checkRuns.find((r) => r.appId === world.appId)!;

describe("rules: parts of the policy scoped by paths, base branch, author and labels", () => {
  it("paths: a PR that changes infra/main.tf needs three approvals and one from acme/security, and the policy line says why", async () => {
    const { world, repo } = setup(ISSUE_RULES);
    const pr = compliantPullRequest(world, repo, 1, { files: ["infra/main.tf", "src/app.ts"] });
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments").expect("POST", "/graphql"); // the security team's members

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const run = ourRun(world, repo);
    expect(run.conclusion).toBe("failure");
    expect(policyLine(run.output.summary)).toContain("Rules applied: `infrastructure changes need security`: `infra/main.tf`.");
    expect(rowOf(run.output.summary, "reviews")).toContain("2 of 3 required approvals");
    expect(rowOf(run.output.summary, "reviews")).toContain("Set by rule `infrastructure changes need security` (`min_approvals`)");
    expect(rowOf(run.output.summary, "reviewer-teams")).toContain("acme/security");
    expect(policyLine(run.output.summary)).not.toContain("release branches need the CTO");
  });

  it("paths: a PR that changes no infrastructure file keeps the repository's policy (two approvals pass, no team needed)", async () => {
    const { world, repo } = setup(ISSUE_RULES);
    const pr = compliantPullRequest(world, repo, 2, { files: ["src/app.ts", "docs/infra/main.tf"] });
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const run = ourRun(world, repo);
    expect(run.conclusion).toBe("success");
    expect(policyLine(run.output.summary)).not.toContain("Rules applied");
    expect(rowOf(run.output.summary, "reviewer-teams")).toContain("off");
  });

  it("base: a PR into release/1.4 needs the CTO; the CTO's approval satisfies it; a PR into main does not", async () => {
    const { world, repo } = setup(ISSUE_RULES);
    repo.classicRules.set("release/1.4", { ...repo.classicRules.get("main")!, pattern: "release/*" });
    const headSha = sha("release-pr");
    const pr = compliantPullRequest(world, repo, 3, { baseRef: "release/1.4", headSha, reviews: [approval("rev-bob", headSha)] });
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expect("POST", "/graphql")
      .expectEvaluation("acme", "payments", { cached: true, write: "update" });

    await probot.receive(pullRequestEvent(world, repo, pr) as never);
    const run = ourRun(world, repo);
    expect(run.conclusion).toBe("failure");
    expect(policyLine(run.output.summary)).toContain("`release branches need the CTO`: `base release/1.4`");
    expect(rowOf(run.output.summary, "reviewer-teams")).toContain("acme/cto");
    expect(rowOf(run.output.summary, "reviewer-teams")).toContain("Set by rule `release branches need the CTO` (`teams`)");

    pr.reviews.push(approval("cto-carla", headSha, 30));
    await probot.receive(pullRequestEvent(world, repo, pr, "edited") as never);
    expect(run.conclusion).toBe("success");
    expect(rowOf(run.output.summary, "reviewer-teams")).toContain("✅ pass");
  });

  it("authors: a PR by a member of acme/contractors needs three approvals; a PR by someone else does not", async () => {
    const { world, repo } = setup(`rules:
  - name: contractors need a third approval
    if: { authors: [acme/contractors, "@Dev-Zed"] }
    controls:
      reviews: { min_approvals: 3 }
`);
    world.teams.set("acme/contractors", ["dev-alice"]);
    const byContractor = compliantPullRequest(world, repo, 4); // by dev-alice
    const byStaff = compliantPullRequest(world, repo, 5, { author: { login: "dev-sara" } });
    const byLogin = compliantPullRequest(world, repo, 6, { author: { login: "dev-zed" } });
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expect("POST", "/graphql") // the contractors' members, then cached
      .expectEvaluation("acme", "payments", { cached: true })
      .expectEvaluation("acme", "payments", { cached: true });

    await probot.receive(pullRequestEvent(world, repo, byContractor) as never);
    await probot.receive(pullRequestEvent(world, repo, byStaff) as never);
    await probot.receive(pullRequestEvent(world, repo, byLogin) as never);

    const runOf = (headSha: string) => repo.checkRuns.find((r) => r.headSha === headSha)!;
    expect(runOf(byContractor.headSha).conclusion).toBe("failure");
    expect(policyLine(runOf(byContractor.headSha).output.summary)).toContain(
      "`contractors need a third approval`: `author @dev-alice (acme/contractors)`",
    );
    expect(rowOf(runOf(byContractor.headSha).output.summary, "reviews")).toContain("2 of 3 required approvals");
    expect(runOf(byStaff.headSha).conclusion).toBe("success");
    expect(runOf(byLogin.headSha).conclusion).toBe("failure");
    expect(policyLine(runOf(byLogin.headSha).output.summary)).toContain("`author @dev-zed`");
  });

  it("labels: a PR labelled `Security` needs three approvals", async () => {
    const { world, repo } = setup(`rules:
  - name: security-labelled changes need three approvals
    if: { labels: [security] }
    controls:
      reviews: { min_approvals: 3 }
`);
    const pr = compliantPullRequest(world, repo, 7, { labels: ["Security", "backend"] });
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const run = ourRun(world, repo);
    expect(run.conclusion).toBe("failure");
    expect(policyLine(run.output.summary)).toContain("`security-labelled changes need three approvals`: `label Security`");
    expect(rowOf(run.output.summary, "reviews")).toContain("2 of 3 required approvals");
  });

  it("two rules at once: an infrastructure PR into a release branch needs acme/security and acme/cto, and three approvals", async () => {
    const { world, repo } = setup(ISSUE_RULES);
    repo.classicRules.set("release/2.0", { ...repo.classicRules.get("main")!, pattern: "release/*" });
    const headSha = sha("infra-release");
    const pr = compliantPullRequest(world, repo, 8, {
      baseRef: "release/2.0",
      headSha,
      files: ["terraform/vpc.tf"],
      reviews: [approval("rev-bob", headSha), approval("cto-carla", headSha, 20), approval("sec-sam", headSha, 30)],
    });
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments").expect("POST", "/graphql");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const run = ourRun(world, repo);
    expect(policyLine(run.output.summary)).toContain(
      "Rules applied: `infrastructure changes need security`: `terraform/vpc.tf`, `release branches need the CTO`: `base release/2.0`.",
    );
    expect(rowOf(run.output.summary, "reviewer-teams")).toMatch(/acme\/security.*sec-sam/);
    expect(rowOf(run.output.summary, "reviewer-teams")).toMatch(/acme\/cto.*cto-carla/);
    expect(rowOf(run.output.summary, "reviewer-teams")).toContain(
      "Set by rule `infrastructure changes need security` (`teams`), then rule `release branches need the CTO` (`teams`)",
    );
    expect(run.conclusion).toBe("success");

    // Without the security engineer's approval, the team the first rule asked for is still required.
    const before = world.requests.length;
    pr.reviews.pop();
    mockGitHub(world).expectEvaluation("acme", "payments", { cached: true, write: "update" });
    await probot.receive(pullRequestEvent(world, repo, pr, "edited") as never);
    expect(world.requests.length).toBeGreaterThan(before);
    expect(run.conclusion).toBe("failure");
    expect(rowOf(run.output.summary, "reviewer-teams")).toContain("No counted approval from a member of acme/security");
  });

  it("a rule cannot go below the org floor: a docs rule asking for one approval is held at the floor's two", async () => {
    const org = "floor:\n  controls:\n    reviews: { enforcement: required, min_approvals: 2 }\n";
    const { world, repo } = setup(
      `rules:
  - name: docs need one approval
    if: { paths: ["docs/**"] }
    controls:
      reviews: { enforcement: advisory, min_approvals: 1 }
`,
      org,
    );
    const headSha = sha("docs-pr");
    const pr = compliantPullRequest(world, repo, 9, { headSha, files: ["docs/guide.md"], reviews: [approval("rev-bob", headSha)] });
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const run = ourRun(world, repo);
    expect(run.conclusion).toBe("failure");
    expect(policyLine(run.output.summary)).toContain("Rules applied: `docs need one approval`: `docs/guide.md`.");
    expect(policyLine(run.output.summary)).toContain(
      "Held at the org floor: `controls.reviews.enforcement` `advisory` → `required`, `controls.reviews.min_approvals` `1` → `2`.",
    );
    expect(rowOf(run.output.summary, "reviews")).toContain("| required | 1 of 2 required approvals");
  });

  it("a floor entry with an `if` holds only for the PRs it matches: infrastructure needs three approvals org-wide", async () => {
    const org = `floor:
  rules:
    - name: infrastructure minimum
      if: { paths: ["infra/**"] }
      controls:
        reviews: { min_approvals: 3 }
`;
    const { world, repo } = setup("", org);
    const infra = compliantPullRequest(world, repo, 10, { files: ["infra/dns.tf"] });
    const app = compliantPullRequest(world, repo, 11, { files: ["src/app.ts"] });
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments").expectEvaluation("acme", "payments", { cached: true });

    await probot.receive(pullRequestEvent(world, repo, infra) as never);
    await probot.receive(pullRequestEvent(world, repo, app) as never);

    const runOf = (headSha: string) => repo.checkRuns.find((r) => r.headSha === headSha)!;
    expect(runOf(infra.headSha).conclusion).toBe("failure");
    expect(policyLine(runOf(infra.headSha).output.summary)).toContain("`controls.reviews.min_approvals` `2` → `3`");
    expect(runOf(app.headSha).conclusion).toBe("success");
  });

  it("a stacked PR into feature/* is not failed by branch-protection when a rule makes it advisory there", async () => {
    const rule = `rules:
  - name: stacked PRs are protected by their final PR
    if: { base: ["feature/*"] }
    controls:
      branch-protection: { enforcement: advisory }
`;
    for (const [config, conclusion] of [
      ["", "failure"],
      [rule, "success"],
    ] as const) {
      const { world, repo } = setup(config);
      const pr = compliantPullRequest(world, repo, 12, { baseRef: "feature/payments-v2" });
      const probot = createTestApp(world);
      mockGitHub(world).expectToken().expectEvaluation("acme", "payments");

      await probot.receive(pullRequestEvent(world, repo, pr) as never);

      const run = ourRun(world, repo);
      expect([config === "" ? "no rule" : "rule", run.conclusion]).toEqual([config === "" ? "no rule" : "rule", conclusion]);
      expect(rowOf(run.output.summary, "branch-protection")).toContain(config === "" ? "| required |" : "| advisory |");
    }
  });
});

describe("rules are evaluated again when their inputs change", () => {
  const LABEL_RULE = `rules:
  - name: security-labelled changes need three approvals
    if: { labels: [security] }
    controls:
      reviews: { min_approvals: 3 }
`;

  it("a label added after the first evaluation re-evaluates and flips the verdict; removing it flips it back", async () => {
    const { world, repo } = setup(LABEL_RULE);
    const pr = compliantPullRequest(world, repo, 20);
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expectEvaluation("acme", "payments", { cached: true, write: "update" })
      .expectEvaluation("acme", "payments", { cached: true, write: "update" });

    await probot.receive(pullRequestEvent(world, repo, pr) as never);
    const run = ourRun(world, repo);
    expect(run.conclusion).toBe("success");

    pr.labels = ["security"];
    await probot.receive(pullRequestEvent(world, repo, pr, "labeled") as never);
    expect(run.conclusion).toBe("failure");
    expect(rowOf(run.output.summary, "reviews")).toContain("2 of 3 required approvals");

    pr.labels = [];
    await probot.receive(pullRequestEvent(world, repo, pr, "unlabeled") as never);
    expect(run.conclusion).toBe("success");
  });

  it("a base branch changed to release/* (`edited` with `changes.base`) brings the CTO rule in", async () => {
    const { world, repo } = setup(ISSUE_RULES);
    repo.classicRules.set("release/3.0", { ...repo.classicRules.get("main")!, pattern: "release/*" });
    const pr = compliantPullRequest(world, repo, 21);
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expect("POST", "/graphql") // the CTO team's members
      .expectEvaluation("acme", "payments", { cached: true, write: "update" });

    await probot.receive(pullRequestEvent(world, repo, pr) as never);
    const run = ourRun(world, repo);
    expect(run.conclusion).toBe("success");

    pr.baseRef = "release/3.0";
    const edited = pullRequestEvent(world, repo, pr, "edited");
    (edited.payload as { changes: unknown }).changes = { base: { ref: { from: "main" }, sha: { from: "b".repeat(40) } } };
    await probot.receive(edited as never);
    expect(run.conclusion).toBe("failure");
    expect(policyLine(run.output.summary)).toContain("`release branches need the CTO`: `base release/3.0`");
  });

  it("new commits that touch infra/ (`synchronize`) bring the security rule in", async () => {
    const { world, repo } = setup(ISSUE_RULES);
    const pr = compliantPullRequest(world, repo, 22, { files: ["src/app.ts"] });
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expect("POST", "/graphql") // the security team's members
      .expectEvaluation("acme", "payments", { cached: true });

    await probot.receive(pullRequestEvent(world, repo, pr) as never);
    expect(ourRun(world, repo).conclusion).toBe("success");

    const newHead = sha("pr-22-second-commit");
    pr.headSha = newHead;
    pr.files = ["src/app.ts", "infra/queue.tf"];
    pr.reviews = [approval("rev-bob", newHead, 40), approval("rev-carol", newHead, 41), approval("rev-dan", newHead, 42)];
    await probot.receive(pullRequestEvent(world, repo, pr, "synchronize") as never);

    const run = repo.checkRuns.find((r) => r.headSha === newHead)!;
    expect(run.conclusion).toBe("failure");
    expect(policyLine(run.output.summary)).toContain("`infrastructure changes need security`: `infra/queue.tf`");
    expect(rowOf(run.output.summary, "reviews")).toContain("✅ pass");
    expect(rowOf(run.output.summary, "reviewer-teams")).toContain("No counted approval from a member of acme/security");
  });
});

describe("rules read the changed files only through GitHub's listing, and fail closed past it", () => {
  it("a PR with more files than GitHub lists cannot be matched on paths: the controls the rule sets fail closed, with why", async () => {
    const { world, repo } = setup(`rules:
  - name: docs need one approval
    if: { paths: ["docs/**"] }
    controls:
      reviews: { min_approvals: 1 }
`);
    const files = Array.from({ length: 3001 }, (_, i) => `docs/page-${i}.md`);
    const pr = compliantPullRequest(world, repo, 30, { files });
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments").expect("POST", "/graphql", 29); // pages 2 to 30

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const run = ourRun(world, repo);
    expect(run.conclusion).toBe("failure");
    expect(rowOf(run.output.summary, "reviews")).toContain(
      "Could not read whether rule `docs need one approval` applies: the changed files could not be read (more than 3000 changed files)",
    );
    expect(policyLine(run.output.summary)).toContain("Rules not decidable (their controls fail): `docs need one approval`");
  });
});

describe("an org rule is a minimum the repository's rules cannot go below", () => {
  const ORG_RULES = `rules:
  - name: infra strict
    if: { paths: ["infra/**"] }
    controls:
      reviews: { min_approvals: 3 }
      secret-scanning: { enforcement: required }
`;
  const RELAX = `rules:
  - name: relax
    if: { base: ["**"] }
    controls:
      reviews: { min_approvals: 1 }
      secret-scanning: { enforcement: "off" }
`;

  it("a repository rule that matches too cannot lower an org rule's approvals or turn off its secret scanning; the rows say the org rule held them", async () => {
    const { world, repo } = setup(RELAX, ORG_RULES);
    const pr = compliantPullRequest(world, repo, 40, { files: ["infra/main.tf"] });
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const run = ourRun(world, repo);
    expect(run.conclusion).toBe("failure");
    expect(rowOf(run.output.summary, "reviews")).toContain("2 of 3 required approvals");
    expect(rowOf(run.output.summary, "reviews")).toContain("Held by org rule `infra strict` (`min_approvals`)");
    expect(rowOf(run.output.summary, "secret-scanning")).toContain("| required |");
    expect(rowOf(run.output.summary, "secret-scanning")).toContain("Held by org rule `infra strict` (`enforcement`)");
  });

  it("the repository's rule still relaxes the PRs the org rule does not match", async () => {
    const { world, repo } = setup(RELAX, ORG_RULES);
    const pr = compliantPullRequest(world, repo, 41, {
      files: ["src/app.ts"],
      reviews: [approval("rev-bob", sha("pr-41"))],
      headSha: sha("pr-41"),
    });
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const run = ourRun(world, repo);
    expect(rowOf(run.output.summary, "reviews")).toContain("✅ pass");
    expect(rowOf(run.output.summary, "reviews")).not.toContain("Held by org rule");
  });
});

describe("a check that only a rule requires: its completion re-evaluates the PR", () => {
  const codeqlRun = (repo: SimRepo, headSha: string): SimCheckRun => {
    const run: SimCheckRun = {
      id: 70_000 + repo.checkRuns.length,
      appId: 29310,
      appSlug: "code-scanning",
      name: "CodeQL",
      headSha,
      status: "in_progress",
      conclusion: null,
      output: { title: null, summary: null },
      externalId: null,
      startedAt: "2026-11-20T09:00:00Z",
    };
    repo.checkRuns.push(run);
    return run;
  };
  const RULE = `rules:
  - name: infra needs CodeQL
    if: { paths: ["infra/**"] }
    controls:
      required-checks: { checks: [CodeQL] }
`;
  const FLOOR_RULE = `floor:
  rules:
    - name: infra needs CodeQL
      if: { paths: ["infra/**"] }
      controls:
        required-checks: { checks: [CodeQL] }
`;

  it.each([
    ["a repository rule", RULE, undefined],
    ["an org floor rule", "", FLOOR_RULE],
  ])("%s requires CodeQL on infra/: pending until CodeQL completes, then its success turns the run green", async (_, rules, org) => {
    const { world, repo } = setup(rules, org);
    const pr = compliantPullRequest(world, repo, 50, { files: ["infra/main.tf"] });
    const codeql = codeqlRun(repo, pr.headSha);
    const probot = createTestApp(world);
    mockGitHub(world)
      .expectToken()
      .expectEvaluation("acme", "payments")
      .expectEvaluation("acme", "payments", { cached: true, write: "update" });

    await probot.receive(pullRequestEvent(world, repo, pr) as never);
    const run = ourRun(world, repo);
    expect(run).toMatchObject({ status: "in_progress", conclusion: null });
    expect(rowOf(run.output.summary, "required-checks")).toMatch(/⏳ pending.*CodeQL/);

    Object.assign(codeql, { status: "completed", conclusion: "success" });
    await probot.receive(checkRunCompletedEvent(world, repo, pr, { name: "CodeQL" }) as never);

    expect(run).toMatchObject({ status: "completed", conclusion: "success" });
    expect(rowOf(run.output.summary, "required-checks")).toContain("✅ pass");
  });
});

describe("renamed files: GraphQL gives only the new path, so a paths rule they might have matched fails closed", () => {
  const RULE = `rules:
  - name: infra needs three approvals
    if: { paths: ["infra/**"] }
    controls:
      reviews: { min_approvals: 3 }
`;

  it("moving infra/prod.tf to legacy/prod.tf does not walk around the infra rule: the controls it sets fail, with why", async () => {
    const { world, repo } = setup(RULE);
    const pr = compliantPullRequest(world, repo, 60, { files: ["legacy/prod.tf"] });
    pr.renamed = ["legacy/prod.tf"];
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const run = ourRun(world, repo);
    expect(run.conclusion).toBe("failure");
    expect(rowOf(run.output.summary, "reviews")).toContain(
      "Could not read whether rule `infra needs three approvals` applies: a renamed file's old path is not known to GraphQL (legacy/prod.tf)",
    );
  });

  it("a renamed file does not matter when another changed file already matches the rule", async () => {
    const { world, repo } = setup(RULE);
    const pr = compliantPullRequest(world, repo, 61, { files: ["legacy/prod.tf", "infra/main.tf"] });
    pr.renamed = ["legacy/prod.tf"];
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const run = ourRun(world, repo);
    expect(policyLine(run.output.summary)).toContain("Rules applied: `infra needs three approvals`: `infra/main.tf`.");
    expect(rowOf(run.output.summary, "reviews")).toContain("2 of 3 required approvals");
  });
});

describe("only_paths: a relaxing rule for PRs whose every changed file matches", () => {
  const DOCS_ONLY = `rules:
  - name: docs-only changes need one approval
    if: { only_paths: ["docs/**"] }
    controls:
      reviews: { min_approvals: 1 }
`;

  it("a PR that only touches docs/** needs one approval; one that also changes src/ keeps two", async () => {
    const { world, repo } = setup(DOCS_ONLY);
    const docsHead = sha("pr-70");
    const mixedHead = sha("pr-71");
    const docs = compliantPullRequest(world, repo, 70, {
      files: ["docs/guide.md", "docs/api/index.md"],
      headSha: docsHead,
      reviews: [approval("rev-bob", docsHead)],
    });
    const mixed = compliantPullRequest(world, repo, 71, {
      files: ["docs/guide.md", "src/app.ts"],
      headSha: mixedHead,
      reviews: [approval("rev-bob", mixedHead)],
    });
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments").expectEvaluation("acme", "payments", { cached: true });

    await probot.receive(pullRequestEvent(world, repo, docs) as never);
    await probot.receive(pullRequestEvent(world, repo, mixed) as never);

    const runOf = (headSha: string) => repo.checkRuns.find((r) => r.headSha === headSha)!;
    expect(runOf(docsHead).conclusion).toBe("success");
    expect(policyLine(runOf(docsHead).output.summary)).toContain(
      "`docs-only changes need one approval`: `only docs/guide.md, docs/api/index.md`",
    );
    expect(runOf(mixedHead).conclusion).toBe("failure");
    expect(rowOf(runOf(mixedHead).output.summary, "reviews")).toContain("1 of 2 required approvals");
  });

  it("a docs-only PR that renames a file cannot be decided (its old path may be outside docs/): the rule's controls fail closed", async () => {
    const { world, repo } = setup(DOCS_ONLY);
    const pr = compliantPullRequest(world, repo, 72, { files: ["docs/prod.tf"] });
    pr.renamed = ["docs/prod.tf"];
    const probot = createTestApp(world);
    mockGitHub(world).expectToken().expectEvaluation("acme", "payments");

    await probot.receive(pullRequestEvent(world, repo, pr) as never);

    const run = ourRun(world, repo);
    expect(run.conclusion).toBe("failure");
    expect(rowOf(run.output.summary, "reviews")).toContain("a renamed file's old path is not known to GraphQL (docs/prod.tf)");
  });
});
