import type { BypassActor, ClassicBypass, GuardCheckSource, RulesetBypass } from "../../facts/pull-request.js";
import { inlineCode } from "../../common/markdown.js";
import { CHECK_NAME } from "../../common/product.js";

/** Bypass entries read per list: past that the list counts as unreadable (the control fails closed). */
const BYPASS_PAGE = 20;

const ALLOWANCE_ACTOR = "actor { __typename ... on App { slug } ... on Team { combinedSlug } ... on User { login } }";

/** What a classic rule adds to `BRANCH_RULES_SELECTION`: who must set each required check, and its bypass allowances. */
export const CLASSIC_BYPASS_FIELDS = `requiredStatusChecks { context app { databaseId } }
          bypassPullRequestAllowances(first: ${BYPASS_PAGE}) { pageInfo { hasNextPage } nodes { ${ALLOWANCE_ACTOR} } }
          bypassForcePushAllowances(first: ${BYPASS_PAGE}) { pageInfo { hasNextPage } nodes { ${ALLOWANCE_ACTOR} } }`;

/**
 * What a ruleset rule adds: the ruleset's id, name and bypass list. GitHub answers `bypassActors: null` to who may not
 * edit the ruleset (repository or organisation administration write), which the control reports as unreadable.
 */
export const RULESET_BYPASS_FIELDS = `id name
              bypassActors(first: ${BYPASS_PAGE}) {
                pageInfo { hasNextPage }
                nodes { bypassMode organizationAdmin enterpriseOwner deployKey repositoryRoleName actor { __typename ... on App { slug } ... on Team { combinedSlug } } }
              }`;

/** The `integrationId` of a required check in a ruleset (the app it must come from). */
export const RULESET_CHECK_FIELDS = "context integrationId";

type GqlAllowanceActor = { __typename: string; slug?: string; combinedSlug?: string; login?: string } | null;
type GqlAllowances = { pageInfo: { hasNextPage: boolean }; nodes: ({ actor: GqlAllowanceActor } | null)[] | null } | null;
export interface GqlClassicBypass {
  requiredStatusChecks?: { context: string; app: { databaseId: number | null } | null }[] | null;
  bypassPullRequestAllowances?: GqlAllowances;
  bypassForcePushAllowances?: GqlAllowances;
}
interface GqlBypassActor {
  bypassMode: "ALWAYS" | "PULL_REQUEST" | null;
  organizationAdmin: boolean;
  enterpriseOwner: boolean;
  deployKey: boolean;
  repositoryRoleName: string | null;
  actor: GqlAllowanceActor;
}
export interface GqlRulesetBypass {
  id?: string;
  name?: string;
  bypassActors?: { pageInfo: { hasNextPage: boolean }; nodes: (GqlBypassActor | null)[] | null } | null;
}

/** Who may set the `sdlc-guard` checks among required checks (`appId`: the check's app; null: any source). */
export function guardCheckSources(
  checks: { context: string; appId: number | null | undefined }[],
  ourAppId: number | undefined,
): GuardCheckSource[] {
  return checks
    .filter((c) => c.context === CHECK_NAME)
    .map((c) =>
      c.appId === null || c.appId === undefined
        ? "any-source"
        : ourAppId === undefined
          ? "unknown-app"
          : c.appId === ourAppId
            ? "this-app"
            : "other-app",
    );
}

const allowanceName = (actor: GqlAllowanceActor): string =>
  actor?.combinedSlug ?? actor?.slug ?? actor?.login ?? "an actor GitHub did not name";

function allowancesOf(list: GqlAllowances | undefined, via: string): BypassActor[] | null {
  if (!list || list.pageInfo.hasNextPage) return null;
  return (list.nodes ?? []).flatMap((node) => (node ? [{ name: allowanceName(node.actor), via }] : []));
}

/** A classic rule's bypass allowances; a list longer than one page, or missing, is unreadable. */
export function toClassicBypass(rule: GqlClassicBypass & { pattern: string }): ClassicBypass {
  const where = `classic rule ${inlineCode(rule.pattern)}`;
  return {
    pullRequest: allowancesOf(rule.bypassPullRequestAllowances, `${where} (pull request requirement)`),
    forcePush: allowancesOf(rule.bypassForcePushAllowances, `${where} (force pushes)`),
  };
}

/** A ruleset's bypass list, or why it cannot be known. */
export function toRulesetBypass(ruleset: GqlRulesetBypass, source: string): RulesetBypass | undefined {
  if (!ruleset.id) return undefined;
  const rulesetName = ruleset.name ?? ruleset.id;
  const base = { rulesetId: ruleset.id, rulesetName };
  const list = ruleset.bypassActors;
  if (!list) return { ...base, actors: null, hiddenBecause: "GitHub shows a ruleset's bypass list only to who may edit the ruleset" };
  if (list.pageInfo.hasNextPage) return { ...base, actors: null, hiddenBecause: `more than ${BYPASS_PAGE} bypass actors` };
  const via = `ruleset ${inlineCode(rulesetName)} of ${inlineCode(source)}`;
  return {
    ...base,
    actors: (list.nodes ?? []).flatMap((node) => {
      if (!node) return [];
      const mode = node.bypassMode === "PULL_REQUEST" ? ", through pull requests" : "";
      return [{ name: bypassActorName(node), via: `${via}${mode}` }];
    }),
  };
}

function bypassActorName(node: GqlBypassActor): string {
  if (node.organizationAdmin) return "organization-admin";
  if (node.enterpriseOwner) return "enterprise-owner";
  if (node.deployKey) return "deploy-keys";
  if (node.repositoryRoleName) return `role:${node.repositoryRoleName}`;
  return allowanceName(node.actor);
}
