import type { DeploymentSnapshot, PushSnapshot, TagSnapshot } from "../../src/facts/refs.js";
import { fetched } from "../../src/facts/fetched.js";

export const BEFORE_SHA = "1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
export const AFTER_SHA = "2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
export const TAG_SHA = "3333333ccccccccccccccccccccccccccccccccc";

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
    commits: fetched([{ sha: AFTER_SHA, mergedInto: [12] }]),
    ...overrides,
  };
}

/** A signed annotated tag `v1.4.0` on a commit of `main`, not a release, unless overridden. */
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
    ...overrides,
  };
}

/** A deployment of tag `v1.4.0` to production whose commit has a successful sdlc-guard run, unless overridden. */
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
    mergedPullRequests: fetched([]),
    ...overrides,
  };
}
