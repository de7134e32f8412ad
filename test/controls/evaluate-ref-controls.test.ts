import { configSchema, defaultConfig, type SdlcGuardConfig } from "../../src/config/schema.js";
import { concludeControls } from "../../src/controls/results.js";
import { evaluatePushControls, evaluateTagControls } from "../../src/controls/evaluate-ref-controls.js";
import { fetched } from "../../src/facts/fetched.js";
import { type ControlResult } from "../../src/controls/results.js";
import { pushSnapshot, tagSnapshot } from "../support/ref-snapshots.js";

const config = (controls: Record<string, unknown> = {}): SdlcGuardConfig => configSchema.parse({ controls });
const summary = (results: ControlResult[]): Record<string, string> =>
  Object.fromEntries(results.map((r) => [r.id, `${r.enforcement}:${r.outcome}`]));
const release = { tagName: "v1.4.0", name: null, notes: "", isDraft: false, isPrerelease: false };

describe("push controls: merged-unverified, direct-push then force-push", () => {
  it("a reviewed fast-forward push passes all three", () => {
    const results = evaluatePushControls(pushSnapshot(), defaultConfig);
    expect(summary(results)).toEqual({
      "merged-unverified": "required:pass",
      "direct-push": "required:pass",
      "force-push": "required:pass",
    });
    expect(results.map((r) => r.id)).toEqual(["merged-unverified", "direct-push", "force-push"]);
    expect(concludeControls(results)).toBe("success");
  });

  it("a forced push of a commit without a PR fails both, and the conclusion", () => {
    const results = evaluatePushControls(
      pushSnapshot({ forced: true, commits: fetched([{ sha: "a".repeat(40), mergedInto: [], pullRequests: [] }]) }),
      defaultConfig,
    );
    expect(summary(results)).toEqual({
      "merged-unverified": "required:pass",
      "direct-push": "required:fail",
      "force-push": "required:fail",
    });
    expect(results[1]).toMatchObject({
      reason: "1 of 1 commit(s) pushed to `main` by alice did not arrive through a merged pull request: `aaaaaaa`.",
    });
    expect(concludeControls(results)).toBe("failure");
  });

  it("the direct-push configuration reaches the control", () => {
    const results = evaluatePushControls(
      pushSnapshot({ pusher: "release-bot", commits: fetched([{ sha: "a".repeat(40), mergedInto: [], pullRequests: [] }]) }),
      config({ "direct-push": { bypass_actors: ["release-bot"] } }),
    );
    expect(summary(results)).toEqual({
      "merged-unverified": "required:pass",
      "direct-push": "required:pass",
      "force-push": "required:pass",
    });
  });

  it("an off control is listed with why, and not evaluated", () => {
    const results = evaluatePushControls(pushSnapshot({ forced: true }), config({ "force-push": { enforcement: "off" } }));
    expect(results[2]).toEqual({
      id: "force-push",
      enforcement: "off",
      outcome: "pass",
      reason: "Turned off in the configuration.",
      fix: "",
    });
  });
});

describe("tag controls: release-tag, signed-release, and release-notes for a release", () => {
  it("a tag that is not a release has no release-notes row", () => {
    expect(summary(evaluateTagControls(tagSnapshot(), defaultConfig))).toEqual({
      "release-tag": "required:pass",
      "signed-release": "advisory:pass",
    });
  });

  it("a release gets all three, in catalogue order; advisory findings do not fail the conclusion", () => {
    const results = evaluateTagControls(tagSnapshot({ annotated: false, signature: fetched(null), release }), defaultConfig);
    expect(results.map((r) => r.id)).toEqual(["release-tag", "signed-release", "release-notes"]);
    expect(summary(results)).toEqual({
      "release-tag": "required:pass",
      "signed-release": "advisory:fail",
      "release-notes": "advisory:fail",
    });
    expect(concludeControls(results)).toBe("success");
  });

  it("a release tag that is not semver fails the conclusion", () => {
    const results = evaluateTagControls(tagSnapshot({ name: "1.2" }), defaultConfig);
    expect(results[0]).toMatchObject({
      id: "release-tag",
      enforcement: "required",
      outcome: "fail",
      reason: "Tag `1.2` is not a semantic version like `v1.4.0`.",
    });
    expect(concludeControls(results)).toBe("failure");
  });

  it("the release-tag configuration reaches the control, and required signing can fail the conclusion", () => {
    const results = evaluateTagControls(
      tagSnapshot({ onDefaultBranch: fetched(false), signature: fetched({ verified: false, reason: "unknown_key" }) }),
      config({ "release-tag": { require_on_default_branch: false }, "signed-release": { enforcement: "required" } }),
    );
    expect(summary(results)).toEqual({ "release-tag": "required:pass", "signed-release": "required:fail" });
    expect(concludeControls(results)).toBe("failure");
  });

  it("off controls are listed with why", () => {
    const results = evaluateTagControls(tagSnapshot({ release }), config({ "release-notes": { enforcement: "off" } }));
    expect(results[2]).toEqual({
      id: "release-notes",
      enforcement: "off",
      outcome: "pass",
      reason: "Turned off in the configuration.",
      fix: "",
    });
  });
});
