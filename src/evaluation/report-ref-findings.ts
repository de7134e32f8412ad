import type { FloorHold } from "../config/policy-floor.js";
import { formatConfigError, type ConfigError } from "../config/config-error.js";
import type { ReportTo } from "../config/schema-parts.js";
import type { SdlcGuardConfig } from "../config/schema.js";
import { concludeControls } from "../controls/results.js";
import type { ControlResult } from "../controls/results.js";
import { violationIssueOf, type RefControlId } from "../controls/catalogue.js";
import { writeCommitCheckRun } from "./commit-lock.js";
import type { OurRun } from "../github/refs/pull-request-snapshot.js";
import { reportViolation } from "../github/writes/violation-issue.js";
import { decodeResults, mergeResults } from "../report/check-run-state.js";
import { renderConfigError, renderControlResults, withConfigError, type CheckRunReport } from "../report/check-run-output.js";
import { tableCell } from "../common/markdown.js";
import type { EvaluationDeps } from "./evaluate-pull-request.js";
import { refFindingNotification } from "./notify-findings.js";

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
  /** `beginEvaluation`'s mark, taken before `existing` was read (check-run.ts). */
  readMark?: number;
  /** The repository's own file could not be loaded: `config` is the org's policy, and the run fails naming this error. */
  configError?: ConfigError;
  /** Controls whose issue occurrence another evaluation records (a push's `merged-unverified`: the merge-time one does). */
  noIssueFor?: RefControlId[];
}

export interface RefReport {
  report: CheckRunReport;
  checkRunId?: number;
  /** Issue numbers written to, by control. */
  issues: Partial<Record<RefControlId, number>>;
}

/** Where a control's findings go: its `report` setting (a control without one reports on the check run). */
const reportOf = (config: SdlcGuardConfig, id: RefControlId): ReportTo => {
  const settings = config.controls[id];
  return "report" in settings ? settings.report : "check";
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
  const rendered = renderControlResults(merged, concludeControls(merged), {
    subject: findings.subject,
    headSha: sha,
    isDraft: false,
    configSources: findings.configSources,
    floorHeld: findings.floorHeld,
    evaluatedAt: findings.evaluatedAt,
  });
  const report = findings.configError ? withConfigError(rendered, findings.configError) : rendered;
  const evaluated = results.filter((r) => r.enforcement !== "off");
  // A config error is only seen on the check run: it is written even when every control reports to issues.
  const toCheckRun = !!findings.configError || evaluated.some((r) => reportOf(config, r.id as RefControlId) !== "issue");
  const toIssues = evaluated.filter(
    (r) =>
      reportOf(config, r.id as RefControlId) !== "check" &&
      (r.outcome === "fail" || r.outcome === "error") &&
      !findings.noIssueFor?.includes(r.id as RefControlId),
  );
  const out: RefReport = { report, issues: {} };
  if (deps.write === false) return out;

  if (toCheckRun) {
    const target = {
      owner,
      repo,
      headSha: sha,
      existing: findings.existing,
      appId,
      externalId: findings.externalId,
      completedAt: findings.evaluatedAt,
      readMark: findings.readMark,
    };
    out.checkRunId = await writeCommitCheckRun(memory, octokit, target, report);
  }
  for (const result of toIssues) {
    const id = result.id as RefControlId;
    const issue = violationIssueOf(id);
    if (!issue) continue;
    const spec = { control: id, ...issue };
    const written = await reportViolation(octokit, { owner, repo }, spec, {
      key: `${id}:${findings.occurrenceKey}`,
      markdown: occurrenceMarkdown(findings, result),
    });
    out.issues[id] = written.issueNumber;
  }
  // Once recorded, each failing control is told to the org's channels (queued: the evaluation never waits on it).
  for (const result of evaluated) {
    if (result.outcome !== "fail" && result.outcome !== "error") continue;
    if (findings.noIssueFor?.includes(result.id as RefControlId)) continue;
    const notification = refFindingNotification(findings, result, findings.evaluatedAt);
    if (notification) deps.notifier?.notify(config.notifications, notification);
  }
  return out;
}

function occurrenceMarkdown(findings: RefFindings, result: ControlResult): string {
  const verdict =
    result.outcome === "error"
      ? "could not be verified (fails closed)"
      : result.enforcement === "advisory"
        ? "advisory finding"
        : "violation";
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
  target: {
    owner: string;
    repo: string;
    sha: string;
    subject: string;
    existing: OurRun | null | undefined;
    externalId: string;
    evaluatedAt: string;
    readMark?: number;
  },
  error: ConfigError,
): Promise<RefReport> {
  const { owner, repo, sha, subject, evaluatedAt } = target;
  deps.log.warn({ owner, repo, subject, config: formatConfigError(error) }, "configuration error");
  const report = renderConfigError(error, { subject, headSha: sha, isDraft: false, configSources: [], evaluatedAt });
  if (deps.write === false) return { report, issues: {} };
  const run = {
    owner,
    repo,
    headSha: sha,
    existing: target.existing,
    appId: deps.appId,
    externalId: target.externalId,
    completedAt: evaluatedAt,
    readMark: target.readMark,
  };
  return { report, checkRunId: await writeCommitCheckRun(deps.memory, deps.octokit, run, report), issues: {} };
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
