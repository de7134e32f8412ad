import type { PolicyChange, PolicyKeyChange } from "../config/policy-diff.js";
import { inlineCode } from "../common/markdown.js";
import { plainText } from "../common/plain-text.js";
import { clampKeepingResults, resultsBlock, withoutResults } from "./check-run-state.js";
import { configErrorTable, type CheckRunReport } from "./check-run-output.js";
import { rulesPreviewLines } from "./rules-preview-output.js";
import type { RulesPreview } from "../controls/rules-change-preview.js";

/** At most this many changed keys are listed (a file rewritten whole must not crowd out the control rows). */
const MAX_LISTED = 50;
const RULE_KEYS = new Set(["rules", "floor.rules"]);

/**
 * The check run of a PR that changes a policy file, with a "Policy change" section: what merging it would change (the
 * PR itself is evaluated against the default branch's policy). An invalid or unreadable proposed policy fails the run.
 */
export function withPolicyChange(report: CheckRunReport, change: PolicyChange, rules?: RulesPreview): CheckRunReport {
  // With the rules named one by one below, the `rules` lists are not repeated whole (as JSON) among the changed keys.
  const shown = rules && change.status === "valid" ? { ...change, changes: change.changes.filter((c) => !RULE_KEYS.has(c.key)) } : change;
  const section = [
    ...policyChangeSection(shown, rules !== undefined),
    ...(rules && change.status === "valid" ? rulesPreviewLines(rules, change.orgWide !== undefined) : []),
  ];
  const summary = `${withoutResults(report.output.summary)}\n\n${section.join("\n")}`;
  const block = resultsBlock(report.output.summary);
  const output = { title: report.output.title, summary: clampKeepingResults(block ? `${summary}\n\n${block}` : summary) };
  if (change.status === "valid") return { conclusion: report.conclusion, output };
  const why = change.status === "invalid" ? `Invalid policy proposed (${change.file})` : "Policy change not checked";
  return { conclusion: "failure", output: { ...output, title: `${why}: ${report.output.title}` } };
}

function policyChangeSection(change: PolicyChange, rulesChange = false): string[] {
  const verb = change.deleted ? "deletes" : "changes";
  const scope = change.orgWide
    ? `, the org file: it applies to every repository of ${inlineCode(change.orgWide.org)}, and its \`floor\` binds them all`
    : "";
  const opening = `**Policy change**: this pull request ${verb} ${inlineCode(change.file)}${scope}.`;
  if (change.status === "unreadable") {
    return [`${opening} It could not be checked: ${plainText(change.reason)}. Re-run this check once GitHub answers.`];
  }
  const affected = change.orgWide ? `every repository of ${inlineCode(change.orgWide.org)}` : "this repository";
  if (change.status === "invalid") {
    return [
      `${opening} The proposed policy is **invalid**: merged, it would leave ${affected} with a configuration error. Fix it before merging:`,
      "",
      ...configErrorTable(change.error),
    ];
  }
  const applied = "It is not applied to this pull request, which is evaluated against the policy of the default branch.";
  const fixes = change.currentInvalid ? " The proposed policy is valid (the one on the default branch is not)." : "";
  const listed = change.changes.slice(0, MAX_LISTED).map(describeChange);
  const more = change.changes.length > MAX_LISTED ? [`- … and ${change.changes.length - MAX_LISTED} more keys`] : [];
  const { from, to } = change.sources;
  const files = from.join() === to.join() ? [] : [`- policy files: ${sourcesText(from)} → ${sourcesText(to)}`];
  const lines = [...files, ...listed, ...more];
  return [
    `${opening} ${applied}${fixes} Merged, it would change ${lines.length || rulesChange ? `the policy of ${affected}:` : "no effective value of the policy."}`,
    ...(lines.length ? ["", ...lines] : []),
  ];
}

/** `controls.reviews.min_approvals` `3` → `1`: below the org floor, held at `2` */
function describeChange({ key, from, to, heldAt }: PolicyKeyChange): string {
  const held = heldAt === undefined ? "" : `: below the org floor, held at ${inlineCode(heldAt)}`;
  return `- ${inlineCode(key)} ${inlineCode(from)} → ${inlineCode(to)}${held}`;
}

const sourcesText = (sources: string[]): string =>
  sources.length ? sources.map((s) => inlineCode(s)).join(" ← ") : "the built-in POL-008 defaults";
