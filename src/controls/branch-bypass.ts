import { inlineCode } from "../common/markdown.js";
import { CHECK_NAME as GUARD_CHECK } from "../common/product.js";
import type { BypassActor, ClassicProtection, GuardCheckSource, RulesetRule } from "../facts/pull-request.js";

export interface BypassPolicy {
  /** Actor names (lower-case compare) that may bypass: the break-glass teams and apps. */
  allowed_bypass: string[];
  /** A bypass list GitHub hides from the app: `fail` (default) or `note` (reported as unknown). */
  unreadable_bypass: "fail" | "note";
}

export interface GuardJudgement {
  gaps: string[];
  fixes: string[];
  notes: string[];
}

/** Whether `sdlc-guard` is a required status check of the branch, pinned to this app. */
export function judgeGuardRequired(classic: ClassicProtection | null, rules: RulesetRule[]): GuardJudgement {
  const sources: GuardCheckSource[] = [];
  // A fact read without sources (older snapshots): the check is named but who may set it is unknown.
  if (classic)
    sources.push(
      ...(classic.guardCheckSources ?? (classic.requiredStatusCheckContexts.includes(GUARD_CHECK) ? ["unknown-app" as const] : [])),
    );
  for (const rule of rules) {
    if (rule.type !== "required_status_checks") continue;
    sources.push(...(rule.guardCheckSources ?? (rule.requiredStatusChecks?.includes(GUARD_CHECK) ? ["unknown-app" as const] : [])));
  }
  const pin = `pin it to the sdlc-guard app (ruleset: the app as the check's source; classic rule: the app as the expected source)`;
  if (sources.includes("this-app")) return { gaps: [], fixes: [], notes: ["`sdlc-guard` is a required status check, from this app only"] };
  if (sources.includes("unknown-app")) {
    return {
      gaps: [],
      fixes: [],
      notes: ["`sdlc-guard` is a required status check; which app must set it was not verified (no app id known to this evaluation)"],
    };
  }
  if (sources.includes("any-source")) {
    return {
      gaps: ["requires `sdlc-guard` from any source (anyone who can set a commit status named `sdlc-guard` satisfies it)"],
      fixes: [`In the required status checks of the branch, ${pin}.`],
      notes: [],
    };
  }
  if (sources.includes("other-app")) {
    return {
      gaps: ["requires `sdlc-guard` from another app, not this one"],
      fixes: [`In the required status checks of the branch, ${pin}.`],
      notes: [],
    };
  }
  return {
    gaps: ["does not require `sdlc-guard` as a status check (a failing check would not block the merge)"],
    fixes: [`Add \`sdlc-guard\` to the branch's required status checks and ${pin}.`],
    notes: [],
  };
}

/** Who may bypass the branch's rules: classic allowances, administrators not included, ruleset bypass actors. */
export function judgeBypass(classic: ClassicProtection | null, rules: RulesetRule[], policy: BypassPolicy): GuardJudgement {
  const actors: BypassActor[] = [];
  const unreadable: string[] = [];
  if (classic) {
    const rule = `classic rule ${inlineCode(classic.pattern)}`;
    if (!classic.isAdminEnforced) actors.push({ name: "repository-admins", via: `${rule} (administrators not included)` });
    const bypass = classic.bypass;
    if (bypass?.pullRequest) actors.push(...bypass.pullRequest);
    else unreadable.push(`the pull-request bypass allowances of ${rule}`);
    if (bypass?.forcePush) actors.push(...bypass.forcePush);
    else unreadable.push(`the force-push bypass allowances of ${rule}`);
  }
  const seen = new Set<string>();
  for (const rule of rules) {
    const bypass = rule.bypass;
    if (!bypass) {
      const unnamed = `the bypass list of a ruleset of ${inlineCode(rule.rulesetSource)} (GitHub did not name the ruleset)`;
      if (!unreadable.includes(unnamed)) unreadable.push(unnamed);
      continue;
    }
    if (seen.has(bypass.rulesetId)) continue;
    seen.add(bypass.rulesetId);
    if (bypass.actors) actors.push(...bypass.actors);
    else
      unreadable.push(
        `the bypass list of ruleset ${inlineCode(bypass.rulesetName)} of ${inlineCode(rule.rulesetSource)} (${bypass.hiddenBecause ?? "GitHub did not show it"})`,
      );
  }
  const allowed = new Set(policy.allowed_bypass.map((name) => name.toLowerCase()));
  const denied = actors.filter((a) => !allowed.has(a.name.toLowerCase()));
  const permitted = actors.filter((a) => allowed.has(a.name.toLowerCase()));
  const list = (some: BypassActor[]) => some.map((a) => `${inlineCode(a.name)} via ${a.via}`).join(", ");
  const result: GuardJudgement = { gaps: [], fixes: [], notes: [] };
  if (denied.length) {
    result.gaps.push(`can be bypassed by ${list(denied)}`);
    result.fixes.push(
      "Remove these bypass actors (include administrators in a classic rule), or list the break-glass teams and apps that may bypass in `controls.branch-protection.allowed_bypass`.",
    );
  }
  if (permitted.length) result.notes.push(`may be bypassed by ${list(permitted)} (allowed by \`allowed_bypass\`)`);
  if (unreadable.length) {
    const why = `who may bypass is unknown: could not read ${unreadable.join("; ")}`;
    if (policy.unreadable_bypass === "fail") {
      result.gaps.push(why);
      result.fixes.push(
        "Let the app read the bypass lists (GitHub shows a ruleset's bypass list only to who may edit the ruleset), or set `controls.branch-protection.unreadable_bypass: note` to report it as unknown.",
      );
    } else result.notes.push(why);
  }
  if (!actors.length && !unreadable.length) result.notes.push("no one may bypass the rules");
  return result;
}
