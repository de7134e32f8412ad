import type { PolicyRule } from "../config/policy-rules.js";
import type { SdlcGuardConfig } from "../config/schema.js";
import { sameValue } from "../config/policy-floor.js";
import { inlineCode } from "../common/markdown.js";
import { applyPolicyRules, type RuleFacts, type RulesApplied } from "./policy-rules-match.js";
import { concludeControls, type ControlResult } from "./results.js";

// What a change of `rules:` (or `floor.rules`) would do to the other open PRs: which rules change, whose policy changes,
// and whose verdict flips. Pure: the gateway reads the PRs, the pipeline re-judges them.

/** A rule the proposed file adds, removes or changes (by name; `parts`: which of `if`/`controls` changed). */
export interface RuleEdit {
  name: string;
  /** `rules` or `floor.rules`. */
  list: "rules" | "floor.rules";
  edit: "added" | "removed" | "changed";
  parts?: ("if" | "controls")[];
}

type NamedRule = Pick<PolicyRule, "name" | "if" | "controls">;

const rulesOf = (config: SdlcGuardConfig, list: RuleEdit["list"]): NamedRule[] =>
  list === "rules" ? (config.rules as NamedRule[]) : ((config.floor?.rules ?? []) as NamedRule[]);

/** The rules added, removed or changed, by name, in `rules:` then `floor.rules` (a moved rule is not a change). */
export function diffRules(current: SdlcGuardConfig, proposed: SdlcGuardConfig): RuleEdit[] {
  return (["rules", "floor.rules"] as const).flatMap((list) => {
    const before = rulesOf(current, list);
    const after = rulesOf(proposed, list);
    const edits: RuleEdit[] = [];
    for (const rule of after) {
      const old = before.find((r) => r.name === rule.name);
      if (!old) {
        edits.push({ name: rule.name, list, edit: "added" });
        continue;
      }
      const parts = (["if", "controls"] as const).filter((part) => !sameValue(old[part], rule[part]));
      if (parts.length) edits.push({ name: rule.name, list, edit: "changed", parts });
    }
    for (const rule of before) if (!after.some((r) => r.name === rule.name)) edits.push({ name: rule.name, list, edit: "removed" });
    return edits;
  });
}

/** Whether the rules in effect differ (order included: later rules win): only then are open PRs looked at. */
export const rulesDiffer = (current: SdlcGuardConfig, proposed: SdlcGuardConfig): boolean =>
  !sameValue(current.rules, proposed.rules) || !sameValue(current.floor?.rules ?? [], proposed.floor?.rules ?? []);

/** One PR's policy under both files: it shifts when the controls in force, or the rules that cannot be decided, differ. */
export interface PolicyShift {
  current: RulesApplied;
  proposed: RulesApplied;
  shifts: boolean;
}

export function policyShift(current: SdlcGuardConfig, proposed: SdlcGuardConfig, facts: RuleFacts): PolicyShift {
  const now = applyPolicyRules(current, facts);
  const next = applyPolicyRules(proposed, facts);
  const undecided = (applied: RulesApplied) => applied.undecided.map((rule) => [rule.name, rule.controls]);
  const shifts = !sameValue(now.config.controls, next.config.controls) || !sameValue(undecided(now), undecided(next));
  return { current: now, proposed: next, shifts };
}

/** A PR's verdict: its conclusion, and the required controls that fail (or cannot be evaluated). */
export interface Verdict {
  conclusion: ReturnType<typeof concludeControls>;
  failing: string[];
}

export function verdictOf(results: ControlResult[]): Verdict {
  const failing = results.filter((r) => r.enforcement === "required" && (r.outcome === "fail" || r.outcome === "error")).map((r) => r.id);
  return { conclusion: concludeControls(results), failing };
}

/**
 * How the verdict would change, or `undefined` when it would not: "would pass", "would fail: reviews (rule `…`)",
 * "would be pending". Each failing control names the proposed rules that set it (or could not be decided).
 */
export function describeFlip(before: Verdict, after: Verdict, proposed: Pick<RulesApplied, "setBy" | "undecided">): string | undefined {
  if (before.conclusion === after.conclusion && sameValue(before.failing, after.failing)) return undefined;
  if (after.conclusion === "success") return "would pass";
  if (after.conclusion === "pending") return "would be pending";
  const failing = after.failing.map((id) => {
    const rules = [
      ...(proposed.setBy.get(id as never) ?? []).map((rule) => rule.name),
      ...proposed.undecided.filter((rule) => rule.controls.includes(id as never)).map((rule) => `${rule.name} (not decidable)`),
    ];
    return rules.length ? `${id} (${rules.map((name) => `rule ${inlineCode(name)}`).join(", ")})` : id;
  });
  const instead = before.conclusion === "failure" ? ` (today: ${before.failing.join(", ")})` : "";
  return `would fail: ${failing.join(", ")}${instead}`;
}

/** An open PR whose verdict the proposed rules would change. */
export interface VerdictFlip {
  number: number;
  title: string;
  flip: string;
}

/** What the preview found among the repository's open PRs (other than the one proposing the change). */
export type OpenPullRequestsPreview =
  | { status: "unreadable"; reason: string }
  | {
      status: "read";
      /** Open PRs looked at (the most recently updated), and how many are open in all. */
      looked: number;
      total: number;
      flips: VerdictFlip[];
      /** PRs whose policy shifts but that could not be re-judged (their snapshot unreadable), with why. */
      unjudged: { number: number; title: string; why: string }[];
      /** PRs whose policy shifts past the re-judging bound: not re-judged. */
      notRejudged: number;
    };

/** The rules part of a policy-change preview. */
export interface RulesPreview {
  edits: RuleEdit[];
  open: OpenPullRequestsPreview;
}
