import { fetched } from "../../src/facts/fetched.js";
import type { OptionalPullRequestFact, PullRequestFacts, PullRequestSnapshot } from "../../src/facts/pull-request.js";

export const HEAD_SHA = "c0ffee1234567890abcdef1234567890abcdef12";

/** A neutral PR snapshot (no key, no reviews, no protection, scanning on and clean): tests set what their control reads. */
export function pullRequestSnapshot(overrides: Partial<PullRequestSnapshot> = {}): PullRequestFacts<OptionalPullRequestFact> {
  return {
    owner: "acme",
    repo: "payments",
    number: 7,
    title: "Add refunds",
    body: "",
    headRefName: "feature/refunds",
    headSha: HEAD_SHA,
    baseRefName: "main",
    isDraft: false,
    author: { login: "alice", isBot: false },
    reviews: fetched([]),
    classicProtection: fetched(null),
    rulesetRules: fetched([]),
    secretScanning: fetched({ enabled: true, openAlerts: 0, moreAlerts: false, pushProtection: { status: "enabled" } }),
    changedFiles: undefined,
    headChecks: undefined,
    codeOwners: undefined,
    comments: undefined,
    // Read by `reviews` (independent approvers): no commit by anyone, no force push.
    commits: fetched([]),
    forcePushes: fetched([]),
    labels: undefined,
    ...overrides,
  };
}
