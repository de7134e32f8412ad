import type { ConfigError } from "../../src/config/config-error.js";
import type { ControlResult } from "../../src/controls/results.js";
import { renderControlResults, withConfigError } from "../../src/report/check-run-output.js";
import { decodeResults } from "../../src/report/check-run-state.js";

const context = {
  subject: "the push of `main` by @mallory",
  headSha: "3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39",
  isDraft: false,
  configSources: ["acme/.github:.github/sdlc-guard.yml"],
  evaluatedAt: "2026-12-07T05:00:00Z",
};
const pass = (id: ControlResult["id"]): ControlResult => ({ id, enforcement: "required", outcome: "pass", reason: "fine", fix: "" });
const error: ConfigError = { file: "acme/payments:.github/sdlc-guard.yml", keyPath: "floor", expected: "no `floor` | here", line: 1 };

describe("a run judged under the org policy because the repository's file could not be loaded", () => {
  const results = [pass("direct-push"), pass("force-push")];
  const report = withConfigError(renderControlResults(results, "success", context), error);

  it("fails even when every control passes: the file must be fixed", () => {
    expect(report.conclusion).toBe("failure");
    expect(report.output.title).toBe(
      "Configuration error in acme/payments:.github/sdlc-guard.yml (judged under the org policy): All required controls pass",
    );
  });

  it("names the file, key, what was expected and the line, escaped so the table holds", () => {
    expect(report.output.summary).toContain("| `acme/payments:.github/sdlc-guard.yml` | `floor` | no `floor` \\| here | 1 |");
  });

  it("keeps the controls' rows for the commit's next evaluation, and the policy they were judged against", () => {
    expect(decodeResults(report.output.summary).map((r) => `${r.id}:${r.outcome}`)).toEqual(["direct-push:pass", "force-push:pass"]);
    expect(report.output.summary).toContain("against the policy in `acme/.github:.github/sdlc-guard.yml`");
  });
});
