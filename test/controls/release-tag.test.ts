import { configSchema, defaultConfig, type ReleaseTagConfig } from "../../src/config/schema.js";
import { SEMVER_TAG_PATTERN } from "../../src/controls/release-tag.js";
import { evaluateReleaseTag, isReleaseTagName } from "../../src/controls/release-tag.js";
import { fetched, unavailable } from "../../src/facts/fetched.js";
import { mergedPull, TAG_SHA, tagSnapshot } from "../support/ref-snapshots.js";

const config = (releaseTag: Record<string, unknown> = {}): ReleaseTagConfig =>
  configSchema.parse({ controls: { "release-tag": releaseTag } }).controls["release-tag"];

describe("release-tag: release tags are semantic versions on a commit of the default branch", () => {
  it("is required by default, with the semantic-version pattern, on the default branch", () => {
    expect(defaultConfig.controls["release-tag"]).toEqual({
      enforcement: "required",
      report: "both",
      pattern: SEMVER_TAG_PATTERN,
      require_on_default_branch: true,
    });
  });

  describe("the default pattern is Semantic Versioning 2.0.0 with an optional lower-case v", () => {
    it.each([
      "v1.2.3",
      "1.2.3",
      "v2.0.0-rc.1",
      "1.0.0+build.5",
      "1.0.0-alpha.beta",
      "v0.0.0",
      "v10.20.30",
      "1.0.0-0A.is.legal",
      "1.0.0-alpha+001",
    ])("%s is a semantic version", (name) => {
      expect(isReleaseTagName(name, SEMVER_TAG_PATTERN)).toBe(true);
    });

    it.each([
      ["1.2", "two parts"],
      ["v1.2", "two parts"],
      ["1.2.3.4", "four parts"],
      ["v01.2.3", "a leading zero"],
      ["1.2.3-", "an empty pre-release"],
      ["1.0.0-01", "a numeric pre-release part with a leading zero"],
      ["1.2.3+", "empty build metadata"],
      ["release-1.2.3", "a prefix other than v"],
      ["V1.2.3", "an upper-case V (the convention is a lower-case v)"],
      ["v1.2.3 ", "a trailing space"],
      ["", "nothing"],
    ])("%j is not a semantic version: %s", (name) => {
      expect(isReleaseTagName(name, SEMVER_TAG_PATTERN)).toBe(false);
    });

    it("a configured pattern is searched for, so users anchor it themselves", () => {
      expect(isReleaseTagName("release-2025.03", "^release-[0-9]{4}\\.[0-9]{2}$")).toBe(true);
      expect(isReleaseTagName("old-release-2025.03", "release-[0-9]{4}")).toBe(true);
      expect(isReleaseTagName("old-release-2025.03", "^release-[0-9]{4}")).toBe(false);
    });
  });

  it("a semantic-version tag on a commit of main passes", () => {
    expect(evaluateReleaseTag(tagSnapshot(), config())).toEqual({
      outcome: "pass",
      reason:
        "Tag `v1.4.0` is a semantic version on commit `3333333` of the default branch `main`, the merge of PR #12, which passed sdlc-guard.",
      fix: "",
      notes: undefined,
    });
  });

  it("tag 1.2 is not semver", () => {
    expect(evaluateReleaseTag(tagSnapshot({ name: "1.2" }), config())).toEqual({
      outcome: "fail",
      reason: "Tag `1.2` is not a semantic version like `v1.4.0`.",
      fix: "Name release tags as semantic versions (`v1.4.0`, `2.0.0-rc.1`): create the right tag on the same commit and delete the wrong one.",
      notes: undefined,
    });
  });

  it("with a configured pattern, the reason names the pattern instead", () => {
    const custom = config({ pattern: "^release-[0-9]+$" });
    expect(evaluateReleaseTag(tagSnapshot({ name: "v1.4.0" }), custom)).toMatchObject({
      outcome: "fail",
      reason: "Tag `v1.4.0` does not match the configured pattern `^release-[0-9]+$`.",
      fix: "Name release tags to match `controls.release-tag.pattern`: create the right tag on the same commit and delete the wrong one.",
    });
    expect(evaluateReleaseTag(tagSnapshot({ name: "release-7" }), custom).reason).toBe(
      "Tag `release-7` matches the configured pattern `^release-[0-9]+$` on commit `3333333` of the default branch `main`, the merge of PR #12, which passed sdlc-guard.",
    );
  });

  it("a tag on a commit outside main fails", () => {
    expect(evaluateReleaseTag(tagSnapshot({ onDefaultBranch: fetched(false) }), config())).toEqual({
      outcome: "fail",
      reason: "Tag `v1.4.0` points to commit `3333333`, which is not on the default branch `main`.",
      fix: "Tag a commit of `main` (merge the release into `main` first), then move the tag to it.",
      notes: undefined,
    });
  });

  it("a wrong name and a commit outside the default branch are both reported in one reason", () => {
    const mergedIntoTrunk = fetched([mergedPull(12, TAG_SHA, undefined, { baseRefName: "trunk" })]);
    const result = evaluateReleaseTag(
      tagSnapshot({ name: "hotfix", defaultBranch: "trunk", onDefaultBranch: fetched(false), mergedPullRequests: mergedIntoTrunk }),
      config(),
    );
    expect(result.outcome).toBe("fail");
    expect(result.reason).toBe(
      "Tag `hotfix` is not a semantic version like `v1.4.0` and points to commit `3333333`, which is not on the default branch `trunk`.",
    );
    expect(result.fix).toBe(
      "Name release tags as semantic versions (`v1.4.0`, `2.0.0-rc.1`): create the right tag on the same commit and delete the wrong one. " +
        "Tag a commit of `trunk` (merge the release into `trunk` first), then move the tag to it.",
    );
  });

  it("a tag GitHub no longer has fails", () => {
    expect(evaluateReleaseTag(tagSnapshot({ commitSha: null, onDefaultBranch: unavailable("no commit") }), config())).toMatchObject({
      outcome: "fail",
      reason: "Tag `v1.4.0` does not exist on GitHub (it may have been deleted since).",
      fix: "Push the tag again (`git push origin <tag>`) if it was deleted by mistake.",
    });
  });

  it("whether the commit is on the default branch, when it cannot be read, is an error", () => {
    const result = evaluateReleaseTag(tagSnapshot({ onDefaultBranch: unavailable("GitHub answered 500") }), config());
    expect(result.outcome).toBe("error");
    expect(result.reason).toBe("Could not read whether commit `3333333` is on the default branch `main`: GitHub answered 500");
  });

  it("a wrong name still fails when the branch cannot be read, and the unknown is noted", () => {
    const result = evaluateReleaseTag(tagSnapshot({ name: "1.2", onDefaultBranch: unavailable("GitHub answered 500") }), config());
    expect(result).toMatchObject({
      outcome: "fail",
      reason: "Tag `1.2` is not a semantic version like `v1.4.0`.",
      notes: ["Whether commit `3333333` is on the default branch `main` could not be read: GitHub answered 500"],
    });
  });

  it("with require_on_default_branch off, the branch is not looked at", () => {
    const result = evaluateReleaseTag(
      tagSnapshot({ onDefaultBranch: unavailable("not read") }),
      config({ require_on_default_branch: false }),
    );
    expect(result).toMatchObject({
      outcome: "pass",
      reason:
        "Tag `v1.4.0` is a semantic version on commit `3333333` (being on the default branch is not required: `require_on_default_branch: false`), the merge of PR #12, which passed sdlc-guard.",
    });
  });
});

describe("release-tag: the tagged commit is vouched for by the PR that merged as it", () => {
  const FAILED = { status: "completed", conclusion: "failure", title: "2 required control(s) failing: reviews, jira" } as const;
  it.each<[string, Parameters<typeof tagSnapshot>[0], string]>([
    [
      "the merge commit of a PR that failed",
      { mergedPullRequests: fetched([mergedPull(1, TAG_SHA, FAILED)]) },
      "Tag `v1.4.0` is not vouched for: commit `3333333` is the merge of PR #1 (merged by @mia: sdlc-guard concluded `failure` on its head `5555555`: 2 required control(s) failing: reviews, jira), which did not pass sdlc-guard on its final head, so nothing vouches for it.",
    ],
    [
      "an intermediate commit of a compliant PR",
      { mergedPullRequests: fetched([mergedPull(12, "6".repeat(40))]) },
      "Tag `v1.4.0` is not vouched for: commit `3333333` is an intermediate commit of PR #12, not the commit the merge produced: sdlc-guard never evaluated it as a result, so nothing vouches for it.",
    ],
    [
      "a commit pushed directly",
      { mergedPullRequests: fetched([]) },
      "Tag `v1.4.0` is not vouched for: commit `3333333` did not come from a pull request merged into `main` (a direct push), so nothing vouches for it.",
    ],
    [
      "a compliant PR merged into another branch",
      { mergedPullRequests: fetched([mergedPull(12, TAG_SHA, undefined, { baseRefName: "feature/x" })]) },
      "Tag `v1.4.0` is not vouched for: commit `3333333` did not come from a pull request merged into `main` (a direct push), so nothing vouches for it.",
    ],
  ])("fails: %s", (_name, overrides, reason) => {
    expect(evaluateReleaseTag(tagSnapshot(overrides), config())).toMatchObject({ outcome: "fail", reason });
  });

  it("a failed PR and a compliant PR merged as the same commit: the compliant one vouches", () => {
    const both = fetched([mergedPull(1, TAG_SHA, FAILED), mergedPull(12, TAG_SHA)]);
    expect(evaluateReleaseTag(tagSnapshot({ mergedPullRequests: both }), config()).outcome).toBe("pass");
  });

  it("unreadable pull requests fail closed with the reason", () => {
    expect(evaluateReleaseTag(tagSnapshot({ mergedPullRequests: unavailable("GitHub answered 502") }), config())).toMatchObject({
      outcome: "error",
      reason: "Could not read the pull requests merged as commit `3333333`: GitHub answered 502",
    });
  });
});
