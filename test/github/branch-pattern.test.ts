import { matchesBranchPattern } from "../../src/github/refs/branch-pattern.js";

/** Answers of Ruby's File.fnmatch(pattern, branch, File::FNM_PATHNAME), which GitHub uses for classic rules. */
describe("branch protection rule patterns (fnmatch with FNM_PATHNAME)", () => {
  it.each([
    // literal names, whole-name match, case-sensitive
    ["main", "main", true],
    ["main", "main2", false],
    ["main", "Main", false],
    ["main", "feature/main", false],
    // `*` stays within a segment
    ["*", "main", true],
    ["*", "feature/x", false],
    ["*release*", "pre-release-2", true],
    ["*release*", "release", true],
    ["*release*", "releases/1.0", false],
    ["qa/*", "qa/foo", true],
    ["qa/*", "qa/foo/bar", false],
    ["qa/*", "qa", false],
    ["qa/*", "qa/", true],
    ["release-*.x", "release-1.2.x", true],
    ["release-*.x", "release-1.2.y", false],
    ["*-*-x", "a-b-c-x", true],
    // `**/` at the start of a segment crosses segments; elsewhere `**` is `*`
    ["qa/**/*", "qa/foo", true],
    ["qa/**/*", "qa/foo/bar/foobar/hello-world", true],
    ["qa/**/*", "qa", false],
    ["qa**/**/*", "qa/foo/bar", true],
    ["qa**/**/*", "qafoo/bar", true],
    ["qa**/**/*", "qa", false],
    ["**/**", "main", true],
    ["**/**", "a/b/c", true],
    ["**/*", "feature/x", true],
    ["**/**/x", "a/b/x", true],
    ["a/**/b/**/c", "a/b/x/b/c", true],
    ["a/**/b/**/c", "a/x/c", false],
    ["release/**", "release/1", true],
    ["release/**", "release/1/hotfix", false],
    ["**", "a/b", false],
    ["qa/**/", "qa/x/", true],
    ["qa/**/", "qa/x", false],
    // `?` is one character, not `/`
    ["v?", "v1", true],
    ["v?", "v10", false],
    ["a?b", "a/b", false],
    // sets, ranges and their complement with `!` or `^`
    ["[dm][ea][vi]*", "main", true],
    ["[dm][ea][vi]*", "dev", true],
    ["[dm][ea][vi]*", "master", false],
    ["release-[0-9]", "release-7", true],
    ["release-[0-9]", "release-x", false],
    ["release-[!0-9]", "release-x", true],
    ["release-[!0-9]", "release-7", false],
    ["release-[^0-9]", "release-x", true],
    ["[!m]*", "main", false],
    ["[!m]*", "dev", true],
    ["x[a-]", "x-", true],
    ["x[z-a]", "xz", true],
    ["x[z-a]", "xa", true],
    ["x[z-a]", "xm", false],
    ["a[/]b", "a/b", false],
    ["[]a", "a", false],
    ["[!]a", "xa", true],
    // malformed brackets match nothing
    ["release-[", "release-[", false],
    ["release-[0-", "release-0", false],
    ["release-[0", "release-0", false],
    ["[!", "x", false],
    // backslash is not an escape
    ["\\*", "*", false],
    ["a\\b", "a\\b", true],
    // code points, not UTF-16 units
    ["f?x", "f😀x", true],
    ["[😀]", "😀", true],
    ["", "", true],
    ["", "main", false],
  ])("%j matches %j: %s", (pattern, branch, expected) => {
    expect(matchesBranchPattern(pattern, branch)).toBe(expected);
  });

  it("stays fast on patterns built to backtrack", () => {
    const started = Date.now();
    expect(matchesBranchPattern(`${"*a".repeat(30)}b`, "a".repeat(200))).toBe(false);
    expect(matchesBranchPattern(`${"**/".repeat(30)}${"*a".repeat(10)}b`, `${"a/".repeat(50)}${"a".repeat(100)}`)).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
