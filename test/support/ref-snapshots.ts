import type { MergedPullVerdict, OurRunState } from "../../src/facts/refs.js";
import type { DeploymentSnapshot, PushSnapshot, TagSnapshot } from "../../src/facts/refs.js";
import { fetched } from "../../src/facts/fetched.js";

export const BEFORE_SHA = "1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
export const AFTER_SHA = "2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
export const TAG_SHA = "3333333ccccccccccccccccccccccccccccccccc";
export const PR_HEAD_SHA = "5555555eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";

/** PR `number` merged into `main` by mia as `mergeCommitSha`, whose final head got `headRun` (default: a passing run). */
export function mergedPull(
  number: number,
  mergeCommitSha: string | null,
  headRun: OurRunState | null = { status: "completed", conclusion: "success", title: "All required controls pass" },
  overrides: Partial<MergedPullVerdict> = {},
): MergedPullVerdict {
  return { number, baseRefName: "main", headSha: PR_HEAD_SHA, mergeCommitSha, mergedBy: "mia", headRun: fetched(headRun), ...overrides };
}

/** A fast-forward push to `main` by alice of one commit merged through PR #12, unless overridden. */
export function pushSnapshot(overrides: Partial<PushSnapshot> = {}): PushSnapshot {
  return {
    owner: "acme",
    repo: "payments",
    branch: "main",
    pusher: "alice",
    before: BEFORE_SHA,
    after: AFTER_SHA,
    forced: false,
    created: false,
    deleted: false,
    protection: fetched({ sources: ["default branch"] }),
    commits: fetched([{ sha: AFTER_SHA, mergedInto: [12], pullRequests: [mergedPull(12, AFTER_SHA)] }]),
    ...overrides,
  };
}

/** A signed annotated tag `v1.4.0` on the merge commit of compliant PR #12 on `main`, not a release, unless overridden. */
export function tagSnapshot(overrides: Partial<TagSnapshot> = {}): TagSnapshot {
  return {
    owner: "acme",
    repo: "payments",
    name: "v1.4.0",
    defaultBranch: "main",
    commitSha: TAG_SHA,
    annotated: true,
    signature: fetched({ verified: true, reason: "valid" }),
    onDefaultBranch: fetched(true),
    mergedPullRequests: fetched([mergedPull(12, TAG_SHA)]),
    ...overrides,
  };
}

/** A deployment of tag `v1.4.0` to production whose commit has a successful sdlc-guard run and is the merge of compliant PR #12, unless overridden. */
export function deploymentSnapshot(overrides: Partial<DeploymentSnapshot> = {}): DeploymentSnapshot {
  return {
    owner: "acme",
    repo: "payments",
    environment: "production",
    ref: "v1.4.0",
    sha: TAG_SHA,
    defaultBranch: "main",
    tagCommit: fetched(TAG_SHA),
    ourRun: fetched({ status: "completed", conclusion: "success", title: "All controls pass" }),
    mergedPullRequests: fetched([mergedPull(12, TAG_SHA)]),
    ...overrides,
  };
}
