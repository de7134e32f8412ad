import type { ApplyPlan, PlanItem } from "../controls/apply-plan.js";
import { terminalText } from "./terminal-text.js";

/** What became of one planned change with `--yes`. */
export interface ChangeOutcome {
  id: string;
  status: "applied" | "failed";
  /** The request GitHub took, e.g. `POST /orgs/acme/rulesets (ruleset 12)`. */
  request?: string;
  /** Why it failed (secret-free). */
  reason?: string;
}

export interface ApplyTotals {
  repositories: number;
  holds: number;
  planned: number;
  cannot: number;
  applied: number;
  failed: number;
}

/** Each item's state after applying: a planned change that was applied, or failed (with why). */
function stateOf(item: PlanItem, outcomes: ChangeOutcome[] | undefined): { state: string; detail: string } {
  const outcome = item.change && outcomes?.find((o) => o.id === item.change);
  if (!outcome) return { state: item.state, detail: item.detail };
  if (outcome.status === "applied") return { state: "applied", detail: `${item.detail} (${outcome.request})` };
  return { state: "failed", detail: `${item.detail}: ${outcome.reason}` };
}

export function applyTotals(plan: ApplyPlan, outcomes?: ChangeOutcome[]): ApplyTotals {
  const items = plan.repositories.flatMap((r) => r.items);
  return {
    repositories: plan.repositories.length,
    holds: items.filter((i) => i.state === "holds").length,
    planned: plan.changes.length,
    cannot: items.filter((i) => i.state === "cannot").length,
    applied: outcomes?.filter((o) => o.status === "applied").length ?? 0,
    failed: outcomes?.filter((o) => o.status === "failed").length ?? 0,
  };
}

/** The plan as an aligned text table, one row per repository and control (plain text: user text cannot break the columns). */
export function planAsTable(plan: ApplyPlan, outcomes?: ChangeOutcome[]): string {
  const rows = plan.repositories.flatMap((repo) =>
    repo.items.map((item) => {
      const { state, detail } = stateOf(item, outcomes);
      return [terminalText(repo.name), item.control, state, terminalText(detail)];
    }),
  );
  const header = ["REPOSITORY", "CONTROL", "STATE", "DETAIL"];
  const widths = [0, 1, 2].map((i) => Math.max(header[i]!.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell))
      .join("  ")
      .trimEnd();
  const changes = plan.changes.map((change) => {
    const outcome = outcomes?.find((o) => o.id === change.id);
    const what =
      change.kind === "org-ruleset"
        ? `${change.rulesetId === null ? "create" : `update (id ${change.rulesetId})`} organisation ruleset "${change.name}" targeting ~DEFAULT_BRANCH of ${change.repositories.join(", ")}: pull request with ${change.approvals} approvals, stale reviews dismissed, no force push, no deletion, sdlc-guard required from app ${change.appId}`
        : change.kind === "repository-files"
          ? `open pull request "${change.title}" on ${change.repository} from branch ${change.branch} into ${change.baseBranch}, adding ${change.files.map((f) => f.path).join(", ")}`
          : `enable ${[change.secretScanning && "secret scanning", change.pushProtection && "push protection"].filter(Boolean).join(" and ")} on ${change.repository}`;
    const done = outcome ? (outcome.status === "applied" ? ` → applied: ${outcome.request}` : ` → FAILED: ${outcome.reason}`) : "";
    return `- ${terminalText(what)}${done}`;
  });
  return [line(header), ...rows.map(line), "", changes.length ? `Changes (${changes.length}):` : "Nothing to change.", ...changes, ""].join(
    "\n",
  );
}

/** The plan (and outcomes) for tools. */
export function planAsJson(plan: ApplyPlan, extra: { dryRun: boolean; appliedBy?: string; outcomes?: ChangeOutcome[] }): string {
  return `${JSON.stringify(
    {
      org: plan.org,
      dryRun: extra.dryRun,
      ...(extra.appliedBy ? { appliedBy: extra.appliedBy } : {}),
      repositories: plan.repositories,
      changes: plan.changes.map((change) => ({ ...change, outcome: extra.outcomes?.find((o) => o.id === change.id) ?? null })),
      totals: applyTotals(plan, extra.outcomes),
    },
    null,
    2,
  )}\n`;
}
