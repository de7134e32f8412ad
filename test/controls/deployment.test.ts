import { configSchema, defaultConfig, type SdlcGuardConfig } from "../../src/config/schema.js";
import { decideDeployment } from "../../src/controls/deployment.js";
import type { DeploymentSnapshot } from "../../src/facts/refs.js";
import { fetched, unavailable } from "../../src/facts/fetched.js";
import { deploymentSnapshot, mergedPull, TAG_SHA } from "../support/ref-snapshots.js";

const OTHER_SHA = "4444444ddddddddddddddddddddddddddddddddd";
const config = (controls: Record<string, unknown> = {}): SdlcGuardConfig => configSchema.parse({ controls });
const run = (
  status: "completed" | "in_progress" | "queued",
  conclusion: string | null,
  title: string | null = null,
): DeploymentSnapshot["ourRun"] => fetched({ status, conclusion, title });
/** PRs merged as the deployed commit: [number, conclusion of our run on the final head (null: no run), base branch]. */
const merged = (...prs: [number, string | null, string?][]): DeploymentSnapshot["mergedPullRequests"] =>
  fetched(
    prs.map(([number, conclusion, baseRefName = "main"]) =>
      mergedPull(number, TAG_SHA, conclusion ? { status: "completed", conclusion, title: null } : null, { baseRefName }),
    ),
  );
const APPROVED =
  "Tag `v1.4.0` (`3333333`) carries a successful sdlc-guard result and was merged through compliant PR #12 (sdlc-guard passed on its final head `5555555`).";

describe("deployment: deployments only from approved, tagged releases", () => {
  it("is required by default, for every environment whose protection rules include the app", () => {
    expect(defaultConfig.controls.deployment).toEqual({ enforcement: "required", environments: [] });
  });

  it("deployment of v1.4.0 whose commit passed sdlc-guard and is the merge of a compliant PR is approved", () => {
    expect(decideDeployment(deploymentSnapshot(), defaultConfig)).toEqual({ state: "approved", reason: APPROVED });
  });

  it("a successful run of the commit's own (its push or tag) does not vouch for it: a direct push is rejected", () => {
    expect(decideDeployment(deploymentSnapshot({ mergedPullRequests: fetched([]) }), defaultConfig)).toEqual({
      state: "rejected",
      reason:
        "Tag `v1.4.0`: commit `3333333` did not come from a pull request merged into `main` (a direct push), so nothing vouches for it.",
    });
  });

  it("the merge commit of a PR that failed is rejected, naming the PR, who merged it and what failed", () => {
    const failed = fetched([
      mergedPull(1, TAG_SHA, { status: "completed", conclusion: "failure", title: "2 required control(s) failing: reviews, jira" }),
    ]);
    expect(decideDeployment(deploymentSnapshot({ mergedPullRequests: failed }), defaultConfig)).toEqual({
      state: "rejected",
      reason:
        "Tag `v1.4.0`: commit `3333333` is the merge of PR #1 (merged by @mia: sdlc-guard concluded `failure` on its head `5555555`: 2 required control(s) failing: reviews, jira), which did not pass sdlc-guard on its final head, so nothing vouches for it.",
    });
  });

  it("an intermediate commit of a compliant PR (not what the merge produced) is rejected", () => {
    const intermediate = fetched([mergedPull(12, OTHER_SHA)]);
    expect(decideDeployment(deploymentSnapshot({ mergedPullRequests: intermediate }), defaultConfig)).toEqual({
      state: "rejected",
      reason:
        "Tag `v1.4.0`: commit `3333333` is an intermediate commit of PR #12, not the commit the merge produced: sdlc-guard never evaluated it as a result, so nothing vouches for it.",
    });
  });

  it("a PR whose verdict on its final head could not be read does not vouch (fails closed)", () => {
    const unread = fetched([
      mergedPull(12, TAG_SHA, null, { headRun: unavailable("more check suites on the commit than one query lists") }),
    ]);
    expect(decideDeployment(deploymentSnapshot({ mergedPullRequests: unread }), defaultConfig)).toMatchObject({
      state: "rejected",
      reason: expect.stringContaining(
        "the sdlc-guard result on its head `5555555` could not be read (more check suites on the commit than one query lists)",
      ),
    });
  });

  it("the conclusion is compared case-insensitively", () => {
    expect(decideDeployment(deploymentSnapshot({ ourRun: run("completed", "SUCCESS") }), defaultConfig).state).toBe("approved");
  });

  it("deployment of a branch is rejected with the reason", () => {
    expect(decideDeployment(deploymentSnapshot({ ref: "main", tagCommit: fetched(null) }), defaultConfig)).toEqual({
      state: "rejected",
      reason: "Deployments only from approved, tagged releases: `main` is not a semantic-version tag.",
    });
  });

  it.each([
    ["a SHA", TAG_SHA],
    ["a two-part version", "v1.4"],
  ])("deployment of %s is rejected", (_name, ref) => {
    expect(decideDeployment(deploymentSnapshot({ ref }), defaultConfig).state).toBe("rejected");
  });

  it("with a configured release-tag pattern, the ref must match it", () => {
    const custom = config({ "release-tag": { pattern: "^release-[0-9]+$" } });
    expect(decideDeployment(deploymentSnapshot(), custom)).toEqual({
      state: "rejected",
      reason:
        "Deployments only from approved, tagged releases: `v1.4.0` does not match the release-tag pattern (`controls.release-tag.pattern`).",
    });
    expect(decideDeployment(deploymentSnapshot({ ref: "release-7" }), custom).state).toBe("approved");
  });

  it.each<[string, Partial<DeploymentSnapshot>, string]>([
    [
      "no tag by that name (a branch named like a version)",
      { tagCommit: fetched(null) },
      "Deployments only from approved, tagged releases: there is no tag named `v1.4.0`.",
    ],
    [
      "the tag on another commit",
      { tagCommit: fetched(OTHER_SHA) },
      "Tag `v1.4.0` points to `4444444`, not to the deployed commit `3333333`.",
    ],
    [
      "the tag could not be read",
      { tagCommit: unavailable("GitHub answered 502") },
      "Could not tell whether tag `v1.4.0` points to the deployed commit `3333333`: GitHub answered 502",
    ],
    [
      "our check run could not be read",
      { ourRun: unavailable("GitHub answered 502") },
      "Could not tell whether sdlc-guard passed on `3333333` (tag `v1.4.0`): GitHub answered 502",
    ],
    [
      "sdlc-guard failed on the commit",
      { ourRun: run("completed", "failure", "2 required controls fail.") },
      "sdlc-guard concluded `failure` on `3333333` (tag `v1.4.0`): 2 required controls fail.",
    ],
    [
      "sdlc-guard failed, without a title",
      { ourRun: run("completed", "action_required") },
      "sdlc-guard concluded `action_required` on `3333333` (tag `v1.4.0`).",
    ],
    [
      "a completed run without a conclusion",
      { ourRun: run("completed", null) },
      "sdlc-guard completed without a conclusion on `3333333` (tag `v1.4.0`).",
    ],
    [
      "sdlc-guard still running",
      { ourRun: run("in_progress", null) },
      "sdlc-guard has not finished on this commit (`3333333`, tag `v1.4.0`): deploy again once it has concluded.",
    ],
    [
      "sdlc-guard queued, merged PRs unreadable",
      { ourRun: run("queued", null), mergedPullRequests: unavailable("timeout") },
      "sdlc-guard has not finished on this commit (`3333333`, tag `v1.4.0`): deploy again once it has concluded.",
    ],
    [
      "no run and merged PRs unreadable",
      { ourRun: fetched(null), mergedPullRequests: unavailable("GitHub answered 502") },
      "Could not tell whether `3333333` (tag `v1.4.0`) was merged through a compliant pull request: GitHub answered 502",
    ],
    [
      "no run and no merged PR",
      { ourRun: fetched(null), mergedPullRequests: fetched([]) },
      "Tag `v1.4.0`: commit `3333333` did not come from a pull request merged into `main` (a direct push), so nothing vouches for it.",
    ],
    [
      "no run and merged PRs that did not pass",
      { ourRun: fetched(null), mergedPullRequests: merged([12, "failure"], [13, null]) },
      "Tag `v1.4.0`: commit `3333333` is the merge of PR #12 (merged by @mia: sdlc-guard concluded `failure` on its head `5555555`) and PR #13 (merged by @mia: sdlc-guard has no result on its head `5555555`), which did not pass sdlc-guard on its final head, so nothing vouches for it.",
    ],
  ])("fails closed: %s is rejected", (_name, overrides, reason) => {
    expect(decideDeployment(deploymentSnapshot(overrides), defaultConfig)).toEqual({ state: "rejected", reason });
  });

  it("a commit without a run of its own, merged into main through a compliant PR, is approved", () => {
    const snapshot = deploymentSnapshot({ ourRun: fetched(null), mergedPullRequests: merged([11, "failure"], [12, "Success"]) });
    expect(decideDeployment(snapshot, defaultConfig)).toEqual({
      state: "approved",
      reason: "Tag `v1.4.0` (`3333333`) was merged through compliant PR #12 (sdlc-guard passed on its final head `5555555`).",
    });
  });

  it("a run of our own still in progress is not outweighed by a compliant merged PR: rejected until it concludes", () => {
    const snapshot = deploymentSnapshot({ ourRun: run("in_progress", null), mergedPullRequests: merged([12, "success"]) });
    expect(decideDeployment(snapshot, defaultConfig)).toEqual({
      state: "rejected",
      reason: "sdlc-guard has not finished on this commit (`3333333`, tag `v1.4.0`): deploy again once it has concluded.",
    });
  });

  it("a compliant PR merged into another branch does not vouch for the commit", () => {
    const snapshot = deploymentSnapshot({ ourRun: fetched(null), mergedPullRequests: merged([12, "success", "feature/x"]) });
    expect(decideDeployment(snapshot, defaultConfig).state).toBe("rejected");
  });

  it("a failed run of our own is not outweighed by a compliant merged PR", () => {
    const snapshot = deploymentSnapshot({ ourRun: run("completed", "failure"), mergedPullRequests: merged([12, "success"]) });
    expect(decideDeployment(snapshot, defaultConfig).state).toBe("rejected");
  });

  describe("which environments are gated", () => {
    const gated = config({ deployment: { environments: ["Production", "staging"] } });

    it("an environment not in the configured list is approved without looking further", () => {
      expect(decideDeployment(deploymentSnapshot({ environment: "preview", ref: "main" }), gated)).toEqual({
        state: "approved",
        reason: "Environment `preview` is not gated by the sdlc-guard configuration (`controls.deployment.environments`).",
      });
    });

    it("a configured environment is gated, whatever its case", () => {
      expect(decideDeployment(deploymentSnapshot({ environment: "PRODUCTION", ref: "main" }), gated).state).toBe("rejected");
    });
  });

  it("an off control approves every deployment, saying so", () => {
    expect(decideDeployment(deploymentSnapshot({ ref: "main" }), config({ deployment: { enforcement: "off" } }))).toEqual({
      state: "approved",
      reason: "The `deployment` control is turned off in the configuration.",
    });
  });

  describe("advisory enforcement approves, saying what would have been rejected", () => {
    const advisory = config({ deployment: { enforcement: "advisory" } });

    it("a branch is approved with the reason it would be rejected", () => {
      expect(decideDeployment(deploymentSnapshot({ ref: "main" }), advisory)).toEqual({
        state: "approved",
        reason: "advisory: would be rejected: Deployments only from approved, tagged releases: `main` is not a semantic-version tag.",
      });
    });

    it("a compliant release is approved as usual", () => {
      expect(decideDeployment(deploymentSnapshot(), advisory)).toEqual({ state: "approved", reason: APPROVED });
    });
  });
});
