import { existsSync, readFileSync, writeFileSync } from "node:fs";
import {
  SUMMARY_CONTROL_IDS,
  type ControlRate,
  type OrgSummary,
  type RepositorySummary,
  type SummaryCell,
  type SummaryControlId,
} from "../../src/facts/org-summary.js";

// Hand-built summaries for the renderer tests. Counts, rates and the worst-first order are derived from the cells,
// the way the evaluation derives them, so a fixture cannot contradict itself.

const FORBIDDEN = "GitHub answered 403: Resource not accessible by integration";

const PASSING: Record<SummaryControlId, SummaryCell> = {
  "branch-protection": { state: "pass", detail: "main: pull request with 1 approval, no force push, no deletion" },
  "secret-scanning": { state: "pass", detail: "enabled, no open alert" },
  "push-protection": { state: "pass", detail: "enabled" },
  dependabot: { state: "pass", detail: "enabled, no open critical or high alert" },
  "code-scanning": { state: "pass", detail: "default setup" },
  "repository-files": { state: "pass", detail: "README.md, CONTRIBUTING.md, SECURITY.md, .github/CODEOWNERS" },
  "release-tag": { state: "pass", detail: "latest release v2.4.1" },
  "direct-push": { state: "pass", detail: "no direct push" },
  "force-push": { state: "pass", detail: "no forced push" },
  "merged-prs": { state: "pass", detail: "6 merged, all passed sdlc-guard" },
  "merged-unverified": { state: "pass", detail: "none recorded in the period" },
  activity: { state: "pass", detail: "last push 3 days ago" },
  policy: { state: "pass", detail: "no .github/sdlc-guard.yml of its own: the org policy applies" },
};

const fail = (detail: string, fix: string): SummaryCell => ({ state: "fail", detail, fix });
const unknown = (detail: string, fix: string): SummaryCell => ({ state: "unknown", detail, fix });
const notApplicable = (detail: string): SummaryCell => ({ state: "n/a", detail });

/** A judged repository: every cell passes unless given. */
export function repository(name: string, cells: Partial<Record<SummaryControlId, SummaryCell>> = {}, org = "acme"): RepositorySummary {
  const all = { ...PASSING, ...cells };
  const states = SUMMARY_CONTROL_IDS.map((id) => all[id].state);
  const failing = states.filter((s) => s === "fail").length;
  const unknownCount = states.filter((s) => s === "unknown").length;
  return {
    name,
    url: `https://github.com/${org}/${name}`,
    cells: all,
    compliant: failing + unknownCount === 0,
    failing,
    unknown: unknownCount,
  };
}

/** Most failing cells first, then most unknown, then by name (the evaluation's order). */
export const worstFirst = (repositories: RepositorySummary[]) =>
  [...repositories].sort((a, b) => b.failing - a.failing || b.unknown - a.unknown || a.name.localeCompare(b.name));

const oneDecimal = (n: number) => Math.round(n * 10) / 10;

export function ratesOf(repositories: RepositorySummary[]): ControlRate[] {
  return SUMMARY_CONTROL_IDS.map((id) => {
    const judged = repositories.filter((r) => r.cells[id].state !== "n/a").length;
    const passed = repositories.filter((r) => r.cells[id].state === "pass").length;
    return { id, passed, judged, rate: judged ? oneDecimal((passed / judged) * 100) : null };
  });
}

/** A summary of the given repositories, consistent with them (order, rates, compliant share). */
export function summaryOf(repositories: RepositorySummary[], overrides: Partial<OrgSummary> = {}): OrgSummary {
  const sorted = worstFirst(repositories);
  const compliant = sorted.filter((r) => r.compliant).length;
  return {
    org: "acme",
    webUrl: "https://github.com",
    generatedAt: "2025-06-02T06:00:00Z",
    period: { since: "2025-05-26T06:00:00Z", until: "2025-06-02T06:00:00Z" },
    twoFactor: { state: "pass", detail: "required for all members" },
    repositories: sorted,
    archived: [],
    compliantPercent: sorted.length ? oneDecimal((compliant / sorted.length) * 100) : 0,
    rates: ratesOf(sorted),
    history: [],
    requests: 0,
    durationMs: 0,
    ...overrides,
  };
}

/** The organisation "acme": 8 active repositories covering every cell state, 2 archived, 3 earlier weekly runs. */
export function exampleSummary(overrides: Partial<OrgSummary> = {}): OrgSummary {
  const repositories = [
    repository("payments-api", {
      "branch-protection": fail(
        "main is not protected",
        "Protect main: require a pull request with 1 approval, block force pushes and deletion.",
      ),
      "secret-scanning": fail(
        "3 open secret-scanning alerts",
        "Revoke the leaked secrets, then close the alerts (Security > Secret scanning).",
      ),
      dependabot: fail(
        "2 critical and 5 high Dependabot alerts open",
        "Merge the Dependabot pull requests or update the affected dependencies.",
      ),
      "direct-push": fail(
        "2 direct pushes to main",
        "Merge changes through pull requests only; see the direct-push issues for the commits.",
      ),
      "merged-prs": fail("PR #412 merged while sdlc-guard failed", "Review PR #412 after the fact and record a waiver, or revert it."),
      "merged-unverified": fail(
        "2 merges without a passing sdlc-guard result recorded in the period (acme/payments-api#57)",
        "Review each merge the merged-unverified issue lists, and require the sdlc-guard check with administrators included.",
      ),
    }),
    repository("legacy-portal", {
      "code-scanning": fail("not configured", "Enable code scanning default setup (Settings > Code security)."),
      "release-tag": fail("latest release build-77 is not a semantic version", "Tag the next release as vMAJOR.MINOR.PATCH, e.g. v1.0.0."),
      activity: fail("no push for 412 days", "Archive the repository if it is no longer used."),
      "merged-prs": notApplicable("no pull request merged in the period"),
    }),
    repository("data-pipeline", {
      "push-protection": fail("push protection disabled", "Enable push protection (Settings > Code security > Secret scanning)."),
      "repository-files": fail("missing SECURITY.md, CODEOWNERS", "Add SECURITY.md and a CODEOWNERS file (root, .github/ or docs/)."),
      "secret-scanning": unknown(FORBIDDEN, "Give the app the Secret scanning alerts: read permission."),
    }),
    repository("mobile-app", {
      "force-push": fail("1 forced push to main", "Block force pushes on main; see the force-push issue for the rewritten commits."),
      "code-scanning": unknown(FORBIDDEN, "Give the app the Code scanning alerts: read permission."),
      dependabot: unknown(FORBIDDEN, "Give the app the Dependabot alerts: read permission."),
    }),
    repository("billing-worker", {
      "merged-prs": unknown("GitHub answered 502: Bad Gateway (after 3 attempts)", "Nothing to change: the next run retries."),
      policy: fail(
        "reviews turned off, controls.reviews.min_approvals 2 → 1 by the repository's file; held at the floor: controls.jira.enforcement off → required",
        "Remove the override from the repository's .github/sdlc-guard.yml: a repository may tighten the org policy, never lower it.",
      ),
    }),
    repository("auth-service"),
    repository("infra-terraform", { "release-tag": notApplicable("no release yet") }),
    repository("docs-site", {
      "release-tag": notApplicable("no release yet"),
      "merged-prs": notApplicable("no pull request merged in the period"),
      "direct-push": notApplicable("no protected branch pushed in the period"),
    }),
  ];
  return summaryOf(repositories, {
    archived: [
      { name: "hackathon-2019", url: "https://github.com/acme/hackathon-2019" },
      { name: "old-website", url: "https://github.com/acme/old-website" },
    ],
    history: [
      {
        at: "2025-05-12T06:00:00Z",
        repositories: 7,
        compliantPercent: 14.3,
        rates: { "branch-protection": 71.4, "code-scanning": 42.9, dependabot: 57.1 },
      },
      {
        at: "2025-05-19T06:00:00Z",
        repositories: 7,
        compliantPercent: 28.6,
        rates: { "branch-protection": 85.7, "code-scanning": 57.1, dependabot: 57.1 },
      },
      {
        at: "2025-05-26T06:00:00Z",
        repositories: 8,
        compliantPercent: 25,
        rates: { "branch-protection": 75, "code-scanning": 62.5, dependabot: 75 },
      },
    ],
    requests: 1_284,
    durationMs: 83_400,
    ...overrides,
  });
}

/** `n` active repositories named service-0001..., a third compliant, the others failing or unknown with details. */
export function largeSummary(n: number): OrgSummary {
  const repositories = Array.from({ length: n }, (_, i) => {
    const name = `service-${String(i + 1).padStart(4, "0")}`;
    if (i % 3 === 0) return repository(name);
    const cells: Partial<Record<SummaryControlId, SummaryCell>> = {
      "branch-protection": fail(`main of ${name} allows merging without approval`, "Require 1 approval on main."),
      "code-scanning":
        i % 2
          ? fail("not configured", "Enable code scanning default setup.")
          : unknown(FORBIDDEN, "Give the app the Code scanning alerts: read permission."),
    };
    if (i % 5 === 0) cells["repository-files"] = fail("missing SECURITY.md", "Add SECURITY.md.");
    return repository(name, cells);
  });
  return summaryOf(repositories, {
    archived: [{ name: "legacy", url: "https://github.com/acme/legacy" }],
    history: [{ at: "2025-05-26T06:00:00Z", repositories: n, compliantPercent: 30, rates: {} }],
    requests: 9_000,
    durationMs: 1_000_000,
  });
}

/** Compares text with a golden file under test/fixtures/summary; UPDATE_GOLDEN=1 in the environment rewrites it instead. */
export function expectGolden(path: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(path, actual);
  if (!existsSync(path)) throw new Error(`golden file ${path} is missing: run the tests once with UPDATE_GOLDEN=1 and review it`);
  expect(actual).toBe(readFileSync(path, "utf8"));
}
