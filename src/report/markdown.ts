/** GitHub rejects check-run summaries longer than this. */
export const CHECK_RUN_TEXT_LIMIT = 65_535;
const MAX_INLINE = 200;

/**
 * User-controlled text (branch names, patterns, keys) as an inline code span: no line breaks, bounded length,
 * and a backtick fence longer than any backtick run inside, so the text cannot break out of the span.
 */
export function inlineCode(text: string): string {
  let flat = text.replace(/[\r\n]+/g, " ");
  if (flat.length > MAX_INLINE) flat = `${flat.slice(0, MAX_INLINE)}…`;
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** Plain text that must not be read as Markdown or HTML (mentions, links, tags, emphasis). */
export function escapeText(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([\\*_[\]()#!|~@])/g, "\\$1");
}

/** A table cell: pipes escaped (GFM splits cells on them even inside code spans), one line. */
export function tableCell(text: string): string {
  return text.replace(/[\r\n]+/g, " ").replace(/(?<!\\)\|/g, "\\|");
}

/** Cuts Markdown to GitHub's limit, saying so, rather than letting the write fail. */
export function clampMarkdown(text: string, limit = CHECK_RUN_TEXT_LIMIT): string {
  if (text.length <= limit) return text;
  const notice = "\n\n… (output truncated to GitHub's size limit)";
  return text.slice(0, limit - notice.length) + notice;
}
