/** GitHub rejects check-run summaries longer than this. */
export const CHECK_RUN_TEXT_LIMIT = 65_535;
const MAX_INLINE = 200;

/**
 * User-controlled text (branch names, patterns, keys, YAML keys) as an inline code span: no line breaks, bounded length,
 * and a backtick fence longer than any backtick run inside, so the text cannot break out of the span.
 */
export function inlineCode(text: string): string {
  const codePoints = Array.from(text.replace(/[\r\n]+/g, " "));
  const flat = codePoints.length > MAX_INLINE ? `${codePoints.slice(0, MAX_INLINE).join("")}…` : codePoints.join("");
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A table cell: every pipe escaped (GFM splits cells on them even inside code spans, and after a backslash), one line. */
export function tableCell(text: string): string {
  return text.replace(/[\r\n]+/g, " ").replace(/\|/g, "\\|");
}

/** Cuts Markdown to GitHub's limit, saying so, rather than letting the write fail. */
export function clampMarkdown(text: string, limit = CHECK_RUN_TEXT_LIMIT): string {
  if (text.length <= limit) return text;
  const notice = "\n\n… (output truncated to GitHub's size limit)";
  let cut = limit - notice.length;
  if (/[\uDC00-\uDFFF]/.test(text[cut] ?? "")) cut--; // never split a surrogate pair
  return text.slice(0, cut) + notice;
}
