import { displayWidth, markdownForTerminal, renderTable, summaryAsText, wrapText } from "../../src/report/terminal-text.js";
import type { OrgSummary, RepositorySummary } from "../../src/facts/org-summary.js";

const widest = (text: string) => Math.max(...text.split("\n").map(displayWidth));

describe("terminal text: tables and lines fit 120 columns", () => {
  it.each([
    ["plain ASCII", "abc", 3],
    ["emoji icons take two columns", "✅ pass", 7],
    ["a variation selector takes none", "⚠️", 2],
    ["CJK takes two columns", "鍵の回転", 8],
    ["accented letters take one", "clé", 3],
  ])("display width: %s", (_, text, width) => {
    expect(displayWidth(text)).toBe(width);
  });

  it.each([
    ["words wrap at spaces", "one two three four", 9, ["one two", "three", "four"]],
    ["a word longer than the width is cut", "abcdefghij", 4, ["abcd", "efgh", "ij"]],
    ["an empty text is one empty line", "", 5, [""]],
  ])("wrap: %s", (_, text, width, lines) => {
    expect(wrapText(text, width)).toEqual(lines);
  });

  it.each([
    ["a glob in a code span keeps its stars", "`infra/**` needs **three** approvals", "`infra/**` needs three approvals"],
    ["a double-backtick span keeps its backtick and stars", "``a`**b**`` and **c**", "``a`**b**`` and c"],
    ["two spans in one cell", "**rule** `a/**` and `b/**`", "rule `a/**` and `b/**`"],
    ["a link outside a span becomes its text", "[#12](https://x/12) `[y](z)`", "#12 `[y](z)`"],
  ])("table cells: %s", (_, cell, shown) => {
    const text = markdownForTerminal(`| Rule |\n|---|\n| ${cell} |`);
    expect(text).toContain(shown);
  });

  it("a check-run table with long reasons becomes aligned columns within the width, its hidden block dropped", () => {
    const reason = "1 of 2 required approvals on `abc1234` (rev-carol). ".repeat(6);
    const markdown = [
      "**sdlc-guard** evaluated PR #1.",
      "",
      "| Control | Result | Enforcement | Reason | How to fix |",
      "|---|---|---|---|---|",
      `| \`reviews\` | ❌ fail | required | ${reason} | Get 1 more approval(s) \\| or a waiver |`,
      "| `jira` | ✅ pass | required | Jira key `PAY-1` (title). | — |",
      "",
      "<!-- sdlc-guard-results eyJ2IjoxfQ== -->",
    ].join("\n");

    const text = markdownForTerminal(markdown, 120);

    expect(widest(text)).toBeLessThanOrEqual(120);
    expect(text).not.toContain("<!--");
    expect(text).not.toContain("**");
    expect(text).toMatch(/^Control\s+Result\s+Enforcement\s+Reason\s+How to fix$/m);
    expect(text).toMatch(/^`jira`\s+✅ pass\s+required\s+Jira key `PAY-1` \(title\)\.\s+—$/m);
    // An escaped pipe is the cell's text, not a column.
    expect(text).toContain("| or a");
  });

  it.each([40, 80, 120])("a table of CJK and emoji fits %i columns", (width) => {
    const rows = [
      ["Control", "Reason"],
      ["`jira`", "鍵の回転 ".repeat(30)],
      ["`reviews`", "✅ ".repeat(40)],
    ];
    expect(Math.max(...renderTable(rows, width).map(displayWidth))).toBeLessThanOrEqual(width);
  });

  it("lines outside tables wrap too, list items keep their indent", () => {
    const text = markdownForTerminal(`- ${"word ".repeat(40)}`, 50);
    expect(widest(text)).toBeLessThanOrEqual(50);
    expect(text.split("\n")[1]).toMatch(/^ {2}word/);
  });

  it("the org summary for a terminal: one row per repository, what fails and why", () => {
    const cell = (state: "pass" | "fail", detail: string) => ({ state, detail });
    const repository = (name: string, failing: [string, string][]): RepositorySummary => ({
      name,
      url: `https://github.com/acme/${name}`,
      compliant: failing.length === 0,
      failing: failing.length,
      unknown: 0,
      cells: Object.fromEntries([
        ["branch-protection", cell("pass", "protected")],
        ...failing.map(([id, detail]) => [id, cell("fail", detail)]),
      ]) as RepositorySummary["cells"],
    });
    const summary = {
      org: "acme",
      generatedAt: "2026-12-07T03:58:00Z",
      twoFactor: { state: "pass", detail: "members must use two-factor authentication" },
      archived: [],
      compliantPercent: 50,
      repositories: [
        repository("ledger", [["secret-scanning", `secret scanning is disabled ${"and more ".repeat(20)}`]]),
        repository("payments", []),
      ],
    } as unknown as OrgSummary;

    const text = summaryAsText(summary);

    expect(widest(text)).toBeLessThanOrEqual(120);
    expect(text).toContain("1 of 2 active repositories (50%) pass every control; 0 archived.");
    expect(text).toMatch(/^ledger\s+❌ 1 failing\s+secret-scanning: secret scanning is disabled/m);
    expect(text).toMatch(/^payments\s+✅ compliant\s+—$/m);
  });
});
