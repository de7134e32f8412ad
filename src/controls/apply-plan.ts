import { CHECK_NAME } from "../common/product.js";
import type { SdlcGuardConfig } from "../config/schema.js";
import type { Fetched } from "../facts/fetched.js";
import type { RepositoryFacts } from "../facts/org-summary.js";
import type { RulesetRule } from "../facts/pull-request.js";
import { planRepositoryFiles, type FilesOptions, type OpenFilesPullRequest, type RepositoryFilesChange } from "./apply-files.js";
import { judgeBranchProtection } from "./branch-protection.js";
import { effectiveConfigOf } from "./org-summary-policy.js";

// `sdlc-guard apply`: from the org's facts and effective policy to what an administrator can set so that the
// `branch-protection`, `secret-scanning` and `push-protection` columns pass, and the CODEOWNERS and SECURITY.md of the
// `repository-files` column (by pull request). Pure: the gateway reads and writes.

/** What `apply` can bring into line: summary columns, and the two files of `repository-files` (`codeowners`, `security-policy`). */
export const APPLY_CONTROLS = ["branch-protection", "secret-scanning", "push-protection", "codeowners", "security-policy"] as const;
export type ApplyControl = (typeof APPLY_CONTROLS)[number];

/** `holds`: nothing to do; `change`: a planned change sets it; `cannot`: not with these credentials or not by `apply` (why in `detail`). */
export type PlanState = "holds" | "change" | "cannot";

export interface PlanItem {
  control: ApplyControl;
  state: PlanState;
  detail: string;
  /** The change (`changes[].id`) that makes it hold. */
  change?: string;
}

export interface RepositoryPlan {
  name: string;
  items: PlanItem[];
}

/** An organisation ruleset that protects the default branches of `repositories` (created, or updated to include them). */
export interface RulesetChange {
  id: string;
  kind: "org-ruleset";
  name: string;
  /** Set: the ruleset exists (same name) and is updated to include `repositories` as well as those it already has. */
  rulesetId: number | null;
  approvals: number;
  appId: number;
  /** The repositories it must target (names; existing ones included when updating). */
  repositories: string[];
  /** The repositories this change brings into line. */
  fixes: string[];
}

/** Secret scanning and push protection turned on for one repository. */
export interface SecuritySettingsChange {
  id: string;
  kind: "security-settings";
  repository: string;
  secretScanning: boolean;
  pushProtection: boolean;
}

export type PlannedChange = RulesetChange | SecuritySettingsChange | RepositoryFilesChange;

/** An organisation ruleset `apply` may extend: one of ours by name, with the repositories it targets. */
export interface ExistingRuleset {
  id: number;
  name: string;
  /** Repository names its `repository_name` condition includes (null: it targets something else, leave it alone). */
  repositories: string[] | null;
}

export interface ApplyInput {
  org: string;
  /** The organisation's policy (its `.github` repository's config, floor included). */
  orgConfig: SdlcGuardConfig;
  /** The selected repositories (active ones only). */
  repositories: RepositoryFacts[];
  /** Our app's id: the required `sdlc-guard` check is pinned to it; undefined: no ruleset can be planned. */
  appId: number | undefined;
  /** The org's rulesets named as ours (read only when a ruleset is needed); unavailable: the caller may not manage them. */
  rulesets: Fetched<ExistingRuleset[]>;
  /** `--codeowners` and `--security-contact`: what the CODEOWNERS and SECURITY.md pull requests would carry. */
  files?: FilesOptions;
  /**
   * The pull request already open from `sdlc-guard/repository-files`, by repository name (read only for the
   * repositories a files pull request is planned for); a repository not in it has not been read yet.
   */
  openFilePullRequests?: Map<string, Fetched<OpenFilesPullRequest | null>>;
}

export interface ApplyPlan {
  org: string;
  repositories: RepositoryPlan[];
  changes: PlannedChange[];
}

/** The name of the organisation ruleset `apply` creates for repositories whose policy requires `approvals`. */
export const rulesetName = (approvals: number): string => `${CHECK_NAME}: default branches (${approvals} approvals)`;

/**
 * What each repository lacks and what would set it. Branch protection comes from one organisation ruleset per
 * approval count (targeting `~DEFAULT_BRANCH` of the repositories that need it); a repository that would still fail
 * with that ruleset (a bypass actor, a config that cannot be read) is `cannot`, with the reason. Repositories whose
 * protection already passes get nothing, so a second run after a complete one plans nothing.
 */
export function planApply(input: ApplyInput): ApplyPlan {
  const repositories: RepositoryPlan[] = [];
  const changes: PlannedChange[] = [];
  const byApprovals = new Map<number, string[]>();
  const rulesetItems: { item: PlanItem; approvals: number; name: string }[] = [];

  for (const repo of [...input.repositories].sort((a, b) => a.name.localeCompare(b.name))) {
    const items: PlanItem[] = [];
    const protection = planProtection(repo, input);
    items.push(protection.item);
    if (protection.approvals !== undefined) {
      byApprovals.set(protection.approvals, [...(byApprovals.get(protection.approvals) ?? []), repo.name]);
      rulesetItems.push({ item: protection.item, approvals: protection.approvals, name: repo.name });
    }
    const security = planSecuritySettings(repo);
    items.push(...security.items);
    if (security.change) changes.push(security.change);
    const files = planRepositoryFiles(repo, input.files ?? {}, input.openFilePullRequests?.get(repo.name));
    items.push(...files.items);
    if (files.change) changes.push(files.change);
    repositories.push({ name: repo.name, items });
  }

  for (const [approvals, names] of [...byApprovals].sort(([a], [b]) => a - b)) {
    const name = rulesetName(approvals);
    const existing = input.rulesets.ok ? input.rulesets.value.find((r) => r.name.toLowerCase() === name.toLowerCase()) : undefined;
    const id = `org-ruleset:${approvals}`;
    if (existing && existing.repositories === null) {
      for (const r of rulesetItems.filter((r) => r.approvals === approvals))
        Object.assign(r.item, {
          state: "cannot",
          detail: `the organisation ruleset "${name}" exists but does not target repositories by name: edit it by hand`,
          change: undefined,
        });
      continue;
    }
    const targeted = existing?.repositories ?? [];
    const all = [...targeted, ...names.filter((n) => !targeted.some((t) => t.toLowerCase() === n.toLowerCase()))];
    changes.push({
      id,
      kind: "org-ruleset",
      name,
      rulesetId: existing?.id ?? null,
      approvals,
      appId: input.appId!,
      repositories: all,
      fixes: names,
    });
    for (const r of rulesetItems.filter((r) => r.approvals === approvals)) {
      r.item.change = id;
      r.item.detail = `${existing ? "update" : "create"} organisation ruleset "${name}" on the default branch: ${r.item.detail}`;
    }
  }
  return { org: input.org, repositories, changes };
}

/** The rules the ruleset `apply` writes would add to a default branch, as the facts would then read them. */
export function plannedRulesetRules(org: string, approvals: number): RulesetRule[] {
  const bypass = { rulesetId: `planned:${approvals}`, rulesetName: rulesetName(approvals), actors: [] };
  return [
    { type: "pull_request", rulesetSource: org, requiredApprovingReviewCount: approvals, dismissesStaleReviews: true, bypass },
    { type: "non_fast_forward", rulesetSource: org, bypass },
    { type: "deletion", rulesetSource: org, bypass },
    { type: "required_status_checks", rulesetSource: org, requiredStatusChecks: [CHECK_NAME], guardCheckSources: ["this-app"], bypass },
  ];
}

function planProtection(repo: RepositoryFacts, input: ApplyInput): { item: PlanItem; approvals?: number } {
  const cannot = (detail: string) => ({ item: { control: "branch-protection" as const, state: "cannot" as const, detail } });
  if (!repo.protection.ok) return cannot(`the branch protection could not be read: ${repo.protection.error}`);
  if (repo.defaultBranch === null) return { item: { control: "branch-protection", state: "holds", detail: "empty repository" } };
  const effective = effectiveConfigOf(repo, input.orgConfig);
  if (!effective.ok) return cannot(`the repository's policy is unknown: ${effective.error}`);
  const settings = effective.value.config.controls["branch-protection"];
  const { classic, rules } = repo.protection.value;
  const now = judgeBranchProtection("Default branch", repo.defaultBranch, classic, rules, settings);
  if (now.outcome === "pass") return { item: { control: "branch-protection", state: "holds", detail: plain(now.reason) } };
  if (input.appId === undefined)
    return cannot(`${plain(now.reason)} Set APP_ID (the sdlc-guard app's id) so the required check can be pinned to the app.`);
  if (!input.rulesets.ok) return cannot(`${plain(now.reason)} The organisation's rulesets cannot be managed: ${input.rulesets.error}`);
  const approvals = settings.min_approvals;
  const after = judgeBranchProtection(
    "Default branch",
    repo.defaultBranch,
    classic,
    [...rules, ...plannedRulesetRules(input.org, approvals)],
    settings,
  );
  if (after.outcome !== "pass") return cannot(`an organisation ruleset would not be enough: ${plain(after.reason)}`);
  return { item: { control: "branch-protection", state: "change", detail: plain(now.reason) }, approvals };
}

function planSecuritySettings(repo: RepositoryFacts): { items: PlanItem[]; change?: SecuritySettingsChange } {
  if (!repo.secretScanning.ok) {
    const detail = `the security settings could not be read: ${repo.secretScanning.error}`;
    return {
      items: [
        { control: "secret-scanning", state: "cannot", detail },
        { control: "push-protection", state: "cannot", detail },
      ],
    };
  }
  const { enabled, pushProtection } = repo.secretScanning.value;
  const id = `security-settings:${repo.name}`;
  const items: PlanItem[] = [
    enabled
      ? { control: "secret-scanning", state: "holds", detail: "secret scanning is enabled" }
      : { control: "secret-scanning", state: "change", detail: "enable secret scanning", change: id },
    enabled && pushProtection
      ? { control: "push-protection", state: "holds", detail: "push protection is enabled" }
      : { control: "push-protection", state: "change", detail: "enable push protection", change: id },
  ];
  if (enabled && pushProtection) return { items };
  return { items, change: { id, kind: "security-settings", repository: repo.name, secretScanning: !enabled, pushProtection: true } };
}

/** Plain text for the table: no code spans. */
const plain = (text: string): string => text.replaceAll("`", "");
