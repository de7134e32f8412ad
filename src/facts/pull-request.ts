import type { Fetched } from "./fetched.js";

/** A PR comment as the evaluation reads it. */
export interface PullRequestComment {
  /** GitHub's numeric id (for reactions and replies). */
  id: number;
  url: string;
  /** null: a deleted account (a "ghost"). */
  author: { login: string; bot: boolean } | null;
  body: string;
  createdAt: string;
  /** GitHub records an edit of the body (`lastEditedAt` set). */
  edited: boolean;
}

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
  /** Who may set each required `sdlc-guard` check (absent: not read). */
  guardCheckSources?: GuardCheckSource[];
  /** Bypass allowances (absent: not read). */
  bypass?: ClassicBypass;
}

/** One active ruleset rule that applies to the base branch (repository or organisation ruleset). */
export interface RulesetRule {
  type: string;
  rulesetSource: string;
  requiredApprovingReviewCount?: number;
  dismissesStaleReviews?: boolean;
  requiredStatusChecks?: string[];
  /** Who may set each required `sdlc-guard` check of a `required_status_checks` rule (absent: not read). */
  guardCheckSources?: GuardCheckSource[];
  /** The bypass list of the rule's ruleset (absent: not read). */
  bypass?: RulesetBypass;
}

export interface SecretScanningState {
  enabled: boolean;
  /** Open alerts of every type: provider patterns and the generic ones GitHub lists only when asked by name. */
  openAlerts: number;
  /** Whether more open alerts exist than were counted (the count is a lower bound). */
  moreAlerts: boolean;
  /** A public repository with scanning on: GitHub's API answers 404 on its alerts, so none could be counted. */
  alertsNotListed?: boolean;
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
  /**
   * Read only when a control needs them (`undefined` otherwise; a control that needs an unread part fails closed):
   * changed file paths (CODEOWNERS), commits (`commit-messages`), checks on the head (`required-checks`), CODEOWNERS
   * of the base branch (`null`: no CODEOWNERS file in any of the three places).
   */
  changedFiles?: Fetched<string[]>;
  /** Read with `changedFiles`: the new paths of the files GitHub lists as RENAMED (GraphQL does not give the old path). */
  renamedFiles?: string[];
  commits?: Fetched<PullRequestCommit[]>;
  headChecks?: Fetched<HeadCheck[]>;
  codeOwners?: Fetched<CodeOwnersFile | null>;
  /** Every comment of the PR (waiver commands) and how many it has, read when approvers are configured. */
  comments?: Fetched<{ comments: PullRequestComment[]; total: number }>;
  /** Read (REST, cached per repository) only when `secret-scanning` is on. */
  secretScanning?: Fetched<SecretScanningState>;
  /** Force pushes of the head branch, oldest first (the PR's timeline): who pushed the head, and since when it is the head. */
  forcePushes?: Fetched<ForcePush[]>;
  /** The PR's labels, read only when a rule's `if` names labels. */
  labels?: Fetched<string[]>;
}

/** The parts of the snapshot read only when a control (or the waivers) needs them. */
export const OPTIONAL_PULL_REQUEST_FACTS = [
  "changedFiles",
  "commits",
  "headChecks",
  "codeOwners",
  "comments",
  "forcePushes",
  "secretScanning",
  "labels",
] as const;
export type OptionalPullRequestFact = (typeof OPTIONAL_PULL_REQUEST_FACTS)[number];

/**
 * The snapshot as a control that declared `facts` sees it: only those optional facts are in the type, each `undefined`
 * when it was not read for this evaluation (the control then fails closed).
 */
export type PullRequestFacts<F extends OptionalPullRequestFact = never> = Omit<PullRequestSnapshot, OptionalPullRequestFact> & {
  [K in F]: PullRequestSnapshot[K];
};

/**
 * Where a required `sdlc-guard` status check must come from: this app (pinned to its id), any source (anyone who can
 * set a commit status named `sdlc-guard` satisfies it), another app, or an app this evaluation cannot identify (no
 * APP_ID known, e.g. the CLI with a token).
 */
export type GuardCheckSource = "this-app" | "any-source" | "other-app" | "unknown-app";

/**
 * Who may bypass a branch's rules. `name` is what `allowed_bypass` matches: a team `org/slug`, an app's slug, a
 * user's login, `role:<repository role>`, `organization-admin`, `enterprise-owner`, `deploy-keys`, `repository-admins`.
 */
export interface BypassActor {
  name: string;
  /** What lets it bypass: "ruleset `acme/payments`", "classic rule `main` (pull requests)"... */
  via: string;
}

/** A ruleset's bypass list as GitHub shows it to the app: `null` when hidden (GitHub shows it only to who may edit the ruleset). */
export interface RulesetBypass {
  /** Stable id of the ruleset, so the list of a ruleset with several rules is counted once. */
  rulesetId: string;
  rulesetName: string;
  actors: BypassActor[] | null;
  /** Why `actors` is null. */
  hiddenBecause?: string;
}

/** Classic allowances; `null` lists could not be read in full. */
export interface ClassicBypass {
  pullRequest: BypassActor[] | null;
  forcePush: BypassActor[] | null;
}

/** A git identity of a commit (author, committer, `Co-authored-by:` trailer) and the account GitHub links it to. */
export interface CommitPerson {
  name: string | null;
  email: string | null;
  /** The account whose verified email this is, as GitHub links it; null when it links none. */
  login: string | null;
}

/** A force push of the PR's head branch (the PR's timeline): who, when, and the head it left. */
export interface ForcePush {
  at: string;
  actor: string | null;
  afterSha: string | null;
}
