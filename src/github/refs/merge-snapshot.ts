import type { MergeSnapshot } from "../../facts/refs.js";
import { fetched, unavailable } from "../../facts/fetched.js";
import { describeGitHubError } from "../../common/describe-error.js";
import { MERGED_PULL_FIELDS, mergedPullOf, type GqlMergedPull } from "./merged-pull-verdict.js";
import { BRANCH_RULES_SELECTION, toClassicProtection, toRulesetRules, type GqlBranchRules } from "./pull-request-snapshot.js";
import type { GitHubClient } from "../types.js";

/** A merged PR, fresh: what it merged as, who merged it, our run on its final head, and its base branch's protection now. */
export const MERGE_QUERY = `query SdlcGuardMerge($owner: String!, $repo: String!, $number: Int!, $appId: Int!) {
  repository(owner: $owner, name: $repo) {
    pullRequest(number: $number) {
      ${MERGED_PULL_FIELDS}
      mergedAt
      baseRef { ${BRANCH_RULES_SELECTION} }
    }
  }
}`;

interface GqlMerge {
  repository: { pullRequest: (GqlMergedPull & { mergedAt: string | null; baseRef: GqlBranchRules | null }) | null } | null;
}

export interface MergeRead {
  snapshot: MergeSnapshot;
  mergedAt: string | null;
}

/** Reads a merged PR in one GraphQL query; what cannot be read is recorded with the reason, never guessed. */
export async function readMerge(
  octokit: GitHubClient,
  target: { owner: string; repo: string; number: number; baseRefName: string },
  appId: number | undefined,
): Promise<MergeRead> {
  const { owner, repo, number, baseRefName } = target;
  const base = { owner, repo, number, baseRefName };
  if (!appId) {
    const why = "the app id is unknown, so sdlc-guard's own check runs cannot be recognised";
    return { snapshot: { ...base, pull: unavailable(why), baseProtection: unavailable(why) }, mergedAt: null };
  }
  let data: GqlMerge;
  try {
    data = await octokit.graphql<GqlMerge>(MERGE_QUERY, { owner, repo, number, appId });
  } catch (error) {
    const why = describeGitHubError(error);
    return { snapshot: { ...base, pull: unavailable(why), baseProtection: unavailable(why) }, mergedAt: null };
  }
  const node = data.repository?.pullRequest;
  if (!node) {
    const why = `GitHub returned no pull request #${number}`;
    return { snapshot: { ...base, pull: unavailable(why), baseProtection: unavailable(why) }, mergedAt: null };
  }
  const branch = `the base branch ${node.baseRefName}`;
  const rules = node.baseRef ? toRulesetRules(node.baseRef.rules, branch, appId) : fetched([]);
  const baseProtection = !node.baseRef
    ? fetched(null)
    : rules.ok
      ? fetched({ classic: toClassicProtection(node.baseRef.branchProtectionRule, appId), rules: rules.value })
      : rules;
  return {
    snapshot: { ...base, baseRefName: node.baseRefName, pull: fetched(mergedPullOf(node)), baseProtection },
    mergedAt: node.mergedAt,
  };
}
