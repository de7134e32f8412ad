import { SUMMARY_TITLE } from "../common/product.js";
import {
  SUMMARY_CONTROL_IDS,
  SUMMARY_CONTROL_INFO,
  type CellState,
  type OrgSummary,
  type RepositorySummary,
  type SummaryCell,
  type SummaryHistoryEntry,
} from "../facts/org-summary.js";
import { clampMarkdown, inlineCode, tableCell } from "../common/markdown.js";
import { encodeHistory, historyEntryOf } from "./org-summary-history.js";

// The org-wide summary issue: figures first, then the worst repositories, then the evidence (mapping, history).
// An issue body and a comment hold at most 65,536 characters, so a long repository table continues in comments.

/** First line of the issue body. */
export const SUMMARY_MARKER = "<!-- sdlc-guard-summary -->";
/** First line of overflow comment `part` (1..N); the body counts as part 1 of the text, so comment 1 says "part 2 of N+1". */
export const summaryPartMarker = (part: number) => `<!-- sdlc-guard-summary-part: ${part} -->`;
/** GitHub's cap on an issue body and on a comment (JS string length). */
export const SUMMARY_LIMIT = 65_536;

const ICON: Record<CellState, string> = { pass: "✅", fail: "❌", unknown: "❔", "n/a": "➖" };
const SHORT_LEGEND = "✅ pass · ❌ fail · ❔ unknown · ➖ n/a";
/** Longest detail or fix text shown; the CSV and JSON exports carry it whole. */
const MAX_TEXT = 1_000;
const MAX_NAME = 200;
const TREND_ROWS = 5;
const LOWEST_SHOWN = 3;
/** Number used to reserve room for figures not known yet (part counts, ranges). */
const WIDEST = 9_999_999;

// --- text -----------------------------------------------------------------------------------------------------------

const oneLine = (text: string) => text.replace(/\s*[\r\n]+\s*/g, " ");
const shorten = (text: string, max: number) => {
  const codePoints = Array.from(text);
  return codePoints.length > max ? `${codePoints.slice(0, max).join("")}… (truncated)` : text;
};
/** Text inside raw HTML (a `<summary>`): GitHub reads no Markdown there, and only `<` and `&` can start markup. */
/** No notification from the summary: a zero-width space after `@` keeps `@team` in a tag or branch name from mentioning. */
const htmlText = (text: string) =>
  oneLine(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/@(?=[A-Za-z0-9])/g, "@\u200B");
/** Text shown as is in Markdown: no HTML, no emphasis, links or code spans (pipes are left to tableCell). */
const plain = (text: string) => htmlText(text).replace(/[\\`*_[\]~]/g, "\\$&");
const urlChar = (c: string) => (c === "(" ? "%28" : c === ")" ? "%29" : encodeURIComponent(c));
const link = (name: string, url: string) => {
  const label = plain(shorten(name, MAX_NAME));
  return /^https?:\/\/[^\s]+$/i.test(url) ? `[${label}](${url.replace(/[()<>|"`\\]/g, urlChar)})` : label;
};
const count = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
const plural = (n: number, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;
const percent = (n: number) => `${Math.round(n * 10) / 10}%`;
const points = (delta: number) => {
  const d = Math.round(delta * 10) / 10;
  return d === 0 ? "no change" : `${d > 0 ? "+" : "-"}${Math.abs(d)} ${Math.abs(d) === 1 ? "point" : "points"}`;
};
const time = (iso: string) => {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2}(\.\d+)?)?(Z|[+-]00:00)$/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : plain(iso);
};
const duration = (ms: number) => {
  const s = Math.round(ms / 1000);
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
};
const cellText = (cell: SummaryCell) => `${ICON[cell.state]} ${plain(shorten(cell.detail, MAX_TEXT))}`;

// --- sections -------------------------------------------------------------------------------------------------------

function headline(s: OrgSummary): string {
  const active = s.repositories.length;
  const compliant = s.repositories.filter((r) => r.compliant).length;
  const failing = s.repositories.filter((r) => r.failing > 0).length;
  const unchecked = s.repositories.filter((r) => r.unknown > 0).length;
  const problems = [
    failing ? `${plural(failing, "fails", "fail")} at least one control` : "",
    unchecked ? `${plural(unchecked, "has", "have")} controls that could not be checked (❔, counted as not compliant)` : "",
  ].filter(Boolean);
  const twoFactorFix =
    s.twoFactor.state === "pass" || !s.twoFactor.fix
      ? []
      : ["", `**Two-factor authentication:** ${plain(shorten(s.twoFactor.fix, MAX_TEXT))}`];
  return [
    `Compliance of the **${plain(s.org)}** repositories on ${time(s.generatedAt)}.`,
    "",
    "| Active repositories | Fully compliant | Archived | Organisation requires two-factor |",
    "|---:|---:|---:|---|",
    `| ${count(active)} | **${percent(s.compliantPercent)}** (${count(compliant)} of ${count(active)}) | ${count(s.archived.length)} | ${tableCell(cellText(s.twoFactor))} |`,
    "",
    active === 0
      ? "There is no active repository to judge."
      : `${count(compliant)} of ${plural(active, "active repository", "active repositories")} ${compliant === 1 ? "passes" : "pass"} every control.` +
        (problems.length ? ` ${problems.join("; ")}.` : ""),
    ...twoFactorFix,
  ].join("\n");
}

function passRateChart(s: OrgSummary): string {
  const judged = SUMMARY_CONTROL_IDS.flatMap((id) => s.rates.filter((r) => r.id === id && r.rate !== null));
  const notJudged = SUMMARY_CONTROL_IDS.filter((id) => !judged.some((r) => r.id === id));
  if (!judged.length) return "## Pass rate per control\n\nNo control could be judged: there is no active repository.";
  const lowest = [...judged]
    .filter((r) => (r.rate ?? 100) < 100)
    .sort((a, b) => (a.rate ?? 0) - (b.rate ?? 0) || SUMMARY_CONTROL_IDS.indexOf(a.id) - SUMMARY_CONTROL_IDS.indexOf(b.id))
    .slice(0, LOWEST_SHOWN)
    .map((r) => `${inlineCode(r.id)} ${percent(r.rate ?? 0)} (${count(r.passed)} of ${count(r.judged)})`);
  return [
    "## Pass rate per control",
    "",
    "```mermaid",
    "xychart-beta horizontal",
    '    title "Repositories passing each control (%)"',
    `    x-axis [${judged.map((r) => `"${r.id}"`).join(", ")}]`,
    '    y-axis "Pass rate (%)" 0 --> 100',
    `    bar [${judged.map((r) => r.rate).join(", ")}]`,
    "```",
    "",
    lowest.length ? `Lowest pass rates: ${lowest.join(" · ")}.` : "Every control passes in every repository it applies to.",
    ...(notJudged.length ? ["", `Not shown (nothing to judge in any repository): ${notJudged.map(inlineCode).join(", ")}.`] : []),
  ].join("\n");
}

function trend(s: OrgSummary): string {
  const current = historyEntryOf(s);
  const previous = s.history.at(-1);
  if (!previous) return "## Trend\n\nThis is the first run: there is no earlier run to compare with yet.";
  const runs = s.history.slice(-TREND_ROWS).map((h) => `| ${time(h.at)} | ${percent(h.compliantPercent)} | ${count(h.repositories)} |`);
  return [
    "## Trend",
    "",
    "| Run | Fully compliant | Active repositories |",
    "|---|---:|---:|",
    ...runs,
    `| **${time(current.at)} (this run)** | **${percent(current.compliantPercent)}** | **${count(current.repositories)}** |`,
    "",
    `Since the previous run (${time(previous.at)}): fully compliant **${points(current.compliantPercent - previous.compliantPercent)}** ` +
      `(${percent(previous.compliantPercent)} → ${percent(current.compliantPercent)}), ` +
      `active repositories ${repositoryChange(previous, current)}.`,
    "",
    controlChanges(previous, current),
  ].join("\n");
}

function repositoryChange(previous: SummaryHistoryEntry, current: SummaryHistoryEntry): string {
  const d = current.repositories - previous.repositories;
  return d === 0
    ? `unchanged (${count(current.repositories)})`
    : `${d > 0 ? "+" : "-"}${count(Math.abs(d))} (${count(previous.repositories)} → ${count(current.repositories)})`;
}

function controlChanges(previous: SummaryHistoryEntry, current: SummaryHistoryEntry): string {
  const moved = SUMMARY_CONTROL_IDS.flatMap((id) => {
    const before = previous.rates[id];
    const now = current.rates[id];
    if (before == null || now == null || Math.round((now - before) * 10) === 0) return [];
    return [`${inlineCode(id)} ${points(now - before)}`];
  });
  return moved.length ? `Pass rates that moved: ${moved.join(", ")}.` : "No control's pass rate moved.";
}

const TABLE_HEADER = [
  `| Repository | Result | ${SUMMARY_CONTROL_IDS.join(" | ")} |`,
  `|---|---|${SUMMARY_CONTROL_IDS.map(() => ":-:").join("|")}|`,
].join("\n");

function tableRow(r: RepositorySummary): string {
  const result = r.compliant
    ? "✅ compliant"
    : [r.failing ? `❌ ${count(r.failing)} failing` : "", r.unknown ? `❔ ${count(r.unknown)} unknown` : ""].filter(Boolean).join(", ") ||
      "❌ not compliant";
  return `| ${tableCell(link(r.name, r.url))} | ${result} | ${SUMMARY_CONTROL_IDS.map((id) => ICON[r.cells[id].state]).join(" | ")} |`;
}

function findings(r: RepositorySummary): string[] {
  const ids = [
    ...SUMMARY_CONTROL_IDS.filter((id) => r.cells[id].state === "fail"),
    ...SUMMARY_CONTROL_IDS.filter((id) => r.cells[id].state === "unknown"),
  ];
  return ids.map((id) => {
    const cell = r.cells[id];
    const fix = cell.fix ? `\n  How to fix: ${plain(shorten(cell.fix, MAX_TEXT))}` : "";
    return `- ${ICON[cell.state]} ${inlineCode(id)}: ${plain(shorten(cell.detail, MAX_TEXT))}${fix}`;
  });
}

/** The `<details>` block of a repository with failing or unknown cells, at most `max` characters: findings are kept whole or left out (and counted). */
function detailsBlock(r: RepositorySummary, max: number): string | null {
  const items = findings(r);
  if (!items.length) return null;
  const counts = [r.failing ? `${count(r.failing)} failing` : "", r.unknown ? `${count(r.unknown)} unknown` : ""]
    .filter(Boolean)
    .join(", ");
  const open = `<details>\n<summary><b>${htmlText(shorten(r.name, MAX_NAME))}</b>: ${counts}</summary>\n\n`;
  const close = "\n\n</details>";
  const whole = open + items.join("\n") + close;
  if (whole.length <= max) return whole;
  const notice = (left: number) => `- … ${plural(left, "more finding")} truncated: too long for GitHub's size limit.`;
  const room = max - open.length - close.length - notice(WIDEST).length - 1;
  const kept: string[] = [];
  let used = 0;
  for (const item of items) {
    if (used + item.length + 1 > room) break;
    kept.push(item);
    used += item.length + 1;
  }
  if (open.length + close.length + notice(WIDEST).length > max) return null;
  return open + [...kept, notice(items.length - kept.length)].join("\n") + close;
}

const controlTable = () =>
  [
    "## Controls and standards",
    "",
    "| Control | What it checks | Policy | ISO 27001:2022 | SOC 2 |",
    "|---|---|---|---|---|",
    ...[...SUMMARY_CONTROL_IDS, "two-factor" as const].map((id) => {
      const info = SUMMARY_CONTROL_INFO[id];
      return `| ${inlineCode(id)} | ${tableCell(info.title)} | ${tableCell(info.policy)} | ${tableCell(info.iso)} | ${tableCell(info.soc2)} |`;
    }),
  ].join("\n");

const legend = () =>
  [
    "## Legend",
    "",
    "- ✅ pass · ❌ fail: the details under the table say what is wrong and how to fix it.",
    "- ❔ unknown: GitHub would not give the fact (the details say why). Never counted as compliant.",
    "- ➖ n/a: nothing to judge, for example no release yet or no pull request merged in the period.",
    "- Fully compliant: every control passes or is n/a. Worst first: most failing controls, then most unknown, then by name.",
  ].join("\n");

function archivedSection(s: OrgSummary, shown = s.archived.length): string {
  const heading = `## Archived repositories (${count(s.archived.length)})`;
  if (!s.archived.length) return `${heading}\n\nNone.`;
  const links = s.archived.slice(0, shown).map((a) => link(a.name, a.url));
  const more = shown < s.archived.length ? [`and ${count(s.archived.length - shown)} more`] : [];
  return `${heading}\n\nNot judged: archived repositories are read-only.\n\n${[...links, ...more].join(" · ")}`;
}

const footer = (s: OrgSummary) =>
  `---\n\nGenerated at ${time(s.generatedAt)} by sdlc-guard · period ${time(s.period.since)} to ${time(s.period.until)} · ` +
  `${plural(s.requests, "GitHub request")} · collected in ${duration(s.durationMs)}`;

// --- layout ---------------------------------------------------------------------------------------------------------

interface RepositoryBlock {
  row: string;
  details: string | null;
}

/** Characters a block adds to a table chunk: its row after a line break, its details after a blank line. */
const blockLength = (b: RepositoryBlock) => 1 + b.row.length + (b.details === null ? 0 : 2 + b.details.length);
const chunk = (blocks: RepositoryBlock[]) =>
  [TABLE_HEADER, ...blocks.map((b) => b.row)].join("\n") + blocks.flatMap((b) => (b.details === null ? [] : [`\n\n${b.details}`])).join("");

/** Takes blocks from `start` while their chunk stays within `room` characters; order is never changed. */
function take(blocks: RepositoryBlock[], start: number, room: number): number {
  let used = TABLE_HEADER.length;
  let end = start;
  while (end < blocks.length && used + blockLength(blocks[end]!) <= room) used += blockLength(blocks[end++]!);
  return end;
}

const REPOSITORIES_HEADING = "## Repositories, worst first";
const continuedNote = (inBody: number, total: number, comments: number) =>
  inBody === 0
    ? `**The repository table is in the ${plural(comments, "comment")} below** (parts 2 to ${count(comments + 1)}): too many repositories for one issue.`
    : `**The table continues in the ${plural(comments, "comment")} below** (parts 2 to ${count(comments + 1)}): ` +
      `${count(inBody)} of ${count(total)} repositories are listed here, the worst first.`;
const partPreamble = (part: number, parts: number, from: number, to: number, total: number) =>
  `${summaryPartMarker(part)}\n## ${SUMMARY_TITLE} — continued (part ${count(part + 1)} of ${count(parts + 1)})\n\n` +
  `Repositories ${count(from)} to ${count(to)} of ${count(total)}, worst first. ${SHORT_LEGEND}\n\n`;

/**
 * The summary issue: `body` (starts with SUMMARY_MARKER) and, when the repository table does not fit in `limit`
 * characters, the overflow comments `parts` (parts[i - 1] starts with summaryPartMarker(i)), each within the limit.
 * Rows and `<details>` blocks are never cut; the hidden history block always ends the body.
 */
export function renderSummary(summary: OrgSummary, options: { limit?: number } = {}): { body: string; parts: string[] } {
  const limit = options.limit ?? SUMMARY_LIMIT;
  const history = encodeHistory([...summary.history, historyEntryOf(summary)]);
  const before = [SUMMARY_MARKER, headline(summary), passRateChart(summary), trend(summary), REPOSITORIES_HEADING].join("\n\n") + "\n\n";
  const after = (archivedShown?: number) =>
    "\n\n" + [legend(), controlTable(), archivedSection(summary, archivedShown), footer(summary), history].join("\n\n");

  const partReserve = partPreamble(WIDEST, WIDEST, WIDEST, WIDEST, WIDEST).length + TABLE_HEADER.length;
  const blocks = summary.repositories.map((r) => {
    const row = tableRow(r);
    return { row, details: detailsBlock(r, limit - partReserve - row.length - 3) };
  });
  const noRepositories = summary.repositories.length ? "" : "No active repository.";

  const whole = before + (noRepositories || chunk(blocks)) + after();
  if (whole.length <= limit) return { body: whole, parts: [] };

  // Too long: the body keeps the worst repositories it has room for; the rest continue in comments.
  const noteReserve = 2 + Math.max(continuedNote(0, WIDEST, WIDEST).length, continuedNote(WIDEST, WIDEST, WIDEST).length);
  const tail = after(archivedThatFit(summary, limit - before.length - noteReserve, after));
  const inBody = take(blocks, 0, limit - before.length - tail.length - noteReserve);
  const partEnds: number[] = [];
  for (let start = inBody; start < blocks.length; start = partEnds.at(-1)!) {
    partEnds.push(Math.max(start + 1, take(blocks, start, limit - partReserve + TABLE_HEADER.length)));
  }
  const comments = partEnds.length;
  const table =
    noRepositories ||
    [inBody ? chunk(blocks.slice(0, inBody)) : "", comments ? continuedNote(inBody, blocks.length, comments) : ""]
      .filter(Boolean)
      .join("\n\n");
  const body = before + table + tail;
  const parts = partEnds.map((end, i) => {
    const start = i === 0 ? inBody : partEnds[i - 1]!;
    return partPreamble(i + 1, comments, start + 1, end, blocks.length) + chunk(blocks.slice(start, end));
  });
  return { body: body.length <= limit ? body : clampKeepingHistory(body, history, limit), parts };
}

/** How many archived repositories the body can list when the rest of it takes all but `room` characters. */
function archivedThatFit(summary: OrgSummary, room: number, after: (shown?: number) => string): number {
  if (after().length <= room) return summary.archived.length;
  let shown = 0;
  let used = after(0).length;
  for (const a of summary.archived) {
    used += link(a.name, a.url).length + 3;
    if (used > room) break;
    shown++;
  }
  return shown;
}

/** Last resort for a limit too small for the fixed sections: cut the text, keep the history block whole. */
function clampKeepingHistory(body: string, history: string, limit: number): string {
  const text = body.slice(0, body.length - history.length - 2);
  return `${clampMarkdown(text, limit - history.length - 2)}\n\n${history}`;
}
