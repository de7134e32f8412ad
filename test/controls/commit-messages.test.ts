import { configSchema, defaultConfig, type CommitMessagesConfig } from "../../src/config/schema.js";
import { evaluateCommitMessages, subjectLine } from "../../src/controls/commit-messages.js";
import { fetched, unavailable } from "../../src/facts/fetched.js";
import { type PullRequestCommit } from "../../src/facts/pull-request.js";
import { pullRequestSnapshot } from "../support/snapshot.js";

const CONVENTIONAL = "^(feat|fix|docs|chore)(\\(.+\\))?: .+";

const commitMessagesConfig = (settings: Record<string, unknown> = {}): CommitMessagesConfig =>
  configSchema.parse({ controls: { "commit-messages": settings } }).controls["commit-messages"];

let counter = 0;
/** A commit whose short sha tells it apart: `c000001...`, `c000002...`. */
function commit(message: string, parents = 1): PullRequestCommit {
  counter++;
  return { sha: `c${String(counter).padStart(6, "0")}${"f".repeat(33)}`, message, parents };
}

const snapshot = (commits: PullRequestCommit[]): ReturnType<typeof pullRequestSnapshot> =>
  pullRequestSnapshot({ commits: fetched(commits) });
const evaluate = (commits: PullRequestCommit[], settings: Record<string, unknown> = {}) =>
  evaluateCommitMessages(snapshot(commits), commitMessagesConfig(settings));
const short = (c: PullRequestCommit): string => `\`${c.sha.slice(0, 7)}\``;

beforeEach(() => {
  counter = 0;
});

describe("commit-messages: every commit of the PR has a meaningful message", () => {
  it("is off by default, with a 10-character minimum, no pattern, merge commits skipped", () => {
    expect(defaultConfig.controls["commit-messages"]).toEqual({ enforcement: "off", min_length: 10, ignore_merge_commits: true });
  });

  it("meaningful subject lines pass, saying how many were checked against what", () => {
    expect(evaluate([commit("Add the refund endpoint"), commit("Validate refund amounts\n\nNegative amounts are rejected.")])).toEqual({
      outcome: "pass",
      reason: "All 2 commit subject line(s) are at least 10 characters.",
      fix: "",
      notes: undefined,
    });
  });

  it("a one-word commit message fails the minimum length", () => {
    const wip = commit("wip");
    const result = evaluate([commit("Add the refund endpoint"), wip]);
    expect(result.outcome).toBe("fail");
    expect(result.reason).toBe(
      `1 of 2 commit(s) have a subject line that is not at least 10 characters: ${short(wip)} \`wip\` (too short: 3 < 10 characters).`,
    );
    expect(result.fix).toBe(
      "Reword those commits (`git rebase -i`, then `git push --force-with-lease`) so that each subject line is at least 10 characters.",
    );
  });

  it("a commit that does not match the conventional-commit pattern fails", () => {
    const plain = commit("Add the refund endpoint");
    const result = evaluate([commit("feat(refunds): add the endpoint"), plain], { pattern: CONVENTIONAL });
    expect(result.outcome).toBe("fail");
    expect(result.reason).toBe(
      `1 of 2 commit(s) have a subject line that is not at least 10 characters and matching \`${CONVENTIONAL}\`: ${short(plain)} \`Add the refund endpoint\` (does not match the pattern).`,
    );
    expect(result.fix).toContain(`matching \`${CONVENTIONAL}\``);
  });

  it("commits that match the pattern pass, and the reason names the pattern", () => {
    const result = evaluate([commit("feat(refunds): add the endpoint"), commit("fix: reject negative amounts")], { pattern: CONVENTIONAL });
    expect(result.outcome).toBe("pass");
    expect(result.reason).toBe(`All 2 commit subject line(s) are at least 10 characters and matching \`${CONVENTIONAL}\`.`);
  });

  it("a commit both too short and off-pattern gives both reasons", () => {
    const fixup = commit("fixup");
    const result = evaluate([fixup], { pattern: CONVENTIONAL });
    expect(result.outcome).toBe("fail");
    expect(result.reason).toContain(`${short(fixup)} \`fixup\` (too short: 5 < 10 characters; does not match the pattern)`);
  });

  it("the pattern is searched for anywhere in the subject unless anchored", () => {
    expect(evaluate([commit("Refunds: PAY-123 add endpoint")], { pattern: "PAY-[0-9]+" }).outcome).toBe("pass");
    expect(evaluate([commit("Refunds: add endpoint PAY-123")], { pattern: "^PAY-[0-9]+" }).outcome).toBe("fail");
  });

  it("only the subject line (first line) is checked, not the body", () => {
    const result = evaluate([commit("wip\n\nA long explanation of what this commit does and why.")]);
    expect(result.outcome).toBe("fail");
    expect(result.reason).toContain("`wip` (too short: 3 < 10 characters)");
    expect(evaluate([commit("PAY-1\nfeat: add the endpoint")], { pattern: "^feat: ", min_length: 1 }).outcome).toBe("fail");
  });

  it.each([
    ["surrounding whitespace is trimmed", "   wip    \n", "too short: 3 < 10 characters"],
    ["Windows line endings are not part of the subject", "0123456\r\nbody", "too short: 7 < 10 characters"],
    ["length counts code points, not UTF-16 units", "🚀🚀🚀🚀🚀", "too short: 5 < 10 characters"],
  ])("%s", (_name, message, why) => {
    const result = evaluate([commit(message)]);
    expect(result.outcome).toBe("fail");
    expect(result.reason).toContain(`(${why})`);
  });

  it.each([
    ["exactly the minimum passes", "0123456789", "pass"],
    ["one character short fails", "012345678", "fail"],
    ["ten emoji pass", "🚀".repeat(10), "pass"],
  ] as const)("min_length 10: %s", (_name, message, outcome) => {
    expect(evaluate([commit(message)]).outcome).toBe(outcome);
  });

  it("min_length is configurable", () => {
    const result = evaluate([commit("Add refunds")], { min_length: 20 });
    expect(result.outcome).toBe("fail");
    expect(result.reason).toContain("(too short: 11 < 20 characters)");
  });

  it("an empty message fails and is shown as such", () => {
    const empty = commit("\n\nbody only");
    const result = evaluate([empty]);
    expect(result.outcome).toBe("fail");
    expect(result.reason).toContain(`${short(empty)} (empty subject) (too short: 0 < 10 characters)`);
  });

  describe("merge commits", () => {
    it("merge commits are skipped", () => {
      const result = evaluate([commit("Add the refund endpoint"), commit("Merge branch 'main' into x", 2), commit("Merge", 2)]);
      expect(result.outcome).toBe("pass");
      expect(result.reason).toBe("All 1 commit subject line(s) are at least 10 characters (2 merge commit(s) skipped).");
    });

    it("merge commits are checked when ignore_merge_commits is false", () => {
      const merge = commit("Merge", 2);
      const result = evaluate([commit("Add the refund endpoint"), merge], { ignore_merge_commits: false });
      expect(result.outcome).toBe("fail");
      expect(result.reason).toBe(
        `1 of 2 commit(s) have a subject line that is not at least 10 characters: ${short(merge)} \`Merge\` (too short: 5 < 10 characters).`,
      );
    });

    it("skipped merge commits are counted in a failure too", () => {
      const result = evaluate([commit("wip"), commit("Merge", 2)]);
      expect(result.outcome).toBe("fail");
      expect(result.reason).toBe(
        "1 of 1 commit(s) have a subject line that is not at least 10 characters (1 merge commit(s) skipped): `c000001` `wip` (too short: 3 < 10 characters).",
      );
    });

    it("a PR with only merge commits has nothing to check and passes, saying so", () => {
      const result = evaluate([commit("Merge", 2)]);
      expect(result.outcome).toBe("pass");
      expect(result.reason).toBe("No commits to check: all 1 are merge commits, which are skipped.");
    });
  });

  describe("how offending commits are shown", () => {
    it("a long subject is cut at 72 characters", () => {
      const subject = `fix: ${"x".repeat(100)}`;
      const result = evaluate([commit(subject)], { pattern: "^feat" });
      expect(result.reason).toContain(`\`${subject.slice(0, 72)}…\` (does not match the pattern)`);
      expect(result.reason).not.toContain(subject.slice(0, 73));
    });

    it("a subject with backticks and Markdown stays inside its code span", () => {
      const result = evaluate([commit("`x` [y](z)")], { min_length: 20 });
      expect(result.outcome).toBe("fail");
      expect(result.reason).toContain("`` `x` [y](z) `` (too short: 10 < 20 characters)");
    });

    it("at most 10 are listed, then how many more", () => {
      const commits = Array.from({ length: 13 }, () => commit("wip"));
      const result = evaluate(commits);
      expect(result.outcome).toBe("fail");
      expect(result.reason).toMatch(/^13 of 13 commit\(s\) have a subject line/);
      expect(result.reason.match(/\(too short: 3 < 10 characters\)/g)).toHaveLength(10);
      expect(result.reason).toContain(short(commits[9]!));
      expect(result.reason).not.toContain(short(commits[10]!));
      expect(result.reason).toMatch(/, and 3 more\.$/);
    });
  });

  describe("fails closed when the commits cannot be read", () => {
    it.each([
      ["commits not read", undefined, "Could not read the pull request's commits: they were not read for this evaluation"],
      [
        "GitHub error",
        unavailable<PullRequestCommit[]>("GitHub answered 502"),
        "Could not read the pull request's commits: GitHub answered 502",
      ],
      ["no commits returned", fetched<PullRequestCommit[]>([]), "Could not read the pull request's commits: GitHub returned no commits"],
    ])("%s: error", (_name, commits, reason) => {
      const result = evaluateCommitMessages(pullRequestSnapshot({ commits }), commitMessagesConfig());
      expect(result.outcome).toBe("error");
      expect(result.reason).toBe(reason);
      expect(result.fix).toMatch(/Re-run/);
    });

    it("an invalid pattern (the schema normally rejects it) fails, naming the setting", () => {
      const config = { ...commitMessagesConfig(), pattern: "(unclosed" };
      const result = evaluateCommitMessages(snapshot([commit("Add the refund endpoint")]), config);
      expect(result.outcome).toBe("fail");
      expect(result.reason).toMatch(/^The configured pattern `\(unclosed` is not a valid RE2 regular expression \(.*missing.*\)\.$/);
      expect(result.fix).toBe("Fix `controls.commit-messages.pattern` in .github/sdlc-guard.yml.");
    });

    it("a pattern that would backtrack catastrophically runs in linear time (RE2)", () => {
      const started = Date.now();
      const result = evaluate([commit(`${"a".repeat(5_000)}!`)], { pattern: "^(a+)+$" });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(result.outcome).toBe("fail");
      expect(result.reason).toContain("(does not match the pattern)");
    });
  });

  it("subjectLine takes the first line, trimmed", () => {
    expect(subjectLine("  feat: x  \r\nbody")).toBe("feat: x");
    expect(subjectLine("")).toBe("");
  });
});
