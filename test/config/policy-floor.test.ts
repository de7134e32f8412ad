import { loadConfig, type ReadDefaultBranchFile } from "../../src/config/load-config.js";
import { parseConfigFile } from "../../src/config/parse-config-file.js";
import { raiseValue, type FloorRule } from "../../src/config/policy-floor.js";

describe("the floor's rule per kind of key", () => {
  it.each<[string, FloorRule, unknown, unknown, unknown]>([
    ["enforcement off is raised to a required floor", "at-least", "off", "required", "required"],
    ["advisory is below required", "at-least", "advisory", "required", "required"],
    ["a repository may raise advisory to required", "at-least", "required", "advisory", "required"],
    ["a number below the floor is held at it", "max", 1, 2, 2],
    ["a number above the floor stays", "max", 4, 2, 4],
    ["verify: true cannot be turned false", "true", false, true, true],
    ["count_stale_approvals: false cannot be turned true", "false", true, false, false],
    ["a must-list always holds the floor's entries", "union", ["ci/test"], ["CodeQL"], ["ci/test", "CodeQL"]],
    ["an accepted list keeps only the floor's entries", "narrow", ["PAY", "OPS"], ["PAY"], ["PAY"]],
    ["an accepted list that is empty (any) or keeps none is the floor's", "narrow", [], ["PAY"], ["PAY"]],
    ["who may approve or bypass: only the floor's entries, and none is allowed", "within", ["acme/devs"], ["acme/cto"], []],
    ["environments: empty means all, which stays all", "all-or-union", [], ["production"], []],
    ["environments: a list gains the floor's", "all-or-union", ["staging"], ["production"], ["staging", "production"]],
    ["environments: a floor of all (empty) cannot be narrowed to a list", "all-or-union", ["staging"], [], []],
    ["a pattern is the floor's", "fixed", "^v1", "^v[0-9]+", "^v[0-9]+"],
  ])("%s", (_name, rule, value, bound, expected) => {
    expect(raiseValue(rule, value, bound)).toEqual(expected);
  });
});

describe("the floor in the schema", () => {
  it("a key with no stricter value cannot be in the floor, and the error says why", () => {
    const parsed = parseConfigFile("acme/.github:.github/sdlc-guard.yml", "floor:\n  controls:\n    direct-push: { report: check }\n");
    expect(parsed).toMatchObject({
      ok: false,
      error: {
        keyPath: "floor.controls.direct-push.report",
        expected: expect.stringContaining("has no stricter value, so it cannot be in the floor"),
      },
    });
  });

  it("an unknown key in the floor is an error, as anywhere else", () => {
    const parsed = parseConfigFile("acme/.github:.github/sdlc-guard.yml", "floor:\n  controls:\n    reviews: { min_aprovals: 2 }\n");
    expect(parsed).toMatchObject({ ok: false, error: { keyPath: "floor.controls.reviews" } });
  });
});

describe("loading with a floor", () => {
  const files =
    (map: Record<string, string>): ReadDefaultBranchFile =>
    async ({ owner, repo, path }) =>
      map[`${owner}/${repo}:${path}`] ?? null;

  it("the floor is read from the org file only: a file the org file extends cannot set one", async () => {
    const loaded = await loadConfig(
      "acme",
      "payments",
      files({
        "acme/.github:.github/sdlc-guard.yml": "_extends: policies\n",
        "acme/policies:.github/sdlc-guard.yml": "floor:\n  controls:\n    reviews: { min_approvals: 1 }\n",
      }),
    );
    expect(loaded).toMatchObject({ ok: false, error: { file: "acme/policies:.github/sdlc-guard.yml", keyPath: "floor" } });
  });

  it("the org's own repository is held at its floor too, and exceptions have a floor", async () => {
    const loaded = await loadConfig(
      "acme",
      ".github",
      files({
        "acme/.github:.github/sdlc-guard.yml":
          "floor:\n  exceptions: { non_waivable: [reviews], min_justification_length: 40 }\nexceptions:\n  approvers: [acme/cto]\n",
      }),
    );
    if (!loaded.ok) throw new Error("expected a config");
    expect(loaded.config.exceptions).toEqual({
      approvers: ["acme/cto"],
      min_justification_length: 40,
      non_waivable: ["secret-scanning", "reviews"],
      expires_after_days: 14,
      max_expires_after_days: 30,
      keep_on_new_commits: [],
    });
    expect(loaded.floorHeld?.map((h) => h.key)).toEqual(["exceptions.min_justification_length", "exceptions.non_waivable"]);
  });
});
