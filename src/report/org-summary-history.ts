import { z } from "zod";
import { SUMMARY_CONTROL_IDS, type OrgSummary, type SummaryHistoryEntry } from "../facts/org-summary.js";

// The summary issue remembers earlier runs in a hidden comment of its own body, so the trend needs no storage of its
// own. Base64, as in check-run-state.ts, so no text inside can close the comment.

const MARKER = "sdlc-guard-summary-history";
/** Runs kept in the issue (newest last). */
export const HISTORY_LIMIT = 30;

const rate = z.number().min(0).max(100).nullable().optional();
const storedEntry = z.object({
  at: z.string().min(1).max(64),
  repositories: z.number().int().min(0),
  compliantPercent: z.number().min(0).max(100),
  // Unknown keys (a control dropped since) are stripped, not fatal.
  rates: z.object(Object.fromEntries(SUMMARY_CONTROL_IDS.map((id) => [id, rate]))),
});
const storedHistory = z.object({ v: z.literal(1), entries: z.array(storedEntry) });

/** This run as a history entry. */
export function historyEntryOf(summary: OrgSummary): SummaryHistoryEntry {
  const byId = new Map(summary.rates.map((r) => [r.id, r.rate]));
  const rates = Object.fromEntries(SUMMARY_CONTROL_IDS.filter((id) => byId.has(id)).map((id) => [id, byId.get(id) ?? null]));
  return { at: summary.generatedAt, repositories: summary.repositories.length, compliantPercent: summary.compliantPercent, rates };
}

/** The last {@link HISTORY_LIMIT} entries as a hidden Markdown comment. */
export function encodeHistory(entries: SummaryHistoryEntry[]): string {
  const json = JSON.stringify({ v: 1, entries: entries.slice(-HISTORY_LIMIT) });
  return `<!-- ${MARKER} ${Buffer.from(json).toString("base64")} -->`;
}

/** The entries an issue body carries; none when the block is missing, corrupt or of another shape (never throws). */
export function decodeHistory(body: string | null | undefined): SummaryHistoryEntry[] {
  const match = body?.match(/<!-- sdlc-guard-summary-history ([A-Za-z0-9+/=]+) -->/);
  if (!match) return [];
  try {
    const parsed = storedHistory.safeParse(JSON.parse(Buffer.from(match[1]!, "base64").toString("utf8")));
    return parsed.success ? parsed.data.entries.slice(-HISTORY_LIMIT) : [];
  } catch {
    return [];
  }
}
