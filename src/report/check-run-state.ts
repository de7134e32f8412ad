import { z } from "zod";
import { enforcementSchema } from "../config/schema-parts.js";
import { CONTROL_IDS, type ControlId } from "../controls/catalogue.js";
import type { ControlResult } from "../controls/results.js";
import { CHECK_RUN_TEXT_LIMIT, clampMarkdown, utf8Bytes, utf8Prefix } from "../common/markdown.js";

// A commit has one `sdlc-guard` check run, but it can be evaluated in several ways (as a PR head, as the head of a push
// to main, as a tag's commit). Each evaluation replaces the rows of its own controls and keeps the others, so a passing
// tag can never hide a direct push of the same commit. The rows travel in the run's summary, in a hidden comment.

const MARKER = "sdlc-guard-results";
const STORED_TEXT_LIMIT = 600;

/** Every control id, in catalogue order (the order of the check run's table). */
export const CONTROL_ORDER: readonly ControlId[] = CONTROL_IDS;

const storedRow = z.object({
  id: z.enum(CONTROL_ORDER as [ControlId, ...ControlId[]]),
  enforcement: enforcementSchema,
  outcome: z.enum(["pass", "fail", "error", "pending", "waived"]),
  reason: z.string(),
  fix: z.string(),
  notes: z.array(z.string()).optional(),
  source: z.string().optional(),
  waiver: z
    .object({ by: z.string(), at: z.string(), justification: z.string(), url: z.string(), expiresAt: z.string().optional() })
    .optional(),
});
const storedRows = z.object({ v: z.literal(1), rows: z.array(storedRow).max(CONTROL_ORDER.length) });

const cutTo = (limit: number) => (text: string) => (text.length > limit ? `${text.slice(0, limit)}…` : text);

/**
 * The rows as a hidden Markdown comment (base64, so no text inside can close the comment). Each text is cut to
 * `textLimit` characters (and at most 5 notes are kept); a smaller limit makes a smaller block (see {@link clampKeepingResults}).
 */
export function encodeResults(results: ControlResult[], textLimit = STORED_TEXT_LIMIT): string {
  const cut = cutTo(textLimit);
  const rows = results.map((r) => ({
    ...r,
    reason: cut(r.reason),
    fix: cut(r.fix),
    notes: r.notes?.slice(0, 5).map(cut),
    // Only when shrinking: these are short in practice, and kept verbatim otherwise.
    ...(r.source === undefined || textLimit >= STORED_TEXT_LIMIT ? {} : { source: cut(r.source) }),
    ...(r.waiver && textLimit < STORED_TEXT_LIMIT ? { waiver: { ...r.waiver, justification: cut(r.waiver.justification) } } : {}),
  }));
  return `<!-- ${MARKER} ${Buffer.from(JSON.stringify({ v: 1, rows })).toString("base64")} -->`;
}

/** Shorter and shorter texts for the hidden rows, when their block alone would not fit in a summary. */
const SHRINKING_TEXT_LIMITS = [200, 60, 0] as const;
/** The visible part a summary keeps at least, when its hidden rows must shrink to fit (the header and the notice). */
const VISIBLE_RESERVE = 4_000;

const TRAILING_BLOCK = /\n\n<!-- sdlc-guard-results [A-Za-z0-9+/=]+ -->$/;

/** The summary without its trailing hidden block (the visible part). */
export const withoutResults = (summary: string): string => summary.replace(TRAILING_BLOCK, "");

/** Only the trailing hidden block of a summary ("" without one): what {@link decodeResults} reads. */
export const resultsBlock = (summary: string): string => summary.match(TRAILING_BLOCK)?.[0] ?? "";

/**
 * A summary cut to GitHub's limit (in UTF-8 bytes), keeping the hidden rows at its end whole and decodable (a cut block
 * would lose every row): the visible text is cut first. A block too large to leave room for the visible text is
 * written again with shorter texts (ids, outcomes and enforcement are always kept), and the summary says so.
 */
export function clampKeepingResults(summary: string, limit = CHECK_RUN_TEXT_LIMIT): string {
  let block = summary.match(TRAILING_BLOCK)?.[0] ?? "";
  const visible = summary.slice(0, summary.length - block.length);
  let shortened = "";
  if (utf8Bytes(block) > limit - VISIBLE_RESERVE) {
    const rows = decodeResults(block.trimStart());
    for (const textLimit of SHRINKING_TEXT_LIMITS) {
      block = `\n\n${encodeResults(rows, textLimit)}`;
      if (utf8Bytes(block) <= limit - VISIBLE_RESERVE) break;
    }
    shortened = "\n\n(The reasons kept for later evaluations of this commit were shortened to fit GitHub's size limit.)";
    if (utf8Bytes(block) + utf8Bytes(shortened) > limit) return utf8Prefix(clampMarkdown(visible, limit), limit); // cannot happen: every control's row, without texts, is far smaller
  }
  return clampMarkdown(visible, limit - utf8Bytes(block) - utf8Bytes(shortened)) + shortened + block;
}

/**
 * The block a summary ends with. Only there: text users control (a waiver's justification, a commit message, a PR
 * title) is rendered verbatim in the summary, and a block copied into it must not pass for the app's own rows.
 */
const OWN_BLOCK = /(?:^|\n\n)<!-- sdlc-guard-results ([A-Za-z0-9+/=]+) -->\s*$/;

/** The rows a summary carries; none when it has no (valid) hidden block, e.g. a run written before rows were kept. */
export function decodeResults(summary: string | null | undefined): ControlResult[] {
  const match = summary?.match(OWN_BLOCK);
  if (!match) return [];
  try {
    const parsed = storedRows.safeParse(JSON.parse(Buffer.from(match[1]!, "base64").toString("utf8")));
    return parsed.success ? parsed.data.rows : [];
  } catch {
    return [];
  }
}

/** The fresh rows, plus the earlier rows of controls this evaluation did not look at; in catalogue order. */
export function mergeResults(fresh: ControlResult[], previous: ControlResult[]): ControlResult[] {
  const ids = new Set(fresh.map((r) => r.id));
  const merged = [...fresh, ...previous.filter((r) => !ids.has(r.id))];
  return merged.sort((a, b) => CONTROL_ORDER.indexOf(a.id) - CONTROL_ORDER.indexOf(b.id));
}
