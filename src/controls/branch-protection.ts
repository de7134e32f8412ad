import { z } from "zod";
import { enforcementSchema } from "../config/schema-parts.js";
import { pullRequestControl } from "./control.js";
import { inlineCode } from "../common/markdown.js";
import { judgeBypass, judgeGuardRequired } from "./branch-bypass.js";
import { cannotEvaluate, fail, pass, type Finding } from "./finding.js";
import { type ClassicProtection, type PullRequestFacts, type RulesetRule } from "../facts/pull-request.js";
import { PULL_REQUEST_CHANGES } from "./trigger.js";

export interface EffectiveProtection {
  requiredApprovals: number;
  forcePushBlocked: boolean;
  deletionBlocked: boolean;
  dismissesStaleReviews: boolean;
  requiredChecks: string[];
  /** Whether administrators are held to the classic rule; `undefined` without one (ruleset bypass lists are not read). */
  adminsIncluded: boolean | undefined;
  sources: string[];
}

/** Classic protection and every applicable ruleset all apply at once: the strictest setting of each wins. */
export function combineProtection(classic: ClassicProtection | null, rules: RulesetRule[]): EffectiveProtection {
  const effective: EffectiveProtection = {
    requiredApprovals: 0,
    forcePushBlocked: false,
    deletionBlocked: false,
    dismissesStaleReviews: false,
    requiredChecks: [],
    adminsIncluded: undefined,
    sources: [],
  };
  if (classic) {
    effective.sources.push(`classic rule ${inlineCode(classic.pattern)}`);
    if (classic.requiresApprovingReviews) effective.requiredApprovals = classic.requiredApprovingReviewCount;
    effective.forcePushBlocked = !classic.allowsForcePushes;
    effective.deletionBlocked = !classic.allowsDeletions;
    effective.dismissesStaleReviews = classic.dismissesStaleReviews;
    effective.requiredChecks.push(...classic.requiredStatusCheckContexts);
    effective.adminsIncluded = classic.isAdminEnforced;
  }
  for (const rule of rules) {
    const source = `ruleset ${inlineCode(rule.rulesetSource)}`;
    if (!effective.sources.includes(source)) effective.sources.push(source);
    if (rule.type === "pull_request") {
      effective.requiredApprovals = Math.max(effective.requiredApprovals, rule.requiredApprovingReviewCount ?? 0);
      effective.dismissesStaleReviews ||= rule.dismissesStaleReviews ?? false;
    }
    if (rule.type === "non_fast_forward") effective.forcePushBlocked = true;
    if (rule.type === "deletion") effective.deletionBlocked = true;
    if (rule.type === "required_status_checks") effective.requiredChecks.push(...(rule.requiredStatusChecks ?? []));
  }
  return effective;
}

export function evaluateBranchProtection(snapshot: PullRequestFacts, config: BranchProtectionSettings): Finding {
  if (!snapshot.classicProtection.ok) return cannotEvaluate("the base branch's classic protection", snapshot.classicProtection.error);
  if (!snapshot.rulesetRules.ok) return cannotEvaluate("the rulesets of the base branch", snapshot.rulesetRules.error);
  return judgeBranchProtection("Base branch", snapshot.baseRefName, snapshot.classicProtection.value, snapshot.rulesetRules.value, config);
}

/**
 * Whether `branchName` is protected as the policy wants (a PR with `minApprovals`, no force push, no deletion) by its
 * classic rule and rulesets, with `sdlc-guard` a required check of this app and no bypass but the allowed ones;
 * `what` names the branch in the reason ("Base branch", "Default branch").
 */
export function judgeBranchProtection(
  what: string,
  branchName: string,
  classic: ClassicProtection | null,
  rules: RulesetRule[],
  config: BranchProtectionSettings,
): Finding {
  const minApprovals = config.min_approvals;
  const branch = inlineCode(branchName);
  const effective = combineProtection(classic, rules);
  if (effective.sources.length === 0) {
    return fail(
      `${what} ${branch} is not protected (no branch protection rule, no ruleset).`,
      `Protect ${branch} with a ruleset (or classic rule) that requires a pull request with ${minApprovals} approvals and blocks force pushes and deletion.`,
    );
  }
  const gaps: string[] = [];
  if (effective.requiredApprovals < minApprovals) {
    gaps.push(`requires ${effective.requiredApprovals} approval(s), policy needs ${minApprovals}`);
  }
  if (!effective.forcePushBlocked) gaps.push("allows force pushes");
  if (!effective.deletionBlocked) gaps.push("allows deletion");
  const fixes = gaps.length
    ? [`Edit the protection of ${branch}: require a pull request with ${minApprovals} approvals, block force pushes and block deletion.`]
    : [];
  const guard = judgeGuardRequired(classic, rules);
  const bypass = judgeBypass(classic, rules, config);
  const allGaps = [...(gaps.length ? [gaps.join(", ")] : []), ...guard.gaps, ...bypass.gaps];
  fixes.push(...guard.fixes, ...bypass.fixes);
  const notes = [...strictnessNotes(effective), ...guard.notes, ...bypass.notes];
  const by = `by ${effective.sources.join(" and ")}`;
  if (allGaps.length) return fail(`${what} ${branch} is protected ${by} but ${allGaps.join("; ")}.`, fixes.join(" "), notes);
  return pass(`${what} ${branch} is protected ${by}: ${effective.requiredApprovals} approvals, force pushes and deletion blocked.`, notes);
}

function strictnessNotes(effective: EffectiveProtection): string[] {
  return [
    `stale reviews ${effective.dismissesStaleReviews ? "are" : "are not"} dismissed on push`,
    ...(effective.adminsIncluded === undefined ? [] : [`administrators ${effective.adminsIncluded ? "are" : "are not"} included`]),
  ];
}

const settings = z
  .strictObject({
    enforcement: enforcementSchema.default("required"),
    min_approvals: z
      .number()
      .int()
      .min(1)
      .max(10)
      .default(2)
      .describe("Approvals the base branch's protection (classic or rulesets) must require."),
    allowed_bypass: z
      .array(z.string().trim().min(1).max(140))
      .max(50)
      .default([])
      .describe(
        "Who may bypass the branch's rules (break-glass): teams as org/team-slug, apps by slug, users by login, role:<repository role>, organization-admin, enterprise-owner, deploy-keys, repository-admins (a classic rule that does not include administrators). Any other bypass actor fails the control. Default: none.",
      ),
    unreadable_bypass: z
      .enum(["fail", "note"])
      .default("fail")
      .describe(
        "A bypass list GitHub does not show the app (a ruleset's bypass list is shown only to who may edit the ruleset): fail (default), or note it as unknown.",
      ),
  })
  .describe(
    "`branch-protection`: the PR's base branch requires reviewed PRs, blocks force pushes and deletion, requires the `sdlc-guard` check of this app, and lets no one but the allowed actors bypass it.",
  );

export type BranchProtectionSettings = z.output<typeof settings>;

export const branchProtectionControl = pullRequestControl({
  id: "branch-protection",
  family: "pull-request",
  settings,
  floor: { min_approvals: "max", allowed_bypass: "within", unreadable_bypass: "fixed" },
  facts: {},
  triggers: [...PULL_REQUEST_CHANGES, "branch_protection_rule", "repository_ruleset"],
  evaluate: ({ snapshot }, settings) => evaluateBranchProtection(snapshot, settings),
});
