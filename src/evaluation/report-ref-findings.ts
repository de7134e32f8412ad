import type { FloorHold } from "../config/policy-floor.js";
import { formatConfigError, type ConfigError } from "../config/config-error.js";
import type { ReportTo, SdlcGuardConfig } from "../config/schema.js";
import { concludeControls } from "../controls/evaluate-pull-request-controls.js";
import type { ControlResult, RefControlId } from "../controls/types.js";
import { ensureCheckRun } from "../github/check-run.js";
import type { OurRun } from "../github/pull-request-snapshot.js";
import { reportViolation } from "../github/violation-issue.js";
import { decodeResults, mergeResults } from "../report/check-run-state.js";
import { renderConfigError, renderControlResults, type CheckRunReport } from "../report/check-run-output.js";
import { tableCell } from "../report/markdown.js";
import type { EvaluationDeps } from "./evaluate-pull-request.js";

/** One evaluation of a push, tag or release: its results, the commit they belong to, and how to describe it. */
export interface RefFindings {
  owner: string;
  repo: string;
  /** The commit the check run goes on (pushed head, tag commit, release commit). */
  sha: string;
  /** "the push of 2 commits to `main` by @alice", "tag `v1.4.0`", "release `v1.4.0`". */
  subject: string;
  results: ControlResult[];
  existing: OurRun | null | undefined;
  externalId: string;
  /** A stable id of this event, so a redelivered webhook adds no second occurrence to an issue. */
  occurrenceKey: string;
  /** Who did it (login), when, and a link to the commit, for the issue comment. */
  actor: string;
  at: string;
  commitUrl: string;
  config: SdlcGuardConfig;
  configSources: string[];
  floorHeld?: FloorHold[];
  evaluatedAt: string;
}

export interface RefReport {
  report: CheckRunReport;
  checkRunId?: number;
  /** Issue numbers written to, by control. */
  issues: Partial<Record<RefControlId, number>>;
}

/** The issue of each control: what the policy asks, and how to resolve the issue itself. */
export const VIOLATION_ISSUES: Record<Exclude<RefControlId, "deployment">, { title: string; intro: string }> = {
  "direct-push": {
    title: "sdlc-guard: direct pushes to protected branches",
    intro: "POL-008: direct commits to protected branches shall be prohibited. Each comment below is a push whose commits did not arrive through a merged pull request. Review each one (revert it, or land it again through a reviewed PR), keep branch protection on, then close this issue.",
  },
  "force-push": {
    title: "sdlc-guard: force pushes and deletions of protected branches",
    intro: "POL-008: force-push and history rewriting are prohibited. Each comment below is a forced push to, or a deletion of, a protected branch. Check that no reviewed change was lost, block force pushes and deletions in the branch's protection, then close this issue.",
  },
  "release-tag": {
    title: "sdlc-guard: release tags outside the versioning policy",
    intro: "POL-008: releases use semantic versioning and are tagged on the default branch. Each comment below is a tag or release that is not. Delete or replace the tag (e.g. `v1.4.0` on a commit of the default branch), then close this issue.",
  },
  "signed-release": {
    title: "sdlc-guard: unsigned release tags",
    intro: "ENT 2.3: releases are cryptographically signed. Each comment below is a release tag without a signature GitHub verifies. Sign release tags (`git tag -s`) with a key registered on GitHub, then close this issue.",
  },
  "release-notes": {
    title: "sdlc-guard: releases without notes",
    intro: "ECO 3.2: document changes in release notes. Each comment below is a published release with empty notes. Edit the release to describe its changes, then close this issue.",
  },
};

const reportOf = (config: SdlcGuardConfig, id: RefControlId): ReportTo => {
  const control = config.controls[id];
  return "report" in control ? control.report : "check";
};

/**
 * Reports a push, tag or release: the commit's one `sdlc-guard` check run (this evaluation's rows merged with the rows
 * other evaluations of the same commit left), and one issue per failing control, each occurrence a comment. Where each
 * goes follows the controls' `report` settings. Runs under the repository's lock (no concurrent issue creation).
 */
export async function reportRefFindings(deps: EvaluationDeps, findings: RefFindings): Promise<RefReport> {
  const { octokit, memory, appId } = deps;
  const { owner, repo, sha, results, config } = findings;
  const merged = mergeResults(results, decodeResults(findings.existing?.summary));
  const report = renderControlResults(merged, concludeControls(merged), {
    subject: findings.subject,
    headSha: sha,
    isDraft: false,
    configSources: findings.configSources,
    floorHeld: findings.floorHeld,
    evaluatedAt: findings.evaluatedAt,
  });
  const evaluated = results.filter((r) => r.enforcement !== "off");
  const toCheckRun = evaluated.some((r) => reportOf(config, r.id as RefControlId) !== "issue");
  const toIssues = evaluated.filter((r) => reportOf(config, r.id as RefControlId) !== "check" && (r.outcome === "fail" || r.outcome === "error"));
  const out: RefReport = { report, issues: {} };
  if (deps.write === false) return out;

  if (toCheckRun) {
    const target = { owner, repo, headSha: sha, existing: findings.existing, appId, externalId: findings.externalId, completedAt: findings.evaluatedAt };
    out.checkRunId = await ensureCheckRun(octokit, target, report, memory.checkRuns);
  }
  for (const result of toIssues) {
    const id = result.id as Exclude<RefControlId, "deployment">;
    const spec = { control: id, ...VIOLATION_ISSUES[id] };
    const written = await reportViolation(octokit, { owner, repo }, spec, { key: `${id}:${findings.occurrenceKey}`, markdown: occurrenceMarkdown(findings, result) });
    out.issues[id] = written.issueNumber;
  }
  return out;
}

function occurrenceMarkdown(findings: RefFindings, result: ControlResult): string {
  const verdict = result.outcome === "error" ? "could not be verified (fails closed)" : result.enforcement === "advisory" ? "advisory finding" : "violation";
  return [
    `**${findings.subject}** — ${verdict}`,
    "",
    "| | |",
    "|---|---|",
    `| Commit | [\`${findings.sha.slice(0, 12)}\`](${findings.commitUrl}) |`,
    `| By | @${tableCell(findings.actor)} |`,
    `| When | ${findings.at} |`,
    `| Finding | ${tableCell(result.reason)} |`,
    ...(result.fix ? [`| How to fix | ${tableCell(result.fix)} |`] : []),
  ].join("\n");
}

/** A config that cannot be used fails the commit's run with the file and key at fault; no control is evaluated. */
export async function reportRefConfigError(
  deps: EvaluationDeps,
  target: { owner: string; repo: string; sha: string; subject: string; existing: OurRun | null | undefined; externalId: string; evaluatedAt: string },
  error: ConfigError,
): Promise<RefReport> {
  const { owner, repo, sha, subject, evaluatedAt } = target;
  deps.log.warn({ owner, repo, subject, config: formatConfigError(error) }, "configuration error");
  const report = renderConfigError(error, { subject, headSha: sha, isDraft: false, configSources: [], evaluatedAt });
  if (deps.write === false) return { report, issues: {} };
  const run = { owner, repo, headSha: sha, existing: target.existing, appId: deps.appId, externalId: target.externalId, completedAt: evaluatedAt };
  return { report, checkRunId: await ensureCheckRun(deps.octokit, run, report, deps.memory.checkRuns), issues: {} };
}

/** The fields of the audit record of a push, tag or release evaluation (action `<kind>.evaluated`). */
export function refAuditLine(findings: RefFindings, written: RefReport, extra: Record<string, unknown> = {}) {
  return {
    repository: `${findings.owner}/${findings.repo}`,
    commit: findings.sha,
    subject: findings.subject,
    actor: findings.actor,
    conclusion: written.report.conclusion,
    controls: Object.fromEntries(findings.results.map((r) => [r.id, `${r.enforcement}:${r.outcome}`])),
    check_run_id: written.checkRunId,
    issues: written.issues,
    ...extra,
  };
}
