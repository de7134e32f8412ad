import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import MarkdownIt from "markdown-it";
import { SUMMARY_CONTROL_IDS, type SummaryHistoryEntry } from "../../src/facts/org-summary.js";
import { decodeHistory, encodeHistory, historyEntryOf } from "../../src/report/org-summary-history.js";
import { SUMMARY_MARKER, renderSummary, summaryPartMarker } from "../../src/report/org-summary-markdown.js";
import { exampleSummary, expectGolden, largeSummary, repository, summaryOf } from "../support/org-summary-fixture.js";

const GOLDEN = fileURLToPath(new URL("../fixtures/summary/summary.md", import.meta.url));
const MERMAID_CHECK = fileURLToPath(new URL("../support/mermaid-check.mjs", import.meta.url));
const markdown = new MarkdownIt({ html: true });

interface RenderedTable {
  headers: string[];
  rows: string[][];
}

/** The tables markdown-it (GitHub's CommonMark + GFM tables) makes of the text, cells as plain text. */
function tablesOf(text: string): RenderedTable[] {
  const tables: RenderedTable[] = [];
  let current: RenderedTable | null = null;
  let row: string[] | null = null;
  let inHead = false;
  for (const token of markdown.parse(text, {})) {
    if (token.type === "table_open") current = { headers: [], rows: [] };
    else if (token.type === "thead_open") inHead = true;
    else if (token.type === "thead_close") inHead = false;
    else if (token.type === "tr_open") row = [];
    else if (token.type === "tr_close" && current && row) {
      if (inHead) current.headers = row;
      else current.rows.push(row);
    } else if (token.type === "inline" && row) row.push(inlineText(token));
    else if (token.type === "table_close" && current) {
      tables.push(current);
      current = null;
      row = null;
    }
  }
  return tables;
}

type Token = ReturnType<typeof markdown.parse>[number];
const inlineText = (token: Token): string =>
  (token.children ?? []).map((child) => (child.type === "text" || child.type === "code_inline" ? child.content : "")).join("");

const repositoryTables = (text: string) => tablesOf(text).filter((t) => t.headers[0] === "Repository");

/** Every `<details>` closes, in order, and none is left open. */
function detailsBalance(text: string): { opened: number; balanced: boolean } {
  let depth = 0;
  let opened = 0;
  let balanced = true;
  const html = markdown.render(text);
  for (const tag of html.match(/<\/?details>/g) ?? []) {
    depth += tag === "<details>" ? 1 : -1;
    if (tag === "<details>") opened++;
    if (depth < 0) balanced = false;
  }
  return { opened, balanced: balanced && depth === 0 };
}

function mermaidCheck(text: string): { status: number; result: { blocks: number; errors: { message: string }[] } } {
  try {
    return { status: 0, result: JSON.parse(execFileSync("node", [MERMAID_CHECK], { input: text, encoding: "utf8" })) };
  } catch (error) {
    const failed = error as { status: number; stdout: string };
    return { status: failed.status, result: JSON.parse(failed.stdout) };
  }
}

describe("the summary issue body", () => {
  const summary = exampleSummary();
  const { body, parts } = renderSummary(summary);

  it("matches the golden Markdown (UPDATE_GOLDEN=1 to accept a change)", () => {
    expectGolden(GOLDEN, body);
  });

  it("starts with the marker and fits in one issue body", () => {
    expect(body.split("\n")[0]).toBe(SUMMARY_MARKER);
    expect(parts).toEqual([]);
  });

  it("gives the figures first: active, fully compliant, archived, two-factor", () => {
    const [figures] = tablesOf(body);

    expect(figures).toEqual({
      headers: ["Active repositories", "Fully compliant", "Archived", "Organisation requires two-factor"],
      rows: [["8", "37.5% (3 of 8)", "2", "✅ required for all members"]],
    });
    expect(body.indexOf("Active repositories")).toBeLessThan(body.indexOf("```mermaid"));
  });

  it("lists one table row per active repository, worst first, with one column per control", () => {
    const [table] = repositoryTables(body);

    expect(table!.headers).toEqual(["Repository", "Result", ...SUMMARY_CONTROL_IDS]);
    expect(table!.rows.map((r) => r[0])).toEqual(summary.repositories.map((r) => r.name));
    expect(table!.rows[0]!.slice(0, 2)).toEqual(["payments-api", "❌ 6 failing"]);
    expect(table!.rows.find((r) => r[0] === "mobile-app")!.slice(1, 8)).toEqual([
      "❌ 1 failing, ❔ 2 unknown",
      "✅",
      "✅",
      "✅",
      "❔",
      "❔",
      "✅",
    ]);
    expect(table!.rows.find((r) => r[0] === "docs-site")!.slice(1)).toEqual([
      "✅ compliant",
      "✅",
      "✅",
      "✅",
      "✅",
      "✅",
      "✅",
      "➖",
      "➖",
      "✅",
      "➖",
      "✅",
      "✅",
      "✅",
    ]);
  });

  it("links each repository name to its URL", () => {
    expect(body).toContain("[payments-api](https://github.com/acme/payments-api)");
    expect(markdown.render(body)).toContain('<a href="https://github.com/acme/old-website">old-website</a>');
  });

  it("explains every failing and unknown cell in a collapsible block per repository: what is wrong and how to fix it", () => {
    const balance = detailsBalance(body);

    expect(balance).toEqual({ opened: 5, balanced: true });
    expect(body).toContain("<summary><b>mobile-app</b>: 1 failing, 2 unknown</summary>");
    expect(body).toContain(
      "- ❔ `code-scanning`: GitHub answered 403: Resource not accessible by integration\n  How to fix: Give the app the Code scanning alerts: read permission.",
    );
    expect(body).not.toContain("<summary><b>docs-site</b>");
  });

  it("draws the pass rate per control as a Mermaid chart that the real Mermaid parser accepts", () => {
    const check = mermaidCheck(body);

    expect(check).toEqual({ status: 0, result: { blocks: 1, errors: [] } });
    expect(body).toContain(
      '    x-axis ["branch-protection", "secret-scanning", "push-protection", "dependabot", "code-scanning", "repository-files", "release-tag", "direct-push", "force-push", "merged-prs", "merged-unverified", "activity", "policy"]',
    );
    expect(body).toContain('    y-axis "Pass rate (%)" 0 --> 100');
  });

  it("the Mermaid check can fail: a broken chart is reported", () => {
    const broken = body.replace('    y-axis "Pass rate (%)" 0 --> 100', '    y-axis "Pass rate (%)" 0 --> ');

    const check = mermaidCheck(broken);

    expect(check.status).toBe(1);
    expect(check.result.errors).toHaveLength(1);
  });

  it("leaves controls that nothing could judge out of the chart", () => {
    const noRelease = summaryOf([repository("a", { "release-tag": { state: "n/a", detail: "no release yet" } })]);

    const text = renderSummary(noRelease).body;

    expect(text).toContain(
      'x-axis ["branch-protection", "secret-scanning", "push-protection", "dependabot", "code-scanning", "repository-files", "direct-push", "force-push", "merged-prs", "merged-unverified", "activity", "policy"]',
    );
    expect(text).toContain("Not shown (nothing to judge in any repository): `release-tag`.");
    expect(mermaidCheck(text).status).toBe(0);
  });

  it("compares with the previous run", () => {
    expect(body).toContain(
      "Since the previous run (2025-05-26 06:00 UTC): fully compliant **+12.5 points** (25% → 37.5%), active repositories unchanged (8).",
    );
    expect(
      tablesOf(body)
        .find((t) => t.headers[0] === "Run")!
        .rows.map((r) => r[1]),
    ).toEqual(["14.3%", "28.6%", "25%", "37.5%"]);
  });

  it("says so on the first run", () => {
    expect(renderSummary(exampleSummary({ history: [] })).body).toContain("This is the first run");
  });

  it("maps every control to ISO 27001:2022 and SOC 2", () => {
    const mapping = tablesOf(body).find((t) => t.headers[0] === "Control")!;

    expect(mapping.headers).toEqual(["Control", "What it checks", "Policy", "ISO 27001:2022", "SOC 2"]);
    expect(mapping.rows.map((r) => r[0])).toEqual([...SUMMARY_CONTROL_IDS, "two-factor"]);
    expect(mapping.rows.find((r) => r[0] === "two-factor")).toEqual([
      "two-factor",
      "Organisation requires two-factor authentication",
      "ENT 3.1",
      "A.5.17, A.8.5",
      "CC6.1",
    ]);
  });

  it("lists archived repositories apart, and not in the table", () => {
    expect(body).toContain("## Archived repositories (2)");
    expect(repositoryTables(body)[0]!.rows.map((r) => r[0])).not.toContain("old-website");
  });

  it("ends with the footer figures and the hidden history, this run included", () => {
    expect(body).toContain(
      "Generated at 2025-06-02 06:00 UTC by sdlc-guard · period 2025-05-26 06:00 UTC to 2025-06-02 06:00 UTC · 1,284 GitHub requests · collected in 1 min 23 s",
    );
    expect(body.split("\n").at(-1)).toMatch(/^<!-- sdlc-guard-summary-history [A-Za-z0-9+/=]+ -->$/);
    expect(decodeHistory(body)).toEqual([...summary.history, historyEntryOf(summary)]);
  });

  it("shows the fix when the organisation does not require two-factor authentication", () => {
    const text = renderSummary(
      exampleSummary({
        twoFactor: {
          state: "fail",
          detail: "not required",
          fix: "Require two-factor authentication (Organisation settings > Authentication security).",
        },
      }),
    ).body;

    expect(tablesOf(text)[0]!.rows[0]![3]).toBe("❌ not required");
    expect(text).toContain("**Two-factor authentication:** Require two-factor authentication");
  });
});

describe("untrusted text cannot break the layout", () => {
  const hostile = repository("evil|<script>alert(1)</script>`x`", {
    "code-scanning": {
      state: "fail",
      detail: "a | b <img src=x onerror=alert(1)> `code` *bold* [link](https://evil.example)",
      fix: "</details> | fix",
    },
  });
  const text = renderSummary(summaryOf([hostile, repository("fine")])).body;
  const html = markdown.render(text);

  it("a pipe, HTML and backticks in a name or detail stay text in one table cell", () => {
    const [table] = repositoryTables(text);

    expect(table!.rows.map((r) => r[0])).toEqual(["evil|<script>alert(1)</script>`x`", "fine"]);
    expect(table!.rows[0]).toHaveLength(2 + SUMMARY_CONTROL_IDS.length);
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<img");
    expect(html).not.toContain('href="https://evil.example"');
  });

  it("an @mention in a tag or branch name notifies nobody", () => {
    const tagged = repository("tagged", {
      "release-tag": { state: "fail", detail: 'latest release "@acme/everyone" is not a semantic version', fix: "Tag v1.2.3." },
    });
    const body = renderSummary(summaryOf([tagged])).body;
    expect(body).toContain('latest release "@\u200Bacme/everyone"');
    expect(body).not.toMatch(/@acme\/everyone/);
  });

  it("a detail cannot close the <details> block", () => {
    expect(detailsBalance(text)).toEqual({ opened: 1, balanced: true });
    expect(html).toContain("&lt;/details&gt; | fix");
    expect(html).toContain("a | b &lt;img src=x onerror=alert(1)&gt; `code` *bold* [link](https://evil.example)");
  });

  it("a huge detail is shortened and says it was truncated", () => {
    const huge = repository("huge", { dependabot: { state: "fail", detail: "x".repeat(200_000), fix: "y".repeat(100_000) } });

    const { body, parts } = renderSummary(summaryOf([huge]));

    expect(parts).toEqual([]);
    expect(body.length).toBeLessThan(20_000);
    expect(body).toContain(`${"x".repeat(1_000)}… (truncated)`);
    expect(detailsBalance(body)).toEqual({ opened: 1, balanced: true });
    expect(repositoryTables(body)[0]!.rows).toHaveLength(1);
  });

  it("a repository whose details alone exceed the limit keeps its findings whole, the rest counted as truncated", () => {
    const cells = Object.fromEntries(
      SUMMARY_CONTROL_IDS.map((id) => [id, { state: "fail" as const, detail: `${id} `.repeat(120), fix: "f".repeat(900) }]),
    );
    const limit = 15_000;

    const { body, parts } = renderSummary(summaryOf([repository("noisy", cells), repository("quiet")]), { limit });

    for (const text of [body, ...parts]) {
      expect(text.length).toBeLessThanOrEqual(limit);
      expect(detailsBalance(text).balanced).toBe(true);
    }
    const all = [body, ...parts].join("\n");
    expect(all).toMatch(/- … \d+ more findings truncated: too long for GitHub's size limit\./);
    expect([body, ...parts].flatMap((t) => repositoryTables(t).flatMap((table) => table.rows.map((r) => r[0])))).toEqual([
      "noisy",
      "quiet",
    ]);
  });
});

describe("a table too long for one issue continues in comments", () => {
  const summary = largeSummary(1500);
  const { body, parts } = renderSummary(summary);

  it("splits into the body and several comments, each within GitHub's 65,536 characters", () => {
    expect(parts.length).toBeGreaterThanOrEqual(2);
    for (const text of [body, ...parts]) expect(text.length).toBeLessThanOrEqual(65_536);
  });

  it("each comment starts with its part marker and a heading, and its table renders as a table", () => {
    parts.forEach((part, i) => {
      const [first, heading] = part.split("\n");

      expect(first).toBe(summaryPartMarker(i + 1));
      expect(heading).toBe(`## SDLC compliance summary — continued (part ${i + 2} of ${parts.length + 1})`);
      expect(repositoryTables(part)).toHaveLength(1);
      expect(repositoryTables(part)[0]!.headers).toEqual(["Repository", "Result", ...SUMMARY_CONTROL_IDS]);
      expect(detailsBalance(part).balanced).toBe(true);
    });
  });

  it("lists every repository exactly once, worst first across body and comments", () => {
    const names = [body, ...parts].flatMap((text) => repositoryTables(text).flatMap((t) => t.rows.map((r) => r[0])));

    expect(names).toEqual(summary.repositories.map((r) => r.name));
  });

  it("the body keeps the worst repositories, says where the rest is, and keeps every other section", () => {
    expect(repositoryTables(body)[0]!.rows.length).toBeGreaterThan(0);
    expect(body).toContain(`**The table continues in the ${parts.length} comments below** (parts 2 to ${parts.length + 1})`);
    for (const heading of [
      "## Pass rate per control",
      "## Trend",
      "## Legend",
      "## Controls and standards",
      "## Archived repositories (1)",
    ])
      expect(body).toContain(heading);
    expect(detailsBalance(body).balanced).toBe(true);
  });

  it("the history block stays whole at the end of the body", () => {
    expect(decodeHistory(body)).toEqual([...summary.history, historyEntryOf(summary)]);
    for (const part of parts) expect(part).not.toContain("sdlc-guard-summary-history");
  });

  it("smaller limits split the same way", () => {
    const limit = 20_000;
    const split = renderSummary(largeSummary(300), { limit });

    for (const text of [split.body, ...split.parts]) expect(text.length).toBeLessThanOrEqual(limit);
    expect([split.body, ...split.parts].flatMap((text) => repositoryTables(text).flatMap((t) => t.rows.map((r) => r[0])))).toHaveLength(
      300,
    );
  });

  it("many archived repositories are shortened in the body rather than pushing it over the limit", () => {
    const archived = Array.from({ length: 5_000 }, (_, i) => ({ name: `archived-${i}`, url: `https://github.com/acme/archived-${i}` }));

    const split = renderSummary(summaryOf([repository("a")], { archived }));

    expect(split.body.length).toBeLessThanOrEqual(65_536);
    expect(split.body).toMatch(/ · and [\d,]+ more/);
    expect(decodeHistory(split.body)).toHaveLength(1);
  });
});

describe("the hidden history", () => {
  const entry = (i: number): SummaryHistoryEntry => ({
    at: `2025-01-${String(i).padStart(2, "0")}T06:00:00Z`,
    repositories: i,
    compliantPercent: i,
    rates: { dependabot: i },
  });

  it("round-trips", () => {
    const entries = [entry(1), { ...entry(2), rates: { "code-scanning": null } }];

    expect(decodeHistory(`text\n${encodeHistory(entries)}\n`)).toEqual(entries);
  });

  it("keeps the last 30 runs", () => {
    const entries = Array.from({ length: 31 }, (_, i) => entry(i + 1));

    const kept = decodeHistory(encodeHistory(entries));

    expect(kept).toHaveLength(30);
    expect(kept[0]).toEqual(entry(2));
    expect(kept.at(-1)).toEqual(entry(31));
  });

  it("the body keeps the last 30 runs, this one last", () => {
    const summary = exampleSummary({ history: Array.from({ length: 30 }, (_, i) => entry(i + 1)) });

    const kept = decodeHistory(renderSummary(summary).body);

    expect(kept).toHaveLength(30);
    expect(kept[0]).toEqual(entry(2));
    expect(kept.at(-1)).toEqual(historyEntryOf(summary));
  });

  it.each([
    ["no body", null],
    ["no block", "just text"],
    ["corrupt base64 JSON", "<!-- sdlc-guard-summary-history bm90IGpzb24= -->"],
    ["truncated block", encodeHistory([entry(1)]).slice(0, 40)],
    [
      "a wrong shape",
      `<!-- sdlc-guard-summary-history ${Buffer.from(JSON.stringify({ v: 1, entries: [{ at: 5 }] })).toString("base64")} -->`,
    ],
    ["another version", `<!-- sdlc-guard-summary-history ${Buffer.from(JSON.stringify({ v: 2, entries: [] })).toString("base64")} -->`],
    [
      "a percentage out of range",
      `<!-- sdlc-guard-summary-history ${Buffer.from(JSON.stringify({ v: 1, entries: [{ ...entry(1), compliantPercent: 140 }] })).toString("base64")} -->`,
    ],
  ])("decodes %s as no history", (_case, text) => {
    expect(decodeHistory(text)).toEqual([]);
  });

  it("drops rates of controls it does not know, keeping the run", () => {
    const stored = { v: 1, entries: [{ ...entry(1), rates: { dependabot: 50, retired: 10 } }] };

    expect(decodeHistory(`<!-- sdlc-guard-summary-history ${Buffer.from(JSON.stringify(stored)).toString("base64")} -->`)).toEqual([
      { ...entry(1), rates: { dependabot: 50 } },
    ]);
  });
});
