/** GitHub rejects a check run's summary or text longer than this many UTF-8 bytes ("exceeds a maximum bytesize of 65535"). */
export const CHECK_RUN_TEXT_LIMIT = 65_535;
/**
 * A check run's title: GitHub documents no limit, so it is kept short (titles name control ids, never user text at length).
 * In UTF-8 bytes.
 */
export const CHECK_RUN_TITLE_LIMIT = 1_000;
/**
 * An issue's or comment's body: GitHub allows 65,536 characters. Clamped in UTF-8 bytes, which are never fewer than
 * characters (however GitHub counts them: code points or UTF-16 units), so the body always fits.
 */
export const ISSUE_BODY_LIMIT = 65_536;
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

/** The size of a text as GitHub measures its check-run output: UTF-8 bytes. */
export const utf8Bytes = (text: string): number => Buffer.byteLength(text, "utf8");

const codePointBytes = (cp: number): number => (cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4);
const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * The longest start of `text` of at most `budget` UTF-8 bytes, cut between code points and, near the cut, between
 * graphemes (an emoji with its modifiers, a letter with its accents stay whole).
 */
export function utf8Prefix(text: string, budget: number): string {
  if (budget <= 0) return "";
  if (text.length * 3 <= budget || utf8Bytes(text) <= budget) return text;
  let cut = 0;
  for (let bytes = 0; cut < text.length;) {
    const cp = text.codePointAt(cut)!;
    // A lone surrogate is written as U+FFFD (3 bytes), as Buffer.byteLength counts it.
    const size = cp >= 0xd800 && cp <= 0xdfff ? 3 : codePointBytes(cp);
    if (bytes + size > budget) break;
    bytes += size;
    cut += cp > 0xffff ? 2 : 1;
  }
  // Back off to the last grapheme boundary at or before the cut (looking only at a window around it).
  const from = Math.max(0, cut - 64);
  let boundary = from;
  for (const { index } of segmenter.segment(text.slice(from, cut + 64))) {
    if (from + index > cut) break;
    boundary = from + index;
  }
  return text.slice(0, boundary > 0 ? boundary : cut);
}

const TRUNCATED = "\n\n… (output truncated to GitHub's size limit)";

/** Cuts Markdown to `limit` UTF-8 bytes (GitHub's check-run limit by default), saying so, rather than letting the write fail. */
export function clampMarkdown(text: string, limit = CHECK_RUN_TEXT_LIMIT): string {
  if (utf8Bytes(text) <= limit) return text;
  const noticeBytes = utf8Bytes(TRUNCATED);
  if (limit < noticeBytes) return utf8Prefix(text, limit);
  return utf8Prefix(text, limit - noticeBytes) + TRUNCATED;
}

/** A check run's title cut to {@link CHECK_RUN_TITLE_LIMIT} UTF-8 bytes, with an ellipsis when cut. */
export function clampTitle(title: string, limit = CHECK_RUN_TITLE_LIMIT): string {
  return utf8Bytes(title) <= limit ? title : `${utf8Prefix(title, limit - 3)}…`;
}
