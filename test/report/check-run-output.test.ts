import type { ConfigError } from "../../src/config/config-error.js";
import { CONFIG_PATH } from "../../src/common/product.js";
import { loadConfig } from "../../src/config/load-config.js";
import type { ControlResult } from "../../src/controls/results.js";
import { renderConfigError, renderControlResults, type EvaluationContext } from "../../src/report/check-run-output.js";
import { decodeResults } from "../../src/report/check-run-state.js";
import { CHECK_RUN_TEXT_LIMIT } from "../../src/common/markdown.js";

const HEAD_SHA = "3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39";

const context = (overrides: Partial<EvaluationContext> = {}): EvaluationContext => ({
  subject: "PR #42",
  headSha: HEAD_SHA,
  isDraft: false,
  configSources: [],
  evaluatedAt: "2025-03-04T05:06:07Z",
  ...overrides,
});

/** The summary as a reader sees it: without the hidden block that keeps the rows for the commit's next evaluation. */
const visible = (summary: string) => summary.replace(/\n\n<!-- sdlc-guard-results [A-Za-z0-9+/=]+ -->$/, "");

const passing = (id: ControlResult["id"], reason = `${id} is fine.`): ControlResult => ({
  id,
  enforcement: "required",
  outcome: "pass",
  reason,
  fix: "",
});

const failing = (id: ControlResult["id"], overrides: Partial<ControlResult> = {}): ControlResult => ({
  id,
  enforcement: "required",
  outcome: "fail",
  reason: `${id} is not satisfied.`,
  fix: `Fix ${id}.`,
  ...overrides,
});

const ALL_PASS: ControlResult[] = [passing("reviews"), passing("jira"), passing("branch-protection"), passing("secret-scanning")];

/** GFM splits a row on every `|` that is not directly preceded by a backslash (cmark-gfm's `table_cell` scanner). */
const cellSeparators = (row: string): number => row.match(/(?<!\\)\|/g)?.length ?? 0;

const tableRows = (summary: string): string[] => summary.split("\n").filter((line) => line.startsWith("| `"));

const rowOf = (summary: string, id: string): string => {
  const row = summary.split("\n").find((line) => line.startsWith(`| \`${id}\` |`));
  if (!row) throw new Error(`no row for ${id} in:\n${summary}`);
  return row;
};

describe("the sdlc-guard check run", () => {
  describe("title", () => {
    it("says all required controls pass", () => {
      const { conclusion, output } = renderControlResults(ALL_PASS, "success", context());

      expect(conclusion).toBe("success");
      expect(output.title).toBe("All required controls pass");
    });

    it("names the required controls that fail, counting a control that could not be evaluated as failing", () => {
      const results = [failing("reviews"), passing("jira"), failing("branch-protection", { outcome: "error" }), passing("secret-scanning")];

      const { conclusion, output } = renderControlResults(results, "failure", context());

      expect(conclusion).toBe("failure");
      expect(output.title).toBe("2 required control(s) failing: reviews, branch-protection");
    });

    it("lists advisory warnings after the failures", () => {
      const results = [
        failing("reviews"),
        failing("jira", { enforcement: "advisory" }),
        passing("branch-protection"),
        passing("secret-scanning"),
      ];

      const { output } = renderControlResults(results, "failure", context());

      expect(output.title).toBe("1 required control(s) failing: reviews; advisory: jira");
    });

    it("lists advisory warnings on a passing run", () => {
      const results = [
        passing("reviews"),
        failing("jira", { enforcement: "advisory" }),
        passing("branch-protection"),
        failing("secret-scanning", { enforcement: "advisory", outcome: "error" }),
      ];

      const { output } = renderControlResults(results, "success", context());

      expect(output.title).toBe("All required controls pass; advisory: jira, secret-scanning");
    });

    it("a control that is off neither fails nor warns", () => {
      const results = [
        passing("reviews"),
        { ...failing("jira"), enforcement: "off" as const },
        passing("branch-protection"),
        passing("secret-scanning"),
      ];

      const { output } = renderControlResults(results, "success", context());

      expect(output.title).toBe("All required controls pass");
    });

    it("a draft PR is prefixed with [draft], in the title and the summary", () => {
      const failed = renderControlResults([failing("reviews")], "failure", context({ isDraft: true }));
      const passed = renderControlResults(ALL_PASS, "success", context({ isDraft: true }));

      expect(failed.output.title).toBe("[draft] 1 required control(s) failing: reviews");
      expect(passed.output.title).toBe("[draft] All required controls pass");
      expect(passed.output.summary).toContain("evaluated PR #42 (draft) at");
    });
  });

  describe("summary", () => {
    it("has one table row per control with its result, enforcement, reason and fix", () => {
      const results: ControlResult[] = [
        passing("reviews", "2 approvals on the head commit by @alice and @bob."),
        failing("jira", { reason: "No Jira key in the title, branch or body.", fix: "Add PAY-123 to the title." }),
        failing("branch-protection", { enforcement: "advisory" }),
        { id: "secret-scanning", enforcement: "off", outcome: "pass", reason: "Turned off in the configuration.", fix: "" },
      ];

      const { output } = renderControlResults(results, "failure", context());

      expect(output.summary).toContain("| Control | Result | Enforcement | Reason | How to fix |\n|---|---|---|---|---|\n");
      expect(tableRows(output.summary)).toEqual([
        "| `reviews` | ✅ pass | required | 2 approvals on the head commit by @alice and @bob. | — |",
        "| `jira` | ❌ fail | required | No Jira key in the title, branch or body. | Add PAY-123 to the title. |",
        "| `branch-protection` | ⚠️ advisory | advisory | branch-protection is not satisfied. | Fix branch-protection. |",
        "| `secret-scanning` | ➖ off | off | Turned off in the configuration. | — |",
      ]);
    });

    it("a required control that could not be evaluated says so", () => {
      const results = [failing("secret-scanning", { outcome: "error", reason: "Could not read secret scanning alerts: HTTP 502" })];

      const { output } = renderControlResults(results, "failure", context());

      expect(rowOf(output.summary, "secret-scanning")).toBe(
        "| `secret-scanning` | ❌ not evaluated | required | Could not read secret scanning alerts: HTTP 502 | Fix secret-scanning. |",
      );
    });

    it("an advisory control that passes shows as passing", () => {
      const results = [passing("jira")].map((r) => ({ ...r, enforcement: "advisory" as const }));

      const { output } = renderControlResults(results, "success", context());

      expect(rowOf(output.summary, "jira")).toContain("| ✅ pass | advisory |");
    });

    it("reasons and fixes containing pipes or line breaks do not break the table", () => {
      const results = [
        failing("jira", {
          reason: "Branch `fix|PAY-1` has no key | title `a||b`\nsecond line",
          fix: "Rename | retitle\r\nthen re-run",
        }),
        passing("reviews", "already escaped \\| pipe"),
      ];

      const { output } = renderControlResults(results, "failure", context());

      expect(tableRows(output.summary)).toHaveLength(2);
      for (const row of tableRows(output.summary)) expect(cellSeparators(row)).toBe(6);
      expect(rowOf(output.summary, "jira")).toContain("Branch `fix\\|PAY-1` has no key \\| title `a\\|\\|b` second line");
      expect(rowOf(output.summary, "jira")).toContain("| Rename \\| retitle then re-run |");
    });

    it("the header names the PR, the head commit and the time of the evaluation", () => {
      const { output } = renderControlResults(ALL_PASS, "success", context());

      expect(output.summary.split("\n")[0]).toBe(
        "**sdlc-guard** evaluated PR #42 at `3f2a9c1d8e7b` on 2025-03-04T05:06:07Z against the built-in POL-008 defaults (no `.github/sdlc-guard.yml`).",
      );
    });

    it("the header names the config files applied, most specific first", () => {
      const configSources = ["acme/payments:.github/sdlc-guard.yml", "acme-security/policies:sdlc/strict.yml"];

      const { output } = renderControlResults(ALL_PASS, "success", context({ configSources }));

      expect(output.summary.split("\n")[0]).toMatch(
        / against the policy in `acme\/payments:\.github\/sdlc-guard\.yml` ← `acme-security\/policies:sdlc\/strict\.yml`\.$/,
      );
      expect(output.summary).not.toContain("POL-008 defaults");
    });

    it("notes are listed under the table, per control", () => {
      const results = [
        { ...passing("reviews"), notes: ["Bob's approval is on an older commit and was not counted."] },
        passing("jira"),
        { ...passing("branch-protection"), notes: ["Rulesets require 3 approvals, stricter than the policy.", "Admins are exempt."] },
      ];

      const { output } = renderControlResults(results, "success", context());

      expect(
        visible(output.summary).endsWith(
          [
            "",
            "**Notes**",
            "",
            "- `reviews`: Bob's approval is on an older commit and was not counted.",
            "- `branch-protection`: Rulesets require 3 approvals, stricter than the policy.",
            "- `branch-protection`: Admins are exempt.",
          ].join("\n"),
        ),
      ).toBe(true);
    });

    it("without notes there is no Notes section", () => {
      const { output } = renderControlResults(ALL_PASS, "success", context());

      expect(output.summary).not.toContain("**Notes**");
      expect(visible(output.summary).endsWith("| `secret-scanning` | ✅ pass | required | secret-scanning is fine. | — |")).toBe(true);
    });

    it("a result with an enormous reason keeps the summary within GitHub's 65,535 characters", () => {
      const results = [failing("jira", { reason: `Keys found: ${"PAY-1 ".repeat(20_000)}` }), passing("reviews")];

      const { conclusion, output } = renderControlResults(results, "failure", context());

      expect(conclusion).toBe("failure");
      expect(output.summary.length).toBeLessThanOrEqual(CHECK_RUN_TEXT_LIMIT);
      expect(output.summary).toMatch(/^\*\*sdlc-guard\*\* evaluated PR #42/);
      expect(visible(output.summary)).toMatch(/output truncated to GitHub's size limit\)$/);
      expect(decodeResults(output.summary).map((r) => r.id)).toEqual(["jira", "reviews"]);
      expect(output.title).toBe("1 required control(s) failing: jira");
    });
  });
});

describe("the check run for a configuration that cannot be used", () => {
  const error: ConfigError = {
    file: "acme/payments:.github/sdlc-guard.yml",
    keyPath: "controls.reviews.min_approvals",
    expected: "a whole number from 1 to 10",
  };

  it("fails, with the file in the title", () => {
    const { conclusion, output } = renderConfigError(error, context());

    expect(conclusion).toBe("failure");
    expect(output.title).toBe("Configuration error in acme/payments:.github/sdlc-guard.yml");
  });

  it("the summary gives the file, the key path and what was expected, and says no control was evaluated", () => {
    const { output } = renderConfigError(error, context());

    expect(output.summary).toBe(
      [
        "**sdlc-guard** evaluated PR #42 at `3f2a9c1d8e7b` on 2025-03-04T05:06:07Z, but could not load the policy:",
        "",
        "| File | Key | Expected |",
        "|---|---|---|",
        "| `acme/payments:.github/sdlc-guard.yml` | `controls.reviews.min_approvals` | a whole number from 1 to 10 |",
        "",
        "No control was evaluated: fix the configuration on the default branch and re-run this check.",
      ].join("\n"),
    );
  });

  it("a problem with the whole file says so in the key column", () => {
    const { output } = renderConfigError(
      { ...error, keyPath: "", expected: "a YAML mapping at the top level" },
      context({ isDraft: true }),
    );

    expect(output.summary).toContain("| `acme/payments:.github/sdlc-guard.yml` | (whole file) | a YAML mapping at the top level |");
    expect(output.summary).toContain("evaluated PR #42 (draft) at");
  });

  it("an error found by loadConfig is rendered with its file and key path", async () => {
    const read = async () => 'controls:\n  jira:\n    key_pattern: "(a"\n';
    const loaded = await loadConfig("acme", "payments", read);
    if (loaded.ok) throw new Error("expected the RE2 pattern to be refused");

    const { conclusion, output } = renderConfigError(loaded.error, context());

    expect(conclusion).toBe("failure");
    expect(output.title).toBe(`Configuration error in acme/payments:${CONFIG_PATH}`);
    expect(output.summary).toContain(
      "| `acme/payments:.github/sdlc-guard.yml` | `controls.jira.key_pattern` | a valid RE2 regular expression",
    );
  });

  it("a key path containing <script> or backticks stays inside one code span, and the row keeps its three cells", () => {
    const keyPath = "controls.`<script>alert(1)</script>`.x|y";

    const { output } = renderConfigError({ ...error, keyPath }, context());

    const row = output.summary.split("\n").find((line) => line.startsWith("| `acme/"))!;
    const keyCell = row.split(/(?<!\\)\|/)[2]!.trim();
    expect(cellSeparators(row)).toBe(4);
    expect(keyCell).toBe("``controls.`<script>alert(1)</script>`.x\\|y``");
    expect(output.summary.split("<script>")).toHaveLength(2);
  });

  it("a user's YAML key in the expected text stays inside a code span", async () => {
    const read = async () => 'controls:\n  "<img src=x onerror=alert(1)>": 1\n';
    const loaded = await loadConfig("acme", "payments", read);
    if (loaded.ok) throw new Error("expected the unknown key to be refused");

    const { output } = renderConfigError(loaded.error, context());

    const row = output.summary.split("\n").find((line) => line.startsWith("| `acme/"))!;
    expect(cellSeparators(row)).toBe(5); // file, key, expected, line 2
    expect(row).toMatch(/ \| 2 \|$/);
    expect(row).toContain("no key `<img src=x onerror=alert(1)>` here (unknown key: check the spelling)");
  });

  it("an enormous expected text keeps the summary within GitHub's limit", () => {
    const { output } = renderConfigError({ ...error, expected: "x".repeat(100_000) }, context());

    expect(output.summary.length).toBeLessThanOrEqual(CHECK_RUN_TEXT_LIMIT);
  });
});
