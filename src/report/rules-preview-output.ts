import type { RuleEdit, RulesPreview } from "../controls/rules-change-preview.js";
import { inlineCode } from "../common/markdown.js";
import { plainText } from "../common/plain-text.js";

/**
 * The rules part of the "Policy change" section: each rule added, removed or changed, then the other open PRs whose
 * verdict the change would flip. An unread list says so: it never reads as "no PR flips".
 */
export function rulesPreviewLines(preview: RulesPreview, orgWide = false): string[] {
  // The org file binds every repository of the org: only this repository's open PRs are looked at, and it says so.
  const only = orgWide ? " Only the open pull requests of this repository are looked at, not those of the org's other repositories." : "";
  const lines = ["", `**Rules changed**: ${preview.edits.map(describeEdit).join("; ")}.${only}`];
  const { open } = preview;
  if (open.status === "unreadable") {
    return [
      ...lines,
      `The open pull requests could not be read (${plainText(open.reason)}): which verdicts this change would flip is **not known**. Re-run this check once GitHub answers.`,
    ];
  }
  const scope =
    open.total > open.looked
      ? `the ${open.looked} most recently updated of the ${open.total} other open pull requests (the ${open.total - open.looked} others were not looked at)`
      : `the ${open.looked} other open pull request${open.looked === 1 ? "" : "s"}`;
  const listed = [
    ...open.flips.map((pr) => `- #${pr.number} ${inlineCode(pr.title)} ${pr.flip}`),
    ...open.unjudged.map(
      (pr) => `- #${pr.number} ${inlineCode(pr.title)} could not be re-judged (${plainText(pr.why)}): its verdict is not known`,
    ),
    ...(open.notRejudged ? [`- … and ${open.notRejudged} more PRs match different rules: not re-judged`] : []),
  ];
  if (!listed.length) return [...lines, `Merged, it would flip the verdict of none of ${scope}.`];
  return [...lines, `Merged, it would change the verdict of these among ${scope}:`, "", ...listed];
}

function describeEdit(edit: RuleEdit): string {
  const what = `${edit.list === "rules" ? "rule" : "floor rule"} ${inlineCode(edit.name)}`;
  if (edit.edit !== "changed") return `${what} ${edit.edit}`;
  return `${what} changed (${(edit.parts ?? []).map((part) => inlineCode(part)).join(", ")})`;
}
