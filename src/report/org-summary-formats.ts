import { spreadsheetSafe } from "./spreadsheet-safe.js";
import { stringify } from "csv-stringify/sync";
import { SUMMARY_CONTROL_IDS, type OrgSummary, type SummaryCell } from "../facts/org-summary.js";

// Machine-readable exports of the summary, for auditors' evidence folders and spreadsheets.

const order = (id: string) => SUMMARY_CONTROL_IDS.indexOf(id as (typeof SUMMARY_CONTROL_IDS)[number]);
const cellJson = (c: SummaryCell) => ({ state: c.state, detail: c.detail, ...(c.fix ? { fix: c.fix } : {}) });

/**
 * The summary as pretty JSON (two-space indent, trailing newline). The shape is stable: version 1, fields only ever
 * added, keys always in this order, controls in SUMMARY_CONTROL_IDS order:
 *
 *   { "version": 1,
 *     "org": "acme", "webUrl": "https://github.com", "generatedAt": ISO 8601, "period": { "since", "until" },
 *     "totals": { "active", "archived", "compliant" },              // repository counts
 *     "compliantPercent": 0..100,                                     // share of active repositories fully compliant
 *     "twoFactor": { "state", "detail", "fix"? },                     // the organisation's two-factor requirement
 *     "rates": [{ "id", "passed", "judged", "rate" }],                // rate: 0..100 or null (nothing judged)
 *     "repositories": [{ "name", "url", "compliant", "failing", "unknown",
 *                        "cells": { "<control id>": { "state", "detail", "fix"? } } }],   // active ones, worst first
 *     "archived": [{ "name", "url" }],                                // not judged
 *     "history": [{ "at", "repositories", "compliantPercent", "rates" }],  // earlier runs, oldest first
 *     "requests": number, "durationMs": number }                      // GitHub requests and wall time of the collection
 *
 * state is one of "pass", "fail", "unknown" (GitHub would not give the fact; detail says why) and "n/a".
 */
export function summaryAsJson(summary: OrgSummary): string {
  const json = {
    version: 1,
    org: summary.org,
    webUrl: summary.webUrl,
    generatedAt: summary.generatedAt,
    period: { since: summary.period.since, until: summary.period.until },
    totals: {
      active: summary.repositories.length,
      archived: summary.archived.length,
      compliant: summary.repositories.filter((r) => r.compliant).length,
    },
    compliantPercent: summary.compliantPercent,
    twoFactor: cellJson(summary.twoFactor),
    rates: [...summary.rates]
      .sort((a, b) => order(a.id) - order(b.id))
      .map((r) => ({ id: r.id, passed: r.passed, judged: r.judged, rate: r.rate })),
    repositories: summary.repositories.map((r) => ({
      name: r.name,
      url: r.url,
      compliant: r.compliant,
      failing: r.failing,
      unknown: r.unknown,
      cells: Object.fromEntries(SUMMARY_CONTROL_IDS.map((id) => [id, cellJson(r.cells[id])])),
    })),
    archived: summary.archived.map((a) => ({ name: a.name, url: a.url })),
    history: summary.history.map((h) => ({
      at: h.at,
      repositories: h.repositories,
      compliantPercent: h.compliantPercent,
      rates: Object.fromEntries(SUMMARY_CONTROL_IDS.filter((id) => id in h.rates).map((id) => [id, h.rates[id] ?? null])),
    })),
    requests: summary.requests,
    durationMs: summary.durationMs,
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

const inert = (text: string): string => spreadsheetSafe(text);
const yesNo = (value: boolean) => (value ? "yes" : "no");

/** CSV columns: repository, url, archived, compliant, then `<id>` and `<id> detail` for each summary control. */
export const SUMMARY_CSV_COLUMNS = [
  "repository",
  "url",
  "archived",
  "compliant",
  ...SUMMARY_CONTROL_IDS.flatMap((id) => [id, `${id} detail`]),
];

/**
 * The summary as CSV (RFC 4180, header row, `\n` line ends): one row per repository, active ones worst first, then the
 * archived ones (archived "yes", not judged: compliant and the control columns empty). Booleans are "yes"/"no";
 * control columns hold pass, fail, unknown or n/a.
 */
export function summaryAsCsv(summary: OrgSummary): string {
  const active = summary.repositories.map((r) => [
    inert(r.name),
    r.url,
    yesNo(false),
    yesNo(r.compliant),
    ...SUMMARY_CONTROL_IDS.flatMap((id) => [r.cells[id].state, inert(r.cells[id].detail)]),
  ]);
  const archived = summary.archived.map((a) => [inert(a.name), a.url, yesNo(true), "", ...SUMMARY_CONTROL_IDS.flatMap(() => ["", ""])]);
  return stringify([...active, ...archived], { header: true, columns: SUMMARY_CSV_COLUMNS });
}
