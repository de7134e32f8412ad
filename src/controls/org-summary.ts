import { describeHold } from "../config/policy-floor.js";
import type { SdlcGuardConfig } from "../config/schema.js";
import { effectiveConfigOf, judgeRepositoryPolicy, LOWER_ITSELF_FIX } from "./org-summary-policy.js";
import { judgeBranchProtection } from "./branch-protection.js";
import {
  SUMMARY_CONTROL_IDS,
  type CellState,
  type ControlRate,
  type OrgFacts,
  type OrgSummary,
  type RepositoryFacts,
  type RepositoryFiles,
  type RepositorySummary,
  type SummaryCell,
  type SummaryControlId,
  type SummaryHistoryEntry,
} from "../facts/org-summary.js";
import { isReleaseTagName } from "./release-tag.js";
import type { Fetched } from "../facts/fetched.js";

const DAY_MS = 86_400_000;
/** Failing merged PRs named in a `merged-prs` cell; the rest are counted. */
const LISTED_PULL_REQUESTS = 5;

const pass = (detail: string): SummaryCell => ({ state: "pass", detail });
const fail = (detail: string, fix: string): SummaryCell => ({ state: "fail", detail, fix });
const notApplicable = (detail: string): SummaryCell => ({ state: "n/a", detail });
const unknown = (what: string, error: string): SummaryCell => ({
  state: "unknown",
  detail: `${what} could not be read: ${error}`,
  fix: "Counted as not compliant until it can be read: check the app's permissions and installation, then refresh.",
});

/** A fact that could not be read makes its cell unknown, never compliant. */
function whenRead<T>(fact: Fetched<T>, what: string, judge: (value: T) => SummaryCell): SummaryCell {
  return fact.ok ? judge(fact.value) : unknown(what, fact.error);
}

/** One repository's cells: every summary control, judged from the facts the collector read. */
export function judgeRepository(
  org: string,
  repo: RepositoryFacts,
  config: SdlcGuardConfig,
  now: Date,
): Record<SummaryControlId, SummaryCell> {
  return {
    "branch-protection": judgeDefaultBranch(repo, config),
    "secret-scanning": whenRead(repo.secretScanning, "Secret-scanning settings", ({ enabled }) =>
      enabled
        ? whenRead(repo.openSecretAlerts, "Open secret-scanning alerts", (open) =>
            open === 0
              ? pass("enabled, no open alert")
              : fail(
                  `${open} open secret-scanning alert${open === 1 ? "" : "s"}`,
                  "Revoke and rotate each exposed secret, then close its alert (Security → Secret scanning).",
                ),
          )
        : fail("secret scanning is disabled", "Enable secret scanning: Settings → Code security → Secret Protection."),
    ),
    "push-protection": whenRead(repo.secretScanning, "Secret-scanning settings", ({ enabled, pushProtection }) =>
      enabled && pushProtection
        ? pass("enabled")
        : fail("push protection is disabled", "Enable push protection: Settings → Code security → Push protection."),
    ),
    dependabot: whenRead(repo.dependabotEnabled, "Dependabot settings", (enabled) =>
      enabled
        ? whenRead(repo.dependabotAlerts, "Open Dependabot alerts", ({ critical, high }) =>
            critical + high === 0
              ? pass("enabled, no open critical or high alert")
              : fail(
                  `${critical} critical and ${high} high open Dependabot alert${critical + high === 1 ? "" : "s"}`,
                  "Upgrade the vulnerable dependencies (merge Dependabot's PRs) or dismiss alerts that do not apply, with a reason.",
                ),
          )
        : fail("Dependabot alerts are disabled", "Enable Dependabot alerts: Settings → Code security → Dependabot alerts."),
    ),
    "code-scanning": whenRead(repo.codeScanning, "Code-scanning setup", (how) =>
      how
        ? pass(how)
        : fail(
            "code scanning is not configured",
            "Enable CodeQL default setup (Settings → Code security → Code scanning) or add a code-scanning workflow.",
          ),
    ),
    "repository-files": whenRead(repo.files, "Repository files", judgeFiles),
    "release-tag": whenRead(repo.latestRelease, "The latest release", (release) => {
      if (!release) return notApplicable("no release yet");
      const tag = `"${release.tagName}"`;
      return isReleaseTagName(release.tagName, config.controls["release-tag"].pattern)
        ? pass(`latest release ${tag}`)
        : fail(`latest release ${tag} is not a semantic version`, "Publish releases from tags like v1.2.3 (see the release-tag control).");
    }),
    "direct-push": judgeRecorded(repo, config, "direct-push", repo.pushes, "Recorded pushes", ({ direct }) =>
      direct === 0
        ? pass("none recorded in the period")
        : fail(
            `${direct} direct push${direct === 1 ? "" : "es"} recorded in the period`,
            "Review the open direct-push issue; require pull requests on protected branches and narrow who may bypass them.",
          ),
    ),
    "force-push": judgeRecorded(repo, config, "force-push", repo.pushes, "Recorded pushes", ({ forced }) =>
      forced === 0
        ? pass("none recorded in the period")
        : fail(
            `${forced} forced push${forced === 1 ? "" : "es"} recorded in the period`,
            "Review the open force-push issue; block force pushes in the branch's protection or ruleset.",
          ),
    ),
    "merged-prs": whenRead(repo.mergedPullRequests, "Merged pull requests", (pulls) => {
      if (pulls.length === 0) return notApplicable("no PR merged in the period");
      const failing = pulls.filter((p) => p.conclusion !== "SUCCESS");
      const passed = pulls.length - failing.length;
      const share = (passed / pulls.length) * 100;
      const figure = `${passed} of ${pulls.length} merged PRs passed sdlc-guard`;
      if (share >= config.summary.merged_pass_rate) return pass(figure);
      const listed = failing
        .slice(0, LISTED_PULL_REQUESTS)
        // owner/repo#N: a bare #N in the summary issue would link to an issue of the summary's own repository.
        .map((p) => `${org}/${repo.name}#${p.number} (${p.conclusion?.toLowerCase() ?? "no sdlc-guard result"})`)
        .join(", ");
      const more = failing.length > LISTED_PULL_REQUESTS ? ` and ${failing.length - LISTED_PULL_REQUESTS} more` : "";
      return fail(
        `${figure} (policy: ${config.summary.merged_pass_rate}%); not passed: ${listed}${more}`,
        "Merge only when the sdlc-guard check is green: make it a required status check of the protected branch.",
      );
    }),
    "merged-unverified": judgeRecorded(repo, config, "merged-unverified", repo.unverifiedMerges, "Recorded merges", ({ count, issues }) =>
      count === 0
        ? pass("none recorded in the period")
        : fail(
            `${count} merge${count === 1 ? "" : "s"} without a passing sdlc-guard result recorded in the period (${issues
              // owner/repo#N: a link in the summary issue, whichever repository it lives in.
              .map((n) => `${org}/${repo.name}#${n}`)
              .join(", ")})`,
            "Review each merge the merged-unverified issue lists (revert it, or land it again through a pull request that passes sdlc-guard), and require the sdlc-guard check with administrators included.",
          ),
    ),
    activity: judgeActivity(repo, config, now),
    policy: judgeRepositoryPolicy(repo, config),
  };
}

/**
 * Pushes and unverified merges are counted from the app's violation issues, so "none recorded" means something only
 * where the repository's effective config has the control on and reporting to issues; elsewhere the cell is n/a (off)
 * or unknown.
 */
function judgeRecorded<T>(
  repo: RepositoryFacts,
  orgConfig: SdlcGuardConfig,
  id: "direct-push" | "force-push" | "merged-unverified",
  fact: Fetched<T>,
  what: string,
  judge: (recorded: T) => SummaryCell,
): SummaryCell {
  const effective = effectiveConfigOf(repo, orgConfig);
  if (!effective.ok) return unknown("The repository's config", effective.error);
  const belowFloor = effective.value.held.find((hold) => hold.key === `controls.${id}.enforcement`);
  const lowerItself = LOWER_ITSELF_FIX;
  if (belowFloor) return fail(`this repository's config tries to go below the org floor: ${describeHold(belowFloor)} (held)`, lowerItself);
  const { enforcement, report } = effective.value.config.controls[id];
  if (enforcement === "off") {
    const orgEnforcement = orgConfig.controls[id].enforcement;
    if (orgEnforcement !== "off")
      return fail(`${id} is off in this repository's config, below the org policy (${orgEnforcement})`, lowerItself);
    return notApplicable(`${id} is off in the org policy`);
  }
  if (report === "check") {
    return {
      state: "unknown",
      detail: `${id} findings go to check runs only (report: check); the summary counts the app's violation issues`,
      fix: `Set controls.${id}.report to both (or issue) so that ${id === "merged-unverified" ? "merges" : "pushes"} are recorded as issues.`,
    };
  }
  return whenRead(fact, what, judge);
}

function judgeDefaultBranch(repo: RepositoryFacts, config: SdlcGuardConfig): SummaryCell {
  if (!repo.protection.ok) return unknown("Branch protection", repo.protection.error);
  if (repo.defaultBranch === null) return notApplicable("empty repository (no default branch yet)");
  const { classic, rules } = repo.protection.value;
  const finding = judgeBranchProtection("Default branch", repo.defaultBranch, classic, rules, config.controls["branch-protection"]);
  // The summary shows details as plain text: no code spans.
  const plain = (text: string) => text.replaceAll("`", "");
  return finding.outcome === "pass" ? pass(plain(finding.reason)) : fail(plain(finding.reason), plain(finding.fix));
}

const FILE_NAMES: Record<keyof RepositoryFiles, string> = {
  readme: "README",
  contributing: "CONTRIBUTING (or coding standards)",
  securityPolicy: "SECURITY.md",
  codeowners: "CODEOWNERS",
};

function judgeFiles(files: RepositoryFiles): SummaryCell {
  const missing = (Object.keys(FILE_NAMES) as (keyof RepositoryFiles)[]).filter((key) => files[key] === null).map((key) => FILE_NAMES[key]);
  if (missing.length === 0) return pass("README, CONTRIBUTING, SECURITY.md and CODEOWNERS present");
  // GitHub uses an organisation's default community health files only from a PUBLIC `.github` repository.
  const orgDefault = files.securityPolicy === null || files.contributing === null;
  return fail(
    `missing ${missing.join(", ")}${orgDefault ? " (the organisation's .github repository counts only when it is public)" : ""}`,
    "Add the missing files at the root, in .github/ or in docs/ (SECURITY.md and CONTRIBUTING may also come from the organisation's .github repository, when it is public).",
  );
}

function judgeActivity(repo: RepositoryFacts, config: SdlcGuardConfig, now: Date): SummaryCell {
  if (repo.pushedAt === null) return notApplicable("never pushed");
  const days = Math.floor((now.getTime() - Date.parse(repo.pushedAt)) / DAY_MS);
  const limit = config.summary.inactive_days;
  if (days > limit)
    return fail(
      `no push for ${days} days (limit ${limit}) but not archived`,
      "Archive the repository (Settings → Danger zone → Archive) or resume its maintenance.",
    );
  return pass(days <= 0 ? "pushed today" : `last push ${days} day${days === 1 ? "" : "s"} ago`);
}

function judgeTwoFactor(facts: OrgFacts): SummaryCell {
  return whenRead(facts.twoFactorRequired, "The two-factor requirement", (required) =>
    required
      ? pass("members must use two-factor authentication")
      : fail(
          "members can work without two-factor authentication",
          "Organisation settings → Authentication security → Require two-factor authentication.",
        ),
  );
}

const oneDecimal = (value: number): number => Math.round(value * 10) / 10;

/**
 * The summary of an organisation: every active repository judged and ordered worst first, archived ones listed apart,
 * the pass rate per control and the share of fully compliant repositories.
 */
export function summarizeOrg(facts: OrgFacts, config: SdlcGuardConfig, history: SummaryHistoryEntry[], durationMs: number): OrgSummary {
  const now = new Date(facts.collectedAt);
  const active = facts.repositories.filter((r) => !r.archived);
  const repositories = active.map((repo): RepositorySummary => {
    const cells = judgeRepository(facts.org, repo, config, now);
    const states = Object.values(cells).map((c) => c.state);
    const count = (state: CellState) => states.filter((s) => s === state).length;
    return {
      name: repo.name,
      url: repo.url,
      cells,
      compliant: count("fail") + count("unknown") === 0,
      failing: count("fail"),
      unknown: count("unknown"),
    };
  });
  repositories.sort((a, b) => b.failing - a.failing || b.unknown - a.unknown || a.name.localeCompare(b.name));
  const rates = SUMMARY_CONTROL_IDS.map((id): ControlRate => {
    const judged = repositories.filter((r) => r.cells[id].state !== "n/a");
    const passed = judged.filter((r) => r.cells[id].state === "pass").length;
    return { id, passed, judged: judged.length, rate: judged.length ? oneDecimal((passed / judged.length) * 100) : null };
  });
  const compliant = repositories.filter((r) => r.compliant).length;
  return {
    org: facts.org,
    webUrl: facts.webUrl,
    generatedAt: facts.collectedAt,
    period: facts.period,
    twoFactor: judgeTwoFactor(facts),
    repositories,
    archived: facts.repositories.filter((r) => r.archived).map(({ name, url }) => ({ name, url })),
    compliantPercent: repositories.length ? oneDecimal((compliant / repositories.length) * 100) : 0,
    rates,
    history,
    requests: facts.requests,
    durationMs,
  };
}
