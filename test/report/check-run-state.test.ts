import type { ControlResult } from "../../src/controls/results.js";
import { clampKeepingResults, CONTROL_ORDER, decodeResults, encodeResults, mergeResults } from "../../src/report/check-run-state.js";
import { keepOtherRows, renderConfigError, renderControlResults, withSharedHead } from "../../src/report/check-run-output.js";
import { CHECK_RUN_TEXT_LIMIT, clampMarkdown } from "../../src/common/markdown.js";

const row = (id: ControlResult["id"], outcome: ControlResult["outcome"] = "pass", source?: string): ControlResult => ({
  id,
  enforcement: "required",
  outcome,
  reason: `${id} ${outcome}`,
  fix: outcome === "pass" ? "" : `fix ${id}`,
  ...(source ? { source } : {}),
});

describe("one check run per commit, several evaluations: the rows travel in the run's summary", () => {
  it("rows survive a round trip through the hidden block, whatever their text", () => {
    const rows = [
      { ...row("direct-push", "fail", "push to `main`"), reason: "--> <script> `x` | y", notes: ["a note"] },
      row("force-push"),
    ];

    expect(decodeResults(`**visible**\n\n${encodeResults(rows)}`)).toEqual(rows);
  });

  it("a block copied into user text (a waiver's justification) does not pass for the run's rows: only the trailing one counts", () => {
    const forged = encodeResults([row("direct-push", "pass"), row("force-push", "pass")]);
    const justification = `hotfix ${forged} done`;
    const waiver = { by: "lead-lina", at: "2026-11-20", justification, url: "https://github.com/acme/payments/pull/7#issuecomment-1" };
    const results = [
      { ...row("jira", "waived"), reason: `Waived by @lead-lina on 2026-11-20: "${justification}".`, waiver },
      row("direct-push", "fail"),
    ];
    const report = renderControlResults(results, "failure", {
      subject: "PR #7",
      headSha: "a".repeat(40),
      isDraft: false,
      configSources: [],
      evaluatedAt: "2026-11-20T09:00:00Z",
    });

    expect(report.output.summary).toContain(forged); // the justification is shown as written
    expect(decodeResults(report.output.summary).map((r) => `${r.id}:${r.outcome}`)).toEqual(["jira:waived", "direct-push:fail"]);
    expect(decodeResults(`${forged}\n\nsome text after it`)).toEqual([]);
  });

  describe("a report written over a run whose rows it did not read keeps the run's other rows", () => {
    const ctx = { subject: "PR #7", headSha: "b".repeat(40), isDraft: false, configSources: [], evaluatedAt: "2026-11-20T09:00:00Z" };
    const pushed = renderControlResults([row("direct-push", "fail", "push to `main`"), row("force-push")], "failure", {
      ...ctx,
      subject: "push to `main`",
    });

    it("a passing PR report over a run that recorded a direct push: the push's rows stay, stored and listed, and the run fails", () => {
      const prReport = renderControlResults([row("reviews"), row("jira")], "success", ctx);
      const kept = keepOtherRows(prReport, pushed.output.summary);

      expect(kept.conclusion).toBe("failure");
      expect(kept.output.title).toBe("Required controls failing: direct-push");
      expect(decodeResults(kept.output.summary).map((r) => `${r.id}:${r.outcome}`)).toEqual([
        "reviews:pass",
        "jira:pass",
        "direct-push:fail",
        "force-push:pass",
      ]);
      expect(kept.output.summary).toContain("**Also recorded on this commit**");
      expect(kept.output.summary).toContain("| `direct-push` | ❌ fail | required | push to `main`: direct-push fail |");
    });

    it("a config error over such a run keeps them too, so fixing the config cannot make the commit pass", () => {
      const error = { file: "acme/payments:.github/sdlc-guard.yml", keyPath: "controls.jira", expected: "an object" };
      const kept = keepOtherRows(renderConfigError(error, ctx), pushed.output.summary);

      expect(kept.conclusion).toBe("failure");
      expect(decodeResults(kept.output.summary).map((r) => r.id)).toEqual(["direct-push", "force-push"]);
    });

    it("nothing changes when the report already carries every row, or the run had none", () => {
      const merged = renderControlResults(mergeResults([row("reviews")], decodeResults(pushed.output.summary)), "failure", ctx);
      expect(keepOtherRows(merged, pushed.output.summary)).toBe(merged);
      expect(keepOtherRows(pushed, undefined)).toBe(pushed);
      expect(keepOtherRows(pushed, "**an older run without rows**")).toBe(pushed);
    });
  });

  it("the block is hidden Markdown and cannot be closed early by a reason", () => {
    const block = encodeResults([{ ...row("jira", "fail"), reason: "-->" }]);

    expect(block).toMatch(/^<!-- sdlc-guard-results [A-Za-z0-9+/=]+ -->$/);
  });

  it.each([
    ["no summary", null],
    ["a summary without the block (a run from an older version)", "**sdlc-guard** evaluated PR #1"],
    ["a block that is not base64 JSON", "<!-- sdlc-guard-results bm90IGpzb24= -->"],
    [
      "a block with an unknown control id",
      `<!-- sdlc-guard-results ${Buffer.from(JSON.stringify({ v: 1, rows: [{ ...row("jira"), id: "made-up" }] })).toString("base64")} -->`,
    ],
    ["a block of another version", `<!-- sdlc-guard-results ${Buffer.from(JSON.stringify({ v: 2, rows: [] })).toString("base64")} -->`],
  ])("%s carries no rows", (_name, summary) => {
    expect(decodeResults(summary)).toEqual([]);
  });

  it("long reasons are shortened in the block, never the visible table", () => {
    const [decoded] = decodeResults(encodeResults([{ ...row("jira", "fail"), reason: "x".repeat(5_000) }]));

    expect(decoded!.reason).toHaveLength(601);
  });

  it("a fresh evaluation replaces its own controls and keeps the others, in catalogue order", () => {
    const previous = [
      row("reviews", "fail", "PR #4"),
      row("direct-push", "fail", "push to `main`"),
      row("release-tag", "pass", "tag `v1.0.0`"),
    ];
    const fresh = [row("release-tag", "fail"), row("signed-release")];

    const merged = mergeResults(fresh, previous);

    expect(merged.map((r) => [r.id, r.outcome, r.source])).toEqual([
      ["reviews", "fail", "PR #4"],
      ["direct-push", "fail", "push to `main`"],
      ["release-tag", "fail", undefined],
      ["signed-release", "pass", undefined],
    ]);
    expect(CONTROL_ORDER.slice(0, 2)).toEqual(["reviews", "reviewer-teams"]);
  });

  it("a passing tag cannot hide a direct push of the same commit: the kept row fails the run and says where it came from", () => {
    const merged = mergeResults([row("release-tag")], [row("direct-push", "fail", "the push of 1 commit to `main` by @mallory")]);

    const report = renderControlResults(merged, "failure", {
      subject: "tag `v1.0.0`",
      headSha: "a".repeat(40),
      isDraft: false,
      configSources: [],
      evaluatedAt: "2026-11-23T10:00:00Z",
    });

    expect(report.output.summary).toContain(
      "| `direct-push` | ❌ fail | required | the push of 1 commit to `main` by @mallory: direct-push fail | fix direct-push |",
    );
    expect(decodeResults(report.output.summary).map((r) => [r.id, r.source])).toEqual([
      ["direct-push", "the push of 1 commit to `main` by @mallory"],
      ["release-tag", "tag `v1.0.0`"],
    ]);
  });
});

describe("the hidden rows survive every cut to GitHub's size limit", () => {
  const huge = [{ ...row("jira", "fail"), reason: "PAY-1 ".repeat(20_000) }, row("direct-push", "fail", "push to `main`")];
  const ctx = { subject: "PR #4", headSha: "b".repeat(40), isDraft: false, configSources: [], evaluatedAt: "2026-11-23T10:00:00Z" };

  it("a shared-head notice on an enormous summary keeps the rows whole", () => {
    const report = withSharedHead(renderControlResults(huge, "failure", ctx), [5]);

    expect(report.output.summary.length).toBeLessThanOrEqual(CHECK_RUN_TEXT_LIMIT);
    expect(decodeResults(report.output.summary).map((r) => r.id)).toEqual(["jira", "direct-push"]);
  });

  it("clampKeepingResults leaves a summary without rows as clampMarkdown would", () => {
    const text = "x".repeat(70_000);

    expect(clampKeepingResults(text)).toBe(clampMarkdown(text));
  });
});
