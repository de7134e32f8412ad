import fc from "fast-check";
import { CHECK_RUN_TEXT_LIMIT, clampMarkdown, clampTitle, utf8Bytes, utf8Prefix } from "../../src/common/markdown.js";
import { CONTROL_IDS } from "../../src/controls/catalogue.js";
import type { ControlResult } from "../../src/controls/results.js";
import { renderControlResults } from "../../src/report/check-run-output.js";
import { clampKeepingResults, decodeResults, encodeResults, withoutResults } from "../../src/report/check-run-state.js";

const ctx = { subject: "PR #7", headSha: "abc1234", isDraft: false, configSources: [], evaluatedAt: "2026-11-20T12:00:00Z" };
const row = (id: ControlResult["id"], text: string): ControlResult => ({
  id,
  enforcement: "required",
  outcome: "fail",
  reason: text,
  fix: text,
  notes: [text, text, text, text, text],
});
const rendered = (texts: string[]) =>
  renderControlResults(
    texts.map((t, i) => row(CONTROL_IDS[i % CONTROL_IDS.length]!, t)),
    "failure",
    ctx,
  ).output.summary;

describe("GitHub's check-run limit is 65,535 UTF-8 bytes", () => {
  it.each([
    ["ASCII", "a"],
    ["accented", "é"],
    ["emoji", "🔐"],
    ["CJK", "審"],
    ["a family emoji (one grapheme of 7 code points)", "👨‍👩‍👧‍👦"],
  ])("eight rows of %s text: the summary fits in bytes and its rows decode", (_name, unit) => {
    const text = unit.repeat(Math.ceil(9_000 / unit.length));
    const summary = rendered(Array.from({ length: 8 }, () => text));
    expect(utf8Bytes(summary)).toBeLessThanOrEqual(CHECK_RUN_TEXT_LIMIT);
    expect(decodeResults(summary).map((r) => r.id)).toEqual(CONTROL_IDS.slice(0, 8));
    expect(summary).not.toContain("\uFFFD");
  });

  it("a results block too large for the summary is written again with shorter texts, and the summary says so", () => {
    const text = "審".repeat(600);
    const rows = CONTROL_IDS.map((id) => row(id, text));
    const summary = clampKeepingResults(`Visible part.\n\n${encodeResults(rows)}`);
    expect(utf8Bytes(encodeResults(rows))).toBeGreaterThan(CHECK_RUN_TEXT_LIMIT);
    expect(utf8Bytes(summary)).toBeLessThanOrEqual(CHECK_RUN_TEXT_LIMIT);
    expect(withoutResults(summary)).toContain("were shortened to fit GitHub's size limit");
    expect(decodeResults(summary).map((r) => [r.id, r.outcome, r.enforcement])).toEqual(rows.map((r) => [r.id, "fail", "required"]));
  });

  it("for arbitrary row texts the rendered summary is at most 65,535 bytes and its results block decodes", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "grapheme", maxLength: 3_000 }), { minLength: 1, maxLength: 12 }), (texts) => {
        const summary = rendered(texts.map((t) => t.repeat(4)));
        expect(utf8Bytes(summary)).toBeLessThanOrEqual(CHECK_RUN_TEXT_LIMIT);
        expect(decodeResults(summary)).toHaveLength(new Set(texts.map((_, i) => CONTROL_IDS[i % CONTROL_IDS.length])).size);
      }),
      { numRuns: 40 },
    );
  });
});

describe("cutting text in bytes", () => {
  it.each([
    ["ASCII", "abcdef", 4, "abcd"],
    ["never half a two-byte letter", "ééé", 5, "éé"],
    ["never half an emoji", "😀😀", 7, "😀"],
    ["never a letter without its combining accent", "e\u0301e\u0301", 4, "e\u0301"],
    ["nothing fits", "審", 2, ""],
  ])("utf8Prefix: %s", (_name, text, budget, expected) => {
    expect(utf8Prefix(text, budget)).toBe(expected);
  });

  it("clampMarkdown counts bytes: 40,000 CJK characters are cut to 65,535 bytes", () => {
    const clamped = clampMarkdown("審".repeat(40_000));
    expect(utf8Bytes(clamped)).toBeLessThanOrEqual(CHECK_RUN_TEXT_LIMIT);
    expect(clamped).toMatch(/審\n\n… \(output truncated to GitHub's size limit\)$/);
  });

  it("clampTitle keeps a title short, with an ellipsis", () => {
    expect(clampTitle("short")).toBe("short");
    const long = clampTitle("🔐".repeat(1_000));
    expect(utf8Bytes(long)).toBeLessThanOrEqual(1_000);
    expect(long.endsWith("🔐…")).toBe(true);
  });
});
