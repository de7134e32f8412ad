import type { SdlcGuardConfig } from "../config/schema.js";
import type { TtlCache } from "../common/ttl-cache.js";
import { ruleTeams, type RulesApplied } from "../controls/policy-rules-match.js";
import {
  describeFlip,
  diffRules,
  policyShift,
  rulesDiffer,
  verdictOf,
  type OpenPullRequestsPreview,
  type RulesPreview,
} from "../controls/rules-change-preview.js";
import type { ControlResult } from "../controls/results.js";
import type { Fetched } from "../facts/fetched.js";
import type { TeamMembers } from "../facts/pull-request.js";
import { readOpenPullRequests } from "../github/refs/open-pull-requests.js";
import { readTeamMembers } from "../github/refs/team-members.js";
import type { GitHubClient } from "../github/types.js";

/** At most this many open PRs whose policy shifts are read whole and re-judged (one snapshot each). */
export const MAX_REJUDGED = 10;

/** One PR judged under the policy in force and under the proposed one (rules applied to each), or why it could not be. */
export type JudgeBoth = (
  number: number,
) => Promise<Fetched<{ current: { results: ControlResult[] }; proposed: { results: ControlResult[]; applied: RulesApplied } }>>;

/**
 * When the proposed file changes `rules:` or `floor.rules`: which rules change, and which open PRs' verdicts flip.
 * The open PRs are read in one query; only those whose matched rules give them a different policy are re-judged (read
 * whole, at most `MAX_REJUDGED`). `undefined` when the rules do not change (nothing is read then).
 */
export async function previewRulesChange(
  deps: { octokit: GitHubClient; memory: { cache: { teams?: TtlCache<ReadonlySet<string>> } } },
  target: { owner: string; repo: string; number: number },
  current: SdlcGuardConfig,
  proposed: SdlcGuardConfig,
  judge: JudgeBoth,
): Promise<RulesPreview | undefined> {
  if (!rulesDiffer(current, proposed)) return undefined;
  return { edits: diffRules(current, proposed), open: await openPullRequestsPreview(deps, target, current, proposed, judge) };
}

async function openPullRequestsPreview(
  deps: { octokit: GitHubClient; memory: { cache: { teams?: TtlCache<ReadonlySet<string>> } } },
  target: { owner: string; repo: string; number: number },
  current: SdlcGuardConfig,
  proposed: SdlcGuardConfig,
  judge: JudgeBoth,
): Promise<OpenPullRequestsPreview> {
  const read = await readOpenPullRequests(deps.octokit, target);
  if (!read.ok) return { status: "unreadable", reason: read.error };
  const teams = [...new Set([...ruleTeams(current), ...ruleTeams(proposed)])];
  const members: TeamMembers = teams.length ? await readTeamMembers(deps.octokit, teams, deps.memory.cache.teams) : new Map();
  const others = read.value.pulls.filter((pr) => pr.number !== target.number);
  const shifted = others.filter(
    (pr) =>
      policyShift(current, proposed, {
        baseRefName: pr.baseRefName,
        author: pr.author,
        labels: pr.labels,
        changedFiles: pr.changedFiles,
        renamedFiles: pr.renamedFiles,
        teams: members,
      }).shifts,
  );
  const flips: Extract<OpenPullRequestsPreview, { status: "read" }>["flips"] = [];
  const unjudged: Extract<OpenPullRequestsPreview, { status: "read" }>["unjudged"] = [];
  // One at a time: each re-judged PR is a snapshot read, kept off GitHub's secondary limits.
  for (const pr of shifted.slice(0, MAX_REJUDGED)) {
    const judged = await judge(pr.number);
    if (!judged.ok) {
      unjudged.push({ number: pr.number, title: pr.title, why: judged.error });
      continue;
    }
    const { current: now, proposed: next } = judged.value;
    const flip = describeFlip(verdictOf(now.results), verdictOf(next.results), next.applied);
    if (flip) flips.push({ number: pr.number, title: pr.title, flip });
  }
  // The total counts this PR too (it is open).
  const total = Math.max(others.length, read.value.total - 1);
  return { status: "read", looked: others.length, total, flips, unjudged, notRejudged: Math.max(0, shifted.length - MAX_REJUDGED) };
}
