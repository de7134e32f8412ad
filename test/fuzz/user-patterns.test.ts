// Property-based fuzzing of user-supplied patterns (issue 8, "bad input"): `controls.jira.key_pattern`,
// `controls.commit-messages.pattern` and `controls.release-tag.pattern` are compiled with RE2 (re2js). Any string
// either compiles or is refused with RE2's reason; constructs RE2 does not have (backreferences, lookaround, atomic
// groups, possessive quantifiers, recursion) are refused; and the classic catastrophic-backtracking patterns run in
// linear time on adversarial inputs, through the code that uses them.
import fc from "fast-check";
import { dump as dumpYaml } from "js-yaml";
import { formatConfigError } from "../../src/config/config-error.js";
import { parseConfigFile } from "../../src/config/parse-config-file.js";
import { configSchema, type CommitMessagesConfig, type JiraConfig, type ReleaseTagConfig } from "../../src/config/schema.js";
import { SEMVER_TAG_PATTERN } from "../../src/controls/release-tag.js";
import { evaluateCommitMessages } from "../../src/controls/commit-messages.js";
import { findJiraKeys, MAX_KEYS } from "../../src/controls/jira-keys.js";
import { evaluateReleaseTag, isReleaseTagName } from "../../src/controls/release-tag.js";
import { fetched } from "../../src/facts/fetched.js";
import { type Finding } from "../../src/controls/finding.js";
import { compileUserPattern, userPatternError } from "../../src/common/user-pattern.js";
import { tagSnapshot } from "../support/ref-snapshots.js";
import { pullRequestSnapshot } from "../support/snapshot.js";

const FILE = "acme/payments:.github/sdlc-guard.yml";
const RE2_REASONS = [
  "missing closing )",
  "missing closing ]",
  "unexpected )",
  "invalid nested repetition operator",
  "invalid repeat count",
  "invalid character class range",
  "invalid escape sequence",
  "invalid named capture",
  "invalid or unsupported Perl syntax",
  "missing argument to repetition operator",
  "trailing backslash at end of expression",
  "expression too large",
  "expression nests too deeply",
  "duplicate capture group name",
  "invalid capture in lookbehind",
  "regexp/syntax: internal error",
];

const jiraConfig = (key_pattern: string): JiraConfig => configSchema.parse({ controls: { jira: { key_pattern } } }).controls.jira;
const commitConfig = (pattern: string): CommitMessagesConfig =>
  configSchema.parse({ controls: { "commit-messages": { enforcement: "required", pattern } } }).controls["commit-messages"];
const releaseTagConfig = (pattern: string): ReleaseTagConfig =>
  configSchema.parse({ controls: { "release-tag": { pattern } } }).controls["release-tag"];

/** RE2's messages: "error parsing regexp: <reason>" and, for most reasons, ": `<the offending part>`". */
function expectRE2Message(message: string): void {
  const match = /^error parsing regexp: ([^`]+?)(?:: `[^]*`)?$/.exec(message);
  expect(match).not.toBeNull();
  expect(RE2_REASONS).toContain(match![1]);
}

const expectFinding = (finding: Finding) => {
  expect(["pass", "fail", "error", "pending"]).toContain(finding.outcome);
  expect(typeof finding.reason).toBe("string");
  expect(finding.reason).not.toBe("");
};

// ---------------------------------------------------------------------------------------------------------------
// Generators

const regexChars = fc.constantFrom(..."aAbz09().[]{}*+?|^$\\-,:=!<>PkdwsbBQEpLxu_ /#'\n".split(""));
const anyPattern = fc.oneof(
  fc.string({ unit: regexChars, minLength: 1, maxLength: 80 }),
  fc.string({ unit: "binary", minLength: 1, maxLength: 80 }),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 500 }),
);

/** Patterns RE2 accepts, built from atoms that are always valid on their own. */
const re2Atom = fc.oneof(
  fc.constantFrom(
    "a",
    "b",
    "PAY",
    ".",
    "\\d",
    "\\w",
    "\\s",
    "[A-Z]",
    "[^/]",
    "\\b",
    "^",
    "$",
    "\\.",
    "\\(",
    "(?i)",
    "\\pL",
    "[0-9]{1,10}",
    "(?:x|y)",
    "(?P<n>z)",
  ),
  fc.stringMatching(/^[A-Za-z0-9_ -]{1,6}$/),
);
const quantifier = fc.constantFrom("", "", "", "*", "+", "?", "{2}", "{1,5}", "*?", "+?");
const re2Pattern = fc
  .array(fc.tuple(re2Atom, quantifier, fc.boolean()), { minLength: 1, maxLength: 10 })
  .map((parts) => parts.map(([atom, q, group]) => (group ? `(${atom})${q}` : `(?:${atom})${q}`)).join(""))
  .filter((p) => userPatternError(p) === null);

/** What RE2 deliberately leaves out (it would need backtracking), as people write it in PCRE, Java or JavaScript. */
const NOT_RE2 = {
  backreference: ["(a)\\1", "(x)(y)\\2", "(?P<n>x)(?P=n)", "(?<n>x)\\k<n>", "\\g1", "\\g{1}"],
  lookahead: ["(?=x)", "(?!x)", "a(?=b)", "(?!PAY-0)"],
  lookbehind: ["(?<=x)", "(?<!x)", "(?<=PAY-)\\d+"],
  other: ["(?>x)", "x*+", "x++", "x?+", "x{2}+", "(?R)", "(?1)", "(?(1)a|b)", "(?#comment)", "\\G", "\\K", "\\Z"],
};
const notRe2 = fc.constantFrom(...Object.values(NOT_RE2).flat());

// ---------------------------------------------------------------------------------------------------------------

describe("fuzz: user-supplied patterns compile with RE2 or are refused with RE2's reason", () => {
  it("any string: userPatternError never throws, and says null exactly when the pattern compiles", () => {
    fc.assert(
      fc.property(anyPattern, (pattern) => {
        let error: string | null = null;
        expect(() => {
          error = userPatternError(pattern);
        }).not.toThrow();
        let compiles = true;
        try {
          compileUserPattern(pattern);
        } catch {
          compiles = false;
        }
        expect(error === null).toBe(compiles);
        if (error !== null) expectRE2Message(error);
      }),
      { numRuns: 1000 },
    );
  });

  it("constructs RE2 does not have are refused wherever they stand in an otherwise valid pattern, at the key that holds them", () => {
    const keys = fc.constantFrom(["jira", "key_pattern"], ["commit-messages", "pattern"], ["release-tag", "pattern"]);
    fc.assert(
      fc.property(
        fc.option(re2Pattern, { nil: "" }),
        notRe2,
        fc.option(re2Pattern, { nil: "" }),
        keys,
        (before, construct, after, [control, key]) => {
          const pattern = `${before}${construct}${after}`;
          expect(userPatternError(pattern)).not.toBeNull();
          const result = parseConfigFile(FILE, dumpYaml({ controls: { [control]: { [key]: pattern } } }));
          expect(result.ok).toBe(false);
          if (result.ok) return;
          expect(result.error.keyPath).toBe(`controls.${control}.${key}`);
          const message = formatConfigError(result.error);
          expect(message).toMatch(/: a valid RE2 regular expression \(error parsing regexp: [^`]+\)$/);
          // The only code span is the key path: RE2's quote of the pattern is left out.
          expect(message.split("`")).toHaveLength(3);
          expect(message).not.toContain(pattern);
        },
      ),
      { numRuns: 500 },
    );
  });

  // BUG (unclear error, low severity): RE2's reason is passed on as is, and for two of the constructs people most often
  // bring from PCRE/JavaScript it names something else: `(?<=PAY-)\d+` (a lookbehind) is refused with "invalid named
  // capture", and `(a)\1` (a backreference) with "invalid escape sequence". Counterexamples, as
  // `controls.jira.key_pattern`: "(?<=x)" → "a valid RE2 regular expression (error parsing regexp: invalid named
  // capture)"; "(a)\\1" → "… (error parsing regexp: invalid escape sequence)". Unskip once the message says that RE2
  // has no lookbehind / backreferences (e.g. a hint appended for `(?<=`, `(?<!`, `\1`-`\9`, `\k`, `(?P=`).
  it("a backreference or a lookbehind is refused with a message that says so", () => {
    fc.assert(
      fc.property(
        fc.option(re2Pattern, { nil: "" }),
        fc.constantFrom(...NOT_RE2.backreference, ...NOT_RE2.lookbehind),
        (before, construct) => {
          const result = parseConfigFile(FILE, dumpYaml({ controls: { jira: { key_pattern: `${before}${construct}` } } }));
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.error.expected).toMatch(/backreference|lookbehind|lookaround|not supported by RE2/i);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("valid patterns in use (Jira keys, commit subjects, tag names) never throw on any text", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          re2Pattern,
          anyPattern.filter((p) => userPatternError(p) === null),
        ),
        fc.string({ unit: "grapheme", maxLength: 200 }),
        fc.string({ unit: "binary", maxLength: 200 }),
        (pattern, title, body) => {
          const keys = findJiraKeys(pullRequestSnapshot({ title, body, headRefName: title }), jiraConfig(pattern));
          expect(keys.length).toBeLessThanOrEqual(MAX_KEYS);
          for (const { key } of keys) expect(key.length).toBeGreaterThan(0);
          const commits = fetched([{ sha: "a".repeat(40), message: `${title}\n\n${body}`, parents: 1 }]);
          expectFinding(evaluateCommitMessages(pullRequestSnapshot({ commits }), commitConfig(pattern)));
          expect(typeof isReleaseTagName(title, pattern)).toBe("boolean");
          expectFinding(evaluateReleaseTag(tagSnapshot({ name: title }), releaseTagConfig(pattern)));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("a pattern that slipped past the schema (a hand-built config) makes commit-messages fail with a reason, not throw", () => {
    fc.assert(
      fc.property(
        anyPattern.filter((p) => userPatternError(p) !== null),
        (pattern) => {
          const config = { ...configSchema.parse({}).controls["commit-messages"], enforcement: "required" as const, pattern };
          const commits = fetched([{ sha: "b".repeat(40), message: "feat: a long enough subject", parents: 1 }]);
          const finding = evaluateCommitMessages(pullRequestSnapshot({ commits }), config);
          expect(finding.outcome).toBe("fail");
          expect(finding.reason).toContain("is not a valid RE2 regular expression");
        },
      ),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Linear time

const CATASTROPHIC = [
  "(a+)+$",
  "(a|a)*b",
  "(.*a){20}",
  "^(\\w+\\s?)*$",
  "(x+x+)+y",
  "(a|aa)+$",
  "^(a?){25}a{25}$",
  "(\\d+)*\\.",
  "^(([a-z])+.)+[A-Z]([a-z])+$",
  "(\\w|\\d)+z",
  "^(a|a?)+$",
];
/** Inputs that make a backtracking engine explore every way of splitting them. */
const ADVERSARIAL: Record<string, (n: number) => string> = {
  "a…a!": (n) => `${"a".repeat(n - 1)}!`,
  "a…a": (n) => "a".repeat(n),
  "a a … !": (n) => `${"a ".repeat(Math.floor(n / 2) - 1)}a!`,
  "x…x": (n) => "x".repeat(n),
  "1…1x": (n) => `${"1".repeat(n - 1)}x`,
  "b then a…a!": (n) => `b${"a".repeat(n - 2)}!`,
};

/**
 * No timing assertion (performance is measured by benchmarks, never asserted in tests): a backtracking engine takes
 * seconds on these pairs at 30 characters and would never finish at 30,000, so the test's timeout is what fails then.
 */
describe("fuzz: patterns that backtrack catastrophically elsewhere run in linear time", () => {
  it("the classic catastrophic patterns against adversarial inputs of 1,000 and 30,000 characters (RE2 directly)", () => {
    for (const pattern of CATASTROPHIC) {
      const re = compileUserPattern(pattern);
      for (const [, input] of Object.entries(ADVERSARIAL)) expect(typeof re.matcher(input(30_000)).find()).toBe("boolean");
    }
  }, 60_000);

  it("the same patterns, as configured, through the code that uses them: Jira keys in a 30,000-character body, commit subjects, tag names", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CATASTROPHIC),
        fc.constantFrom(...Object.keys(ADVERSARIAL)),
        fc.constantFrom("jira", "commit-messages", "release-tag"),
        (pattern, shape, use) => {
          const text = ADVERSARIAL[shape]!(30_000);
          if (use === "jira") findJiraKeys(pullRequestSnapshot({ title: "t", headRefName: "b", body: text }), jiraConfig(pattern));
          else if (use === "commit-messages")
            evaluateCommitMessages(
              pullRequestSnapshot({ commits: fetched([{ sha: "c".repeat(40), message: text, parents: 1 }]) }),
              commitConfig(pattern),
            );
          else evaluateReleaseTag(tagSnapshot({ name: text }), releaseTagConfig(pattern));
        },
      ),
      { numRuns: 60 },
    );
  }, 60_000);

  it("random nested-quantifier patterns ((X+)+Y, (X|X)*Y, (X*)*Y, (.*X){k}) over the repetition of their own atom", () => {
    const atom = fc.constantFrom("a", "ab", "\\w", "[a-c]", "\\d", "a?", "(?:a|b)", ".");
    const shape = fc.constantFrom("(X+)+Y", "(X|X)*Y", "(X*)*Y", "(?:X+)*Y", "(.*X){8}Y", "^(X+X+)+Y$", "(X?){12}X{12}Y");
    const ending = fc.constantFrom("$", "!", "b", "\\.", "Z");
    fc.assert(
      fc.property(atom, shape, ending, fc.constantFrom("a", "ab", "1", "a b"), (x, form, y, unit) => {
        const pattern = form.replaceAll("X", x).replaceAll("Y", y);
        if (userPatternError(pattern) !== null) return; // e.g. a nested repetition operator RE2 refuses outright
        const re = compileUserPattern(pattern);
        expect(typeof re.matcher(`${unit.repeat(Math.ceil(30_000 / unit.length))}!`).find()).toBe("boolean");
      }),
      { numRuns: 200 },
    );
    // The default release-tag pattern too (it is RE2 like any other).
    expect(isReleaseTagName(`v1.2.3-${"a.".repeat(15_000)}!`, SEMVER_TAG_PATTERN)).toBe(false);
  }, 60_000);
});
