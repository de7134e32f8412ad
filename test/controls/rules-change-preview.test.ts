import { configSchema } from "../../src/config/schema.js";
import { describeFlip, diffRules, policyShift, rulesDiffer, verdictOf } from "../../src/controls/rules-change-preview.js";
import type { ControlResult } from "../../src/controls/results.js";
import { fetched, unavailable } from "../../src/facts/fetched.js";

const INFRA = { name: "infra needs 3 approvals", if: { paths: ["infra/**"] }, controls: { reviews: { min_approvals: 3 } } };
const RELEASE = { name: "release needs the CTO", if: { base: ["release/*"] }, controls: { "reviewer-teams": { teams: ["acme/cto"] } } };
const policy = (rules: unknown[], floorRules?: unknown[]) =>
  configSchema.parse({ rules, ...(floorRules ? { floor: { controls: {}, rules: floorRules } } : {}) });
const facts = (files: string[], base = "main") => ({
  baseRefName: base,
  author: "dev-alice",
  labels: fetched([]),
  changedFiles: fetched(files),
  teams: new Map(),
});
const row = (id: string, outcome: ControlResult["outcome"], enforcement: ControlResult["enforcement"] = "required") =>
  ({ id, outcome, enforcement, reason: "", fix: "" }) as ControlResult;

describe("the rules a proposed policy file adds, removes or changes", () => {
  it.each([
    ["a rule added", [], [INFRA], [{ name: INFRA.name, list: "rules", edit: "added" }]],
    ["a rule removed", [INFRA], [], [{ name: INFRA.name, list: "rules", edit: "removed" }]],
    [
      "a rule whose if changed",
      [INFRA],
      [{ ...INFRA, if: { paths: ["terraform/**"] } }],
      [{ name: INFRA.name, list: "rules", edit: "changed", parts: ["if"] }],
    ],
    [
      "a rule whose if and controls changed",
      [INFRA],
      [{ ...INFRA, if: { paths: ["terraform/**"] }, controls: { reviews: { min_approvals: 4 } } }],
      [{ name: INFRA.name, list: "rules", edit: "changed", parts: ["if", "controls"] }],
    ],
    ["the same rules", [INFRA, RELEASE], [INFRA, RELEASE], []],
  ])("%s", (_name, before, after, edits) => {
    expect(diffRules(policy(before), policy(after))).toEqual(edits);
  });

  it("two rules swapped are no edit by name, yet the rules differ (order decides which value wins)", () => {
    expect(diffRules(policy([INFRA, RELEASE]), policy([RELEASE, INFRA]))).toEqual([]);
    expect(rulesDiffer(policy([INFRA, RELEASE]), policy([RELEASE, INFRA]))).toBe(true);
  });

  it("a floor rule added is named as such", () => {
    expect(diffRules(policy([]), policy([], [{ name: "infra minimum", if: { paths: ["infra/**"] }, controls: {} }]))).toEqual([
      { name: "infra minimum", list: "floor.rules", edit: "added" },
    ]);
  });
});

describe("whose policy a rules change shifts", () => {
  it("an infra PR shifts when the infra rule is added; a PR touching only src/ does not", () => {
    expect(policyShift(policy([]), policy([INFRA]), facts(["infra/main.tf"])).shifts).toBe(true);
    expect(policyShift(policy([]), policy([INFRA]), facts(["src/app.ts"])).shifts).toBe(false);
  });

  it("a PR whose files could not be read shifts (its rule becomes undecidable): it is re-judged, not skipped", () => {
    const unread = { ...facts([]), changedFiles: unavailable<string[]>("GitHub listed 100 of the 140 changed files") };
    expect(policyShift(policy([]), policy([INFRA]), unread).shifts).toBe(true);
  });
});

describe("how a verdict flips", () => {
  const shift = policyShift(policy([]), policy([INFRA]), facts(["infra/main.tf"]));
  const passing = verdictOf([row("reviews", "pass"), row("jira", "pass")]);
  const reviewsFail = verdictOf([row("reviews", "fail"), row("jira", "pass")]);

  it.each([
    [
      "passing today, failing reviews tomorrow: names the rule",
      passing,
      reviewsFail,
      "would fail: reviews (rule `infra needs 3 approvals`)",
    ],
    ["failing today, passing tomorrow", reviewsFail, passing, "would pass"],
    ["the same verdict", reviewsFail, reviewsFail, undefined],
    [
      "failing other controls",
      verdictOf([row("jira", "fail")]),
      reviewsFail,
      "would fail: reviews (rule `infra needs 3 approvals`) (today: jira)",
    ],
    ["an advisory failure is no failure", passing, verdictOf([row("reviews", "fail", "advisory")]), undefined],
  ])("%s", (_name, before, after, flip) => {
    expect(describeFlip(before, after, shift.proposed)).toBe(flip);
  });
});
