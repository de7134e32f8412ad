import type { Fetched } from "./fetched.js";
import type { ClassicProtection, RulesetRule } from "./pull-request.js";

/** How a branch is protected; an empty list means it is neither the default branch nor protected. */
export interface BranchProtectionSources {
  /** e.g. "default branch", "classic rule `release/*`", "ruleset acme/payments (non_fast_forward)". */
  sources: string[];
}

/** One commit a push added to a branch, with the pull requests GitHub associates with it. */
export interface PushedCommit {
  sha: string;
  /** Pull requests merged into the pushed branch that contain this commit or whose merge commit it is. */
  mergedInto: number[];
  /** Those pull requests with the verdict on their final heads (`merged-unverified`: the commit inherits it). */
  pullRequests: MergedPullVerdict[];
}

/** A push to a branch, read fresh from GitHub (the payload only names the refs and SHAs). */
export interface PushSnapshot {
  owner: string;
  repo: string;
  branch: string;
  /** The login that pushed (the event's sender). */
  pusher: string;
  before: string;
  after: string;
  forced: boolean;
  created: boolean;
  deleted: boolean;
  protection: Fetched<BranchProtectionSources>;
  /** Every commit the push added to the branch; empty for a deletion. */
  commits: Fetched<PushedCommit[]>;
}

/** GitHub's verification of a signed annotated tag (`GET /repos/{o}/{r}/git/tags/{sha}`). */
export interface TagSignature {
  verified: boolean;
  /** GitHub's reason: valid, unsigned, unknown_key, bad_email, ... */
  reason: string;
}

/** A published release, read fresh (GraphQL `repository.release`). */
export interface ReleaseFacts {
  tagName: string;
  name: string | null;
  notes: string;
  isDraft: boolean;
  isPrerelease: boolean;
}

/** A tag (and, for a release event, its release), read fresh from GitHub. */
export interface TagSnapshot {
  owner: string;
  repo: string;
  name: string;
  defaultBranch: string;
  /** The commit the tag points to (peeled through an annotated tag); null when the tag does not exist. */
  commitSha: string | null;
  /** An annotated tag object (`git tag -a` / `-s`), as opposed to a lightweight ref. */
  annotated: boolean;
  /** The signature verification of the annotated tag; null for a lightweight tag. */
  signature: Fetched<TagSignature | null>;
  /** Whether the commit is reachable from the default branch's head. */
  onDefaultBranch: Fetched<boolean>;
  /** Set when a release is evaluated. */
  release?: ReleaseFacts;
  /** The merged PRs GitHub associates with the tagged commit, with their verdicts: whether one vouches for the commit. */
  mergedPullRequests: Fetched<MergedPullVerdict[]>;
}

/** What a deployment protection rule needs to decide: the ref deployed, and sdlc-guard's results on its commit. */
export interface DeploymentSnapshot {
  owner: string;
  repo: string;
  environment: string;
  /** The deployment's ref as GitHub sends it (a branch or tag name, or a SHA). */
  ref: string;
  sha: string;
  /** The repository's default branch (null: none, or not read): only PRs merged into it vouch for a commit. */
  defaultBranch: string | null;
  /** The commit of `refs/tags/<ref>`; null when no such tag exists. */
  tagCommit: Fetched<string | null>;
  /** Our `sdlc-guard` check run on the deployed commit; null when there is none. */
  ourRun: Fetched<OurRunState | null>;
  /** The merged PRs GitHub associates with this commit, with the verdict on each one's final head. */
  mergedPullRequests: Fetched<MergedPullVerdict[]>;
}

/** Our `sdlc-guard` check run on a commit, as read. */
export interface OurRunState {
  status: "completed" | "in_progress" | "queued";
  conclusion: string | null;
  title: string | null;
}

/** A merged pull request with the verdict sdlc-guard gave on its final head: what a commit it brought inherits. */
export interface MergedPullVerdict {
  number: number;
  baseRefName: string;
  /** The PR's final head commit (the one it was merged with). */
  headSha: string;
  /**
   * The commit the merge put on the base branch: the merge commit, the squash commit, or for a rebase merge the last
   * rebased commit (GitHub's `mergeCommit`); null when GitHub does not say.
   */
  mergeCommitSha: string | null;
  /** Who merged it (null: GitHub does not say, e.g. a deleted account). */
  mergedBy: string | null;
  /** Our run on the final head; null when there is none; unreadable with the reason. */
  headRun: Fetched<OurRunState | null>;
}

/** A merged PR read fresh at merge time: its verdict, and whether its base branch requires our check (a merge past it is a bypass). */
export interface MergeSnapshot {
  owner: string;
  repo: string;
  number: number;
  /** null: GitHub says the PR is not merged. */
  pull: Fetched<MergedPullVerdict | null>;
  baseRefName: string;
  /** The base branch's protection as it is now (null: the branch is gone). */
  baseProtection: Fetched<{ classic: ClassicProtection | null; rules: RulesetRule[] } | null>;
}
