import type { SdlcGuardConfig } from "../config/schema.js";
import { applyPolicyRules, ruleTeams, type RulesApplied } from "../controls/policy-rules-match.js";
import type { OptionalPullRequestFact, PullRequestFacts, TeamMembers } from "../facts/pull-request.js";
import { readTeamMembers } from "../github/refs/team-members.js";
import type { GitHubClient } from "../github/types.js";
import type { TtlCache } from "../common/ttl-cache.js";

/**
 * The policy of one PR: the repository's, with every `rules:` entry whose `if` holds applied in order, then the org
 * floor (and its conditional entries). Team members are read only when an `authors` condition names a team.
 */
export async function policyForPullRequest(
  deps: { octokit: GitHubClient; memory: { cache: { teams?: TtlCache<ReadonlySet<string>> } } },
  snapshot: PullRequestFacts<OptionalPullRequestFact>,
  config: SdlcGuardConfig,
): Promise<RulesApplied> {
  if (!config.rules.length && !config.floor?.rules?.length) return { config, matched: [], undecided: [], setBy: new Map(), held: [] };
  const teams = ruleTeams(config);
  const members: TeamMembers = teams.length ? await readTeamMembers(deps.octokit, teams, deps.memory.cache.teams) : new Map();
  return applyPolicyRules(config, {
    baseRefName: snapshot.baseRefName,
    author: snapshot.author?.login ?? null,
    labels: snapshot.labels,
    changedFiles: snapshot.changedFiles,
    renamedFiles: snapshot.renamedFiles,
    teams: members,
  });
}
