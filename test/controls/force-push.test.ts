import { configSchema, defaultConfig } from "../../src/config/schema.js";
import { evaluatePushControls } from "../../src/controls/evaluate-ref-controls.js";
import { evaluateForcePush } from "../../src/controls/force-push.js";
import { fetched } from "../../src/facts/fetched.js";
import { pushSnapshot } from "../support/ref-snapshots.js";

const ZERO = "0".repeat(40);

describe("force-push: no history rewrite on, and no deletion of, a protected branch", () => {
  it("is required by default and reported to the check run and an issue", () => {
    expect(defaultConfig.controls["force-push"]).toEqual({ enforcement: "required", report: "both" });
  });

  it("a fast-forward push passes", () => {
    expect(evaluateForcePush(pushSnapshot())).toEqual({
      outcome: "pass",
      reason: "The push to `main` was not forced and did not delete the branch.",
      fix: "",
      notes: undefined,
    });
  });

  it("a forced push is a violation", () => {
    expect(evaluateForcePush(pushSnapshot({ forced: true, pusher: "mallory" }))).toEqual({
      outcome: "fail",
      reason: "History of `main` was rewritten by a forced push by mallory: `1111111` → `2222222`.",
      fix: "Compare `1111111` with `2222222` and restore any reviewed commit that was lost, then block force pushes on `main` in its branch protection or ruleset.",
      notes: undefined,
    });
  });

  it.each([
    ["not forced", false],
    ["also reported as forced", true],
  ])("deleting a protected branch is a violation (%s)", (_name, forced) => {
    const result = evaluateForcePush(pushSnapshot({ deleted: true, forced, after: ZERO, commits: fetched([]) }));
    expect(result).toEqual({
      outcome: "fail",
      reason: "Protected branch `main` was deleted by alice; its last commit was `1111111`.",
      fix: 'Restore `main` at `1111111` (the "Restore branch" button, or `git push origin <sha>:refs/heads/<branch>`) and block deletion in its branch protection or ruleset.',
      notes: undefined,
    });
  });

  it("bypass actors of direct-push never cover a forced push", () => {
    const config = configSchema.parse({ controls: { "direct-push": { bypass_actors: ["release-bot"] } } });
    const results = evaluatePushControls(pushSnapshot({ forced: true, pusher: "release-bot" }), config);
    expect(results.find((r) => r.id === "force-push")).toMatchObject({ enforcement: "required", outcome: "fail" });
  });
});
