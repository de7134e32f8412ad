// Property-based fuzzing of Jira key extraction (issue 8, "bad input"): PR titles, head branch names and bodies are
// written by anyone who can open a PR. On any of them, findJiraKeys never throws, returns at most MAX_KEYS distinct
// keys, each taken from a place it was told to search, each of a configured project (or of the form ABC-123 when no
// project is configured), and stays fast on a body of GitHub's maximum size.
import fc from "fast-check";
import { configSchema, type JiraConfig } from "../../src/config/schema.js";
import { findJiraKeys, MAX_KEYS } from "../../src/controls/jira-keys.js";
import { type KeyMatch } from "../../src/facts/jira.js";
import { pullRequestSnapshot } from "../support/snapshot.js";

const jiraConfig = (settings: Record<string, unknown>): JiraConfig => configSchema.parse({ controls: { jira: settings } }).controls.jira;

const ANY_PROJECT_KEY = /^[A-Z][A-Z0-9_]{1,49}-[1-9][0-9]{0,9}$/;

/**
 * The texts findJiraKeys may take a key from, for each place: the branch is also read upper-cased unless keys of any
 * project are accepted (no `projects`, no `key_pattern`), where that would turn `node-20` into a key.
 */
function placesOf(pr: { title: string; headRefName: string; body: string }, config: JiraConfig): Record<KeyMatch["foundIn"], string[]> {
  const upperBranch = config.projects.length > 0 || Boolean(config.key_pattern);
  return { title: [pr.title], branch: upperBranch ? [pr.headRefName, pr.headRefName.toUpperCase()] : [pr.headRefName], body: [pr.body] };
}

function expectKeysFrom(keys: KeyMatch[], pr: { title: string; headRefName: string; body: string }, config: JiraConfig): void {
  expect(keys.length).toBeLessThanOrEqual(MAX_KEYS);
  expect(new Set(keys.map((k) => k.key)).size).toBe(keys.length);
  const places = placesOf(pr, config);
  for (const { key, foundIn } of keys) {
    expect(key.length).toBeGreaterThan(0);
    expect(config.search_in).toContain(foundIn);
    expect(places[foundIn].some((text) => text.includes(key))).toBe(true);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Generators

const project = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,6}$/);
const keyLike = fc.oneof(
  fc.constantFrom(
    "PAY-1",
    "PAY-123",
    "pay-12",
    "OPS-0",
    "OPS-01",
    "ABC-1234567890",
    "ABC-12345678901",
    "A-1",
    "SHA-256",
    "UTF-8",
    "[PAY-7]",
    "PAY-7:",
    "(OPS-9)",
    "XPAY-3",
    "_PAY-4",
    "éPAY-5",
    "PAY_X-6",
    "PAY--7",
    "PAY-７",
  ),
  fc.tuple(project, fc.integer({ min: 0, max: 99_999 })).map(([p, n]) => `${p}-${n}`),
);
const filler = fc.oneof(
  fc.constantFrom(" ", "\n", "/", "-", "_", ":", "feature/", "fix ", "é", "😀", "\r\n", "\t", "#"),
  fc.string({ unit: "grapheme", maxLength: 8 }),
);
const prText = fc.oneof(
  fc.array(fc.oneof(keyLike, filler), { maxLength: 16 }).map((t) => t.join("")),
  fc.string({ unit: "binary", maxLength: 200 }),
);
const pullRequest = fc.record({ title: prText, headRefName: prText, body: prText });
const searchIn = fc.subarray(["title", "branch", "body"] as const, { minLength: 1 });

// ---------------------------------------------------------------------------------------------------------------

describe("fuzz: Jira keys in PR titles, branches and bodies", () => {
  it("with projects configured: never throws, and every key is one of those projects' keys, found where it was looked for", () => {
    fc.assert(
      fc.property(pullRequest, fc.array(project, { minLength: 1, maxLength: 4 }), searchIn, (pr, projects, search_in) => {
        const config = jiraConfig({ projects, search_in });
        const keys = findJiraKeys(pullRequestSnapshot(pr), config);
        expectKeysFrom(keys, pr, config);
        for (const { key } of keys) {
          const dash = key.lastIndexOf("-");
          expect(projects).toContain(key.slice(0, dash));
          expect(key.slice(dash + 1)).toMatch(/^[1-9][0-9]{0,9}$/);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("without projects: never throws, and every key has the form ABC-123", () => {
    fc.assert(
      fc.property(pullRequest, searchIn, (pr, search_in) => {
        const config = jiraConfig({ search_in });
        const keys = findJiraKeys(pullRequestSnapshot(pr), config);
        expectKeysFrom(keys, pr, config);
        for (const { key } of keys) expect(key).toMatch(ANY_PROJECT_KEY);
      }),
      { numRuns: 1000 },
    );
  });

  it("a key standing on its own in the title is found (unless MAX_KEYS keys come before it)", () => {
    fc.assert(
      fc.property(
        prText,
        fc.array(project, { minLength: 1, maxLength: 4 }),
        fc.nat(3),
        fc.integer({ min: 1, max: 999_999 }),
        prText,
        (before, projects, which, number, after) => {
          const key = `${projects[which % projects.length]}-${number}`;
          const pr = { title: `${before} ${key} ${after}`, headRefName: "main", body: "" };
          const keys = findJiraKeys(pullRequestSnapshot(pr), jiraConfig({ projects }));
          expect(keys.length === MAX_KEYS || keys.some((k) => k.key === key && k.foundIn === "title")).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("with a custom key_pattern: never throws, and every key is a non-empty piece of a searched text", () => {
    const keyPattern = fc.constantFrom(
      "[A-Z]+-\\d+",
      "\\b(?:PAY|OPS)-[0-9]+\\b",
      "x*",
      "(?i)pay-\\d*",
      "^",
      "\\b",
      "[^ ]+",
      "(?:)",
      "PAY-[1-9][0-9]{0,4}|OPS-\\d{1,3}",
      "(?m)^.*$",
      ".",
    );
    fc.assert(
      fc.property(pullRequest, keyPattern, searchIn, (pr, key_pattern, search_in) => {
        const config = jiraConfig({ key_pattern, search_in, projects: ["IGNORED"] });
        expectKeysFrom(findJiraKeys(pullRequestSnapshot(pr), config), pr, config);
      }),
      { numRuns: 500 },
    );
  });

  // Completes within the test's timeout on 65,536-character bodies (no timing assertion: benchmarks measure speed).
  it("finishes on 65,536-character bodies full of near-keys", () => {
    const unit = fc.constantFrom("PAY-", "A", "PAY-0", "AB-1x", "-1", "A_", "PAY-12345678901", "PAY-1 ", "é");
    fc.assert(
      fc.property(unit, fc.constantFrom<string[]>([], ["PAY", "OPS"]), (u, projects) => {
        const body = u.repeat(Math.ceil(65_536 / u.length)).slice(0, 65_536);
        const config = jiraConfig({ projects, search_in: ["body"] });
        expectKeysFrom(
          findJiraKeys(pullRequestSnapshot({ title: "", headRefName: "", body }), config),
          { title: "", headRefName: "", body },
          config,
        );
      }),
      { numRuns: 40 },
    );
  }, 60_000);
});
