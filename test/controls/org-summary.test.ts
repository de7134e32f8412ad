import { configSchema, defaultConfig } from "../../src/config/schema.js";
import type { OrgFacts, RepositoryFacts } from "../../src/facts/org-summary.js";
import { judgeRepository, summarizeOrg } from "../../src/controls/org-summary.js";
import { fetched, unavailable } from "../../src/facts/fetched.js";

const NOW = new Date("2026-11-23T06:00:00Z");

const strictRule = {
  pattern: "main",
  requiresApprovingReviews: true,
  requiredApprovingReviewCount: 2,
  allowsForcePushes: false,
  allowsDeletions: false,
  dismissesStaleReviews: true,
  isAdminEnforced: true,
  requiredStatusCheckContexts: ["sdlc-guard"],
  guardCheckSources: ["this-app" as const],
  bypass: { pullRequest: [], forcePush: [] },
};

function compliantRepo(name: string, overrides: Partial<RepositoryFacts> = {}): RepositoryFacts {
  return {
    name,
    url: `https://github.com/acme/${name}`,
    archived: false,
    visibility: "private",
    defaultBranch: "main",
    pushedAt: "2026-11-20T09:00:00Z",
    protection: fetched({ classic: strictRule, rules: [] }),
    secretScanning: fetched({ enabled: true, pushProtection: true }),
    openSecretAlerts: fetched(0),
    dependabotEnabled: fetched(true),
    dependabotAlerts: fetched({ critical: 0, high: 0 }),
    codeScanning: fetched("default setup (configuration GitHub recommended)"),
    files: fetched({
      readme: "README.md",
      contributing: "CONTRIBUTING.md",
      securityPolicy: "acme/.github: SECURITY.md",
      codeowners: ".github/CODEOWNERS",
    }),
    latestRelease: fetched({ tagName: "v1.4.0", publishedAt: "2026-11-01T10:00:00Z" }),
    pushes: fetched({ direct: 0, forced: 0 }),
    unverifiedMerges: fetched({ count: 0, issues: [] }),
    configText: fetched(null),
    mergedPullRequests: fetched([{ number: 7, mergedAt: "2026-11-10T10:00:00Z", conclusion: "SUCCESS" }]),
    ...overrides,
  };
}

const cells = (repo: RepositoryFacts, config = defaultConfig) => judgeRepository("acme", repo, config, NOW);

describe("a repository's summary cells", () => {
  it("a repository that follows the policy passes every control", () => {
    const all = cells(compliantRepo("payments"));
    expect(Object.entries(all).filter(([, c]) => c.state !== "pass")).toEqual([]);
    expect(all["branch-protection"].detail).toContain("Default branch main is protected by classic rule main");
  });

  it.each([
    ["branch-protection", { protection: fetched({ classic: null, rules: [] }) }, "is not protected"],
    [
      "branch-protection",
      { protection: fetched({ classic: { ...strictRule, requiredApprovingReviewCount: 1 }, rules: [] }) },
      "requires 1 approval(s), policy needs 2",
    ],
    ["secret-scanning", { secretScanning: fetched({ enabled: false, pushProtection: false }) }, "secret scanning is disabled"],
    ["secret-scanning", { openSecretAlerts: fetched(3) }, "3 open secret-scanning alerts"],
    ["push-protection", { secretScanning: fetched({ enabled: true, pushProtection: false }) }, "push protection is disabled"],
    ["dependabot", { dependabotEnabled: fetched(false) }, "Dependabot alerts are disabled"],
    ["dependabot", { dependabotAlerts: fetched({ critical: 1, high: 2 }) }, "1 critical and 2 high open Dependabot alerts"],
    ["code-scanning", { codeScanning: fetched(null) }, "code scanning is not configured"],
    [
      "repository-files",
      { files: fetched({ readme: "README.md", contributing: null, securityPolicy: null, codeowners: "CODEOWNERS" }) },
      "missing CONTRIBUTING (or coding standards), SECURITY.md",
    ],
    [
      "release-tag",
      { latestRelease: fetched({ tagName: "release-2026-11", publishedAt: null }) },
      'latest release "release-2026-11" is not a semantic version',
    ],
    ["direct-push", { pushes: fetched({ direct: 2, forced: 0 }) }, "2 direct pushes recorded in the period"],
    ["force-push", { pushes: fetched({ direct: 0, forced: 1 }) }, "1 forced push recorded in the period"],
    [
      "merged-prs",
      {
        mergedPullRequests: fetched([
          { number: 4, mergedAt: "2026-11-02T00:00:00Z", conclusion: "FAILURE" },
          { number: 5, mergedAt: "2026-11-03T00:00:00Z", conclusion: null },
          { number: 6, mergedAt: "2026-11-04T00:00:00Z", conclusion: "SUCCESS" },
        ]),
      },
      "1 of 3 merged PRs passed sdlc-guard (policy: 100%); not passed: acme/r#4 (failure), acme/r#5 (no sdlc-guard result)",
    ],
    ["activity", { pushedAt: "2025-06-01T00:00:00Z" }, "no push for 540 days (limit 180) but not archived"],
  ] as const)("%s fails: %s", (id, overrides, detail) => {
    const cell = cells(compliantRepo("r", overrides as Partial<RepositoryFacts>))[id];
    expect(cell).toMatchObject({ state: "fail", detail: expect.stringContaining(detail) });
    expect(cell.fix).toBeTruthy();
  });

  it("a fact that could not be read is unknown with the reason, never compliant", () => {
    const all = cells(
      compliantRepo("r", {
        protection: unavailable("GitHub answered 403: Resource not accessible by integration"),
        secretScanning: unavailable("GitHub does not show security settings to the app"),
        dependabotAlerts: unavailable("GitHub answered 404: Dependabot alerts are disabled for this organization"),
        codeScanning: unavailable("timed out"),
        files: unavailable("timed out"),
        latestRelease: unavailable("timed out"),
        pushes: unavailable("search failed"),
        mergedPullRequests: unavailable("timed out"),
      }),
    );
    for (const id of [
      "branch-protection",
      "secret-scanning",
      "push-protection",
      "dependabot",
      "code-scanning",
      "repository-files",
      "release-tag",
      "direct-push",
      "force-push",
      "merged-prs",
    ] as const) {
      expect(all[id].state).toBe("unknown");
    }
    expect(all["branch-protection"].detail).toBe(
      "Branch protection could not be read: GitHub answered 403: Resource not accessible by integration",
    );
    expect(all.activity.state).toBe("pass");
  });

  it("a repository that switches a control off is a gap, never n/a; only the org policy switching it off makes it n/a", () => {
    const repoOff = compliantRepo("r", {
      configText: fetched("controls:\n  direct-push: { enforcement: off }\n"),
      pushes: fetched({ direct: 0, forced: 0 }),
    });
    const orgAdvisory = configSchema.parse({ controls: { "direct-push": { enforcement: "advisory" } } });
    expect(cells(repoOff, orgAdvisory)["direct-push"]).toMatchObject({
      state: "fail",
      detail: "direct-push is off in this repository's config, below the org policy (advisory)",
      fix: expect.stringContaining("never lower it"),
    });
    const orgOff = configSchema.parse({ controls: { "direct-push": { enforcement: "off" } } });
    expect(cells(compliantRepo("r"), orgOff)["direct-push"]).toMatchObject({
      state: "n/a",
      detail: "direct-push is off in the org policy",
    });
  });

  it("a repository whose file goes below the org floor is a gap that says what was held", () => {
    const repoOff = compliantRepo("r", {
      configText: fetched("controls:\n  force-push: { enforcement: off }\n"),
      pushes: fetched({ direct: 0, forced: 0 }),
    });
    const org = configSchema.parse({ floor: { controls: { "force-push": { enforcement: "required" } } } });
    expect(cells(repoOff, org)["force-push"]).toMatchObject({
      state: "fail",
      detail: "this repository's config tries to go below the org floor: controls.force-push.enforcement off → required (held)",
    });
    // The repository's file is merged over the org's, as the app loads it: a key it does not set keeps the org's value.
    const orgCheck = configSchema.parse({ controls: { "direct-push": { report: "check" } } });
    const partial = compliantRepo("r", {
      configText: fetched("controls:\n  jira: { projects: [PAY] }\n"),
      pushes: fetched({ direct: 0, forced: 0 }),
    });
    expect(cells(partial, orgCheck)["direct-push"].state).toBe("unknown");
  });

  it("pushes count only where the repository's config records them as issues", () => {
    const withConfig = (text: string) =>
      cells(compliantRepo("r", { configText: fetched(text), pushes: fetched({ direct: 0, forced: 0 }) }));
    expect(withConfig("controls:\n  direct-push:\n    report: check\n")["direct-push"]).toMatchObject({
      state: "unknown",
      detail: expect.stringContaining("report: check"),
    });
    expect(withConfig("controls:\n  force-push:\n    enforcement: off\n")["force-push"]).toMatchObject({
      state: "fail",
      detail: "force-push is off in this repository's config, below the org policy (required)",
    });
    expect(withConfig("_extends: acme/policies\n")["direct-push"]).toMatchObject({
      state: "unknown",
      detail: expect.stringContaining("uses _extends, which the summary does not follow"),
    });
    expect(withConfig("controls: [oops\n")["direct-push"].state).toBe("unknown");
    expect(withConfig("controls:\n  jira:\n    projects: [PAY]\n")["direct-push"].state).toBe("pass");
    expect(cells(compliantRepo("r", { configText: unavailable("timed out") }))["direct-push"].state).toBe("unknown");
    // The organisation's config applies to a repository without its own.
    const orgOff = configSchema.parse({ controls: { "direct-push": { report: "check" } } });
    expect(cells(compliantRepo("r"), orgOff)["direct-push"].state).toBe("unknown");
  });

  it("nothing to judge is n/a: no release, no merged PR, an empty repository, never pushed", () => {
    const all = cells(
      compliantRepo("r", { latestRelease: fetched(null), mergedPullRequests: fetched([]), defaultBranch: null, pushedAt: null }),
    );
    expect([all["release-tag"].state, all["merged-prs"].state, all["branch-protection"].state, all.activity.state]).toEqual([
      "n/a",
      "n/a",
      "n/a",
      "n/a",
    ]);
  });

  it("settings change the verdicts: approvals, release pattern, merged pass rate, inactivity", () => {
    const config = configSchema.parse({
      controls: { "branch-protection": { min_approvals: 3 }, "release-tag": { pattern: "^release-\\d{4}-\\d{2}$" } },
      summary: { merged_pass_rate: 50, inactive_days: 1 },
    });
    const repo = compliantRepo("r", {
      latestRelease: fetched({ tagName: "release-2026-11", publishedAt: null }),
      mergedPullRequests: fetched([
        { number: 1, mergedAt: "2026-11-02T00:00:00Z", conclusion: "FAILURE" },
        { number: 2, mergedAt: "2026-11-02T00:00:00Z", conclusion: "SUCCESS" },
      ]),
    });
    const all = cells(repo, config);
    expect(all["branch-protection"]).toMatchObject({ state: "fail", detail: expect.stringContaining("policy needs 3") });
    expect(all["release-tag"].state).toBe("pass");
    expect(all["merged-prs"]).toMatchObject({ state: "pass", detail: "1 of 2 merged PRs passed sdlc-guard" });
    expect(all.activity).toMatchObject({ state: "fail", detail: "no push for 2 days (limit 1) but not archived" });
  });

  it("names at most five failing merged PRs and counts the rest", () => {
    const pulls = Array.from({ length: 8 }, (_, i) => ({ number: i + 1, mergedAt: "2026-11-02T00:00:00Z", conclusion: "FAILURE" }));
    expect(cells(compliantRepo("r", { mergedPullRequests: fetched(pulls) }))["merged-prs"].detail).toMatch(
      /acme\/r#5 \(failure\) and 3 more$/,
    );
  });
});

describe("merge-time findings in the summary: merged-unverified", () => {
  it("merges recorded without a passing sdlc-guard result are a gap, with the count and the issue", () => {
    const cell = cells(compliantRepo("r", { unverifiedMerges: fetched({ count: 3, issues: [31, 44] }) }))["merged-unverified"];
    expect(cell).toMatchObject({
      state: "fail",
      detail: "3 merges without a passing sdlc-guard result recorded in the period (acme/r#31, acme/r#44)",
      fix: expect.stringContaining("require the sdlc-guard check"),
    });
    expect(cells(compliantRepo("r", { unverifiedMerges: fetched({ count: 1, issues: [9] }) }))["merged-unverified"].detail).toBe(
      "1 merge without a passing sdlc-guard result recorded in the period (acme/r#9)",
    );
    expect(cells(compliantRepo("r"))["merged-unverified"]).toEqual({ state: "pass", detail: "none recorded in the period" });
  });

  it("unrecorded merges are unknown, never compliant: an unreadable search, or findings sent to check runs only", () => {
    expect(cells(compliantRepo("r", { unverifiedMerges: unavailable("search failed") }))["merged-unverified"]).toMatchObject({
      state: "unknown",
      detail: "Recorded merges could not be read: search failed",
    });
    const checkOnly = compliantRepo("r", { configText: fetched("controls:\n  merged-unverified: { report: check }\n") });
    expect(cells(checkOnly)["merged-unverified"]).toMatchObject({ state: "unknown", detail: expect.stringContaining("report: check") });
  });

  it("switched off by the repository is a gap; only the org policy switching it off makes it n/a", () => {
    const repoOff = compliantRepo("r", { configText: fetched("controls:\n  merged-unverified: { enforcement: off }\n") });
    expect(cells(repoOff)["merged-unverified"]).toMatchObject({
      state: "fail",
      detail: "merged-unverified is off in this repository's config, below the org policy (required)",
    });
    const orgOff = configSchema.parse({ controls: { "merged-unverified": { enforcement: "off" } } });
    expect(cells(compliantRepo("r"), orgOff)["merged-unverified"].state).toBe("n/a");
  });
});

describe("the repository's own policy file in the summary", () => {
  const ORG = configSchema.parse({ controls: { reviews: { min_approvals: 3 }, jira: { projects: ["PAY"] } } });
  const policy = (text: string | null, org = ORG) => cells(compliantRepo("r", { configText: fetched(text) }), org).policy;

  it.each<[string, string | null, string]>([
    ["no file of its own: the org policy applies", null, "no .github/sdlc-guard.yml of its own: the org policy applies"],
    ["a file that only tightens", "controls:\n  reviews: { min_approvals: 4 }\n", "the repository's file keeps or tightens the org policy"],
  ])("passes: %s", (_name, text, detail) => {
    expect(policy(text)).toEqual({ state: "pass", detail });
  });

  it.each<[string, string, string]>([
    ["a control turned off", "controls:\n  reviews: { enforcement: off }\n", "reviews turned off by the repository's file"],
    ["a control made advisory", "controls:\n  jira: { enforcement: advisory }\n", "jira lowered to advisory by the repository's file"],
    [
      "fewer approvals than the org's",
      "controls:\n  reviews: { min_approvals: 1 }\n",
      "controls.reviews.min_approvals 3 → 1 by the repository's file",
    ],
    [
      "several keys at once",
      "controls:\n  secret-scanning: { enforcement: off }\nexceptions:\n  approvers: [acme/devs]\n",
      "secret-scanning turned off, exceptions.approvers [] → [acme/devs] by the repository's file",
    ],
  ])("a repository that lowers the org policy is a gap, never n/a: %s", (_name, text, detail) => {
    expect(policy(text)).toEqual({ state: "fail", detail, fix: expect.stringContaining("never lower it") });
  });

  it("a file that tries to go below the floor is a gap naming what was held", () => {
    const org = configSchema.parse({
      controls: { reviews: { min_approvals: 3 } },
      floor: { controls: { reviews: { enforcement: "required", min_approvals: 2 } } },
    });
    expect(policy("controls:\n  reviews: { enforcement: off, min_approvals: 1 }\n", org)).toMatchObject({
      state: "fail",
      detail: "held at the floor: controls.reviews.enforcement off → required, controls.reviews.min_approvals 1 → 2",
    });
    // Above the floor but below the org's file: lowered, not held.
    expect(policy("controls:\n  reviews: { min_approvals: 2 }\n", org)).toMatchObject({
      state: "fail",
      detail: "controls.reviews.min_approvals 3 → 2 by the repository's file",
    });
  });

  it("a file the summary cannot read or compare is unknown, never a pass", () => {
    expect(cells(compliantRepo("r", { configText: unavailable("timed out") }), ORG).policy).toMatchObject({
      state: "unknown",
      detail: "The repository's config could not be read: timed out",
    });
    expect(policy("_extends: acme/policies\n")).toMatchObject({ state: "unknown", detail: expect.stringContaining("uses _extends") });
    expect(policy("controls: [oops\n").state).toBe("unknown");
  });

  it("a repository that lowers its policy is not fully compliant", () => {
    const summary = summarizeOrg(
      {
        org: "acme",
        webUrl: "https://github.com",
        collectedAt: NOW.toISOString(),
        period: { since: "2026-10-24T06:00:00.000Z", until: NOW.toISOString() },
        twoFactorRequired: fetched(true),
        repositories: [compliantRepo("api"), compliantRepo("web", { configText: fetched("controls:\n  jira: { enforcement: off }\n") })],
        requests: 1,
      },
      ORG,
      [],
      0,
    );
    expect(summary.repositories.map((r) => [r.name, r.compliant])).toEqual([
      ["web", false],
      ["api", true],
    ]);
    expect(summary.rates.find((r) => r.id === "policy")).toEqual({ id: "policy", passed: 1, judged: 2, rate: 50 });
  });
});

describe("the organisation's summary", () => {
  const facts = (repositories: RepositoryFacts[], twoFactor = fetched(true)): OrgFacts => ({
    org: "acme",
    webUrl: "https://github.com",
    collectedAt: NOW.toISOString(),
    period: { since: "2026-10-24T06:00:00.000Z", until: NOW.toISOString() },
    twoFactorRequired: twoFactor,
    repositories,
    requests: 12,
  });

  it("orders repositories worst first, lists archived ones apart and computes the rates", () => {
    const summary = summarizeOrg(
      facts([
        compliantRepo("api"),
        compliantRepo("legacy", { archived: true }),
        compliantRepo("web", { openSecretAlerts: fetched(1), codeScanning: fetched(null) }),
        compliantRepo("infra", { dependabotAlerts: unavailable("HTTP 403") }),
        compliantRepo("docs", { latestRelease: fetched(null) }),
      ]),
      defaultConfig,
      [],
      250,
    );
    expect(summary.repositories.map((r) => [r.name, r.failing, r.unknown, r.compliant])).toEqual([
      ["web", 2, 0, false],
      ["infra", 0, 1, false],
      ["api", 0, 0, true],
      ["docs", 0, 0, true],
    ]);
    expect(summary.archived).toEqual([{ name: "legacy", url: "https://github.com/acme/legacy" }]);
    expect(summary.compliantPercent).toBe(50);
    expect(summary.rates.find((r) => r.id === "secret-scanning")).toEqual({ id: "secret-scanning", passed: 3, judged: 4, rate: 75 });
    expect(summary.rates.find((r) => r.id === "release-tag")).toEqual({ id: "release-tag", passed: 3, judged: 3, rate: 100 });
    expect(summary.rates.find((r) => r.id === "dependabot")).toEqual({ id: "dependabot", passed: 3, judged: 4, rate: 75 });
    expect(summary).toMatchObject({ requests: 12, durationMs: 250, twoFactor: { state: "pass" } });
  });

  it("the two-factor requirement fails when off and is unknown when GitHub hides it", () => {
    expect(summarizeOrg(facts([], fetched(false)), defaultConfig, [], 0).twoFactor.state).toBe("fail");
    expect(summarizeOrg(facts([], unavailable("shown only to owners")), defaultConfig, [], 0).twoFactor).toMatchObject({
      state: "unknown",
      detail: expect.stringContaining("shown only to owners"),
    });
  });

  it("an organisation without active repositories has no rate and 0% compliant", () => {
    const summary = summarizeOrg(facts([compliantRepo("old", { archived: true })]), defaultConfig, [], 0);
    expect(summary.compliantPercent).toBe(0);
    expect(summary.rates.every((r) => r.rate === null && r.judged === 0)).toBe(true);
  });
});
