import { createHash } from "node:crypto";
import type { OrgSummary } from "../facts/org-summary.js";
import type { Notification } from "../report/notification-messages.js";
import type { SummaryChanges } from "../report/org-summary-changes.js";

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * One message per refresh naming the repositories that newly fail a column of the org summary (null when none does).
 * The occurrence is the comparison (the organisation, the run compared with, and every repository and column found
 * newly failing): a refresh redone against the same earlier run finds the same occurrence and sends nothing new.
 */
export function summaryNotification(
  summary: OrgSummary,
  changes: SummaryChanges,
  issue: { repository: string; number: number } | undefined,
): Notification | null {
  const { newlyFailing, fixed } = changes;
  if (newlyFailing.length === 0) return null;
  const occurrences = newlyFailing.flatMap((r) => r.columns.map((c) => `${r.repository}\0${c.id}`)).sort();
  const digest = createHash("sha256").update(occurrences.join("\n")).digest("hex").slice(0, 16);
  const fixedText = fixed.map((r) => `${r.repository} (${r.columns.join(", ")})`).join("; ");
  return {
    event: "summary-newly-failing",
    key: `summary-newly-failing:${summary.org}:${changes.since}:${digest}`,
    repository: summary.org,
    title: `${plural(newlyFailing.length, "repository", "repositories")} of ${summary.org} newly failing the policy`,
    severity: "violation",
    facts: [
      {
        name: "Newly failing",
        value: `${plural(newlyFailing.length, "repository", "repositories")}, ${plural(occurrences.length, "control", "controls")}`,
      },
      {
        name: "Fully compliant",
        value: `${summary.compliantPercent}% of ${plural(summary.repositories.length, "repository", "repositories")} (was ${changes.compliantBefore}%)`,
      },
      { name: "Compared with", value: `the run of ${changes.since}` },
      ...(fixed.length ? [{ name: "Fixed since", value: fixedText }] : []),
    ],
    list: {
      title: "Repositories newly failing",
      items: newlyFailing.map((r) => ({ name: r.repository, value: r.columns.map((c) => `${c.id}: ${c.detail}`).join("; ") })),
      more: 0,
    },
    ...(issue ? { url: `${summary.webUrl}/${summary.org}/${issue.repository}/issues/${issue.number}` } : {}),
    at: summary.generatedAt,
  };
}
