import type { CommitPerson, ForcePush } from "./change-authors.js";
import type { PullRequestComment } from "./waivers.js";
import type { Enforcement, SdlcGuardConfig } from "../config/schema.js";

/** A piece of GitHub (or Jira) state that was read, or the reason it could not be. Controls fail closed on `ok: false`. */
export type Fetched<T> = { ok: true; value: T } | { ok: false; error: string };

export const fetched = <T>(value: T): Fetched<T> => ({ ok: true, value });
export const unavailable = <T>(error: string): Fetched<T> => ({ ok: false, error });
/** What was read, transformed; a read that failed stays failed with its reason. */
export const mapFetched = <T, U>(value: Fetched<T>, map: (v: T) => U): Fetched<U> => (value.ok ? fetched(map(value.value)) : value);

export interface Actor {
  login: string;
  isBot: boolean;
}

export type ReviewState = "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";

export interface Review {
  /** `null` when the reviewer's account was deleted ("ghost"). */
  author: Actor | null;
  state: ReviewState;
  /** The commit the review was submitted on; `null` when GitHub no longer knows it. */
  commitSha: string | null;
  submittedAt: string | null;
  /** Whether the reviewer can push to the repository: GitHub ignores other people's approvals, and so do we. */
  authorCanPush: boolean;
}

/** Classic branch protection of the base branch, as GitHub reports it. */
export interface ClassicProtection {
  pattern: string;
  requiresApprovingReviews: boolean;
  requiredApprovingReviewCount: number;
  allowsForcePushes: boolean;
  allowsDeletions: boolean;
  dismissesStaleReviews: boolean;
  isAdminEnforced: boolean;
  requiredStatusCheckContexts: string[];
}

/** One active ruleset rule that applies to the base branch (repository or organisation ruleset). */
export interface RulesetRule {
  type: string;
  rulesetSource: string;
  requiredApprovingReviewCount?: number;
  dismissesStaleReviews?: boolean;
  requiredStatusChecks?: string[];
}

export interface SecretScanningState {
  enabled: boolean;
  /** Open alerts of every type: provider patterns and the generic ones GitHub lists only when asked by name. */
  openAlerts: number;
  /** Whether more open alerts exist than were counted (the count is a lower bound). */
  moreAlerts: boolean;
  /** Push protection, reported as advisory: `unknown` when GitHub does not show it to the app (with the reason). */
  pushProtection: { status: "enabled" | "disabled" | "unknown"; detail?: string };
}

/** One commit of the pull request, for `commit-messages`. */
export interface PullRequestCommit {
  sha: string;
  /** The full message (subject line first). */
  message: string;
  /** Number of parents: more than one is a merge commit. */
  parents: number;
  /** The git author first, then each co-author GitHub parsed from the trailers; null: more than GitHub listed. */
  authors?: CommitPerson[] | null;
  committer?: CommitPerson | null;
}

/**
 * One check run or commit status on the head commit, for `required-checks`. Check runs and statuses are folded
 * into one shape: `pending` until GitHub reports a final result, then the lower-case conclusion or state.
 */
export interface HeadCheck {
  name: string;
  kind: "check run" | "commit status";
  status: "pending" | "completed";
  /** success, failure, neutral, skipped, cancelled, timed_out, action_required, stale, startup_failure, error; null while pending. */
  conclusion: string | null;
  /** The app that posted a check run (its slug), or null for commit statuses and unknown apps. */
  app: string | null;
  /** When GitHub started or created it: the latest of several with one name decides. */
  startedAt: string | null;
}

/** The CODEOWNERS file GitHub uses for the base branch (the first of .github/, root, docs/ that exists). */
export interface CodeOwnersFile {
  path: string;
  text: string;
}

/** Members of each team read for this evaluation, keyed by lower-case `org/team-slug`; logins lower-case. */
export type TeamMembers = ReadonlyMap<string, Fetched<ReadonlySet<string>>>;

/** Everything the pull-request controls may look at, read fresh from GitHub for one evaluation. */
export interface PullRequestSnapshot {
  owner: string;
  repo: string;
  number: number;
  title: string;
  body: string;
  headRefName: string;
  headSha: string;
  baseRefName: string;
  isDraft: boolean;
  author: Actor | null;
  reviews: Fetched<Review[]>;
  classicProtection: Fetched<ClassicProtection | null>;
  rulesetRules: Fetched<RulesetRule[]>;
  secretScanning: Fetched<SecretScanningState>;
  /**
   * Read only when a control needs them (`undefined` otherwise; a control that needs an unread part fails closed):
   * changed file paths (CODEOWNERS), commits (`commit-messages`), checks on the head (`required-checks`), CODEOWNERS
   * of the base branch (`null`: no CODEOWNERS file in any of the three places).
   */
  changedFiles?: Fetched<string[]>;
  commits?: Fetched<PullRequestCommit[]>;
  headChecks?: Fetched<HeadCheck[]>;
  codeOwners?: Fetched<CodeOwnersFile | null>;
  /** Every comment of the PR (waiver commands) and how many it has, read when approvers are configured. */
  comments?: Fetched<{ comments: PullRequestComment[]; total: number }>;
  /** Force pushes of the head branch, oldest first (the PR's timeline): who pushed the head, and since when it is the head. */
  forcePushes?: Fetched<ForcePush[]>;
}

/** Every control id, as the config schema names them (one list, in `src/config/schema.ts`). */
export type ControlId = keyof SdlcGuardConfig["controls"];
/** The controls of pushes, tags, releases and deployments; the rest are pull-request controls. */
export type RefControlId = "direct-push" | "force-push" | "release-tag" | "signed-release" | "release-notes" | "deployment";
export type PullRequestControlId = Exclude<ControlId, RefControlId>;

/**
 * pass / fail on the policy; `error` when the data to decide could not be read (counts as a failure); `pending` when
 * the answer is not known yet (a required check still running): the check run stays in progress; `waived` when it
 * did not pass but an authorised approver waived it on this PR (counts as passed; the row says who, when and why).
 */
export type Outcome = "pass" | "fail" | "error" | "pending" | "waived";

export interface Finding {
  outcome: Outcome;
  /** Why, in one sentence, with the facts that led to it. */
  reason: string;
  /** How to make it pass; empty when it passes. */
  fix: string;
  /** Extra observations (stricter settings, advisory notes) that do not change the outcome. */
  notes?: string[];
}

export interface ControlResult extends Finding {
  id: ControlId;
  enforcement: Enforcement;
  /** What was evaluated, when the commit's check run also shows rows from other evaluations (e.g. "push to `main`"). */
  source?: string;
  /** Set when `outcome` is `waived`: the approver, when, why, and the comment that is the record. */
  waiver?: { by: string; at: string; justification: string; url: string; expiresAt?: string };
}

export const pass = (reason: string, notes?: string[]): Finding => ({ outcome: "pass", reason, fix: "", notes });
export const fail = (reason: string, fix: string, notes?: string[]): Finding => ({ outcome: "fail", reason, fix, notes });
export const pending = (reason: string, fix: string, notes?: string[]): Finding => ({ outcome: "pending", reason, fix, notes });
export const cannotEvaluate = (what: string, error: string): Finding => ({
  outcome: "error",
  reason: `Could not read ${what}: ${error}`,
  fix: "Re-run the check once GitHub answers again (the \"Re-run\" button); the control fails until it can be evaluated.",
});
