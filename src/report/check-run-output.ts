import type { ConfigError } from "../config/config-error.js";
import type { FloorHold } from "../config/policy-floor.js";
import type { Conclusion } from "../controls/results.js";
import type { ControlResult } from "../controls/results.js";
import { describeMatchedRules, type RulesApplied } from "../controls/policy-rules-match.js";
import { clampKeepingResults, decodeResults, encodeResults, mergeResults, withoutResults } from "./check-run-state.js";
import { clampMarkdown, inlineCode, tableCell } from "../common/markdown.js";

export interface CheckRunOutput {
  title: string;
  summary: string;
}

export interface CheckRunReport {
  conclusion: Conclusion;
  output: CheckRunOutput;
}

export interface EvaluationContext {
  /** What was evaluated: "PR #12", "the push of 3 commits to `main` by @alice", "tag `v1.4.0`". */
  subject: string;
  headSha: string;
  isDraft: boolean;
  /** The config files that were applied, most specific first; empty means the built-in POL-008 defaults. */
  configSources: string[];
  /** Keys the org's floor held (a repository value below it), named on the policy line. */
  floorHeld?: FloorHold[];
  /** The `rules:` that applied (with why) and those that could not be decided, named on the policy line. */
  rules?: Pick<RulesApplied, "matched" | "undecided">;
  evaluatedAt: string;
}

const icon = (r: ControlResult): string => {
  if (r.enforcement === "off") return "➖ off";
  if (r.outcome === "pass") return "✅ pass";
  if (r.outcome === "pending") return "⏳ pending";
  if (r.outcome === "waived") return "🟡 waived";
  if (r.enforcement === "advisory") return "⚠️ advisory";
  return r.outcome === "error" ? "❌ not evaluated" : "❌ fail";
};

/** Renders the control results as the `sdlc-guard` check run: a title that says what failed, one table row per control. */
export function renderControlResults(results: ControlResult[], conclusion: Conclusion, ctx: EvaluationContext): CheckRunReport {
  const required = results.filter((r) => r.enforcement === "required");
  const failing = required.filter((r) => r.outcome === "fail" || r.outcome === "error").map((r) => r.id);
  const waiting = required.filter((r) => r.outcome === "pending").map((r) => r.id);
  const warnings = results.filter((r) => r.enforcement === "advisory" && r.outcome !== "pass" && r.outcome !== "waived").map((r) => r.id);
  const waived = results.filter((r) => r.outcome === "waived").map((r) => r.id);
  const draft = ctx.isDraft ? "[draft] " : "";
  const warned = warnings.length ? `; advisory: ${warnings.join(", ")}` : "";
  const pendingToo = waiting.length ? `; pending: ${waiting.join(", ")}` : "";
  const waivedToo = waived.length ? `; waived: ${waived.join(", ")}` : "";
  const title =
    conclusion === "failure"
      ? `${draft}${failing.length} required control(s) failing: ${failing.join(", ")}${pendingToo}${waivedToo}${warned}`
      : conclusion === "pending"
        ? `${draft}Waiting for ${waiting.join(", ")}${waivedToo}${warned}`
        : `${draft}All required controls pass${waivedToo}${warned}`;

  const rows = results.map(
    (r) =>
      `| \`${r.id}\` | ${icon(r)} | ${r.enforcement} | ${tableCell(r.source ? `${r.source}: ${r.reason}` : r.reason)} | ${tableCell(r.fix || "—")} |`,
  );
  const notes = results.flatMap((r) => (r.notes ?? []).map((n) => `- \`${r.id}\`: ${n}`));
  const summary = [
    `${header(ctx)} against ${policyName(ctx.configSources)}.${ctx.rules ? describeMatchedRules(ctx.rules) : ""}${heldByFloor(ctx.floorHeld)}`,
    "",
    "| Control | Result | Enforcement | Reason | How to fix |",
    "|---|---|---|---|---|",
    ...rows,
    ...(notes.length ? ["", "**Notes**", "", ...notes] : []),
  ].join("\n");
  // The rows are kept (hidden) for the next evaluation of this commit in another role, which adds its own.
  const state = `\n\n${encodeResults(results.map((r) => ({ ...r, source: r.source ?? ctx.subject })))}`;
  return { conclusion, output: { title, summary: clampKeepingResults(summary + state) } };
}

/**
 * A commit that is the head of several open PRs has one check run for all of them, so it cannot say "pass" for one
 * PR while another may fail: it fails closed and says why (each PR's own result is in the table of its last event).
 */
export function withSharedHead(report: CheckRunReport, otherPullRequests: number[]): CheckRunReport {
  const others = otherPullRequests.map((n) => `#${n}`).join(", ");
  const notice = [
    `**This commit is also the head of open pull request(s) ${others}.** GitHub keeps one \`sdlc-guard\` check run per commit,`,
    "so it cannot carry a separate result for each pull request; it fails until only one open pull request has this head",
    "(push a distinct commit to one of the branches, or close the duplicate). The controls of this pull request:",
    "",
  ].join("\n");
  return {
    conclusion: "failure",
    output: {
      title: `Shared head commit (also ${others}): ${report.output.title}`,
      summary: clampKeepingResults(`${notice}\n${report.output.summary}`),
    },
  };
}

/**
 * The report about to overwrite a run, with the rows the run holds from other evaluations of the commit that the report
 * does not carry (e.g. a direct push's `direct-push`, when a PR evaluation could not read the run first, or stopped at
 * a config error): they stay stored, are listed, and a required one that fails keeps the run failing. Without this, a
 * run written over would forget them, and a later evaluation could pass the commit.
 */
export function keepOtherRows(report: CheckRunReport, previousSummary: string | null | undefined): CheckRunReport {
  const current = decodeResults(report.output.summary);
  const carried = decodeResults(previousSummary).filter((r) => !current.some((c) => c.id === r.id));
  if (!carried.length) return report;
  const failing = carried.filter((r) => r.enforcement === "required" && (r.outcome === "fail" || r.outcome === "error"));
  const section = [
    "",
    "**Also recorded on this commit** (by its other evaluations; kept until they run again):",
    "",
    "| Control | Result | Enforcement | Reason |",
    "|---|---|---|---|",
    ...carried.map(
      (r) => `| \`${r.id}\` | ${icon(r)} | ${r.enforcement} | ${tableCell(r.source ? `${r.source}: ${r.reason}` : r.reason)} |`,
    ),
  ].join("\n");
  const rows = mergeResults(current, carried);
  const escalate = failing.length > 0 && report.conclusion !== "failure";
  return {
    conclusion: escalate ? "failure" : report.conclusion,
    output: {
      title: escalate ? `Required controls failing: ${failing.map((r) => r.id).join(", ")}` : report.output.title,
      summary: clampKeepingResults(`${withoutResults(report.output.summary)}\n${section}\n\n${encodeResults(rows)}`),
    },
  };
}

/** A configuration that cannot be used fails the check and says where and what is wrong; no control is evaluated. */
export function renderConfigError(error: ConfigError, ctx: EvaluationContext): CheckRunReport {
  const summary = [
    `${header(ctx)}, but could not load the policy:`,
    "",
    ...configErrorTable(error),
    "",
    "No control was evaluated: fix the configuration on the default branch and re-run this check.",
  ].join("\n");
  return {
    conclusion: "failure",
    output: { title: `Configuration error in ${error.file}`, summary: clampMarkdown(summary) },
  };
}

/**
 * A push, tag or release judged under the org's policy because the repository's own file could not be loaded: the run
 * fails (the file must be fixed) and says which file, key and value were set aside, above the controls' rows.
 */
export function withConfigError(report: CheckRunReport, error: ConfigError): CheckRunReport {
  const notice = [
    "**The repository's configuration could not be loaded**, so it was set aside: the controls below were evaluated under",
    "the organisation's policy alone (a broken file never lowers it). Fix the file on the default branch:",
    "",
    ...configErrorTable(error),
    "",
  ].join("\n");
  return {
    conclusion: "failure",
    output: {
      title: `Configuration error in ${error.file} (judged under the org policy): ${report.output.title}`,
      summary: clampKeepingResults(`${notice}\n${report.output.summary}`),
    },
  };
}

/** The one-row table of a config error: file, key, what was expected, and the line when it is known. */
export function configErrorTable(error: ConfigError): string[] {
  const key = error.keyPath ? inlineCode(error.keyPath) : "(whole file)";
  const row = `| ${tableCell(inlineCode(error.file))} | ${tableCell(key)} | ${tableCell(error.expected)} |`;
  if (error.line === undefined) return ["| File | Key | Expected |", "|---|---|---|", row];
  return ["| File | Key | Expected | Line |", "|---|---|---|---|", `${row} ${error.line} |`];
}

function header(ctx: EvaluationContext): string {
  return `**sdlc-guard** evaluated ${ctx.subject}${ctx.isDraft ? " (draft)" : ""} at \`${ctx.headSha.slice(0, 12)}\` on ${ctx.evaluatedAt}`;
}

function policyName(sources: string[]): string {
  return sources.length
    ? `the policy in ${sources.map(inlineCode).join(" ← ")}`
    : "the built-in POL-008 defaults (no `.github/sdlc-guard.yml`)";
}

/** " Held at the org floor: `key` `from` → `to`, …": never a silent change of what a repository asked for. */
function heldByFloor(held: FloorHold[] | undefined): string {
  if (!held?.length) return "";
  return ` Held at the org floor: ${held.map(({ key, from, to }) => `${inlineCode(key)} ${inlineCode(from)} → ${inlineCode(to)}`).join(", ")}.`;
}
