import { configSchema, defaultConfig, type DirectPushConfig } from "../../src/config/schema.js";
import { evaluateDirectPush } from "../../src/controls/direct-push.js";
import type { PushedCommit } from "../../src/facts/refs.js";
import { fetched, unavailable } from "../../src/facts/fetched.js";
import { AFTER_SHA, mergedPull, pushSnapshot } from "../support/ref-snapshots.js";

const config = (directPush: Record<string, unknown> = {}): DirectPushConfig =>
  configSchema.parse({ controls: { "direct-push": directPush } }).controls["direct-push"];

const commit = (sha: string, mergedInto: number[] = []): PushedCommit => ({
  sha,
  mergedInto,
  pullRequests: mergedInto.map((n) => mergedPull(n, sha)),
});
/** A 40-character SHA whose short form is `n` repeated seven times (n = 0..9) or `a`.. for 10 and up. */
const sha = (n: number): string => n.toString(36).repeat(40);

const FIX =
  "Revert those commits on `main` and land the change through a reviewed pull request; keep `main` protected so that every change needs a pull request (with administrators included).";

describe("direct-push: every commit pushed to a protected branch arrived through a merged pull request", () => {
  it("is required by default, reported to the check run and an issue, with no bypass actors", () => {
    expect(defaultConfig.controls["direct-push"]).toEqual({ enforcement: "required", report: "both", bypass_actors: [] });
  });

  it("a commit merged through a PR is fine", () => {
    expect(evaluateDirectPush(pushSnapshot(), config())).toEqual({
      outcome: "pass",
      reason: "All 1 commit(s) pushed to `main` arrived through a merged pull request (#12).",
      fix: "",
      notes: undefined,
    });
  });

  it("the pull requests of several merged commits are listed once each, in order", () => {
    const commits = fetched([commit(sha(1), [14]), commit(sha(2), [12, 14]), commit(sha(3), [13])]);
    expect(evaluateDirectPush(pushSnapshot({ commits }), config()).reason).toBe(
      "All 3 commit(s) pushed to `main` arrived through a merged pull request (#12, #13, #14).",
    );
  });

  it("a commit pushed straight to main is a violation", () => {
    const result = evaluateDirectPush(pushSnapshot({ pusher: "mallory", commits: fetched([commit(AFTER_SHA)]) }), config());
    expect(result).toEqual({
      outcome: "fail",
      reason: "1 of 1 commit(s) pushed to `main` by mallory did not arrive through a merged pull request: `2222222`.",
      fix: FIX,
      notes: undefined,
    });
  });

  it("only the commits without a merged pull request are named, with how many of how many", () => {
    const commits = fetched([commit(sha(1), [12]), commit(sha(2)), commit(sha(3), [13]), commit(sha(4))]);
    expect(evaluateDirectPush(pushSnapshot({ commits }), config()).reason).toBe(
      "2 of 4 commit(s) pushed to `main` by alice did not arrive through a merged pull request: `2222222`, `4444444`.",
    );
  });

  it("at most ten commits are listed; the rest are counted", () => {
    const commits = fetched(Array.from({ length: 12 }, (_, i) => commit(sha(i))));
    expect(evaluateDirectPush(pushSnapshot({ commits }), config()).reason).toBe(
      "12 of 12 commit(s) pushed to `main` by alice did not arrive through a merged pull request: " +
        "`0000000`, `1111111`, `2222222`, `3333333`, `4444444`, `5555555`, `6666666`, `7777777`, `8888888`, `9999999` and 2 more.",
    );
  });

  it("the branch name is shown as code, whatever it contains", () => {
    const result = evaluateDirectPush(pushSnapshot({ branch: "release/`2.x`", commits: fetched([commit(AFTER_SHA)]) }), config());
    expect(result.reason).toContain("pushed to `` release/`2.x` `` by alice");
  });

  it.each([
    ["the exact login", "release-bot[bot]", "release-bot[bot]"],
    ["another case (GitHub logins are case-insensitive)", "Release-Bot[bot]", "release-bot[bot]"],
  ])("a bypass actor is reported but allowed: %s", (_name, pusher, configured) => {
    const commits = fetched([commit(sha(1)), commit(sha(2), [12])]);
    expect(evaluateDirectPush(pushSnapshot({ pusher, commits }), config({ bypass_actors: ["octocat", configured] }))).toEqual({
      outcome: "pass",
      reason: `1 of 2 commit(s) were pushed directly to \`main\` by bypass actor ${pusher} (allowed by \`controls.direct-push.bypass_actors\`).`,
      fix: "",
      notes: ["Pushed without a pull request: `1111111`."],
    });
  });

  it("someone who is not a bypass actor is not allowed because others are", () => {
    const result = evaluateDirectPush(
      pushSnapshot({ pusher: "release-bot", commits: fetched([commit(AFTER_SHA)]) }),
      config({ bypass_actors: ["release-bot[bot]"] }),
    );
    expect(result.outcome).toBe("fail");
  });

  it("a deletion adds no commit: it passes here and is the force-push control's concern", () => {
    const result = evaluateDirectPush(pushSnapshot({ deleted: true, commits: fetched([]) }), config());
    expect(result).toEqual({
      outcome: "pass",
      reason: "Branch `main` was deleted: a deletion adds no commit (deleting a protected branch is the `force-push` control's concern).",
      fix: "",
      notes: undefined,
    });
  });

  it("a push that adds no commit passes", () => {
    expect(evaluateDirectPush(pushSnapshot({ commits: fetched([]) }), config()).reason).toBe("The push to `main` added no commit.");
  });

  it("commits that could not be read are an error, never a pass", () => {
    const result = evaluateDirectPush(pushSnapshot({ commits: unavailable("GitHub answered 502") }), config());
    expect(result.outcome).toBe("error");
    expect(result.reason).toBe("Could not read the commits pushed to `main`: GitHub answered 502");
  });
});
