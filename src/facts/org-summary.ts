import type { ClassicProtection, RulesetRule } from "./pull-request.js";
import type { Fetched } from "./fetched.js";

// The org-wide compliance summary: what the collector reads from GitHub (facts), and what the pure evaluation makes of
// it (one cell per repository and summary control). A fact GitHub would not give is `{ ok: false, error }` and its
// cell is "unknown" with that reason: never compliant.

/** Columns of the summary table, in display order. Ids of the catalogue's controls are reused where they exist. */
export const SUMMARY_CONTROL_IDS = [
  "branch-protection",
  "secret-scanning",
  "push-protection",
  "dependabot",
  "code-scanning",
  "repository-files",
  "release-tag",
  "direct-push",
  "force-push",
  "merged-prs",
  "merged-unverified",
  "activity",
  "policy",
] as const;
export type SummaryControlId = (typeof SUMMARY_CONTROL_IDS)[number];

/** The files the summary looks for, with where GitHub itself looks (root, `.github/`, `docs/`). */
export interface RepositoryFiles {
  /** Path of each file found (e.g. `docs/SECURITY.md`, or `acme/.github: SECURITY.md` for an org-wide default), else null. */
  readme: string | null;
  contributing: string | null;
  securityPolicy: string | null;
  codeowners: string | null;
}

/** One merged pull request of the period and the `sdlc-guard` run on its head commit (null: no run). */
export interface MergedPullRequest {
  number: number;
  mergedAt: string;
  /** `SUCCESS`, `FAILURE`, `NEUTRAL`...; null when our run never completed or does not exist. */
  conclusion: string | null;
}

/** Occurrences of one control the app recorded in the period, and the violation issues (numbers) that record them. */
export interface RecordedOccurrences {
  count: number;
  issues: number[];
}

export interface RepositoryFacts {
  /** `name` only: every repository is in the summary's organisation. */
  name: string;
  /** https://github.com/org/name (or the GHES web URL). */
  url: string;
  archived: boolean;
  /** `public`, `private` or `internal`. */
  visibility: string;
  /** null: an empty repository. */
  defaultBranch: string | null;
  /** Last push to any branch (ISO 8601); null: never pushed. */
  pushedAt: string | null;
  /** Classic protection and the ruleset rules (repository and organisation rulesets) that apply to the default branch. */
  protection: Fetched<{ classic: ClassicProtection | null; rules: RulesetRule[] }>;
  /** From the org repository list's `security_and_analysis`. */
  secretScanning: Fetched<{ enabled: boolean; pushProtection: boolean }>;
  /** Open secret-scanning alerts (org alert list, provider and generic patterns). */
  openSecretAlerts: Fetched<number>;
  /** GraphQL `hasVulnerabilityAlertsEnabled`. */
  dependabotEnabled: Fetched<boolean>;
  /** Open Dependabot alerts of critical and high severity (org alert list). */
  dependabotAlerts: Fetched<{ critical: number; high: number }>;
  /** How code scanning is known to be set up (e.g. "default setup", "workflow codeql.yml", "open alerts"); null: not configured. */
  codeScanning: Fetched<string | null>;
  files: Fetched<RepositoryFiles>;
  /** null: the repository has no release. */
  latestRelease: Fetched<{ tagName: string; publishedAt: string | null } | null>;
  /** Direct and forced pushes the app recorded in the period (its `direct-push` / `force-push` violation issues). */
  pushes: Fetched<{ direct: number; forced: number }>;
  /** Merges without a passing sdlc-guard result the app recorded in the period (its `merged-unverified` violation issues). */
  unverifiedMerges: Fetched<RecordedOccurrences>;
  /** The repository's own `.github/sdlc-guard.yml` (null: none, the organisation's applies): whether pushes are recorded as issues. */
  configText: Fetched<string | null>;
  /** Pull requests merged in the period. */
  mergedPullRequests: Fetched<MergedPullRequest[]>;
}

export interface OrgFacts {
  org: string;
  /** https://github.com (or the GHES web root), for links. */
  webUrl: string;
  /** When collection started (ISO 8601). */
  collectedAt: string;
  /** The period the push and merged-PR figures cover (ISO 8601). */
  period: { since: string; until: string };
  /** Organisation setting `two_factor_requirement_enabled`. */
  twoFactorRequired: Fetched<boolean>;
  /** Every repository of the installation, archived ones included (the summary lists them apart). */
  repositories: RepositoryFacts[];
  /** GitHub requests the collection made (REST and GraphQL, retries included). */
  requests: number;
}

/** `unknown`: the fact could not be read (the reason says why); `n/a`: nothing to judge (e.g. no release yet). */
export type CellState = "pass" | "fail" | "unknown" | "n/a";

export interface SummaryCell {
  state: CellState;
  /** Short text for the table and the details, e.g. "3 open alerts" or "no push for 412 days". */
  detail: string;
  /** How to fix it (fail and unknown cells). */
  fix?: string;
}

export interface RepositorySummary {
  name: string;
  url: string;
  cells: Record<SummaryControlId, SummaryCell>;
  /** Every cell passes or is n/a. */
  compliant: boolean;
  failing: number;
  unknown: number;
}

export interface ControlRate {
  id: SummaryControlId;
  /** Repositories whose cell passes. */
  passed: number;
  /** Repositories judged (pass + fail + unknown; n/a excluded). */
  judged: number;
  /** passed / judged, 0..100 with one decimal; null when nothing was judged. */
  rate: number | null;
}

/**
 * Which repositories failed which columns in one run (only the newest entry of the history keeps it): what the next
 * run compares with to find the newly failing repositories. Absent from entries written before it existed.
 */
export interface FailingRecord {
  /** Repository name → the summary columns it failed (state `fail`; unknown and n/a are not failing). */
  repos: Record<string, SummaryControlId[]>;
  /** More repositories failed than the record keeps: only the first ones by name are in `repos`. */
  capped: boolean;
}

/** One earlier run, as kept in the issue's hidden history block (newest last, at most 30). */
export interface SummaryHistoryEntry {
  at: string;
  repositories: number;
  compliantPercent: number;
  rates: Partial<Record<SummaryControlId, number | null>>;
  /** The run's failing repositories (kept for the newest run only; absent in older entries and older issues). */
  failing?: FailingRecord;
}

export interface OrgSummary {
  org: string;
  webUrl: string;
  generatedAt: string;
  period: { since: string; until: string };
  twoFactor: SummaryCell;
  /** Active (not archived) repositories, worst first: most failing cells, then most unknown, then by name. */
  repositories: RepositorySummary[];
  /** Archived repositories (names and links only: not judged). */
  archived: { name: string; url: string }[];
  /** Share of active repositories with every cell pass or n/a (0..100, one decimal). */
  compliantPercent: number;
  rates: ControlRate[];
  /** Earlier runs (from the issue), oldest first, this run not included. */
  history: SummaryHistoryEntry[];
  requests: number;
  /** Wall time of the collection, ms. */
  durationMs: number;
}

/** What each summary control checks, its policy source and the ISO 27001:2022 / SOC 2 criteria it gives evidence for. */
export const SUMMARY_CONTROL_INFO: Record<SummaryControlId | "two-factor", { title: string; policy: string; iso: string; soc2: string }> = {
  "branch-protection": {
    title: "Default branch protected (PR with approvals, no force push, no deletion)",
    policy: "POL-008 repository and version control",
    iso: "A.8.4, A.8.9, A.8.32",
    soc2: "CC8.1",
  },
  "secret-scanning": {
    title: "Secret scanning enabled, no open alerts",
    policy: "POL-008 secrets management, ENT 3.2",
    iso: "A.8.12, A.8.28",
    soc2: "CC6.1",
  },
  "push-protection": {
    title: "Secret-scanning push protection enabled",
    policy: "POL-008 secrets management, ENT 3.2",
    iso: "A.8.12, A.8.28",
    soc2: "CC6.1",
  },
  dependabot: {
    title: "Dependabot alerts enabled, no open critical or high alert",
    policy: "POL-008 third-party components, PRA 2.1",
    iso: "A.8.8, A.8.28",
    soc2: "CC7.1",
  },
  "code-scanning": {
    title: "Code scanning configured",
    policy: "POL-008 automated tooling, ECO 3.1",
    iso: "A.8.28, A.8.29",
    soc2: "CC7.1, CC8.1",
  },
  "repository-files": {
    title: "README, CONTRIBUTING (or coding standards), SECURITY.md and CODEOWNERS present",
    policy: "POL-008 documentation, ECO 6.2",
    iso: "A.5.37, A.8.25",
    soc2: "CC2.2",
  },
  "release-tag": {
    title: "Latest release has a semantic-version tag",
    policy: "POL-008 semantic versioning",
    iso: "A.8.32",
    soc2: "CC8.1",
  },
  "direct-push": {
    title: "No direct push to a protected branch in the period",
    policy: "POL-008 no direct commits",
    iso: "A.8.32",
    soc2: "CC8.1",
  },
  "force-push": {
    title: "No forced push to a protected branch in the period",
    policy: "POL-008 no history rewriting",
    iso: "A.8.32",
    soc2: "CC8.1",
  },
  "merged-prs": {
    title: "PRs merged in the period passed sdlc-guard (or were waived)",
    policy: "POL-008 review and approval",
    iso: "A.8.29, A.8.32",
    soc2: "CC8.1",
  },
  "merged-unverified": {
    title: "No merge without a passing sdlc-guard result recorded in the period",
    policy: "POL-008 review and approval, enforced at merge time",
    iso: "A.8.32",
    soc2: "CC8.1",
  },
  activity: { title: "Active, or archived when inactive", policy: "ENT asset management", iso: "A.5.9", soc2: "CC6.1" },
  policy: {
    title: "The repository's own sdlc-guard config neither lowers the org policy nor tries to go below the org floor",
    policy: "POL-008 compliance with the secure-development policy",
    iso: "A.5.36, A.8.9",
    soc2: "CC5.3, CC8.1",
  },
  "two-factor": { title: "Organisation requires two-factor authentication", policy: "ENT 3.1", iso: "A.5.17, A.8.5", soc2: "CC6.1" },
};
