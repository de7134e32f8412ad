import { defaultConfig } from "../../src/config/schema.js";
import { planApply, rulesetName, type ApplyInput } from "../../src/controls/apply-plan.js";
import { fetched, unavailable } from "../../src/facts/fetched.js";
import type { RepositoryFacts } from "../../src/facts/org-summary.js";
import type { ClassicProtection } from "../../src/facts/pull-request.js";

const strictRule: ClassicProtection = {
  pattern: "main",
  requiresApprovingReviews: true,
  requiredApprovingReviewCount: 2,
  allowsForcePushes: false,
  allowsDeletions: false,
  dismissesStaleReviews: true,
  isAdminEnforced: true,
  requiredStatusCheckContexts: ["sdlc-guard"],
  guardCheckSources: ["this-app"],
  bypass: { pullRequest: [], forcePush: [] },
};
const unavailableFacts = unavailable<never>("not read by these tests");

function repo(name: string, overrides: Partial<RepositoryFacts> = {}): RepositoryFacts {
  return {
    name,
    url: `https://github.com/acme/${name}`,
    archived: false,
    visibility: "private",
    defaultBranch: "main",
    pushedAt: "2026-11-20T09:00:00Z",
    protection: fetched({ classic: strictRule, rules: [] }),
    secretScanning: fetched({ enabled: true, pushProtection: true }),
    openSecretAlerts: unavailableFacts,
    dependabotEnabled: unavailableFacts,
    dependabotAlerts: unavailableFacts,
    codeScanning: unavailableFacts,
    files: fetched({ readme: "README.md", contributing: null, securityPolicy: "SECURITY.md", codeowners: ".github/CODEOWNERS" }),
    latestRelease: unavailableFacts,
    pushes: unavailableFacts,
    unverifiedMerges: unavailableFacts,
    configText: fetched(null),
    mergedPullRequests: unavailableFacts,
    ...overrides,
  };
}

const unprotected = { protection: fetched({ classic: null, rules: [] }) };
const input = (repositories: RepositoryFacts[], overrides: Partial<ApplyInput> = {}): ApplyInput => ({
  org: "acme",
  orgConfig: defaultConfig,
  repositories,
  appId: 4242,
  rulesets: fetched([]),
  ...overrides,
});
/** Each repository's settings items as `control state`, for table-style comparisons (the files rows: apply-files.test.ts). */
const states = (plan: ReturnType<typeof planApply>) =>
  Object.fromEntries(
    plan.repositories.map((r) => [
      r.name,
      r.items
        .filter((i) => i.control !== "codeowners" && i.control !== "security-policy")
        .map((i) => `${i.control} ${i.state}`)
        .join(", "),
    ]),
  );

describe("planApply", () => {
  it("a compliant repository plans nothing", () => {
    const plan = planApply(input([repo("payments")]));
    expect(plan.changes).toEqual([]);
    expect(states(plan)).toEqual({ payments: "branch-protection holds, secret-scanning holds, push-protection holds" });
  });

  it("unprotected repositories share one organisation ruleset with the policy's approvals", () => {
    const plan = planApply(input([repo("b", unprotected), repo("a", unprotected), repo("c")]));
    expect(plan.changes).toEqual([
      {
        id: "org-ruleset:2",
        kind: "org-ruleset",
        name: rulesetName(2),
        rulesetId: null,
        approvals: 2,
        appId: 4242,
        repositories: ["a", "b"],
        fixes: ["a", "b"],
      },
    ]);
  });

  it("a repository whose own file asks more approvals gets the ruleset of its count", () => {
    const plan = planApply(
      input([repo("strict", { ...unprotected, configText: fetched("controls:\n  branch-protection:\n    min_approvals: 3\n") })]),
    );
    expect(plan.changes.map((c) => c.kind === "org-ruleset" && c.name)).toEqual([rulesetName(3)]);
  });

  it("an existing ruleset of ours is updated to include the repositories it already targets and the new ones", () => {
    const plan = planApply(
      input([repo("new", unprotected)], { rulesets: fetched([{ id: 9, name: rulesetName(2), repositories: ["old"] }]) }),
    );
    expect(plan.changes).toMatchObject([{ rulesetId: 9, repositories: ["old", "new"], fixes: ["new"] }]);
  });

  it.each([
    [
      "a classic rule that lets administrators bypass: a ruleset would not be enough",
      { protection: fetched({ classic: { ...strictRule, isAdminEnforced: false }, rules: [] }) },
      {},
      /^an organisation ruleset would not be enough: .*repository-admins/,
    ],
    ["protection GitHub did not show", { protection: unavailable<never>("HTTP 403") }, {}, /could not be read: HTTP 403/],
    ["a repository config that cannot be used", { ...unprotected, configText: fetched("controls: [") }, {}, /policy is unknown/],
    ["no app id to pin the check to", unprotected, { appId: undefined }, /Set APP_ID/],
    [
      "organisation rulesets the caller may not manage",
      unprotected,
      { rulesets: unavailable<never>("only an organisation owner may manage organisation rulesets") },
      /cannot be managed: only an organisation owner/,
    ],
  ])("%s: branch protection cannot be changed, with why", (_, facts, options, why) => {
    const plan = planApply(input([repo("r", facts)], options));
    const item = plan.repositories[0]!.items.find((i) => i.control === "branch-protection")!;
    expect(item.state).toBe("cannot");
    expect(item.detail).toMatch(why);
    expect(plan.changes).toEqual([]);
  });

  it("a ruleset of our name that targets repositories otherwise is left alone", () => {
    const plan = planApply(input([repo("r", unprotected)], { rulesets: fetched([{ id: 9, name: rulesetName(2), repositories: null }]) }));
    expect(states(plan).r).toContain("branch-protection cannot");
    expect(plan.changes).toEqual([]);
  });

  it.each([
    [
      { enabled: false, pushProtection: false },
      "secret-scanning change, push-protection change",
      { secretScanning: true, pushProtection: true },
    ],
    [
      { enabled: true, pushProtection: false },
      "secret-scanning holds, push-protection change",
      { secretScanning: false, pushProtection: true },
    ],
  ])("security settings %j: one change turns on what is off", (settings, expected, change) => {
    const plan = planApply(input([repo("r", { secretScanning: fetched(settings) })]));
    expect(states(plan).r).toBe(`branch-protection holds, ${expected}`);
    expect(plan.changes).toEqual([{ id: "security-settings:r", kind: "security-settings", repository: "r", ...change }]);
  });

  it("security settings GitHub hides (no admin) cannot be changed, with why", () => {
    const plan = planApply(input([repo("r", { secretScanning: unavailable("shown to repository admins only") })]));
    expect(states(plan).r).toBe("branch-protection holds, secret-scanning cannot, push-protection cannot");
    expect(plan.repositories[0]!.items[1]!.detail).toContain("shown to repository admins only");
  });

  it("an empty repository has no branch to protect", () => {
    expect(states(planApply(input([repo("r", { defaultBranch: null, ...unprotected })]))).r).toContain("branch-protection holds");
  });
});
