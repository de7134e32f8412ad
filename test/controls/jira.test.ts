import { configSchema, defaultConfig, type JiraConfig } from "../../src/config/schema.js";
import { evaluateJira } from "../../src/controls/jira.js";
import { type JiraLookups } from "../../src/facts/jira.js";
import { findJiraKeys, jiraKeyPattern, MAX_KEYS } from "../../src/controls/jira-keys.js";
import { type KeyMatch } from "../../src/facts/jira.js";
import { compileUserPattern, userPatternError } from "../../src/common/user-pattern.js";
import { fetched, unavailable, type Fetched } from "../../src/facts/fetched.js";
import { type PullRequestSnapshot } from "../../src/facts/pull-request.js";
import type { JiraIssue } from "../../src/facts/jira.js";
import { pullRequestSnapshot } from "../support/snapshot.js";

function snapshot(pr: { title?: string; headRefName?: string; body?: string }): PullRequestSnapshot {
  return pullRequestSnapshot(pr);
}

const jiraConfig = (settings: Record<string, unknown> = {}): JiraConfig =>
  configSchema.parse({ controls: { jira: settings } }).controls.jira;

const keysOf = (matches: KeyMatch[]): string[] => matches.map((m) => m.key);

const lookups = (entries: Record<string, Fetched<JiraIssue | null>>): JiraLookups => new Map(Object.entries(entries));
const issue = (key: string, status: string): Fetched<JiraIssue | null> => fetched({ key, status });

describe("jira: the PR references a Jira issue key in its title, head branch or body", () => {
  it("the default policy looks in title, branch and body, for any project, and verifies keys", () => {
    expect(defaultConfig.controls.jira).toEqual({
      enforcement: "required",
      projects: [],
      search_in: ["title", "branch", "body"],
      verify: true,
      closed_statuses: [],
    });
  });

  describe("finding keys (findJiraKeys)", () => {
    interface Case {
      name: string;
      pr: { title?: string; headRefName?: string; body?: string };
      config?: Record<string, unknown>;
      expected: KeyMatch[];
    }
    const cases: Case[] = [
      { name: "a key in the title is found", pr: { title: "PAY-123: add refunds" }, expected: [{ key: "PAY-123", foundIn: "title" }] },
      {
        name: "a key in brackets in the title is found",
        pr: { title: "[PAY-123] add refunds" },
        expected: [{ key: "PAY-123", foundIn: "title" }],
      },
      {
        name: "a key in the head branch is found",
        pr: { headRefName: "PAY-77-refunds" },
        expected: [{ key: "PAY-77", foundIn: "branch" }],
      },
      {
        name: "without projects, a lower-case branch is not read as a key (octocat-patch-1, node-20)",
        pr: { headRefName: "octocat-patch-1-node-20" },
        expected: [],
      },
      {
        name: "a key in a lower-case head branch is found when projects are configured",
        pr: { headRefName: "feature/pay-12-fix" },
        config: { projects: ["PAY"] },
        expected: [{ key: "PAY-12", foundIn: "branch" }],
      },
      {
        name: "a key in the body is found",
        pr: { body: "Implements OPS-9.\n\nSee the design doc." },
        expected: [{ key: "OPS-9", foundIn: "body" }],
      },
      {
        name: "a project key with digits and underscores is found",
        pr: { title: "P2_CORE-4 tidy" },
        expected: [{ key: "P2_CORE-4", foundIn: "title" }],
      },
      {
        name: "keys are listed title first, then branch, then body, each key once",
        pr: { title: "PAY-1 refunds", headRefName: "pay-1/pay-2", body: "Follows PAY-2 and OPS-3; also PAY-1." },
        config: { projects: ["PAY", "OPS"] },
        expected: [
          { key: "PAY-1", foundIn: "title" },
          { key: "PAY-2", foundIn: "branch" },
          { key: "OPS-3", foundIn: "body" },
        ],
      },
      {
        name: "no key anywhere finds nothing",
        pr: { title: "Add refunds", headRefName: "feature/refunds", body: "No ticket." },
        expected: [],
      },
      {
        name: "a lower-case key in the title is not a key (only the branch is read upper-cased)",
        pr: { title: "pay-12 refunds" },
        expected: [],
      },
      { name: "an issue number starting with 0 is not a key", pr: { title: "PAY-0 and PAY-012" }, expected: [] },
      { name: "a one-letter project is not a key by default", pr: { title: "A-1 refunds" }, expected: [] },
      {
        name: "a key glued to other letters or digits is not a key",
        pr: { title: "XPAY-12x and PAY-12abc" },
        config: { projects: ["PAY"] },
        expected: [],
      },
      {
        name: "search_in: [title] ignores keys in the branch and body",
        pr: { title: "Add refunds", headRefName: "PAY-1-refunds", body: "PAY-2" },
        config: { search_in: ["title"] },
        expected: [],
      },
      {
        name: "search_in: [body] finds the body key only",
        pr: { title: "PAY-1 refunds", headRefName: "pay-3-refunds", body: "Closes PAY-2" },
        config: { search_in: ["body"] },
        expected: [{ key: "PAY-2", foundIn: "body" }],
      },
      {
        name: "search_in: [branch, title] finds keys in both",
        pr: { title: "PAY-1 refunds", headRefName: "pay-3-refunds", body: "Closes PAY-2" },
        config: { search_in: ["branch", "title"], projects: ["PAY"] },
        expected: [
          { key: "PAY-3", foundIn: "branch" },
          { key: "PAY-1", foundIn: "title" },
        ],
      },
      {
        name: "projects restrict keys: OPS-1 is not accepted when projects is [PAY]",
        pr: { title: "OPS-1 and PAY-2" },
        config: { projects: ["PAY"] },
        expected: [{ key: "PAY-2", foundIn: "title" }],
      },
      {
        name: "projects restrict keys: a PR whose only key is of another project has no key",
        pr: { title: "OPS-1 refunds" },
        config: { projects: ["PAY"] },
        expected: [],
      },
      {
        name: "several projects may be accepted",
        pr: { title: "OPS-1 and PAY-2 and SEC-3" },
        config: { projects: ["PAY", "OPS"] },
        expected: [
          { key: "OPS-1", foundIn: "title" },
          { key: "PAY-2", foundIn: "title" },
        ],
      },
      {
        name: "without projects, UTF-8 looks like a key (the reason to configure projects)",
        pr: { title: "Encode as UTF-8" },
        expected: [{ key: "UTF-8", foundIn: "title" }],
      },
      {
        name: "with projects configured, UTF-8 / SHA-256 in title, branch or body are not keys",
        pr: { title: "Encode as UTF-8", headRefName: "fix/sha-256-digest", body: "Uses ISO-8601 dates and AES-256." },
        config: { projects: ["PAY"] },
        expected: [],
      },
      {
        name: "a custom key_pattern (RE2) finds keys of another shape",
        pr: { title: "CHG0012345: rotate certificates", body: "PAY-1" },
        config: { key_pattern: "CHG[0-9]{7}" },
        expected: [{ key: "CHG0012345", foundIn: "title" }],
      },
      {
        name: "a custom key_pattern does not read the branch upper-cased: node-20 is not a key",
        pr: { title: "Bump runtime", headRefName: "octocat-patch-1/node-20" },
        config: { key_pattern: "[A-Z][A-Z0-9]+-[0-9]+" },
        expected: [],
      },
      {
        name: "a custom key_pattern overrides projects",
        pr: { title: "CHG0012345 and PAY-1" },
        config: { key_pattern: "CHG[0-9]{7}", projects: ["PAY"] },
        expected: [{ key: "CHG0012345", foundIn: "title" }],
      },
      {
        name: "a custom key_pattern with groups yields the whole match",
        pr: { title: "Fixes #42 and #7" },
        config: { key_pattern: "#([0-9]+)" },
        expected: [
          { key: "#42", foundIn: "title" },
          { key: "#7", foundIn: "title" },
        ],
      },
      {
        name: "a custom key_pattern that can match the empty string yields no empty keys",
        pr: { title: "no digits here", body: "x 12 y" },
        config: { key_pattern: "[0-9]*" },
        expected: [{ key: "12", foundIn: "body" }],
      },
    ];

    it.each(cases)("$name", ({ pr, config, expected }) => {
      expect(findJiraKeys(snapshot(pr), jiraConfig(config))).toEqual(expected);
    });

    it.each([
      ["the PR template's placeholder comment", { body: "## Jira\n<!-- e.g. PAY-123 -->" }],
      ["a fenced code block", { body: "Logs:\n```\nPAY-123 failed\n```" }],
      ["a tilde fence", { body: "~~~~\nPAY-123\n~~~~" }],
      ["an indented code block", { body: "Logs:\n\n    PAY-123 failed" }],
      ["a code span in the body", { body: "Renames `PAY-123` to `OPS-1`." }],
      ["a code span in the title", { title: "Rename `PAY-123`" }],
      ["an HTML comment in the title", { title: "Refunds <!-- PAY-123 -->" }],
    ])("a key in %s is not seen by a reader and does not count", (_where, pr) => {
      expect(findJiraKeys(snapshot(pr), jiraConfig({ projects: ["PAY", "OPS"] }))).toEqual([]);
    });

    it("a key next to a placeholder comment still counts", () => {
      expect(findJiraKeys(snapshot({ body: "<!-- e.g. PAY-123 -->\nPAY-7" }), jiraConfig({ projects: ["PAY"] }))).toEqual([
        { key: "PAY-7", foundIn: "body" },
      ]);
    });

    it(`at most MAX_KEYS (${MAX_KEYS}) distinct keys are kept, so a PR cannot flood Jira`, () => {
      const body = Array.from({ length: 12 }, (_, i) => `PAY-${i + 1}`).join(", ");
      const found = findJiraKeys(snapshot({ title: "PAY-1 bulk", body }), jiraConfig());
      expect(MAX_KEYS).toBe(5);
      expect(found).toHaveLength(MAX_KEYS);
      expect(keysOf(found)).toEqual(["PAY-1", "PAY-2", "PAY-3", "PAY-4", "PAY-5"]);
      expect(found[0]).toEqual({ key: "PAY-1", foundIn: "title" });
    });

    it("repeated keys do not use up the MAX_KEYS budget", () => {
      const body = `${"PAY-1 ".repeat(20)}PAY-2 PAY-3`;
      expect(keysOf(findJiraKeys(snapshot({ body }), jiraConfig()))).toEqual(["PAY-1", "PAY-2", "PAY-3"]);
    });

    it("a catastrophic-backtracking pattern like (a+)+$ runs in linear time with RE2 and returns", () => {
      const config = jiraConfig({ key_pattern: "(a+)+$" });
      const evil = `${"a".repeat(50_000)}!`;
      expect(findJiraKeys(snapshot({ title: evil, body: evil }), config)).toEqual([]);
      expect(keysOf(findJiraKeys(snapshot({ title: "aaaa" }), config))).toEqual(["aaaa"]);
    });
  });

  describe("the key pattern (jiraKeyPattern, userPatternError)", () => {
    const matches = (config: JiraConfig, text: string): boolean => jiraKeyPattern(config).matcher(text).find();

    it.each([
      ["any project key", {}, "ABC-123", true],
      ["any project key: a one-letter project does not match", {}, "A-1", false],
      ["projects [PAY]: PAY-1 matches", { projects: ["PAY"] }, "PAY-1", true],
      ["projects [PAY]: OPS-1 does not match", { projects: ["PAY"] }, "OPS-1", false],
      ["projects [PAY]: PAYX-1 does not match (the project is a whole word)", { projects: ["PAY"] }, "PAYX-1", false],
      ["key_pattern is used as given", { key_pattern: "^REL-[0-9]+$" }, "REL-4", true],
      ["key_pattern is used as given: no match", { key_pattern: "^REL-[0-9]+$" }, "see REL-4", false],
    ])("%s", (_name, settings, text, expected) => {
      expect(matches(jiraConfig(settings), text)).toBe(expected);
    });

    it("a valid RE2 pattern has no error", () => {
      expect(userPatternError("[A-Z]+-[0-9]+")).toBeNull();
      expect(userPatternError("(a+)+$")).toBeNull();
    });

    it('an invalid pattern "(a" gives RE2\'s syntax error', () => {
      const error = userPatternError("(a");
      expect(error).toMatch(/missing closing \)/);
      expect(() => compileUserPattern("(a")).toThrow(/missing closing \)/);
    });

    it("a JavaScript-only construct (look-behind) is rejected, since RE2 has no backtracking", () => {
      expect(userPatternError("(?<=PAY)-[0-9]+")).toEqual(expect.any(String));
    });

    it("the configuration refuses an invalid key_pattern, quoting the RE2 error", () => {
      const parsed = configSchema.safeParse({ controls: { jira: { key_pattern: "(a" } } });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.message).toMatch(/^a valid RE2 regular expression \(.*missing closing \)/);
    });

    it("(a+)+$ compiles with RE2 and answers quickly on a long 'aaaa…!' string", () => {
      const pattern = compileUserPattern("(a+)+$");
      expect(pattern.matcher(`${"a".repeat(100_000)}!`).find()).toBe(false);
      expect(pattern.matcher("a".repeat(100_000)).find()).toBe(true);
    });
  });

  describe("the finding (evaluateJira)", () => {
    const found = (...keys: string[]): KeyMatch[] => keys.map((key) => ({ key, foundIn: "title" }));

    describe("without a key", () => {
      it.each([
        ["any project", {}, "No Jira issue key such as PAY-123 in the PR title, branch, body."],
        ["projects configured", { projects: ["PAY", "OPS"] }, "No Jira issue key of project PAY/OPS in the PR title, branch, body."],
        ["a custom key_pattern", { key_pattern: "CHG[0-9]{7}" }, "No Jira issue key matching `CHG[0-9]{7}` in the PR title, branch, body."],
        ["search_in restricted to the title", { search_in: ["title"] }, "No Jira issue key such as PAY-123 in the PR title."],
      ])("no key fails, saying what was expected and where (%s)", (_name, settings, reason) => {
        const result = evaluateJira([], jiraConfig(settings), undefined);
        expect(result.outcome).toBe("fail");
        expect(result.reason).toBe(reason);
        expect(result.fix).toMatch(/^Reference the Jira ticket \(a key /);
      });

      it("the fix names only the places and projects the configuration accepts", () => {
        const result = evaluateJira([], jiraConfig({ search_in: ["body"], projects: ["OPS"] }), undefined);
        expect(result.fix).toBe("Reference the Jira ticket (a key of project OPS) in the PR body.");
      });

      it("no key fails even when Jira lookups are configured", () => {
        expect(evaluateJira([], jiraConfig(), lookups({})).outcome).toBe("fail");
      });
    });

    it("a key passes without a Jira lookup when none is configured, naming the key and where it was found", () => {
      const result = evaluateJira(
        [
          { key: "PAY-12", foundIn: "branch" },
          { key: "OPS-3", foundIn: "body" },
        ],
        jiraConfig({ projects: ["PAY", "OPS"] }),
        undefined,
      );
      expect(result).toEqual({ outcome: "pass", reason: "Jira key `PAY-12` (branch), `OPS-3` (body).", fix: "", notes: undefined });
    });

    it("a key of any project, accepted without a lookup, is flagged as unverified", () => {
      const result = evaluateJira([{ key: "SHA-256", foundIn: "body" }], jiraConfig(), undefined);
      expect(result.outcome).toBe("pass");
      expect(result.notes?.[0]).toMatch(/^Any key of the form ABC-123 is accepted and not looked up in Jira/);
    });

    it("lookups that answered for none of the keys cannot pass", () => {
      const result = evaluateJira([{ key: "PAY-1", foundIn: "title" }], jiraConfig(), new Map());
      expect(result.outcome).toBe("error");
    });

    describe("with Jira lookups", () => {
      it("a key that exists in Jira passes, naming its status", () => {
        const result = evaluateJira(found("PAY-123"), jiraConfig(), lookups({ "PAY-123": issue("PAY-123", "In Progress") }));
        expect(result.outcome).toBe("pass");
        expect(result.reason).toBe("Jira issue `PAY-123` exists (status: `In Progress`).");
        expect(result.fix).toBe("");
      });

      it("a key that does not exist in Jira fails", () => {
        const result = evaluateJira(found("PAY-999"), jiraConfig(), lookups({ "PAY-999": fetched(null) }));
        expect(result.outcome).toBe("fail");
        expect(result.reason).toBe("`PAY-999` does not exist in Jira.");
        expect(result.fix).toBe("Reference an existing, open Jira ticket for this change.");
      });

      it.each(["Done", "DONE", "done"])("a key in a closed status fails, whatever the case (%s)", (status) => {
        const result = evaluateJira(
          found("PAY-1"),
          jiraConfig({ closed_statuses: ["Done", "Closed"] }),
          lookups({ "PAY-1": issue("PAY-1", status) }),
        );
        expect(result.outcome).toBe("fail");
        expect(result.reason).toBe(`\`PAY-1\` is \`${status}\`.`);
        expect(result.fix).toMatch(/existing, open Jira ticket/);
      });

      it("a closed-looking status passes when closed_statuses is not configured", () => {
        expect(evaluateJira(found("PAY-1"), jiraConfig(), lookups({ "PAY-1": issue("PAY-1", "Done") })).outcome).toBe("pass");
      });

      it("a closed status configured in any case matches", () => {
        const result = evaluateJira(
          found("PAY-1"),
          jiraConfig({ closed_statuses: ["CLOSED"] }),
          lookups({ "PAY-1": issue("PAY-1", "Closed") }),
        );
        expect(result.outcome).toBe("fail");
      });

      it("a Jira outage is an error naming the outage, never a pass", () => {
        const result = evaluateJira(found("PAY-1"), jiraConfig(), lookups({ "PAY-1": unavailable("Jira unreachable (HTTP 503)") }));
        expect(result.outcome).toBe("error");
        expect(result.reason).toContain("Jira unreachable (HTTP 503)");
        expect(result.reason).toBe("Could not read Jira: Jira unreachable (HTTP 503)");
        expect(result.fix).toMatch(/Re-run/);
      });

      it("a Jira outage on one key and a missing other key is still an error, not a plain fail", () => {
        const result = evaluateJira(
          found("PAY-1", "PAY-2"),
          jiraConfig(),
          lookups({ "PAY-1": fetched(null), "PAY-2": unavailable("Jira unreachable (no answer within 5000 ms)") }),
        );
        expect(result.outcome).toBe("error");
        expect(result.reason).toContain("Jira unreachable (no answer within 5000 ms)");
      });

      it("the first outage is the one reported", () => {
        const result = evaluateJira(
          found("PAY-1", "PAY-2"),
          jiraConfig(),
          lookups({ "PAY-1": unavailable("Jira unreachable (HTTP 502)"), "PAY-2": unavailable("Jira unreachable (HTTP 503)") }),
        );
        expect(result.outcome).toBe("error");
        expect(result.reason).toBe("Could not read Jira: Jira unreachable (HTTP 502)");
      });

      it("the first key missing but the second existing passes on the second", () => {
        const result = evaluateJira(
          found("PAY-1", "PAY-2"),
          jiraConfig(),
          lookups({ "PAY-1": fetched(null), "PAY-2": issue("PAY-2", "To Do") }),
        );
        expect(result.outcome).toBe("pass");
        expect(result.reason).toBe("Jira issue `PAY-2` exists (status: `To Do`).");
      });

      it("one key Jira confirms is enough even when another key's lookup failed", () => {
        const result = evaluateJira(
          found("PAY-1", "PAY-2"),
          jiraConfig(),
          lookups({ "PAY-1": unavailable("Jira unreachable (HTTP 503)"), "PAY-2": issue("PAY-2", "In Review") }),
        );
        expect(result.outcome).toBe("pass");
        expect(result.reason).toContain("`PAY-2`");
      });

      it("a key Jira was not asked about is not taken as existing", () => {
        const result = evaluateJira(found("PAY-1", "PAY-2"), jiraConfig(), lookups({ "PAY-2": fetched(null) }));
        expect(result.outcome).toBe("fail");
        expect(result.reason).toBe("`PAY-2` does not exist in Jira.");
      });

      it("every key missing or closed fails, listing each problem", () => {
        const result = evaluateJira(
          found("PAY-1", "PAY-2"),
          jiraConfig({ closed_statuses: ["Done"] }),
          lookups({ "PAY-1": fetched(null), "PAY-2": issue("PAY-2", "Done") }),
        );
        expect(result.outcome).toBe("fail");
        expect(result.reason).toBe("`PAY-1` does not exist in Jira; `PAY-2` is `Done`.");
      });

      it("keys and statuses with backticks stay inside their code spans", () => {
        const result = evaluateJira(
          [{ key: "A`B-1", foundIn: "body" }],
          jiraConfig({ key_pattern: "[A-Z`]+-[0-9]+" }),
          lookups({ "A`B-1": issue("A`B-1", "In `Progress`") }),
        );
        expect(result.outcome).toBe("pass");
        expect(result.reason).toBe("Jira issue ``A`B-1`` exists (status: `` In `Progress` ``).");
      });
    });
  });

  it("keys found in a PR feed the finding end to end", () => {
    const config = jiraConfig({ projects: ["PAY"], closed_statuses: ["Done"] });
    const keys = findJiraKeys(snapshot({ title: "Encode as UTF-8", headRefName: "feature/pay-12-fix" }), config);
    expect(keys).toEqual([{ key: "PAY-12", foundIn: "branch" }]);
    expect(evaluateJira(keys, config, undefined).reason).toBe("Jira key `PAY-12` (branch).");
    expect(evaluateJira(keys, config, lookups({ "PAY-12": issue("PAY-12", "Done") })).outcome).toBe("fail");
  });
});
