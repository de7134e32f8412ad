import { fetched, unavailable } from "../../src/facts/fetched.js";
import { matchesBasePattern, matchRule, type RuleFacts } from "../../src/controls/policy-rules-match.js";
import { configSchema } from "../../src/config/schema.js";

const facts = (overrides: Partial<RuleFacts> = {}): RuleFacts => ({
  baseRefName: "main",
  author: "dev-alice",
  labels: fetched(["backend"]),
  changedFiles: fetched(["src/app.ts"]),
  teams: new Map([["acme/contractors", fetched(new Set(["dev-alice"]))]]),
  ...overrides,
});

describe("rule conditions", () => {
  it.each([
    ["release/*", "release/1.4", true],
    ["release/*", "release/1.4/hotfix", false],
    ["main", "main", true],
    ["main", "feature/main", false],
    ["feature/**", "feature/a/b", true],
  ])("base pattern %s on %s: %s", (pattern, branch, expected) => {
    expect(matchesBasePattern(pattern, branch)).toBe(expected);
  });

  it.each([
    ["paths: a changed file under infra/", { paths: ["infra/**"] }, facts({ changedFiles: fetched(["infra/main.tf"]) }), "match"],
    ["paths: no changed file under infra/", { paths: ["infra/**"] }, facts(), "no"],
    ["paths: files unreadable", { paths: ["infra/**"] }, facts({ changedFiles: unavailable("more than 3000 changed files") }), "unknown"],
    ["authors: a team member", { authors: ["acme/contractors"] }, facts(), "match"],
    ["authors: a login, case-insensitive", { authors: ["dev-alice"] }, facts({ author: "Dev-Alice" }), "match"],
    ["authors: a deleted account", { authors: ["dev-alice"] }, facts({ author: null }), "no"],
    ["authors: team unreadable", { authors: ["acme/hidden"] }, facts(), "unknown"],
    ["labels: present in another case", { labels: ["Backend"] }, facts(), "match"],
    ["labels: unread", { labels: ["backend"] }, facts({ labels: undefined }), "unknown"],
    [
      "every condition must hold: base false decides though files are unreadable",
      { base: ["release/*"], paths: ["x/**"] },
      facts({ changedFiles: unavailable("x") }),
      "no",
    ],
    ["every condition must hold: base and labels", { base: ["main"], labels: ["backend"] }, facts(), "match"],
  ] as const)("%s", (_name, condition, input, expected) => {
    expect(matchRule(condition as never, input).kind).toBe(expected);
  });

  it("a rule may not set a push control, nor have an empty if", () => {
    const bad = configSchema.safeParse({
      rules: [{ name: "x", if: { base: ["main"] }, controls: { "direct-push": { enforcement: "off" } } }],
    });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toContain("not a pull-request control");
    expect(configSchema.safeParse({ rules: [{ name: "x", if: {}, controls: {} }] }).success).toBe(false);
  });
});
