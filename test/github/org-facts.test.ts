import { ProbotOctokit } from "probot";
import { queryProblems } from "../../sim/graphql.js";
import { GitHubWorld, type SimRepo } from "../../sim/github-world.js";
import { APP_AUTHOR } from "../../sim/issue-tracker.js";
import { buildOrg, type BuiltOrg, type BuiltRepository } from "../../sim/org-scenario.js";
import type { OrgFacts, RepositoryFacts } from "../../src/facts/org-summary.js";
import { collectOrgFacts, type CollectOrgOptions } from "../../src/github/org/org-facts.js";
import { mergedPullsConnection } from "../../src/github/org/org-merged-pulls.js";
import { VIOLATION_SEARCH_QUERY } from "../../src/github/org/org-pushes.js";
import { repositoriesQuery } from "../../src/github/org/org-repository-details.js";
import { occurrenceMarker, violationMarker } from "../../src/github/writes/violation-issue.js";
import { VIOLATION_LABEL } from "../../src/common/product.js";
import { routeToWorld } from "../support/route-to-world.js";

const DAY = 86_400_000;

const octokitFor = () => new ProbotOctokit({ auth: { token: "ghs_test" }, retry: { enabled: false }, throttle: { enabled: false } });

function setup(repositories: number, build: Partial<Parameters<typeof buildOrg>[1]> = {}) {
  const world = new GitHubWorld();
  const org = buildOrg(world, { repositories, ...build });
  // GitHub shows the org's default community files only from a public `.github` repository.
  org.dotGithub.repo.visibility = "public";
  const log = routeToWorld(world);
  const collect = (extra: Partial<CollectOrgOptions> = {}) =>
    collectOrgFacts(octokitFor(), {
      org: "acme",
      appId: world.appId,
      now: new Date(org.now),
      periodDays: 30,
      webUrl: "https://github.com",
      ...extra,
    });
  return { world, org, log, collect };
}

const repoIn = (facts: OrgFacts, name: string): RepositoryFacts => {
  const found = facts.repositories.find((r) => r.name === name);
  if (!found) throw new Error(`no repository ${name} in the facts`);
  return found;
};
const ago = (org: BuiltOrg, days: number) => new Date(Date.parse(org.now) - days * DAY).toISOString().replace(".000Z", "Z");

/** A PR merged `daysAgo` with our run's conclusion on its head (null: no run). */
function mergedPullRequest(world: GitHubWorld, repo: SimRepo, number: number, mergedAt: string, conclusion: "success" | "failure" | null) {
  const pr = world.addPullRequest(repo, { number, createdAt: mergedAt });
  pr.mergedAt = mergedAt;
  pr.updatedAt = mergedAt;
  world.mergePullRequest(repo, pr, "squash");
  if (conclusion) {
    repo.checkRuns.push({
      id: 700_000 + repo.id * 1000 + number,
      appId: world.appId,
      name: "sdlc-guard",
      headSha: pr.headSha,
      status: "completed",
      conclusion,
      output: { title: conclusion, summary: null },
      externalId: null,
    });
  }
  return pr;
}

/** What the scenario built, as the facts must report it. */
function expectFactsOf(facts: RepositoryFacts, built: BuiltRepository) {
  const { failure } = built;
  expect(facts).toMatchObject({ name: built.name, url: `https://github.com/acme/${built.name}`, archived: false, defaultBranch: "main" });
  // Protection, each way it can be given.
  const protection = facts.protection.ok ? facts.protection.value : undefined;
  if (built.protection === "none") expect(protection).toEqual({ classic: null, rules: [] });
  if (built.protection === "classic") {
    expect(protection?.classic).toMatchObject({
      pattern: "main",
      requiredApprovingReviewCount: failure === "one-approval" ? 1 : 2,
      allowsForcePushes: false,
      guardCheckSources: ["this-app"],
      bypass: { pullRequest: [], forcePush: [] },
    });
  }
  if (built.protection === "repository-ruleset") {
    expect(protection?.rules.map((r) => `${r.type} ${r.rulesetSource}`)).toEqual(
      ["pull_request", "non_fast_forward", "deletion", "required_status_checks"].map((t) => `${t} Repository acme/${built.name}`),
    );
  }
  if (built.protection === "org-ruleset") {
    expect(protection?.classic).toBeNull();
    const bypass = { rulesetId: "RRS_7", rulesetName: "ruleset 7", actors: [] };
    expect(protection?.rules).toMatchObject([
      { type: "pull_request", rulesetSource: "Organization acme", requiredApprovingReviewCount: 2, dismissesStaleReviews: true, bypass },
      { type: "non_fast_forward", rulesetSource: "Organization acme", bypass },
      { type: "deletion", rulesetSource: "Organization acme", bypass },
      {
        type: "required_status_checks",
        rulesetSource: "Organization acme",
        requiredStatusChecks: ["sdlc-guard"],
        guardCheckSources: ["this-app"],
        bypass,
      },
    ]);
  }
  expect(facts.secretScanning).toEqual({ ok: true, value: { enabled: true, pushProtection: failure !== "no-push-protection" } });
  expect(facts.openSecretAlerts).toEqual({ ok: true, value: failure === "secret-alerts" ? 3 : 0 }); // provider and generic patterns
  expect(facts.dependabotEnabled).toEqual({ ok: true, value: true });
  expect(facts.dependabotAlerts).toEqual({
    ok: true,
    value: failure === "critical-dependabot" ? { critical: 1, high: 2 } : { critical: 0, high: 0 },
  });
  const codeScanning = { "default-setup": "default setup (configuration GitHub recommended)", workflow: "workflow codeql.yml", none: null }[
    built.codeScanning
  ];
  expect(facts.codeScanning).toEqual({ ok: true, value: codeScanning });
  // Files where they were placed; an org default names the `.github` repository.
  const { securityPolicy, ...others } = built.files;
  expect(facts.files).toMatchObject({ ok: true, value: others });
  const security = facts.files.ok ? facts.files.value.securityPolicy : undefined;
  if (securityPolicy?.startsWith("acme/.github: ")) expect(security).toMatch(/^acme\/\.github: (\.github\/|docs\/)?SECURITY\.md$/);
  else expect(security).toBe(securityPolicy);
  expect(facts.latestRelease).toMatchObject({ ok: true, value: { tagName: built.latestRelease } });
  expect(facts.pushes).toEqual({ ok: true, value: built.pushes });
  const merged = facts.mergedPullRequests.ok
    ? [...facts.mergedPullRequests.value].sort((a, b) => b.number - a.number)
    : facts.mergedPullRequests;
  expect(merged).toEqual(built.mergedInPeriod);
}

describe("org facts: everything the summary needs, in a few organisation-wide requests", () => {
  it("every query is valid against GitHub's published schema", () => {
    for (const appId of [4242, undefined]) {
      expect(queryProblems(repositoriesQuery(appId))).toEqual([]);
      const more = `query More(${appId ? "$appId: Int!, " : ""}$id0: ID!, $after0: String!) { p0: node(id: $id0) { ... on Repository { page: ${mergedPullsConnection(100, appId, "$after0")} } } }`;
      expect(queryProblems(more)).toEqual([]);
    }
    expect(queryProblems(VIOLATION_SEARCH_QUERY)).toEqual([]);
  });

  it("reads each fact both ways, for every repository of the organisation", async () => {
    const { world, org, collect } = setup(30);
    // Cases the scenario does not build.
    const empty = world.addRepo("acme", "sandbox", { empty: true });
    empty.releases = [];
    const bare = world.addRepo("acme", "prototype", {
      secretScanning: { enabled: false, openAlerts: 0, genericAlerts: 0, pushProtection: false },
    });
    bare.dependabot = { alertsEnabled: false, openAlerts: { critical: 0, high: 0, medium: 0 } };
    bare.codeScanning = { openAlerts: 2 };
    bare.files.set("Readme.rst", "Prototype\n");
    bare.files.set("docs/coding-standards.md", "# How we code\n");
    bare.files.set(".github/workflows/ci.yml", "name: CI\n");
    mergedPullRequest(world, bare, 1, ago(org, 2), null);
    const hidden = world.addRepo("acme", "vault", { securityAndAnalysisHidden: true });
    const progress: string[] = [];

    const facts = await collect({ onProgress: ({ phase }) => progress.push(phase) });

    expect(facts).toMatchObject({
      org: "acme",
      webUrl: "https://github.com",
      collectedAt: "2026-11-20T09:00:00.000Z",
      twoFactorRequired: { ok: true, value: true },
    });
    expect(facts.period).toEqual({ since: "2026-10-21T09:00:00.000Z", until: "2026-11-20T09:00:00.000Z" });
    expect(facts.repositories).toHaveLength(34);
    for (const built of org.repositories.filter((b) => !b.archived)) expectFactsOf(repoIn(facts, built.name), built);

    const archived = repoIn(facts, org.withFailure("archived")!.name);
    expect(archived).toMatchObject({
      archived: true,
      protection: { ok: false, error: "archived" },
      pushes: { ok: false, error: "archived" },
      mergedPullRequests: { ok: false, error: "archived" },
    });
    expect(repoIn(facts, "sandbox")).toMatchObject({
      defaultBranch: null,
      protection: { ok: true, value: { classic: null, rules: [] } },
      latestRelease: { ok: true, value: null },
      mergedPullRequests: { ok: true, value: [] },
    });
    // The org's defaults (SECURITY and CONTRIBUTING, never README or CODEOWNERS) count for a repository without its own.
    const defaultFile = expect.stringMatching(/^acme\/\.github: (\.github\/|docs\/)?(SECURITY|CONTRIBUTING)\.md$/);
    expect(repoIn(facts, "sandbox").files).toEqual({
      ok: true,
      value: { readme: null, contributing: defaultFile, securityPolicy: defaultFile, codeowners: null },
    });
    expect(repoIn(facts, "prototype")).toMatchObject({
      secretScanning: { ok: true, value: { enabled: false, pushProtection: false } },
      openSecretAlerts: { ok: true, value: 0 },
      dependabotEnabled: { ok: true, value: false },
      codeScanning: { ok: true, value: "open code-scanning alerts" },
      files: { ok: true, value: { readme: "Readme.rst", contributing: "docs/coding-standards.md", codeowners: null } },
      latestRelease: { ok: true, value: null },
      mergedPullRequests: { ok: true, value: [{ number: 1, mergedAt: ago(org, 2), conclusion: null }] },
    });
    expect(repoIn(facts, hidden.name).secretScanning).toEqual({
      ok: false,
      error: expect.stringContaining("grant the app Administration (read)"),
    });
    expect(new Set(progress)).toEqual(new Set(["repositories", "alerts", "repository details", "pushes"]));
  });

  it("pages through more than 100 repositories, more than 100 alerts, and more than 50 merged PRs of a busy repository", async () => {
    const { world, org, log, collect } = setup(120, { failures: ["secret-alerts", "critical-dependabot"] });
    const leaky = org.withFailure("secret-alerts")!.repo;
    leaky.secretScanning.openAlerts = 150;
    const vulnerable = org.withFailure("critical-dependabot")!.repo;
    vulnerable.dependabot.openAlerts = { critical: 90, high: 30, medium: 5 };
    const busy = world.addRepo("acme", "monorepo");
    for (let n = 1; n <= 130; n++) mergedPullRequest(world, busy, n, ago(org, 40 - (n * 39) / 130), n % 10 === 0 ? "failure" : "success");

    const facts = await collect();

    expect(facts.repositories).toHaveLength(122);
    expect(repoIn(facts, leaky.name).openSecretAlerts).toEqual({ ok: true, value: 151 });
    expect(repoIn(facts, vulnerable.name).dependabotAlerts).toEqual({ ok: true, value: { critical: 90, high: 30 } });
    const merged = repoIn(facts, "monorepo").mergedPullRequests;
    const expected = busy.pulls.filter((p) => Date.parse(p.mergedAt!) >= Date.parse(org.period.since)).map((p) => p.number);
    expect(expected.length).toBeGreaterThan(50);
    expect(merged.ok && merged.value.map((p) => p.number).sort((a, b) => a - b)).toEqual(expected);
    expect(merged.ok && merged.value.filter((p) => p.conclusion === "FAILURE").length).toBe(expected.filter((n) => n % 10 === 0).length);
    expect(log.filter((r) => r === "GET /orgs/acme/repos")).toHaveLength(2);
    expect(log.filter((r) => r === "GET /orgs/acme/secret-scanning/alerts")).toHaveLength(3);
    expect(log.filter((r) => r === "GET /orgs/acme/dependabot/alerts")).toHaveLength(2);
    // One more query reads the busy repository's later PRs (100 per page).
    expect(log.filter((r) => r === "POST graphql SdlcGuardOrgMergedPulls")).toHaveLength(1);
    for (const built of org.repositories.filter((b) => !b.failure)) expectFactsOf(repoIn(facts, built.name), built);
  });

  it("an error on one repository's node leaves the other repositories of the batch read", async () => {
    const { world, org, collect } = setup(6, { failures: [] });
    const gone = org.repositories[2]!;
    // The repository is deleted after the list was read: its node no longer resolves.
    const facts = await collect({
      onProgress: ({ phase }) => {
        const i = world.repos.indexOf(gone.repo);
        if (phase === "repositories" && i >= 0) world.repos.splice(i, 1);
      },
    });

    const lost = repoIn(facts, gone.name);
    for (const fact of [lost.protection, lost.files, lost.latestRelease, lost.mergedPullRequests, lost.dependabotEnabled]) {
      expect(fact).toEqual({ ok: false, error: expect.stringContaining("Could not resolve to a node") });
    }
    expect(lost.secretScanning.ok).toBe(true); // from the repository list, read before
    for (const built of org.repositories.filter((b) => b !== gone)) expectFactsOf(repoIn(facts, built.name), built);
  });

  it("a batch that fails as a whole makes only its repositories' GraphQL facts unavailable", async () => {
    const { world, org, collect } = setup(5, { failures: [] });
    world.failNext("POST", "/graphql", 502);

    const facts = await collect({ reposPerQuery: 3 });

    const [first, second] = [facts.repositories.slice(0, 3), facts.repositories.slice(3)];
    for (const repo of first) expect(repo.protection).toEqual({ ok: false, error: "GitHub answered HTTP 502 (simulated HTTP 502)" });
    for (const repo of first) expect(repo.openSecretAlerts.ok).toBe(true);
    for (const repo of second)
      expectFactsOf(
        repo,
        org.repositories.find((b) => b.name === repo.name)!,
      );
  });

  it("an org list answering 403 or 404 makes only its fact unknown; code scanning proven by another source stays known", async () => {
    const { world, org, collect } = setup(30);
    world.failNext("GET", "/orgs/acme/code-security/configurations", 403, {
      message: "Resource not accessible by integration",
      exact: true,
    });
    world.failNext("GET", "/orgs/acme/secret-scanning/alerts", 404, { times: 2 }); // secret scanning off for the organisation
    world.failNext("GET", "/orgs/acme/code-scanning/alerts", 404);

    const facts = await collect();

    for (const repo of facts.repositories.filter((r) => !r.archived)) {
      expect(repo.openSecretAlerts).toEqual({
        ok: false,
        error: expect.stringMatching(
          /^the organisation's secret-scanning alerts: GitHub answered HTTP 404 .*Secret scanning alerts \(read\)/,
        ),
      });
      expect(repo.secretScanning.ok).toBe(true);
      expect(repo.dependabotAlerts.ok).toBe(true);
    }
    const codeScanningOf = (kind: BuiltRepository["codeScanning"]) =>
      org.repositories.filter((b) => !b.archived && b.codeScanning === kind).map((b) => repoIn(facts, b.name).codeScanning);
    // A CodeQL workflow proves it whatever the lists say; default setup alone cannot be seen without the configurations.
    for (const fact of codeScanningOf("workflow")) expect(fact).toEqual({ ok: true, value: "workflow codeql.yml" });
    for (const fact of [...codeScanningOf("default-setup"), ...codeScanningOf("none")]) {
      expect(fact).toEqual({
        ok: false,
        error: expect.stringContaining("code security configurations: GitHub answered HTTP 403 (Resource not accessible by integration)"),
      });
      expect(fact.ok || fact.error).toContain("code-scanning alerts: GitHub answered HTTP 404");
    }
  });

  it("counts the pushes the app recorded in the period, not older ones nor a person's copied marker", async () => {
    const { world, org, collect } = setup(30);
    const repo = org.repositories.find((b) => !b.failure && !b.archived && b.name !== ".github")!;
    // A later occurrence by a person does not count; one by the app in the period does.
    const [issue] = world.issues.list("acme", org.withFailure("direct-push")!.name);
    issue!.comments.push({
      id: 99_001,
      body: `again\n\n${occurrenceMarker("direct-push:push:fake")}`,
      author: { login: "octo-human", type: "User" },
      createdAt: ago(org, 1),
      updatedAt: ago(org, 1),
    });
    world.issues.add("acme", repo.name, {
      title: "sdlc-guard: force pushes",
      body: `Policy.\n\n${violationMarker("force-push")}\n\n${occurrenceMarker("force-push:push:old")}`,
      labels: [VIOLATION_LABEL],
      author: APP_AUTHOR,
      createdAt: ago(org, 45),
      updatedAt: ago(org, 3),
      comments: [{ body: `Push\n\n${occurrenceMarker("force-push:push:new")}`, author: APP_AUTHOR, createdAt: ago(org, 3) }],
    });

    const facts = await collect();

    expect(repoIn(facts, org.withFailure("direct-push")!.name).pushes).toEqual({ ok: true, value: { direct: 2, forced: 0 } });
    expect(repoIn(facts, org.withFailure("force-push")!.name).pushes).toEqual({ ok: true, value: { direct: 0, forced: 1 } });
    expect(repoIn(facts, repo.name).pushes).toEqual({ ok: true, value: { direct: 0, forced: 1 } });
  });

  it("counts the unverified merges the app recorded in the period, in the same search, with the issues that hold them", async () => {
    const { world, org, collect, log } = setup(5, { failures: [] });
    const [repo, other] = org.repositories.filter((b) => !b.archived && b.name !== ".github");
    const recorded = world.issues.add("acme", repo!.name, {
      title: "sdlc-guard: pull requests merged without a passing sdlc-guard result",
      body: `Policy.\n\n${violationMarker("merged-unverified")}\n\n${occurrenceMarker("merged-unverified:merge:#3")}`,
      labels: [VIOLATION_LABEL],
      author: APP_AUTHOR,
      createdAt: ago(org, 40),
      updatedAt: ago(org, 2),
      comments: [
        { body: `#5\n\n${occurrenceMarker("merged-unverified:merge:#5")}`, author: APP_AUTHOR, createdAt: ago(org, 4) },
        { body: `#6\n\n${occurrenceMarker("merged-unverified:merge:#6")}`, author: APP_AUTHOR, createdAt: ago(org, 2) },
        // A person's comment with a copied marker is not a merge.
        {
          body: `#7\n\n${occurrenceMarker("merged-unverified:merge:#7")}`,
          author: { login: "octo-human", type: "User" },
          createdAt: ago(org, 2),
        },
      ],
    });
    // A person's issue copying the marker counts for nothing.
    world.issues.add("acme", other!.name, {
      title: "Copied",
      body: `${violationMarker("merged-unverified")}\n\n${occurrenceMarker("merged-unverified:merge:#1")}`,
      labels: [VIOLATION_LABEL],
      createdAt: ago(org, 3),
      updatedAt: ago(org, 3),
    });

    const facts = await collect();

    expect(repoIn(facts, repo!.name).unverifiedMerges).toEqual({ ok: true, value: { count: 2, issues: [recorded.number] } });
    expect(repoIn(facts, repo!.name).pushes).toEqual({ ok: true, value: { direct: 0, forced: 0 } });
    expect(repoIn(facts, other!.name).unverifiedMerges).toEqual({ ok: true, value: { count: 0, issues: [] } });
    expect(log.filter((r) => r === "POST graphql SdlcGuardOrgViolations")).toHaveLength(1);
  });

  it("a failed search makes the pushes of every repository unknown, and nothing else", async () => {
    const { world, collect } = setup(5, { failures: [] });
    // The repository batch is the first GraphQL request, the search the second.
    world.failNext("POST", "/graphql", 502, { skip: 1 });

    const facts = await collect();

    for (const repo of facts.repositories) {
      expect(repo.pushes).toEqual({
        ok: false,
        error: "the search for sdlc-guard violation issues: GitHub answered HTTP 502 (simulated HTTP 502)",
      });
      expect(repo.protection.ok).toBe(true);
    }
  });

  it("reads each repository's own sdlc-guard config in the same batch (whether it records pushes as issues)", async () => {
    const { org, collect, log } = setup(3, { failures: [] });
    const [own, none] = org.repositories.filter((b) => !b.archived && b.name !== ".github");
    own!.repo.files.set(".github/sdlc-guard.yml", "controls:\n  direct-push:\n    report: check\n");

    const facts = await collect();

    expect(repoIn(facts, own!.name).configText).toEqual({ ok: true, value: "controls:\n  direct-push:\n    report: check\n" });
    expect(repoIn(facts, none!.name).configText).toEqual({ ok: true, value: null });
    expect(log.filter((l) => l.startsWith("GET /repos/"))).toEqual([]); // no per-repository read
  });

  it("2FA hidden from a non-owner is unknown with how to fix it", async () => {
    const { org, collect } = setup(2, { failures: [] });
    org.org.twoFactorRequired = null;

    const facts = await collect();

    expect(facts.twoFactorRequired).toEqual({
      ok: false,
      error: "GitHub shows this setting only to organisation owners: grant the app Organization administration (read)",
    });
  });

  it("without our app id, a merged PR's run is any check run named sdlc-guard", async () => {
    const { world, org, collect } = setup(3, { failures: ["failing-merged-pr"] });
    const built = org.withFailure("failing-merged-pr")!;
    for (const run of built.repo.checkRuns) run.appId = 1; // another installation of the app, e.g. read with a token

    const byName = await collect({ appId: undefined });
    const byApp = await collect();

    const merged = repoIn(byName, built.name).mergedPullRequests;
    expect(merged.ok && [...merged.value].sort((a, b) => b.number - a.number)).toEqual(built.mergedInPeriod);
    // With our app's id, another app's run of the same name is no run of ours.
    const ours = repoIn(byApp, built.name).mergedPullRequests;
    expect(ours.ok && ours.value.map((p) => p.conclusion)).toEqual(built.mergedInPeriod.map(() => null));
    expect(world.violations).toEqual([]);
  });

  it("a simulated organisation of 250 repositories takes at most 40 requests", async () => {
    const { org, log, collect } = setup(249);

    const facts = await collect();

    expect(facts.repositories).toHaveLength(250);
    for (const built of org.repositories.filter((b) => !b.archived)) expectFactsOf(repoIn(facts, built.name), built);
    const byPhase = new Map<string, number>();
    for (const request of log) byPhase.set(request, (byPhase.get(request) ?? 0) + 1);
    console.log(
      `org of 250 repositories: ${facts.requests} requests\n${[...byPhase].map(([what, n]) => `  ${String(n).padStart(3)}  ${what}`).join("\n")}`,
    );
    expect(facts.requests).toBe(log.length);
    expect(facts.requests).toBeLessThanOrEqual(40);
  });
});
