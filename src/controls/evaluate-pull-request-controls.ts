import type { Enforcement, SdlcGuardConfig } from "../config/schema.js";
import { evaluateBranchProtection } from "./branch-protection.js";
import { evaluateCommitMessages } from "./commit-messages.js";
import { evaluateDescription } from "./description.js";
import { evaluateJira, type JiraLookups } from "./jira.js";
import type { KeyMatch } from "./jira-keys.js";
import { evaluateRequiredChecks } from "./required-checks.js";
import { evaluateReviewerTeams } from "./reviewer-teams.js";
import { evaluateReviews } from "./reviews.js";
import { evaluateSecretScanning } from "./secret-scanning.js";
import type { ControlId, ControlResult, Finding, PullRequestControlId, PullRequestSnapshot, TeamMembers } from "./types.js";

export interface PullRequestEvidence {
  snapshot: PullRequestSnapshot;
  jiraKeys: KeyMatch[];
  jiraLookups: JiraLookups | undefined;
  /** Members of the teams the controls name (reviewer teams, code-owner teams of the changed files). */
  teams: TeamMembers;
}

/** In the order of the control catalogue (CONTROLS.md), which is the order of the check run's table. */
const EVALUATORS: Record<PullRequestControlId, (evidence: PullRequestEvidence, config: SdlcGuardConfig) => Finding> = {
  reviews: ({ snapshot, teams }, config) => evaluateReviews(snapshot, config.controls.reviews, teams),
  "reviewer-teams": ({ snapshot, teams }, config) =>
    evaluateReviewerTeams(snapshot, config.controls.reviews, config.controls["reviewer-teams"], teams),
  jira: ({ jiraKeys, jiraLookups }, config) => evaluateJira(jiraKeys, config.controls.jira, jiraLookups),
  description: ({ snapshot }, config) => evaluateDescription(snapshot, config.controls.description),
  "branch-protection": ({ snapshot }, config) => evaluateBranchProtection(snapshot, config.controls["branch-protection"]),
  "secret-scanning": ({ snapshot }) => evaluateSecretScanning(snapshot),
  "required-checks": ({ snapshot }, config) => evaluateRequiredChecks(snapshot, config.controls["required-checks"]),
  "commit-messages": ({ snapshot }, config) => evaluateCommitMessages(snapshot, config.controls["commit-messages"]),
};

export const PULL_REQUEST_CONTROL_IDS = Object.keys(EVALUATORS) as PullRequestControlId[];

/**
 * A control's enforcement as it applies: as configured, except that `reviewer-teams` and `required-checks` are off
 * until their list is filled (CONTROLS.md: "off until teams / checks are configured").
 */
export function effectiveEnforcement(id: ControlId, config: SdlcGuardConfig): { enforcement: Enforcement; why?: string } {
  const { enforcement } = config.controls[id];
  if (enforcement === "off") return { enforcement, why: "Turned off in the configuration." };
  if (id === "reviewer-teams" && config.controls["reviewer-teams"].teams.length === 0) {
    return { enforcement: "off", why: "No reviewer teams configured (`controls.reviewer-teams.teams`)." };
  }
  if (id === "required-checks" && config.controls["required-checks"].checks.length === 0) {
    return { enforcement: "off", why: "No required checks configured (`controls.required-checks.checks`)." };
  }
  return { enforcement };
}

/** One row of the results: an `off` control is listed with why, and not evaluated. */
export function controlRow(id: ControlId, config: SdlcGuardConfig, evaluate: () => Finding): ControlResult {
  const { enforcement, why } = effectiveEnforcement(id, config);
  if (enforcement === "off") return { id, enforcement, outcome: "pass", reason: why!, fix: "" };
  return { id, enforcement, ...evaluate() };
}

/** Runs every pull-request control; an `off` control is listed but not evaluated. */
export function evaluatePullRequestControls(evidence: PullRequestEvidence, config: SdlcGuardConfig): ControlResult[] {
  return PULL_REQUEST_CONTROL_IDS.map((id) => controlRow(id, config, () => EVALUATORS[id](evidence, config)));
}

/** `pending`: no required control failed, but one is still waiting (a required check running): the run stays in progress. */
export type Conclusion = "success" | "failure" | "pending";

/** `failure` when any required control failed or could not be evaluated; advisory findings never fail the run. */
export function concludeControls(results: ControlResult[]): Conclusion {
  const required = results.filter((r) => r.enforcement === "required");
  if (required.some((r) => r.outcome === "fail" || r.outcome === "error")) return "failure";
  return required.some((r) => r.outcome === "pending") ? "pending" : "success";
}
