import { formatConfigError } from "../config/config-error.js";
import { defaultConfig } from "../config/schema.js";
import { controlRow, effectiveEnforcement } from "../controls/results.js";
import { evaluateMergedPull, mergeBypassedOurCheck } from "../controls/merged-unverified.js";
import { verdictOnHead } from "../controls/pull-request-verdict.js";
import { type MergedPullVerdict } from "../facts/refs.js";
import type { ControlResult } from "../controls/results.js";
import { readMerge } from "../github/refs/merge-snapshot.js";
import { reportViolation } from "../github/writes/violation-issue.js";
import { tableCell } from "../common/markdown.js";
import { beginEvaluation } from "./begin-evaluation.js";
import { withRepositoryLock, type EvaluationDeps } from "./evaluate-pull-request.js";
import { violationIssueOf } from "../controls/catalogue.js";
import { loadRefPolicy } from "./ref-policy.js";
import { audit } from "../audit/audit-log.js";
import { unverifiedMergeNotification } from "./notify-findings.js";

export interface MergeTarget {
  owner: string;
  repo: string;
  number: number;
  /** The base branch as the payload names it (read again from GitHub). */
  baseRefName: string;
  /** https://github.com/owner/repo (or the GHE host), for links in the issue. */
  htmlUrl: string;
}

export interface MergeOutcome {
  status: "reported" | "skipped";
  reason?: string;
  result?: ControlResult;
  issueNumber?: number;
  requests: number;
}

/** The issue occurrence of one merge: the same key for every delivery of it, so a redelivery adds no comment. */
export const mergeOccurrenceKey = (number: number): string => `merged-unverified:merge:#${number}`;

/**
 * `merged-unverified` at merge time: a merged PR's verdict is read fresh (never from the payload); a merge without a
 * passing `sdlc-guard` result on the final head is recorded in the control's issue (one comment per merge) and in the
 * audit log, with who merged it, what was failing and whether a required check was bypassed. Serialized per repository.
 */
export function evaluateMerge(deps: EvaluationDeps, target: MergeTarget): Promise<MergeOutcome> {
  return withRepositoryLock(deps.memory, target.owner, target.repo, () => evaluateNow(deps, target));
}

async function evaluateNow(deps: EvaluationDeps, target: MergeTarget): Promise<MergeOutcome> {
  const { octokit, log, appId, memory } = deps;
  const { requests, evaluatedAt } = beginEvaluation(deps);
  const { owner, repo, number } = target;
  // A repository file that cannot be loaded is set aside: the merge is verified under the org's policy (and told to its
  // channels); when even the org's cannot be loaded, against the defaults (required). The audit says so.
  const loaded = await loadRefPolicy(octokit, owner, repo, memory.cache);
  const config = loaded.ok ? loaded.config : defaultConfig;
  const configError = loaded.ok ? loaded.configError : loaded.error;
  if (effectiveEnforcement("merged-unverified", config).enforcement === "off") {
    return { status: "skipped", reason: "merged-unverified is off", requests: requests() };
  }
  const read = await readMerge(octokit, target, appId);
  const { snapshot } = read;
  if (snapshot.pull.ok && snapshot.pull.value === null)
    return { status: "skipped", reason: `PR #${number} is not merged`, requests: requests() };
  const result = controlRow("merged-unverified", config, () => evaluateMergedPull(snapshot));
  const pr = snapshot.pull.ok ? snapshot.pull.value : null;
  const bypass = mergeBypassedOurCheck(snapshot);
  const failing = result.outcome === "fail" || result.outcome === "error";

  let issueNumber: number | undefined;
  const report = config.controls["merged-unverified"].report;
  if (failing && report !== "check" && deps.write !== false) {
    const spec = { control: "merged-unverified", ...violationIssueOf("merged-unverified")! };
    const markdown = occurrenceMarkdown(target, result, {
      pr,
      mergedAt: read.mergedAt,
      bypass: bypass.ok ? bypass.value : null,
      at: evaluatedAt,
    });
    issueNumber = (await reportViolation(octokit, { owner, repo }, spec, { key: mergeOccurrenceKey(number), markdown })).issueNumber;
  }
  audit(
    log,
    "pull_request.merged",
    {
      repository: `${owner}/${repo}`,
      pull_request: number,
      base: snapshot.baseRefName,
      merged_by: pr?.mergedBy ?? null,
      merged_at: read.mergedAt,
      merge_commit: pr?.mergeCommitSha ?? null,
      head: pr?.headSha ?? null,
      verdict: pr ? verdictOnHead(pr) : null,
      bypassed_required_check: failing && bypass.ok ? bypass.value : null,
      control: `${result.enforcement}:${result.outcome}`,
      reason: result.reason,
      issue: issueNumber ?? null,
      ...(configError ? { config_error: formatConfigError(configError) } : {}),
      github_requests: requests(),
    },
    `sdlc-guard ${failing ? "recorded an unverified merge" : "verified the merge"} of #${number} in ${owner}/${repo}`,
  );
  if (failing && deps.write !== false) {
    const merge = { owner, repo, number, htmlUrl: target.htmlUrl, key: mergeOccurrenceKey(number) };
    const facts = { mergedBy: pr?.mergedBy ?? null, bypass: bypass.ok ? bypass.value : null, headSha: pr?.headSha ?? null };
    deps.notifier?.notify(config.notifications, unverifiedMergeNotification(merge, facts, result, evaluatedAt));
  }
  return { status: "reported", result, issueNumber, requests: requests() };
}

function occurrenceMarkdown(
  target: MergeTarget,
  result: ControlResult,
  facts: { pr: MergedPullVerdict | null; mergedAt: string | null; bypass: boolean | null; at: string },
): string {
  const { pr } = facts;
  const verdict =
    result.outcome === "error"
      ? "could not be verified (fails closed)"
      : result.enforcement === "advisory"
        ? "advisory finding"
        : "violation";
  const commit = pr?.mergeCommitSha ? `[\`${pr.mergeCommitSha.slice(0, 12)}\`](${target.htmlUrl}/commit/${pr.mergeCommitSha})` : "unknown";
  return [
    `**[#${target.number}](${target.htmlUrl}/pull/${target.number}) merged without a passing sdlc-guard result** — ${verdict}`,
    "",
    "| | |",
    "|---|---|",
    `| Merged by | ${pr?.mergedBy ? `@${tableCell(pr.mergedBy)}` : "unknown"} |`,
    `| Merged at | ${facts.mergedAt ?? "unknown"} |`,
    `| Merge commit | ${commit} |`,
    `| Final head | ${pr ? `\`${pr.headSha.slice(0, 12)}\`` : "unknown"} |`,
    `| Required check bypassed | ${facts.bypass === null ? "unknown" : facts.bypass ? "yes: the branch requires `sdlc-guard`" : "no: the branch does not require `sdlc-guard`"} |`,
    `| Finding | ${tableCell(result.reason)} |`,
    ...(result.fix ? [`| How to fix | ${tableCell(result.fix)} |`] : []),
    `| Recorded | ${facts.at} |`,
  ].join("\n");
}
