import { configSchema, defaultConfig, type RequiredChecksConfig } from "../../src/config/schema.js";
import { evaluateRequiredChecks, latestVerdict } from "../../src/controls/required-checks.js";
import { fetched, unavailable } from "../../src/facts/fetched.js";
import { type HeadCheck } from "../../src/facts/pull-request.js";
import { pullRequestSnapshot } from "../support/snapshot.js";

const requiredChecksConfig = (settings: Record<string, unknown> = {}): RequiredChecksConfig =>
  configSchema.parse({ controls: { "required-checks": settings } }).controls["required-checks"];

/** A check run started at 10:MM on 2025-03-01; `conclusion` null keeps it in progress. */
function run(name: string, conclusion: string | null, minute = 0, extra: Partial<HeadCheck> = {}): HeadCheck {
  return {
    name,
    kind: "check run",
    status: conclusion === null ? "pending" : "completed",
    conclusion,
    app: "github-actions",
    startedAt: `2025-03-01T10:${String(minute).padStart(2, "0")}:00Z`,
    ...extra,
  };
}

const status = (name: string, state: string | null, minute = 0): HeadCheck =>
  run(name, state, minute, { kind: "commit status", app: null });

const snapshot = (checks: HeadCheck[]): ReturnType<typeof pullRequestSnapshot> => pullRequestSnapshot({ headChecks: fetched(checks) });
const evaluate = (checks: HeadCheck[], settings: Record<string, unknown>) =>
  evaluateRequiredChecks(snapshot(checks), requiredChecksConfig(settings));
const SAST_SCA = { checks: ["SAST", "SCA"] };
const WAIT_FIX =
  "Nothing to do yet: the control is re-evaluated automatically when they complete. If a check never reports, make sure it runs on pull requests and that its name matches exactly.";

describe("required-checks: named checks concluded successfully on the head commit", () => {
  it("is required but has no checks by default (off until configured), accepting only success", () => {
    expect(defaultConfig.controls["required-checks"]).toEqual({ enforcement: "required", checks: [], accepted_conclusions: ["success"] });
  });

  it("no configured checks passes without looking at the head commit", () => {
    expect(evaluateRequiredChecks(pullRequestSnapshot(), requiredChecksConfig())).toEqual({
      outcome: "pass",
      reason: "No required checks configured.",
      fix: "",
      notes: undefined,
    });
  });

  it("every required check succeeded: passes, listing them with their conclusions and the source each was accepted from", () => {
    expect(evaluate([run("SAST", "success"), run("SCA", "success"), run("lint", "failure")], SAST_SCA)).toEqual({
      outcome: "pass",
      reason:
        "All 2 required check(s) succeeded on `c0ffee1`: `SAST` (success from app `github-actions`), `SCA` (success from app `github-actions`).",
      fix: "",
      notes: undefined,
    });
  });

  it("a commit status counts like a check run", () => {
    const result = evaluate([status("ci/sast", "success"), run("SCA", "success")], { checks: ["ci/sast", "SCA"] });
    expect(result.outcome).toBe("pass");
    expect(result.reason).toBe(
      "All 2 required check(s) succeeded on `c0ffee1`: `ci/sast` (success from a commit status), `SCA` (success from app `github-actions`).",
    );
  });

  it("a failed commit status fails like a check run", () => {
    const result = evaluate([status("ci/sast", "error")], { checks: ["ci/sast"] });
    expect(result.outcome).toBe("fail");
    expect(result.reason).toBe("Required check(s) did not succeed on `c0ffee1`: `ci/sast` (error).");
  });

  it("a pending SAST check keeps the control pending", () => {
    const result = evaluate([run("SAST", null), run("SCA", "success")], SAST_SCA);
    expect(result).toEqual({ outcome: "pending", reason: "Waiting for: `SAST` (in progress).", fix: WAIT_FIX, notes: undefined });
  });

  it("a check not reported yet keeps the control pending, naming the head commit", () => {
    const result = evaluate([run("SAST", null)], SAST_SCA);
    expect(result.outcome).toBe("pending");
    expect(result.reason).toBe("Waiting for: `SAST` (in progress), `SCA` (not reported yet on `c0ffee1`).");
    expect(result.fix).toBe(WAIT_FIX);
  });

  it("a failed SAST check fails even while another is pending", () => {
    const result = evaluate([run("SAST", "failure"), run("SCA", null)], SAST_SCA);
    expect(result.outcome).toBe("fail");
    expect(result.reason).toBe("Required check(s) did not succeed on `c0ffee1`: `SAST` (failure). Still waiting for: `SCA` (in progress).");
    expect(result.fix).toBe(
      "Fix what the failing check(s) report and push, or re-run them if the failure was spurious (accepted conclusions: success).",
    );
  });

  it.each(["failure", "cancelled", "timed_out", "action_required", "stale", "startup_failure", "neutral", "skipped"])(
    "a %s conclusion fails by default, naming it",
    (conclusion) => {
      const result = evaluate([run("SAST", conclusion)], { checks: ["SAST"] });
      expect(result.outcome).toBe("fail");
      expect(result.reason).toBe(`Required check(s) did not succeed on \`c0ffee1\`: \`SAST\` (${conclusion}).`);
    },
  );

  it.each(["neutral", "skipped"])("a %s conclusion passes when accepted_conclusions lists it", (conclusion) => {
    const result = evaluate([run("SAST", conclusion), run("SCA", "success")], {
      ...SAST_SCA,
      accepted_conclusions: ["success", "neutral", "skipped"],
    });
    expect(result.outcome).toBe("pass");
    expect(result.reason).toContain(`\`SAST\` (${conclusion} from app \`github-actions\`)`);
  });

  it("a completed check without a conclusion fails", () => {
    const result = evaluate([{ ...run("SAST", "success"), conclusion: null }], { checks: ["SAST"] });
    expect(result.outcome).toBe("fail");
    expect(result.reason).toContain("`SAST` (no conclusion)");
  });

  describe("several runs with one name: the latest started decides", () => {
    it("a re-run that succeeded after a failure passes (latest wins)", () => {
      const result = evaluate([run("SAST", "success", 20), run("SAST", "failure", 5)], { checks: ["SAST"] });
      expect(result.outcome).toBe("pass");
      expect(result.reason).toBe("All 1 required check(s) succeeded on `c0ffee1`: `SAST` (success from app `github-actions`).");
    });

    it("a re-run that failed after a success fails", () => {
      const result = evaluate([run("SAST", "success", 5), run("SAST", "failure", 20)], { checks: ["SAST"] });
      expect(result.outcome).toBe("fail");
      expect(result.reason).toContain("`SAST` (failure)");
    });

    it("a re-run in progress after a success keeps the control pending", () => {
      const result = evaluate([run("SAST", "success", 5), run("SAST", null, 20)], { checks: ["SAST"] });
      expect(result.outcome).toBe("pending");
      expect(result.reason).toBe("Waiting for: `SAST` (in progress).");
    });

    it("a run without a start time (queued) counts as the newest: an earlier success does not pass while it waits", () => {
      const undated = { ...run("SAST", "failure"), startedAt: null };
      for (const checks of [
        [undated, run("SAST", "success", 1)],
        [run("SAST", "success", 1), undated],
      ]) {
        expect(evaluate(checks, { checks: ["SAST"] }).outcome).toBe("fail");
      }
    });

    it("times are compared as instants, not as text (milliseconds, offsets)", () => {
      const earlier = { ...run("SAST", "failure"), startedAt: "2025-03-01T10:00:00Z" };
      const later = { ...run("SAST", "success"), startedAt: "2025-03-01T10:00:00.500Z" };
      const offset = { ...run("SAST", "failure"), startedAt: "2025-03-01T11:00:00+02:00" }; // 09:00Z, the oldest
      expect(evaluate([later, earlier, offset], { checks: ["SAST"] }).outcome).toBe("pass");
    });

    it("runs started at the same time: the worst decides (fail closed), whatever the order", () => {
      const accepted = new Set(["success"]);
      const tie = [run("SAST", "success", 7), run("SAST", null, 7), run("SAST", "failure", 7)];
      for (const checks of [tie, [...tie].reverse()]) {
        expect(latestVerdict("SAST", checks, accepted)).toEqual({ state: "failed", conclusion: "failure" });
      }
      expect(latestVerdict("SAST", [run("SAST", "success", 7), run("SAST", null, 7)], accepted)).toEqual({ state: "in progress" });
    });

    it("a success posted later under the same name by another source (a commit status) cannot hide a tool's failure", () => {
      expect(evaluate([run("SAST", "failure", 1), status("SAST", "success", 2)], { checks: ["SAST"] }).outcome).toBe("fail");
      expect(evaluate([status("SAST", "failure", 1), run("SAST", "success", 2)], { checks: ["SAST"] }).outcome).toBe("fail");
      expect(
        evaluate([status("SAST", "failure", 1), status("SAST", "success", 2), run("SAST", "success", 2)], { checks: ["SAST"] }).outcome,
      ).toBe("pass");
    });
  });

  describe("names", () => {
    it("names match exactly: another case is not the check, and a note says which one reported", () => {
      const result = evaluate([run("SAST", "success")], { checks: ["sast"] });
      expect(result.outcome).toBe("pending");
      expect(result.reason).toBe("Waiting for: `sast` (not reported yet on `c0ffee1`).");
      expect(result.notes).toEqual(["No check is named exactly `sast`, but `SAST` reported: names match case-sensitively."]);
    });

    it("a name listed twice is checked once", () => {
      const result = evaluate([run("SAST", "success")], { checks: ["SAST", "SAST"] });
      expect(result.reason).toBe("All 1 required check(s) succeeded on `c0ffee1`: `SAST` (success from app `github-actions`).");
    });

    it("names with Markdown are shown as code", () => {
      const result = evaluate([], { checks: ["`x` *y*"] });
      expect(result.reason).toBe("Waiting for: `` `x` *y* `` (not reported yet on `c0ffee1`).");
    });
  });

  describe("a check pinned to the app that must post it ({ name, app })", () => {
    const CODEQL = { checks: [{ name: "CodeQL", app: "github-advanced-security" }] };
    const ghas = (conclusion: string | null, minute = 0) => run("CodeQL", conclusion, minute, { app: "github-advanced-security" });

    it("a success from the pinned app passes, and the row names that app", () => {
      const result = evaluate([ghas("success")], CODEQL);
      expect(result.outcome).toBe("pass");
      expect(result.reason).toBe(
        "All 1 required check(s) succeeded on `c0ffee1`: `CodeQL` from app `github-advanced-security` (success from app `github-advanced-security`).",
      );
    });

    it.each([
      ["a workflow job of that name (GitHub Actions)", run("CodeQL", "success"), "app `github-actions`"],
      ["a commit status of that name", status("CodeQL", "success"), "a commit status"],
      ["a check run of that name from another app", run("CodeQL", "success", 0, { app: "evil-app" }), "app `evil-app`"],
    ])("%s does not satisfy it, and the row says who reported it and that it does not count", (_name, impostor, source) => {
      const result = evaluate([impostor], CODEQL);
      expect(result.outcome).toBe("pending");
      expect(result.reason).toBe(
        `Waiting for: \`CodeQL\` from app \`github-advanced-security\` (not reported yet on \`c0ffee1\`; also reported by ${source}, which does not count).`,
      );
    });

    it("a workflow's success cannot hide the pinned app's failure, nor can it pass alongside it", () => {
      const result = evaluate([ghas("failure", 1), run("CodeQL", "success", 2)], CODEQL);
      expect(result.outcome).toBe("fail");
      expect(result.reason).toContain(
        "`CodeQL` from app `github-advanced-security` (failure; also reported by app `github-actions`, which does not count)",
      );
    });

    it("a pinned app's success passes even while a workflow of that name fails (only the pinned app counts)", () => {
      expect(evaluate([ghas("success"), run("CodeQL", "failure")], CODEQL).outcome).toBe("pass");
    });

    it("pinning to github-actions accepts only workflows; plain names and pinned ones can be mixed", () => {
      const config = { checks: [{ name: "test", app: "github-actions" }, "ci/lint"] };
      expect(evaluate([run("test", "success"), status("ci/lint", "success")], config).outcome).toBe("pass");
      expect(evaluate([status("test", "success"), status("ci/lint", "success")], config).outcome).toBe("pending");
    });

    it("the app slug matches case-insensitively; the name exactly", () => {
      expect(evaluate([ghas("success")], { checks: [{ name: "CodeQL", app: "GitHub-Advanced-Security" }] }).outcome).toBe("pass");
      expect(evaluate([ghas("success")], { checks: [{ name: "codeql", app: "github-advanced-security" }] }).outcome).toBe("pending");
    });

    it("a plain name still accepts any source, and the passing row names each one", () => {
      const result = evaluate([ghas("success"), status("CodeQL", "success")], { checks: ["CodeQL"] });
      expect(result.reason).toBe(
        "All 1 required check(s) succeeded on `c0ffee1`: `CodeQL` (success from app `github-advanced-security` and a commit status).",
      );
    });

    it("an entry with an app that is not a slug, or an unknown key, is a config error", () => {
      for (const checks of [[{ name: "CodeQL", app: "not a slug" }], [{ name: "CodeQL", app: "x", kind: "status" }], [{ app: "x" }]]) {
        expect(configSchema.safeParse({ controls: { "required-checks": { checks } } }).success).toBe(false);
      }
    });
  });

  describe("the sdlc-guard check itself", () => {
    const NOTE = "`sdlc-guard` is this check itself and is never waited on: remove it from `controls.required-checks.checks`.";

    it("sdlc-guard never waits on itself", () => {
      const result = evaluate([run("sdlc-guard", null), run("SAST", "success")], { checks: ["SAST", "sdlc-guard"] });
      expect(result.outcome).toBe("pass");
      expect(result.reason).toBe("All 1 required check(s) succeeded on `c0ffee1`: `SAST` (success from app `github-actions`).");
      expect(result.notes).toEqual([NOTE]);
    });

    it("with only sdlc-guard configured, nothing is waited on and the control passes with the note", () => {
      const result = evaluateRequiredChecks(pullRequestSnapshot(), requiredChecksConfig({ checks: ["sdlc-guard"] }));
      expect(result).toEqual({ outcome: "pass", reason: "No required checks to wait for.", fix: "", notes: [NOTE] });
    });

    it("the note stays when other checks fail or are pending", () => {
      expect(evaluate([run("SAST", "failure")], { checks: ["sdlc-guard", "SAST"] }).notes).toEqual([NOTE]);
      expect(evaluate([], { checks: ["sdlc-guard", "SAST"] }).notes).toEqual([NOTE]);
    });
  });

  describe("fails closed when the checks cannot be read", () => {
    it.each([
      ["checks not read", undefined, "Could not read the checks on the head commit: they were not read for this evaluation"],
      [
        "GitHub error",
        unavailable<HeadCheck[]>("GitHub answered 502"),
        "Could not read the checks on the head commit: GitHub answered 502",
      ],
    ])("%s: error", (_name, headChecks, reason) => {
      const result = evaluateRequiredChecks(pullRequestSnapshot({ headChecks }), requiredChecksConfig(SAST_SCA));
      expect(result.outcome).toBe("error");
      expect(result.reason).toBe(reason);
      expect(result.fix).toMatch(/Re-run/);
    });
  });
});
