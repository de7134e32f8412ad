import type { OrgSummary } from "../facts/org-summary.js";

// Markdown for a terminal: tables as aligned columns wrapped to fit, every line at most `width` columns (emoji and CJK
// count two), hidden comments dropped. For the CLI's text output and the demo; the Markdown posted to GitHub is unchanged.

export const TERMINAL_WIDTH = 120;
const GAP = "  ";

/** Columns a terminal gives a character: 0 for combining marks and variation selectors, 2 for emoji and wide (CJK) characters. */
function charWidth(cp: number): number {
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0xfe00 && cp <= 0xfe0f) || cp === 0x200d) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2600 && cp <= 0x27bf) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  )
    return 2;
  return 1;
}

/** The columns a line takes in a terminal. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += charWidth(ch.codePointAt(0)!);
  return width;
}

/** Words of a text in lines of at most `width` columns (a longer word is cut). */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  const push = () => {
    lines.push(line);
    line = "";
  };
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let rest = word;
    while (displayWidth(rest) > width) {
      if (line) push();
      let head = "";
      for (const ch of rest) {
        if (displayWidth(head + ch) > width) break;
        head += ch;
      }
      lines.push(head);
      rest = rest.slice(head.length);
    }
    if (!rest) continue;
    if (!line) line = rest;
    else if (displayWidth(`${line} ${rest}`) <= width) line += ` ${rest}`;
    else {
      push();
      line = rest;
    }
  }
  if (line || lines.length === 0) push();
  return lines;
}

/** Inline Markdown as plain text: links become their text, bold marks go, `\|` becomes `|`; code spans stay as written. */
const plainInline = (cell: string): string =>
  splitCodeSpans(cell)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/\[([^\]]*)\]\([^)\s]*\)/g, "$1").replace(/\*\*/g, "")))
    .join("")
    .replace(/\\\|/g, "|")
    .trim();

/**
 * Text and code spans, alternating (odd indexes are code spans, backticks included): a span opens with a run of n
 * backticks and closes at the next run of exactly n, as in CommonMark; an unclosed run is text.
 */
function splitCodeSpans(text: string): string[] {
  const parts: string[] = [];
  let plain = "";
  let i = 0;
  while (i < text.length) {
    if (text[i] !== "`") {
      plain += text[i++];
      continue;
    }
    let n = 0;
    while (text[i + n] === "`") n++;
    const fence = "`".repeat(n);
    let close = text.indexOf(fence, i + n);
    while (close !== -1 && text[close + n] === "`") {
      let end = close;
      while (text[end] === "`") end++;
      close = text.indexOf(fence, end);
    }
    if (close === -1) {
      plain += fence;
      i += n;
      continue;
    }
    parts.push(plain, text.slice(i, close + n));
    plain = "";
    i = close + n;
  }
  parts.push(plain);
  return parts;
}

/** The cells of a Markdown table row (`|` escaped as `\|` stays in its cell). */
const cellsOf = (row: string): string[] =>
  row
    .trim()
    .replace(/^\|/, "")
    .replace(/(?<!\\)\|$/, "")
    .split(/(?<!\\)\|/)
    .map(plainInline);

/**
 * Text from GitHub or a config as a terminal may show it: control characters (escape sequences that could move the
 * cursor or rewrite what was printed, newlines, tabs) become spaces. Every table cell and line printed here goes through it.
 */
export function terminalText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ");
}

/** Rows (the first is the header) as aligned columns, each cell wrapped so that every line fits in `width` columns. */
export function renderTable(table: string[][], width = TERMINAL_WIDTH): string[] {
  const rows = table.map((row) => row.map(terminalText));
  const columns = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) => Math.max(1, ...rows.map((r) => displayWidth(r[c] ?? ""))));
  const budget = width - GAP.length * (columns - 1);
  // Narrow the widest column, one column at a time, until the table fits (a column keeps at least 4 columns).
  while (widths.reduce((a, b) => a + b, 0) > budget) {
    const widest = widths.indexOf(Math.max(...widths));
    if (widths[widest]! <= 4) break;
    widths[widest]!--;
  }
  const out: string[] = [];
  for (const [i, row] of rows.entries()) {
    const wrapped = widths.map((w, c) => wrapText(row[c] ?? "", w));
    const height = Math.max(...wrapped.map((lines) => lines.length));
    for (let l = 0; l < height; l++)
      out.push(
        wrapped
          .map((lines, c) => {
            const text = lines[l] ?? "";
            return c === columns - 1 ? text : text + " ".repeat(widths[c]! - displayWidth(text));
          })
          .join(GAP)
          .trimEnd(),
      );
    if (i === 0) out.push(widths.map((w) => "─".repeat(w)).join(GAP));
  }
  return out;
}

const isTableRow = (line: string) => line.trimStart().startsWith("|");
const isDelimiterRow = (line: string) => /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/.test(line);

/** Markdown as a terminal shows it, every line at most `width` columns (see the file's comment). */
export function markdownForTerminal(markdown: string, width = TERMINAL_WIDTH): string {
  const lines = markdown.replace(/<!--[\s\S]*?-->/g, "").split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length;) {
    if (isTableRow(lines[i]!) && isDelimiterRow(lines[i + 1] ?? "")) {
      const rows = [cellsOf(lines[i]!)];
      i += 2;
      while (i < lines.length && isTableRow(lines[i]!)) rows.push(cellsOf(lines[i++]!));
      out.push(...renderTable(rows, width));
      continue;
    }
    const line = terminalText(lines[i++]!).replace(/\*\*/g, "");
    const indent = /^\s*(?:[-*] )?/.exec(line)![0];
    if (displayWidth(line) <= width) out.push(line.trimEnd());
    else out.push(...wrapText(line, width - indent.length).map((l, n) => (n === 0 ? l : " ".repeat(indent.length) + l)));
  }
  return out
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** The org summary for a terminal: the totals, then one row per repository that fails or is unknown, with what and why. */
export function summaryAsText(summary: OrgSummary, width = TERMINAL_WIDTH): string {
  const active = summary.repositories.length;
  const compliant = summary.repositories.filter((r) => r.compliant).length;
  const head = [
    `Compliance of the ${summary.org} repositories on ${summary.generatedAt.slice(0, 16).replace("T", " ")} UTC:`,
    `${compliant} of ${active} active repositories (${summary.compliantPercent}%) pass every control; ${summary.archived.length} archived.`,
    `Two-factor authentication: ${summary.twoFactor.state} (${summary.twoFactor.detail}).`,
  ].flatMap((line) => wrapText(terminalText(line), width));
  const rows = summary.repositories.map((r) => {
    const problems = Object.entries(r.cells)
      .filter(([, cell]) => cell.state === "fail" || cell.state === "unknown")
      .map(([id, cell]) => `${id}${cell.state === "unknown" ? " (unknown)" : ""}: ${cell.detail}`);
    const result = r.compliant ? "✅ compliant" : `❌ ${r.failing} failing${r.unknown ? `, ${r.unknown} unknown` : ""}`;
    return [r.name, result, problems.join("; ") || "—"];
  });
  return [...head, "", ...renderTable([["Repository", "Result", "What fails, and why"], ...rows], width)].join("\n");
}
