import type { SummaryControlId } from "../src/facts/org-summary.js";
import { occurrenceMarker, violationMarker } from "../src/github/writes/violation-issue.js";
import { VIOLATION_LABEL } from "../src/common/product.js";
import { rulesetRule, sha, strictClassicRule, type GitHubWorld, type SimBranchRule, type SimRepo } from "./github-world.js";
import { APP_AUTHOR } from "./issue-tracker.js";
import type { SimOrganization } from "./org-world.js";

// An organisation for the org-wide compliance summary: n repositories, most compliant, some failing in one designed
// way each, plus the org's `.github` repository. Deterministic for a seed; what was built is returned so a test can
// check the summary both ways (what must pass, what must fail).

export type OrgFailure =
  | "unprotected"
  | "one-approval"
  | "secret-alerts"
  | "no-push-protection"
  | "critical-dependabot"
  | "no-code-scanning"
  | "missing-files"
  | "non-semver-release"
  | "failing-merged-pr"
  | "direct-push"
  | "force-push"
  | "inactive"
  | "archived";

/** Every failure kind (in the order the default places them) and the summary control it is built to fail (archived: not judged). */
export const ORG_FAILURES: Record<OrgFailure, SummaryControlId[]> = {
  unprotected: ["branch-protection"],
  "one-approval": ["branch-protection"],
  "secret-alerts": ["secret-scanning"],
  "no-push-protection": ["push-protection"],
  "critical-dependabot": ["dependabot"],
  "no-code-scanning": ["code-scanning"],
  "missing-files": ["repository-files"],
  "non-semver-release": ["release-tag"],
  "failing-merged-pr": ["merged-prs"],
  "direct-push": ["direct-push"],
  "force-push": ["force-push"],
  inactive: ["activity"],
  archived: [],
};

/** The simulator's clock start, the default `now`. */
export const ORG_SCENARIO_NOW = "2026-11-20T09:00:00Z";
/** Code security configurations made: 17 has default setup on, 18 not. */
export const DEFAULT_SETUP_CONFIGURATION = 17;
export const SECRETS_ONLY_CONFIGURATION = 18;

export interface BuildOrgOptions {
  /** Default `acme`. */
  org?: string;
  /** Repositories besides `.github`. */
  repositories: number;
  /** Default 1. */
  seed?: number;
  /** Default ORG_SCENARIO_NOW; every date is relative to it. */
  now?: string;
  /** The period the summary looks at, ending at now (default 30 days). */
  periodDays?: number;
  /**
   * Failures to place (one repository each, at seeded positions). Default: the first kinds of ORG_FAILURES, as many as
   * fit in fewer than half of the repositories (5 repositories: unprotected, one-approval; 27 or more: all 13).
   */
  failures?: OrgFailure[];
}

export interface BuiltMergedPullRequest {
  number: number;
  mergedAt: string;
  /** Of the app's `sdlc-guard` run on the PR's head. */
  conclusion: "SUCCESS" | "FAILURE";
}

export interface BuiltRepository {
  repo: SimRepo;
  name: string;
  /** null: built compliant (the `.github` repository too). */
  failure: OrgFailure | null;
  /** Summary controls it is built to fail ([] when compliant or archived). */
  failing: SummaryControlId[];
  archived: boolean;
  protection: "classic" | "repository-ruleset" | "org-ruleset" | "none";
  codeScanning: "default-setup" | "workflow" | "none";
  /** Where each file is (null: missing; `acme/.github: SECURITY.md` when only the org default has it). */
  files: { readme: string | null; contributing: string | null; securityPolicy: string | null; codeowners: string | null };
  latestRelease: string | null;
  /** Merged in the period, newest first. PRs merged before it (decoys, possibly failing) are not listed. */
  mergedInPeriod: BuiltMergedPullRequest[];
  /** Pushes the app recorded in the period (its open violation issues' occurrences). */
  pushes: { direct: number; forced: number };
}

export interface BuiltOrg {
  org: SimOrganization;
  now: string;
  period: { since: string; until: string };
  /** Every repository made, `.github` last. */
  repositories: BuiltRepository[];
  dotGithub: BuiltRepository;
  /** Names of active repositories built compliant (`.github` included). */
  compliant: string[];
  /** The repository built with this failure (undefined when it was not placed). */
  withFailure(kind: OrgFailure): BuiltRepository | undefined;
}

const NAMES = [
  "payments",
  "ledger",
  "checkout",
  "billing",
  "identity",
  "search",
  "catalog",
  "inventory",
  "shipping",
  "notifications",
  "reports",
  "gateway",
  "orders",
  "pricing",
  "analytics",
  "mobile",
  "web",
  "admin",
  "profile",
  "media",
];
const DAY = 86_400_000;
const VIOLATION_TITLES = {
  "direct-push": "sdlc-guard: direct pushes to protected branches",
  "force-push": "sdlc-guard: force pushes and deletions of protected branches",
};

/** Builds the organisation into the world (see BuildOrgOptions); returns what it made. */
export function buildOrg(world: GitHubWorld, options: BuildOrgOptions): BuiltOrg {
  const login = options.org ?? "acme";
  const random = mulberry32(options.seed ?? 1);
  const nowMs = Date.parse(options.now ?? ORG_SCENARIO_NOW);
  const at = (daysAgo: number) => new Date(nowMs - daysAgo * DAY).toISOString().replace(".000Z", "Z");
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const n = options.repositories;

  const kinds = options.failures ?? (Object.keys(ORG_FAILURES) as OrgFailure[]).slice(0, Math.floor((n - 1) / 2));
  if (kinds.length > n) throw new Error(`${kinds.length} failures do not fit in ${n} repositories`);
  const positions = shuffle([...Array(n).keys()], random);
  const failureAt = new Map(kinds.map((kind, i) => [positions[i]!, kind]));

  const org = world.organization(login);
  org.twoFactorRequired = true;
  for (const member of ["dev-alice", "rev-bob", "rev-carol", "sec-dana"]) org.members.add(member);
  const defaultSetup = { id: DEFAULT_SETUP_CONFIGURATION, name: "GitHub recommended", defaultSetup: true, repos: [] as string[] };
  const secretsOnly = { id: SECRETS_ONLY_CONFIGURATION, name: "Secrets only", defaultSetup: false, repos: [] as string[] };
  org.codeSecurityConfigurations.push(defaultSetup, secretsOnly);

  let checkRunId = 800_000;
  const built: BuiltRepository[] = [];
  const make = (name: string, failure: OrgFailure | null, decoys: boolean): BuiltRepository => {
    const repo = world.addRepo(login, name, {
      visibility: pick(["private", "private", "internal", "public"] as const),
      pushedAt: at(1 + Math.floor(random() * 14)),
    });
    const b: BuiltRepository = {
      repo,
      name,
      failure,
      failing: failure ? ORG_FAILURES[failure] : [],
      archived: false,
      protection: "none",
      codeScanning: "none",
      files: { readme: null, contributing: null, securityPolicy: null, codeowners: null },
      latestRelease: null,
      mergedInPeriod: [],
      pushes: { direct: 0, forced: 0 },
    };
    org.grant(name, "dev-alice", "write");
    org.grant(name, "sec-dana", "admin");

    // Protection: two approvals, force pushes and deletions blocked (classic, repository or org ruleset).
    if (failure === "one-approval") {
      repo.classicRules.set(repo.defaultBranch, strictClassicRule(repo.defaultBranch, 1));
      b.protection = "classic";
    } else if (failure !== "unprotected") {
      b.protection = pick(["classic", "repository-ruleset", "org-ruleset"] as const);
      if (b.protection === "classic") repo.classicRules.set(repo.defaultBranch, strictClassicRule(repo.defaultBranch, 2));
      else {
        const source = b.protection === "org-ruleset" ? login : `${login}/${name}`;
        const rules = [
          rulesetRule.pullRequest(2, source),
          rulesetRule.nonFastForward(source),
          rulesetRule.deletion(source),
          rulesetRule.requiredGuard(world.appId, source),
        ];
        repo.branchRules.set(
          repo.defaultBranch,
          b.protection === "org-ruleset" ? rules.map((r): SimBranchRule => ({ ...r, ruleset_source_type: "Organization" })) : rules,
        );
      }
    }

    repo.secretScanning = {
      enabled: true,
      openAlerts: failure === "secret-alerts" ? 2 : 0,
      genericAlerts: failure === "secret-alerts" ? 1 : 0,
      pushProtection: failure !== "no-push-protection",
    };
    repo.dependabot = {
      alertsEnabled: true,
      openAlerts: {
        critical: failure === "critical-dependabot" ? 1 : 0,
        high: failure === "critical-dependabot" ? 2 : 0,
        medium: Math.floor(random() * 3),
      },
    };
    repo.codeScanning = { openAlerts: Math.floor(random() * 3) };

    // Files where GitHub looks for them (root, .github/, docs/); SECURITY.md may come from the org's .github repository.
    const place = (file: string, where: readonly string[]) => {
      const path = `${pick(where)}${file}`;
      repo.files.set(path, `# ${file}\n`);
      return path;
    };
    if (failure !== "missing-files") {
      b.files.readme = place("README.md", ["", "", "docs/", ".github/"]);
      b.files.codeowners = place("CODEOWNERS", [".github/", ".github/", "", "docs/"]);
    }
    b.files.contributing = place("CONTRIBUTING.md", ["", ".github/", "docs/"]);
    b.files.securityPolicy = random() < 0.75 ? place("SECURITY.md", ["", ".github/", "docs/"]) : `${login}/.github: SECURITY.md`;
    repo.files.set("src/index.ts", "export {};\n");

    // Code scanning: default setup through the org configuration, or a CodeQL workflow.
    if (failure === "no-code-scanning") {
      secretsOnly.repos.push(name);
      repo.codeScanning.openAlerts = 0;
    } else if (random() < 0.6) {
      defaultSetup.repos.push(name);
      b.codeScanning = "default-setup";
    } else {
      repo.files.set(".github/workflows/codeql.yml", "name: CodeQL\non: [push]\n");
      b.codeScanning = "workflow";
    }

    const major = 1 + Math.floor(random() * 4);
    const idle = failure === "inactive" || failure === "archived" ? 400 : 0;
    const tag =
      failure === "non-semver-release"
        ? "release-2026-11-02"
        : `${random() < 0.5 ? "v" : ""}${major}.${Math.floor(random() * 10)}.${Math.floor(random() * 10)}`;
    repo.releases.push({
      tagName: `v${major - 1}.9.0`,
      name: null,
      body: "Older release",
      draft: false,
      prerelease: false,
      publishedAt: at(idle + 90),
    });
    repo.releases.push({ tagName: tag, name: tag, body: "Release notes", draft: false, prerelease: false, publishedAt: at(idle + 5) });
    b.latestRelease = tag;
    // A later draft and prerelease GitHub does not report as the latest release.
    if (random() < 0.4)
      repo.releases.push({
        tagName: `v${major + 1}.0.0-rc.1`,
        name: null,
        body: "",
        draft: false,
        prerelease: true,
        publishedAt: at(idle + 2),
      });
    if (random() < 0.4) repo.releases.push({ tagName: "next", name: null, body: "", draft: true, prerelease: false });

    // Merged PRs: in the period with the app's run on the head, and one before it that failed (must not count).
    const merge = (number: number, daysAgo: number, conclusion: "success" | "failure") => {
      const pr = world.addPullRequest(repo, { number, title: `Change ${number}`, createdAt: at(daysAgo + 1) });
      pr.mergedAt = at(daysAgo);
      pr.updatedAt = pr.mergedAt;
      world.mergePullRequest(repo, pr, "squash");
      repo.checkRuns.push({
        id: checkRunId++,
        appId: world.appId,
        name: "sdlc-guard",
        headSha: pr.headSha,
        status: "completed",
        conclusion,
        output: { title: conclusion, summary: null },
        externalId: `pr-${number}`,
      });
      return { number, mergedAt: pr.mergedAt, conclusion: conclusion.toUpperCase() as "SUCCESS" | "FAILURE" };
    };
    const periodDays = options.periodDays ?? 30;
    if (failure !== "inactive" && failure !== "archived") {
      let number = 1;
      merge(number++, periodDays + 15, "failure");
      const count = 1 + Math.floor(random() * 3);
      const days = Array.from({ length: count }, () => 1 + Math.floor(random() * (periodDays - 2))).sort((x, y) => y - x);
      for (const [i, d] of days.entries())
        b.mergedInPeriod.unshift(merge(number++, d, failure === "failing-merged-pr" && i === days.length - 1 ? "failure" : "success"));
      world.addPullRequest(repo, { number, title: "Work in progress", createdAt: at(1) });
    }

    if (failure === "direct-push") b.pushes.direct = violationIssue(world, repo, "direct-push", [3, 2], at).occurrences;
    if (failure === "force-push") b.pushes.forced = violationIssue(world, repo, "force-push", [4], at).occurrences;
    if (decoys) {
      // Not pushes of the period: an app issue closed before it, and a person's issue copying the marker.
      const old = violationIssue(world, repo, "direct-push", [periodDays + 20], at);
      world.issues.close(login, name, old.number);
      const issue = world.issues.list(login, name).find((i) => i.number === old.number)!;
      Object.assign(issue, { updatedAt: at(periodDays + 10), closedAt: at(periodDays + 10) });
      world.issues.add(login, name, {
        title: "Copied marker",
        body: `${violationMarker("force-push")}\n\n${occurrenceMarker("force-push:fake")}`,
        labels: [VIOLATION_LABEL],
        createdAt: at(3),
        updatedAt: at(3),
      });
    }

    if (failure === "inactive") repo.pushedAt = at(400);
    if (failure === "archived") {
      repo.archived = true;
      repo.pushedAt = at(500);
      b.archived = true;
    }
    built.push(b);
    return b;
  };

  let decoysPlaced = false;
  for (let i = 0; i < n; i++) {
    const failure = failureAt.get(i) ?? null;
    const name = i < NAMES.length ? NAMES[i]! : `${NAMES[i % NAMES.length]}-${Math.floor(i / NAMES.length) + 1}`;
    make(name, failure, !failure && !decoysPlaced);
    if (!failure) decoysPlaced = true;
  }
  // The org's .github repository: the community health defaults (SECURITY.md, CONTRIBUTING.md) and the org profile.
  const dotGithub = make(".github", null, false);
  dotGithub.repo.files.set("profile/README.md", `# ${login}\n`);
  if (!dotGithub.files.securityPolicy?.endsWith("SECURITY.md") || dotGithub.files.securityPolicy.includes(":")) {
    dotGithub.repo.files.set("SECURITY.md", "# Security policy\nReport to security@example.com\n");
    dotGithub.files.securityPolicy = "SECURITY.md";
  }

  return {
    org,
    now: at(0),
    period: { since: at(options.periodDays ?? 30), until: at(0) },
    repositories: built,
    dotGithub,
    compliant: built.filter((b) => !b.failure).map((b) => b.name),
    withFailure: (kind) => built.find((b) => b.failure === kind),
  };
}

/** An open violation issue of the app with one occurrence per date (the first in the body, the others as comments). */
function violationIssue(
  world: GitHubWorld,
  repo: SimRepo,
  control: "direct-push" | "force-push",
  daysAgo: number[],
  at: (d: number) => string,
) {
  const occurrence = (d: number) =>
    `Push of ${sha(`${repo.name}-${control}-${d}`).slice(0, 7)}\n\n${occurrenceMarker(`${control}:push:${sha(`${repo.name}-${control}-${d}`)}`)}`;
  const [first, ...later] = daysAgo;
  const issue = world.issues.add(repo.owner, repo.name, {
    title: VIOLATION_TITLES[control],
    body: `Policy text.\n\n${violationMarker(control)}\n\n### First occurrence\n\n${occurrence(first!)}`,
    labels: [VIOLATION_LABEL],
    author: APP_AUTHOR,
    createdAt: at(first!),
    updatedAt: at(later.at(-1) ?? first!),
    comments: later.map((d) => ({ body: occurrence(d), author: APP_AUTHOR, createdAt: at(d) })),
  });
  return { number: issue.number, occurrences: daysAgo.length };
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
