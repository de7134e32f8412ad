import { z } from "zod";
import { enforcementSchema } from "../config/schema-parts.js";
import { pullRequestControl } from "./control.js";
import { changeAuthorsOf, changeAuthorsUnreadable, type ChangeAuthors } from "./change-authors.js";
import { evaluateCodeOwners } from "./codeowners.js";
import { cannotEvaluate, fail, pass, type Finding } from "./finding.js";
import { type PullRequestFacts, type Review, type TeamMembers } from "../facts/pull-request.js";
import { PULL_REQUEST_CHANGES } from "./trigger.js";

const DECISIVE = new Set(["APPROVED", "CHANGES_REQUESTED", "DISMISSED"]);

export interface ReviewTally {
  approvers: string[];
  blockers: string[];
  staleApprovers: string[];
  /** Reviewers without write access: their reviews neither count nor block, as on GitHub. */
  withoutWriteAccess: string[];
  /** Approvals that do not count because the reviewer wrote part of the change: "rev-bob co-authored `abc1234`". */
  notIndependent: string[];
  /** Co-authors that cannot be matched to an account, so an approval of theirs cannot be recognised. */
  unmatchedCoAuthors: string[];
}

/** Each human reviewer's latest decisive review decides: approvals on the head commit count, a standing CHANGES_REQUESTED blocks. */
export function countQualifyingApprovals(
  reviews: Review[],
  prAuthor: string | null,
  headSha: string,
  countStale: boolean,
  changeAuthors?: ChangeAuthors,
): ReviewTally {
  const latest = new Map<string, { login: string; review: Review }>();
  const withoutWriteAccess = new Set<string>();
  for (const review of [...reviews].sort(bySubmission)) {
    if (!review.author || review.author.isBot || !DECISIVE.has(review.state)) continue;
    const key = review.author.login.toLowerCase();
    if (prAuthor && key === prAuthor.toLowerCase()) continue;
    if (!review.authorCanPush) {
      withoutWriteAccess.add(review.author.login);
      continue;
    }
    latest.set(key, { login: review.author.login, review });
  }
  const tally: ReviewTally = {
    approvers: [],
    blockers: [],
    staleApprovers: [],
    withoutWriteAccess: [...withoutWriteAccess],
    notIndependent: [],
    unmatchedCoAuthors: changeAuthors?.unmatched ?? [],
  };
  for (const { login, review } of latest.values()) {
    if (review.state === "CHANGES_REQUESTED") tally.blockers.push(login);
    if (review.state !== "APPROVED") continue;
    const wrote = changeAuthors?.byLogin.get(login.toLowerCase());
    if (wrote) {
      tally.notIndependent.push(`${login} ${wrote.join(", ")}`);
      continue;
    }
    if (countStale || review.commitSha === headSha) tally.approvers.push(login);
    else tally.staleApprovers.push(login);
  }
  return tally;
}

/** The PR's reviews tallied as `reviews` counts them (also what `reviewer-teams` and code owners look at). */
export function tallyPullRequestReviews(
  snapshot: PullRequestFacts<"commits" | "forcePushes">,
  reviews: Review[],
  config: ReviewsSettings,
): ReviewTally {
  return countQualifyingApprovals(
    reviews,
    snapshot.author?.login ?? null,
    snapshot.headSha,
    config.count_stale_approvals,
    changeAuthorsFor(snapshot, config),
  );
}

/** Who wrote the change, when approvers must be independent of it and it could be read (else `evaluateReviews` fails closed). */
function changeAuthorsFor(snapshot: PullRequestFacts<"commits" | "forcePushes">, config: ReviewsSettings): ChangeAuthors | undefined {
  if (!config.independent_approvers || changeAuthorsUnreadable(snapshot.commits, snapshot.forcePushes) !== null) return undefined;
  return changeAuthorsOf(
    snapshot.commits!.ok ? snapshot.commits!.value : [],
    snapshot.headSha,
    snapshot.forcePushes?.ok ? snapshot.forcePushes.value : [],
  );
}

function bySubmission(a: Review, b: Review): number {
  return (a.submittedAt ?? "").localeCompare(b.submittedAt ?? "");
}

/**
 * `reviews`: enough counted approvals, no standing change request and, with `require_code_owners`, every changed
 * file's code owners among the counted approvers. Both parts are reported; the worse one decides.
 */
export function evaluateReviews(
  snapshot: PullRequestFacts<"changedFiles" | "codeOwners" | "commits" | "forcePushes">,
  config: ReviewsSettings,
  teams: TeamMembers = new Map(),
): Finding {
  if (!snapshot.reviews.ok) return cannotEvaluate("the pull request's reviews", snapshot.reviews.error);
  const unreadable = config.independent_approvers ? changeAuthorsUnreadable(snapshot.commits, snapshot.forcePushes) : null;
  if (unreadable !== null) return cannotEvaluate("the pull request's commits (who wrote the change)", unreadable);
  const tally = tallyPullRequestReviews(snapshot, snapshot.reviews.value, config);
  const approvals = evaluateApprovals(snapshot, config, tally);
  if (!config.require_code_owners) return approvals;
  const owners = evaluateCodeOwners({
    codeOwners: snapshot.codeOwners,
    changedFiles: snapshot.changedFiles,
    approvers: tally.approvers,
    teams,
  });
  const worst =
    [approvals, owners].find((f) => f.outcome === "fail") ?? [approvals, owners].find((f) => f.outcome === "error") ?? approvals;
  return {
    outcome: worst.outcome,
    reason: `${approvals.reason} Code owners: ${owners.reason}`,
    fix: [approvals.fix, owners.fix].filter(Boolean).join(" "),
    notes: approvals.notes || owners.notes ? [...(approvals.notes ?? []), ...(owners.notes ?? [])] : undefined,
  };
}

function evaluateApprovals(snapshot: PullRequestFacts<"commits" | "forcePushes">, config: ReviewsSettings, tally: ReviewTally): Finding {
  const { approvers, blockers, staleApprovers, withoutWriteAccess, notIndependent, unmatchedCoAuthors } = tally;
  const discounted = notIndependent.length
    ? ` Approvals that do not count, their reviewers are not independent of the change: ${notIndependent.join("; ")}.`
    : "";
  const counted = `${approvers.length} of ${config.min_approvals} required approvals on \`${snapshot.headSha.slice(0, 7)}\``;
  const approvedBy = approvers.length ? ` (${approvers.join(", ")})` : "";
  const noteList = [
    ...(staleApprovers.length ? [`Approvals on an older commit do not count: ${staleApprovers.join(", ")}.`] : []),
    ...(withoutWriteAccess.length ? [`Reviews by people without write access do not count: ${withoutWriteAccess.join(", ")}.`] : []),
    ...(unmatchedCoAuthors.length
      ? [`Co-authors linked to no GitHub account (their approval could not be recognised): ${unmatchedCoAuthors.join(", ")}.`]
      : []),
  ];
  const notes = noteList.length ? noteList : undefined;
  if (blockers.length) {
    return fail(
      `Changes requested by ${blockers.join(", ")}; ${counted}${approvedBy}.${discounted}`,
      "Address the requested changes and ask the reviewer to approve (or have the review dismissed).",
      notes,
    );
  }
  if (approvers.length < config.min_approvals) {
    return fail(
      `${counted}${approvedBy}.${discounted}`,
      `Get ${config.min_approvals - approvers.length} more approval(s) from human reviewers other than the author or anyone else who wrote the change, on the latest commit.`,
      notes,
    );
  }
  return pass(`${counted}${approvedBy}.${discounted}`, notes);
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
      .describe("Distinct human approvals needed on the current head commit (POL-008: at least two)."),
    count_stale_approvals: z
      .boolean()
      .default(false)
      .describe("Count approvals given on an older commit of the PR. Off by default: a new push needs a new review."),
    require_code_owners: z
      .boolean()
      .default(false)
      .describe(
        "Every changed file's code owners (CODEOWNERS of the base branch: .github/, root or docs/) approved: for each file, one counted approval by one of its owners. A missing or unparsable CODEOWNERS file fails.",
      ),
    independent_approvers: z
      .boolean()
      .default(true)
      .describe(
        "Approvals count only from people independent of the change: not whoever authored, committed (GitHub's web-flow excepted) or co-authored (Co-authored-by trailers) a commit of the PR, nor whoever force-pushed its head. The PR author never counts.",
      ),
  })
  .describe(
    "`reviews`: distinct human approvals, not the author nor anyone else who wrote the change, not bots, latest decisive review per reviewer.",
  );

export type ReviewsSettings = z.output<typeof settings>;

export const reviewsControl = pullRequestControl({
  id: "reviews",
  family: "pull-request",
  settings,
  floor: { min_approvals: "max", count_stale_approvals: "false", require_code_owners: "true", independent_approvers: "true" },
  facts: {
    changedFiles: (s) => s.require_code_owners,
    codeOwners: (s) => s.require_code_owners,
    commits: (s) => s.independent_approvers,
    forcePushes: (s) => s.independent_approvers,
  },
  triggers: [...PULL_REQUEST_CHANGES, "pull_request_review", "membership", "team", "organization"],
  evaluate: ({ snapshot, teams }, settings) => evaluateReviews(snapshot, settings, teams),
});
