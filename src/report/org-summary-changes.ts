import { SUMMARY_CONTROL_IDS, type OrgSummary, type SummaryControlId, type SummaryHistoryEntry } from "../facts/org-summary.js";

// What changed since the previous run of the org summary, per repository and column: the repositories that newly fail
// (notified) and those fixed since. Pure: the two runs in, the differences out.

export interface NewlyFailing {
  repository: string;
  url: string;
  /** Columns it fails now and did not fail in the previous run (it passed, was unknown or n/a, or is new). */
  columns: { id: SummaryControlId; detail: string }[];
}

export interface SummaryChanges {
  /** When the run compared with was made (part of the occurrence: the same comparison is one occurrence). */
  since: string;
  compliantBefore: number;
  /** By repository name. */
  newlyFailing: NewlyFailing[];
  /** Repositories that failed columns in the previous run and pass (or are n/a) in them now. */
  fixed: { repository: string; columns: SummaryControlId[] }[];
}

/**
 * The changes since `previous` (the newest earlier run), or null when it kept no per-repository record (the first
 * run, or an issue written before the record existed): nothing to compare with, nothing is reported.
 */
export function summaryChanges(previous: SummaryHistoryEntry | undefined, summary: OrgSummary): SummaryChanges | null {
  const before = previous?.failing;
  if (!previous || !before) return null;
  const newlyFailing: NewlyFailing[] = [];
  const fixed: SummaryChanges["fixed"] = [];
  const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  for (const repo of [...summary.repositories].sort(byName)) {
    const earlier = before.repos[repo.name];
    // Beyond the record's cap, a repository's earlier state is not known: it is not reported as newly failing.
    if (!earlier && before.capped) continue;
    const columns = SUMMARY_CONTROL_IDS.filter((id) => repo.cells[id].state === "fail" && !earlier?.includes(id)).map((id) => ({
      id,
      detail: repo.cells[id].detail,
    }));
    if (columns.length) newlyFailing.push({ repository: repo.name, url: repo.url, columns });
    const nowFixed = (earlier ?? []).filter((id) => repo.cells[id].state === "pass" || repo.cells[id].state === "n/a");
    if (nowFixed.length) fixed.push({ repository: repo.name, columns: nowFixed });
  }
  return { since: previous.at, compliantBefore: previous.compliantPercent, newlyFailing, fixed };
}
