import { defaultConfig } from "../../src/config/schema.js";
import { evaluateMergedPull, evaluatePushedMergeVerdicts } from "../../src/controls/merged-unverified.js";
import { type MergeSnapshot } from "../../src/facts/refs.js";
import { fetched, unavailable } from "../../src/facts/fetched.js";
import { type ClassicProtection } from "../../src/facts/pull-request.js";
import { AFTER_SHA, mergedPull, pushSnapshot } from "../support/ref-snapshots.js";

const FAILED = { status: "completed", conclusion: "failure", title: "2 required control(s) failing: reviews, jira" } as const;
const requiringOurCheck: ClassicProtection = {
  pattern: "main",
  requiresApprovingReviews: true,
  requiredApprovingReviewCount: 2,
  allowsForcePushes: false,
  allowsDeletions: false,
  dismissesStaleReviews: true,
  isAdminEnforced: false,
  requiredStatusCheckContexts: ["sdlc-guard"],
};
const merge = (overrides: Partial<MergeSnapshot> = {}): MergeSnapshot => ({
  owner: "acme",
  repo: "payments",
  number: 1,
  baseRefName: "main",
  pull: fetched(mergedPull(1, AFTER_SHA, FAILED)),
  baseProtection: fetched({ classic: requiringOurCheck, rules: [] }),
  ...overrides,
});

describe("merged-unverified at merge time: a PR merges only with a passing sdlc-guard result on its final head", () => {
  it("is required by default, reported to the check run and an issue", () => {
    expect(defaultConfig.controls["merged-unverified"]).toEqual({ enforcement: "required", report: "both" });
  });

  it("a PR merged with a passing run on its final head passes, naming who merged it", () => {
    expect(evaluateMergedPull(merge({ pull: fetched(mergedPull(12, AFTER_SHA)) }))).toMatchObject({
      outcome: "pass",
      reason: "PR #12 was merged by @mia with sdlc-guard passed on its head `5555555`: All required controls pass.",
    });
  });

  it.each<[string, Partial<MergeSnapshot>, string]>([
    [
      "merged past a required sdlc-guard check: a bypass",
      {},
      "PR #1 was merged into `main` by @mia although sdlc-guard concluded `failure` on its head `5555555`: 2 required control(s) failing: reviews, jira; `main` requires the `sdlc-guard` check, so the merge bypassed it (an administrator or a bypass actor).",
    ],
    [
      "the check required by a ruleset",
      {
        baseProtection: fetched({
          classic: null,
          rules: [{ type: "required_status_checks", rulesetSource: "Organization acme", requiredStatusChecks: ["sdlc-guard"] }],
        }),
      },
      "PR #1 was merged into `main` by @mia although sdlc-guard concluded `failure` on its head `5555555`: 2 required control(s) failing: reviews, jira; `main` requires the `sdlc-guard` check, so the merge bypassed it (an administrator or a bypass actor).",
    ],
    [
      "a branch that does not require the check",
      { baseProtection: fetched({ classic: { ...requiringOurCheck, requiredStatusCheckContexts: [] }, rules: [] }) },
      "PR #1 was merged into `main` by @mia although sdlc-guard concluded `failure` on its head `5555555`: 2 required control(s) failing: reviews, jira; `main` does not require the `sdlc-guard` check, so GitHub let it merge.",
    ],
    [
      "protection unreadable",
      { baseProtection: unavailable("more than 100 ruleset rules apply to the base branch main") },
      "PR #1 was merged into `main` by @mia although sdlc-guard concluded `failure` on its head `5555555`: 2 required control(s) failing: reviews, jira; whether `main` requires the `sdlc-guard` check could not be read (more than 100 ruleset rules apply to the base branch main).",
    ],
    [
      "a run still in progress at merge time",
      { pull: fetched(mergedPull(1, AFTER_SHA, { status: "in_progress", conclusion: null, title: null })) },
      "PR #1 was merged into `main` by @mia although sdlc-guard had not finished on its head `5555555`; `main` requires the `sdlc-guard` check, so the merge bypassed it (an administrator or a bypass actor).",
    ],
    [
      "no run on the final head",
      { pull: fetched(mergedPull(1, AFTER_SHA, null, { mergedBy: null })) },
      "PR #1 was merged into `main` by an unknown account although sdlc-guard has no result on its head `5555555`; `main` requires the `sdlc-guard` check, so the merge bypassed it (an administrator or a bypass actor).",
    ],
  ])("fails: %s", (_name, overrides, reason) => {
    expect(evaluateMergedPull(merge(overrides))).toMatchObject({ outcome: "fail", reason });
  });

  it("a verdict that cannot be read fails closed, with the reason", () => {
    expect(evaluateMergedPull(merge({ pull: unavailable("GitHub answered HTTP 502") }))).toMatchObject({
      outcome: "error",
      reason: "Could not read the verdict PR #1 was merged with: GitHub answered HTTP 502",
    });
  });
});

describe("merged-unverified on a push: each commit inherits the verdict of the PR that brought it", () => {
  it("commits of a PR that passed pass", () => {
    expect(evaluatePushedMergeVerdicts(pushSnapshot()).outcome).toBe("pass");
  });

  it("the merge commit of a PR that failed fails, naming the PR, who merged it and what failed", () => {
    const commits = fetched([{ sha: AFTER_SHA, mergedInto: [1], pullRequests: [mergedPull(1, AFTER_SHA, FAILED)] }]);
    expect(evaluatePushedMergeVerdicts(pushSnapshot({ commits }))).toMatchObject({
      outcome: "fail",
      reason:
        "1 of 1 commit(s) pushed to `main` arrived through pull requests merged without a passing sdlc-guard result: PR #1 (merged by @mia: sdlc-guard concluded `failure` on its head `5555555`: 2 required control(s) failing: reviews, jira).",
    });
  });

  it("a commit that a failed PR and a passing PR both contain is vouched for by the passing one", () => {
    const commits = fetched([
      { sha: AFTER_SHA, mergedInto: [1, 12], pullRequests: [mergedPull(1, null, FAILED), mergedPull(12, AFTER_SHA)] },
    ]);
    expect(evaluatePushedMergeVerdicts(pushSnapshot({ commits })).outcome).toBe("pass");
  });

  it("commits pushed directly are direct-push's concern, not this control's", () => {
    const commits = fetched([{ sha: AFTER_SHA, mergedInto: [], pullRequests: [] }]);
    expect(evaluatePushedMergeVerdicts(pushSnapshot({ commits })).outcome).toBe("pass");
  });

  it("unreadable commits fail closed", () => {
    expect(evaluatePushedMergeVerdicts(pushSnapshot({ commits: unavailable("GitHub answered HTTP 502") })).outcome).toBe("error");
  });
});
