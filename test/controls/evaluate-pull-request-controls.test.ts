import { configSchema, defaultConfig, type SdlcGuardConfig } from "../../src/config/schema.js";
import { concludeControls } from "../../src/controls/results.js";
import { evaluatePullRequestControls, type PullRequestEvidence } from "../../src/controls/evaluate-pull-request-controls.js";
import { PULL_REQUEST_CONTROL_IDS } from "../../src/controls/catalogue.js";
import type { JiraLookups } from "../../src/facts/jira.js";
import { fetched, unavailable } from "../../src/facts/fetched.js";
import { type ControlId } from "../../src/controls/catalogue.js";
import { type ControlResult } from "../../src/controls/results.js";
import { type Outcome } from "../../src/controls/finding.js";
import { type PullRequestSnapshot, type Review } from "../../src/facts/pull-request.js";
import type { Enforcement } from "../../src/config/schema-parts.js";
import { pullRequestSnapshot } from "../support/snapshot.js";

const HEAD = "c0ffee1234567890abcdef1234567890abcdef12";
const approval = (login: string, minute: number): Review => ({
  author: { login, isBot: false },
  state: "APPROVED",
  commitSha: HEAD,
  submittedAt: `2025-03-01T10:0${minute}:00Z`,
  authorCanPush: true,
});

/** A PR that satisfies every pull-request control of POL-008, unless overridden. */
function snapshot(overrides: Partial<PullRequestSnapshot> = {}): ReturnType<typeof pullRequestSnapshot> {
  return pullRequestSnapshot({
    title: "PAY-123: refunds",
    body: "## Description\nRefunds.\n\n## Testing\nUnit tests.\n\n## Security considerations\nNone: no new input.",
    headRefName: "feature/pay-123-refunds",
    reviews: fetched([approval("bob", 1), approval("carol", 2)]),
    classicProtection: fetched({
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
    }),
    ...overrides,
  });
}

function evidence(
  overrides: Partial<PullRequestSnapshot> = {},
  jira: Partial<Omit<PullRequestEvidence, "snapshot">> = {},
): PullRequestEvidence {
  return {
    snapshot: snapshot(overrides),
    jiraKeys: [{ key: "PAY-123", foundIn: "title" }],
    jiraLookups: undefined,
    teams: new Map(),
    ...jira,
  };
}

const config = (controls: Record<string, unknown> = {}): SdlcGuardConfig => configSchema.parse({ controls });

const summary = (results: ControlResult[]): Record<string, string> =>
  Object.fromEntries(results.map((r) => [r.id, `${r.enforcement}:${r.outcome}`]));

const result = (id: ControlId, enforcement: Enforcement, outcome: Outcome): ControlResult => ({
  id,
  enforcement,
  outcome,
  reason: "r",
  fix: "",
});

describe("pull-request controls: one sdlc-guard conclusion", () => {
  it("results are in the order of the control catalogue", () => {
    const catalogue = [
      "reviews",
      "reviewer-teams",
      "jira",
      "description",
      "branch-protection",
      "secret-scanning",
      "required-checks",
      "commit-messages",
    ];
    expect(PULL_REQUEST_CONTROL_IDS).toEqual(catalogue);
    expect(evaluatePullRequestControls(evidence(), defaultConfig).map((r) => r.id)).toEqual(catalogue);
  });

  it("reviewer-teams and required-checks are off until their lists are configured; commit-messages is off by default", () => {
    const results = evaluatePullRequestControls(evidence(), defaultConfig);
    expect(results.find((r) => r.id === "reviewer-teams")).toMatchObject({
      enforcement: "off",
      reason: "No reviewer teams configured (`controls.reviewer-teams.teams`).",
    });
    expect(results.find((r) => r.id === "required-checks")).toMatchObject({
      enforcement: "off",
      reason: "No required checks configured (`controls.required-checks.checks`).",
    });
    expect(results.find((r) => r.id === "commit-messages")).toMatchObject({
      enforcement: "off",
      reason: "Turned off in the configuration.",
    });
    const configured = evaluatePullRequestControls(
      evidence({ headChecks: fetched([]) }),
      config({ "required-checks": { checks: ["CodeQL"] } }),
    );
    expect(configured.find((r) => r.id === "required-checks")).toMatchObject({ enforcement: "required", outcome: "pending" });
    expect(concludeControls(configured)).toBe("pending");
  });

  it("a failing required control outweighs a pending one", () => {
    const results = evaluatePullRequestControls(
      evidence({ headChecks: fetched([]) }, { jiraKeys: [] }),
      config({ "required-checks": { checks: ["CodeQL"] } }),
    );
    expect(summary(results)).toMatchObject({ jira: "required:fail", "required-checks": "required:pending" });
    expect(concludeControls(results)).toBe("failure");
  });

  it("a compliant PR passes every control and concludes success", () => {
    const results = evaluatePullRequestControls(evidence(), defaultConfig);
    expect(summary(results)).toEqual({
      reviews: "required:pass",
      "reviewer-teams": "off:pass",
      jira: "required:pass",
      description: "advisory:pass",
      "branch-protection": "required:pass",
      "secret-scanning": "required:pass",
      "required-checks": "off:pass",
      "commit-messages": "off:pass",
    });
    expect(results.find((r) => r.id === "reviews")?.reason).toBe("2 of 2 required approvals on `c0ffee1` (bob, carol).");
    expect(results.find((r) => r.id === "jira")?.reason).toBe("Jira key `PAY-123` (title).");
    expect(concludeControls(results)).toBe("success");
  });

  it("an off control is listed with enforcement off and is not evaluated", () => {
    const results = evaluatePullRequestControls(
      evidence({ reviews: unavailable("GitHub answered 502"), secretScanning: unavailable("GitHub answered 502") }),
      config({ reviews: { enforcement: "off" }, "secret-scanning": { enforcement: "off" } }),
    );
    expect(results).toHaveLength(8);
    for (const id of ["reviews", "secret-scanning"] as const) {
      expect(results.find((r) => r.id === id)).toEqual({
        id,
        enforcement: "off",
        outcome: "pass",
        reason: "Turned off in the configuration.",
        fix: "",
      });
    }
    expect(concludeControls(results)).toBe("success");
  });

  it("an advisory failure does not fail the conclusion", () => {
    const results = evaluatePullRequestControls(evidence({}, { jiraKeys: [] }), config({ jira: { enforcement: "advisory" } }));
    const jira = results.find((r) => r.id === "jira");
    expect(jira).toMatchObject({ enforcement: "advisory", outcome: "fail" });
    expect(jira?.reason).toMatch(/^No Jira issue key/);
    expect(concludeControls(results)).toBe("success");
  });

  it("an advisory control that could not be evaluated does not fail the conclusion", () => {
    const results = evaluatePullRequestControls(
      evidence({ secretScanning: unavailable("GitHub answered 503") }),
      config({ "secret-scanning": { enforcement: "advisory" } }),
    );
    expect(summary(results)["secret-scanning"]).toBe("advisory:error");
    expect(concludeControls(results)).toBe("success");
  });

  it("a required control that could not be evaluated fails the conclusion", () => {
    const results = evaluatePullRequestControls(evidence({ secretScanning: unavailable("GitHub answered 503") }), defaultConfig);
    expect(summary(results)["secret-scanning"]).toBe("required:error");
    expect(results.find((r) => r.id === "secret-scanning")?.reason).toBe("Could not read the secret-scanning alerts: GitHub answered 503");
    expect(concludeControls(results)).toBe("failure");
  });

  it("a required control that fails fails the conclusion", () => {
    const results = evaluatePullRequestControls(evidence({ reviews: fetched([approval("bob", 1)]) }), defaultConfig);
    expect(summary(results).reviews).toBe("required:fail");
    expect(concludeControls(results)).toBe("failure");
  });

  it("each control gets its own settings from the configuration", () => {
    const results = evaluatePullRequestControls(
      evidence({ reviews: fetched([approval("bob", 1)]) }),
      config({ reviews: { min_approvals: 1 }, "branch-protection": { min_approvals: 3 } }),
    );
    expect(summary(results)).toMatchObject({ reviews: "required:pass", "branch-protection": "required:fail" });
    expect(results.find((r) => r.id === "branch-protection")?.reason).toContain("requires 2 approval(s), policy needs 3");
  });

  it("the Jira lookups of the evidence decide the jira control", () => {
    const lookups: JiraLookups = new Map([["PAY-123", unavailable("Jira unreachable (HTTP 503)")]]);
    const results = evaluatePullRequestControls(evidence({}, { jiraLookups: lookups }), defaultConfig);
    expect(summary(results).jira).toBe("required:error");
    expect(results.find((r) => r.id === "jira")?.reason).toContain("Jira unreachable");
    expect(concludeControls(results)).toBe("failure");
  });

  describe("concludeControls", () => {
    it.each<[string, ControlResult[], "success" | "failure"]>([
      ["all pass → success", [result("reviews", "required", "pass"), result("jira", "required", "pass")], "success"],
      ["no results → success", [], "success"],
      ["a required fail → failure", [result("reviews", "required", "fail"), result("jira", "required", "pass")], "failure"],
      ["a required error → failure", [result("reviews", "required", "pass"), result("jira", "required", "error")], "failure"],
      ["advisory fail and error only → success", [result("reviews", "advisory", "fail"), result("jira", "advisory", "error")], "success"],
      ["off controls never fail → success", [result("reviews", "off", "pass"), result("jira", "required", "pass")], "success"],
    ])("%s", (_name, results, expected) => {
      expect(concludeControls(results)).toBe(expected);
    });
  });
});
