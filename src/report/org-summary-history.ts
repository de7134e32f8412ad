import { z } from "zod";
import {
  SUMMARY_CONTROL_IDS,
  type FailingRecord,
  type OrgSummary,
  type SummaryControlId,
  type SummaryHistoryEntry,
} from "../facts/org-summary.js";

// The summary issue remembers earlier runs in a hidden comment of its own body, so the trend needs no storage of its
// own. Base64, as in check-run-state.ts, so no text inside can close the comment.

const MARKER = "sdlc-guard-summary-history";
/** Runs kept in the issue (newest last). */
export const HISTORY_LIMIT = 30;
/**
 * Failing repositories the newest run keeps (the first by name): about 20 characters each in the block, so the
 * history stays a small part of the issue body however large the organisation.
 */
export const FAILING_LIMIT = 300;

const rate = z.number().min(0).max(100).nullable().optional();
/** Stored compactly: the column ids once, each failing repository as a bit mask over them. */
const storedFailing = z.object({
  cols: z.array(z.string().max(64)).max(64),
  repos: z.record(z.string().min(1).max(100), z.number().int().min(0)),
  capped: z.literal(true).optional(),
});
const storedEntry = z.object({
  at: z.string().min(1).max(64),
  repositories: z.number().int().min(0),
  compliantPercent: z.number().min(0).max(100),
  // Unknown keys (a control dropped since) are stripped, not fatal.
  rates: z.object(Object.fromEntries(SUMMARY_CONTROL_IDS.map((id) => [id, rate]))),
  // Absent in entries written before the per-repository record existed (and in every entry but the newest).
  failing: storedFailing.optional(),
});
const storedHistory = z.object({ v: z.literal(1), entries: z.array(storedEntry) });
type StoredEntry = z.output<typeof storedEntry>;

const isSummaryControlId = (id: string): id is SummaryControlId => (SUMMARY_CONTROL_IDS as readonly string[]).includes(id);

/** The repositories of `summary` failing at least one column, first {@link FAILING_LIMIT} by name. */
export function failingOf(summary: OrgSummary): FailingRecord {
  const failing = summary.repositories
    .map((r) => ({ name: r.name, columns: SUMMARY_CONTROL_IDS.filter((id) => r.cells[id].state === "fail") }))
    .filter((r) => r.columns.length > 0)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    repos: Object.fromEntries(failing.slice(0, FAILING_LIMIT).map((r) => [r.name, r.columns])),
    capped: failing.length > FAILING_LIMIT,
  };
}

/** This run as a history entry. */
export function historyEntryOf(summary: OrgSummary): SummaryHistoryEntry {
  const byId = new Map(summary.rates.map((r) => [r.id, r.rate]));
  const rates = Object.fromEntries(SUMMARY_CONTROL_IDS.filter((id) => byId.has(id)).map((id) => [id, byId.get(id) ?? null]));
  return {
    at: summary.generatedAt,
    repositories: summary.repositories.length,
    compliantPercent: summary.compliantPercent,
    rates,
    failing: failingOf(summary),
  };
}

function storeFailing(record: FailingRecord): z.input<typeof storedFailing> {
  const repos = Object.fromEntries(
    Object.entries(record.repos).map(([name, columns]) => [
      name,
      columns.reduce((mask, id) => mask | (1 << SUMMARY_CONTROL_IDS.indexOf(id)), 0),
    ]),
  );
  return { cols: [...SUMMARY_CONTROL_IDS], repos, ...(record.capped ? { capped: true as const } : {}) };
}

function readFailing(stored: NonNullable<StoredEntry["failing"]>): FailingRecord {
  const repos = Object.fromEntries(
    Object.entries(stored.repos).map(([name, mask]) => [
      name,
      // Columns this version no longer knows are dropped; bits past the stored list mean nothing.
      stored.cols.filter((id, bit) => (mask & (1 << bit)) !== 0).filter(isSummaryControlId),
    ]),
  );
  return { repos, capped: stored.capped === true };
}

/** The last {@link HISTORY_LIMIT} entries as a hidden Markdown comment; only the newest keeps its failing repositories. */
export function encodeHistory(entries: SummaryHistoryEntry[]): string {
  const kept = entries.slice(-HISTORY_LIMIT);
  const stored = kept.map(({ failing, ...entry }, i) =>
    i === kept.length - 1 && failing ? { ...entry, failing: storeFailing(failing) } : entry,
  );
  const json = JSON.stringify({ v: 1, entries: stored });
  return `<!-- ${MARKER} ${Buffer.from(json).toString("base64")} -->`;
}

/** The entries an issue body carries; none when the block is missing, corrupt or of another shape (never throws). */
export function decodeHistory(body: string | null | undefined): SummaryHistoryEntry[] {
  const match = body?.match(/<!-- sdlc-guard-summary-history ([A-Za-z0-9+/=]+) -->/);
  if (!match) return [];
  try {
    const parsed = storedHistory.safeParse(JSON.parse(Buffer.from(match[1]!, "base64").toString("utf8")));
    if (!parsed.success) return [];
    return parsed.data.entries
      .slice(-HISTORY_LIMIT)
      .map(({ failing, ...entry }) => (failing ? { ...entry, failing: readFailing(failing) } : entry));
  } catch {
    return [];
  }
}
