import { GitHubWorld, type SimPullRequest, type SimRepo } from "../../sim/github-world.js";
import type { SimIssue } from "../../sim/issue-tracker.js";
import { compliantPullRequest, compliantRepo, PAYMENTS_CONFIG } from "../../sim/scenarios.js";

/** The evaluations' clock of a waiver world: the simulator's comments are written from 09:00 on 2026-11-20. */
export const WAIVER_NOW = "2026-11-20T12:00:00Z";

/**
 * acme/payments with PR #51 failing only `jira`, tech leads (lead-lina) who may waive it, and the run the app made on
 * its head when the PR was opened (a waiver binds to the head that run was made on).
 */
export function waiverWorld(): { world: GitHubWorld; repo: SimRepo; pr: SimPullRequest; thread: SimIssue } {
  const world = new GitHubWorld();
  const repo = compliantRepo(world);
  repo.files.set(
    ".github/sdlc-guard.yml",
    `${PAYMENTS_CONFIG}exceptions:\n  approvers: [acme/tech-leads]\n  min_justification_length: 20\n`,
  );
  world.teams.set("acme/tech-leads", ["lead-lina"]);
  const pr = compliantPullRequest(world, repo, 51, { title: "Rotate card-token keys", headRef: "hotfix/rotate" });
  const thread = world.issues.pullRequestThread("acme", "payments", pr.number, pr.title);
  repo.checkRuns.push({
    id: 9001,
    appId: world.appId,
    name: "sdlc-guard",
    headSha: pr.headSha,
    status: "completed",
    conclusion: "failure",
    output: { title: "1 required control(s) failing: jira", summary: null },
    externalId: `pr-${pr.number}`,
    startedAt: "2026-11-20T09:00:00Z",
  });
  return { world, repo, pr, thread };
}
