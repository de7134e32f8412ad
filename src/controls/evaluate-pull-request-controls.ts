import type { SdlcGuardConfig } from "../config/schema.js";
import { evaluateBranchProtection } from "./branch-protection.js";
import { evaluateJira, type JiraLookups } from "./jira.js";
import type { KeyMatch } from "./jira-keys.js";
import { evaluateReviews } from "./reviews.js";
import { evaluateSecretScanning } from "./secret-scanning.js";
import type { ControlId, ControlResult, Finding, PullRequestSnapshot } from "./types.js";

export interface PullRequestEvidence {
  snapshot: PullRequestSnapshot;
  jiraKeys: KeyMatch[];
  jiraLookups: JiraLookups | undefined;
}

const EVALUATORS: Record<ControlId, (evidence: PullRequestEvidence, config: SdlcGuardConfig) => Finding> = {
  reviews: ({ snapshot }, config) => evaluateReviews(snapshot, config.controls.reviews),
  jira: ({ jiraKeys, jiraLookups }, config) => evaluateJira(jiraKeys, config.controls.jira, jiraLookups),
  "branch-protection": ({ snapshot }, config) => evaluateBranchProtection(snapshot, config.controls["branch-protection"]),
  "secret-scanning": ({ snapshot }) => evaluateSecretScanning(snapshot),
};

export const PULL_REQUEST_CONTROL_IDS = Object.keys(EVALUATORS) as ControlId[];

/** Runs every pull-request control; an `off` control is listed but not evaluated. */
export function evaluatePullRequestControls(evidence: PullRequestEvidence, config: SdlcGuardConfig): ControlResult[] {
  return PULL_REQUEST_CONTROL_IDS.map((id) => {
    const enforcement = config.controls[id].enforcement;
    if (enforcement === "off") return { id, enforcement, outcome: "pass", reason: "Turned off in the configuration.", fix: "" };
    return { id, enforcement, ...EVALUATORS[id](evidence, config) };
  });
}

export type Conclusion = "success" | "failure";

/** `failure` when any required control failed or could not be evaluated; advisory findings never fail the run. */
export function concludeControls(results: ControlResult[]): Conclusion {
  return results.some((r) => r.enforcement === "required" && r.outcome !== "pass") ? "failure" : "success";
}
