import { spreadsheetSafe } from "./spreadsheet-safe.js";
import { stringify } from "csv-stringify/sync";
import type { EvidenceExport } from "./evidence-types.js";

// The auditor's evidence export as files for an evidence folder: JSON for tools, CSV for spreadsheets.

/**
 * The export as pretty JSON (two-space indent, trailing newline). The shape is stable: version 1, fields only ever
 * added, keys always in this order; times ISO 8601 UTC; lists sorted by time, then repository:
 *
 *   { "version": 1,
 *     "org": "acme", "repository"?: "payments",                    // repository: only when limited to one (--repo)
 *     "period": { "since", "until" },                              // [since, until)
 *     "generatedAt": ISO 8601,
 *     "pullRequests": [{ "repository", "number", "title", "url", "author",        // author null: a deleted account
 *                        "mergedAt", "mergeCommit", "baseBranch", "headBranch", "headCommit",
 *                        "approvers": [{ "login", "approvedAt", "commit" }],      // each reviewer's latest approval
 *                        "jiraKeys": ["PAY-12"],
 *                        "conclusion",                             // our sdlc-guard run on headCommit: success, failure,
 *                                                                  // ..., pending, none (no run), unknown (see unreadable)
 *                        "controls": [{ "id", "enforcement", "outcome" }],        // outcome: pass fail error pending waived
 *                        "waivers": [{ "control", "by", "at", "expiresAt"?, "justification", "url" }], // expiresAt: when it ends by itself
 *                        "mergedBy",                               // null: GitHub does not say
 *                        "mergeVerdict" }],                        // merged-unverified: verified, unverified, unknown
 *     "pushes": [{ "repository", "kind", "control", "at", "issueUrl", "summary" }],  // kind: direct | forced
 *     "releases": [{ "repository", "tag", "name", "publishedAt", "prerelease", "url" }],
 *     "unreadable": [{ "what", "why" }] }                          // what could not be read: the export is incomplete there
 */
export function evidenceAsJson(evidence: EvidenceExport): string {
  const json = {
    version: 1,
    org: evidence.org,
    ...(evidence.repository ? { repository: evidence.repository } : {}),
    period: { since: evidence.period.since, until: evidence.period.until },
    generatedAt: evidence.generatedAt,
    pullRequests: evidence.pullRequests.map((p) => ({
      repository: p.repository,
      number: p.number,
      title: p.title,
      url: p.url,
      author: p.author,
      mergedAt: p.mergedAt,
      mergeCommit: p.mergeCommit,
      baseBranch: p.baseBranch,
      headBranch: p.headBranch,
      headCommit: p.headCommit,
      approvers: p.approvers.map((a) => ({ login: a.login, approvedAt: a.approvedAt, commit: a.commit })),
      jiraKeys: p.jiraKeys,
      conclusion: p.conclusion,
      controls: p.controls.map((c) => ({ id: c.id, enforcement: c.enforcement, outcome: c.outcome })),
      waivers: p.waivers.map((w) => ({
        control: w.control,
        by: w.by,
        at: w.at,
        ...(w.expiresAt ? { expiresAt: w.expiresAt } : {}),
        justification: w.justification,
        url: w.url,
      })),
      mergedBy: p.mergedBy,
      mergeVerdict: p.mergeVerdict,
    })),
    pushes: evidence.pushes.map((p) => ({
      repository: p.repository,
      kind: p.kind,
      control: p.control,
      at: p.at,
      issueUrl: p.issueUrl,
      summary: p.summary,
    })),
    releases: evidence.releases.map((r) => ({
      repository: r.repository,
      tag: r.tag,
      name: r.name,
      publishedAt: r.publishedAt,
      prerelease: r.prerelease,
      url: r.url,
    })),
    unreadable: evidence.unreadable.map((u) => ({ what: u.what, why: u.why })),
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

/** The CSV columns: every record's, in this order (a record leaves the others empty). */
export const EVIDENCE_CSV_COLUMNS = [
  "record",
  "repository",
  "number",
  "title",
  "author",
  "merged_at",
  "merge_commit",
  "base_branch",
  "head_commit",
  "approvers",
  "jira_keys",
  "conclusion",
  "controls",
  "waivers",
  "control",
  "at",
  "tag",
  "name",
  "published_at",
  "prerelease",
  "summary",
  "url",
  "what",
  "why",
  "merged_by",
  "merge_verdict",
] as const;
type Row = Partial<Record<(typeof EVIDENCE_CSV_COLUMNS)[number], string | number>>;

const inert = (value: string | number | undefined): string | number => spreadsheetSafe(value) ?? "";

/**
 * The export as CSV (RFC 4180, header row `EVIDENCE_CSV_COLUMNS`, `\n` line ends): one row per record, its kind in
 * `record` (`pull_request`, `direct_push`, `forced_push`, `release`, `unreadable`), in that order. Lists are joined by
 * `; `: approvers as `login (time, commit)`, controls as `id=outcome`, waivers as `control by login at time until expiry: why`,
 * Jira keys as they are. `prerelease` is yes/no; `url` is the PR's, the violation issue's or the release's.
 */
export function evidenceAsCsv(evidence: EvidenceExport): string {
  const rows: Row[] = [
    ...evidence.pullRequests.map((p): Row => ({
      record: "pull_request",
      repository: p.repository,
      number: p.number,
      title: p.title,
      author: p.author ?? "",
      merged_at: p.mergedAt,
      merge_commit: p.mergeCommit ?? "",
      base_branch: p.baseBranch,
      head_commit: p.headCommit,
      approvers: p.approvers.map((a) => `${a.login} (${a.approvedAt ?? "unknown time"}, ${a.commit ?? "unknown commit"})`).join("; "),
      jira_keys: p.jiraKeys.join("; "),
      conclusion: p.conclusion,
      controls: p.controls.map((c) => `${c.id}=${c.outcome}`).join("; "),
      waivers: p.waivers
        .map((w) => `${w.control} by ${w.by} at ${w.at}${w.expiresAt ? ` until ${w.expiresAt}` : ""}: ${w.justification}`)
        .join("; "),
      url: p.url,
      merged_by: p.mergedBy ?? "",
      merge_verdict: p.mergeVerdict,
    })),
    ...evidence.pushes.map((p): Row => ({
      record: p.kind === "direct" ? "direct_push" : "forced_push",
      repository: p.repository,
      control: p.control,
      at: p.at,
      summary: p.summary,
      url: p.issueUrl,
    })),
    ...evidence.releases.map((r): Row => ({
      record: "release",
      repository: r.repository,
      tag: r.tag,
      name: r.name ?? "",
      published_at: r.publishedAt,
      prerelease: r.prerelease ? "yes" : "no",
      url: r.url,
    })),
    ...evidence.unreadable.map((u): Row => ({ record: "unreadable", what: u.what, why: u.why })),
  ];
  return stringify(
    rows.map((row) => EVIDENCE_CSV_COLUMNS.map((column) => inert(row[column]))),
    { header: true, columns: [...EVIDENCE_CSV_COLUMNS] },
  );
}
