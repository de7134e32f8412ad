import { z } from "zod";
import { enforcementSchema, teamSchema } from "../config/schema-parts.js";
import { pullRequestControl } from "./control.js";
import { changeAuthorsUnreadable } from "./change-authors.js";
import { tallyPullRequestReviews, type ReviewsSettings } from "./reviews.js";
import { cannotEvaluate, fail, pass, type Finding } from "./finding.js";
import { type PullRequestFacts, type TeamMembers } from "../facts/pull-request.js";
import { PULL_REQUEST_CHANGES } from "./trigger.js";

const list = (logins: string[]): string => logins.join(", ");

/**
 * Each configured team needs one approval that `reviews` counts (same rules: human, not the author, write access,
 * latest decisive review, on the head commit unless `count_stale_approvals`) from one of its members.
 */
export function evaluateReviewerTeams(
  snapshot: PullRequestFacts<"commits" | "forcePushes">,
  reviews: ReviewsSettings,
  config: ReviewerTeamsSettings,
  teams: TeamMembers,
): Finding {
  const configured = [...new Set(config.teams.map((team) => team.toLowerCase()))];
  if (configured.length === 0) return pass("No reviewer teams configured.");
  if (!snapshot.reviews.ok) return cannotEvaluate("the pull request's reviews", snapshot.reviews.error);
  // Approvals count as `reviews` counts them: when who wrote the change cannot be read, no approval can be trusted.
  const authorsUnreadable = reviews.independent_approvers ? changeAuthorsUnreadable(snapshot.commits, snapshot.forcePushes) : null;
  if (authorsUnreadable !== null) return cannotEvaluate("the pull request's commits (who wrote the change)", authorsUnreadable);

  const { approvers, staleApprovers, withoutWriteAccess } = tallyPullRequestReviews(snapshot, snapshot.reviews.value, reviews);
  const satisfied: string[] = [];
  const unsatisfied: string[] = [];
  const unreadable: { team: string; error: string }[] = [];
  const notes: string[] = [];
  for (const team of configured) {
    const members = teams.get(team);
    if (!members?.ok) {
      unreadable.push({ team, error: members ? members.error : "not read for this evaluation" });
      continue;
    }
    const isMember = (login: string): boolean => members.value.has(login.toLowerCase());
    const approvedBy = approvers.filter(isMember);
    if (approvedBy.length) {
      satisfied.push(`${team}: approved by ${list(approvedBy)}`);
      continue;
    }
    unsatisfied.push(team);
    const stale = staleApprovers.filter(isMember);
    if (stale.length) notes.push(`${team}: the approval by ${list(stale)} is on an older commit and does not count.`);
    const noWrite = withoutWriteAccess.filter(isMember);
    if (noWrite.length) notes.push(`${team}: ${list(noWrite)} cannot push to the repository, so their review does not count.`);
  }
  const unreadableTeams = list(unreadable.map((u) => u.team));
  const errors = unreadable.length === 1 ? unreadable[0]!.error : unreadable.map((u) => `${u.team}: ${u.error}`).join("; ");
  if (unreadable.length && unsatisfied.length) notes.push(`The members of ${unreadableTeams} could not be read: ${errors}.`);
  const noteList = notes.length ? notes : undefined;

  if (unsatisfied.length) {
    const counted = approvers.length ? `approvers: ${list(approvers)}` : "no counted approvals";
    const others = satisfied.length ? ` ${satisfied.join("; ")}.` : "";
    return fail(
      `No counted approval from a member of ${list(unsatisfied)} (${counted}).${others}`,
      `Ask a member of ${list(unsatisfied)} to review and approve the latest commit.`,
      noteList,
    );
  }
  if (unreadable.length) {
    const finding = cannotEvaluate(`the members of ${unreadableTeams}`, errors);
    return {
      ...finding,
      fix: `${finding.fix} If it keeps failing, check that the team exists and that the app has the organisation "Members: read" permission.`,
    };
  }
  return pass(`${satisfied.join("; ")}.`, noteList);
}

const settings = z
  .strictObject({
    enforcement: enforcementSchema.default("required"),
    teams: z
      .array(teamSchema)
      .max(20)
      .default([])
      .describe("Teams (org/team-slug) that must each give at least one counted approval. Empty: the control is off."),
  })
  .describe("`reviewer-teams`: at least one approval counted by `reviews` from a member of each configured team (ECO 6.2).");

export type ReviewerTeamsSettings = z.output<typeof settings>;

export const reviewerTeamsControl = pullRequestControl({
  id: "reviewer-teams",
  family: "pull-request",
  settings,
  floor: { teams: "union" },
  // It counts approvals as `reviews` does, independence included: who wrote the change.
  facts: { commits: () => true, forcePushes: () => true },
  triggers: [...PULL_REQUEST_CHANGES, "pull_request_review", "membership", "team", "organization"],
  offUntilConfigured: (s) => (s.teams.length === 0 ? "No reviewer teams configured (`controls.reviewer-teams.teams`)." : undefined),
  evaluate: ({ snapshot, teams }, settings, others: { reviews: ReviewsSettings }) =>
    evaluateReviewerTeams(snapshot, others.reviews, settings, teams),
});
