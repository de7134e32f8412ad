import type { Enforcement } from "../config/schema-parts.js";
import type { SdlcGuardConfig } from "../config/schema.js";
import { controlOf, type ControlId } from "./catalogue.js";
import type { Finding } from "./finding.js";

/** One row of the check run: a control's finding, with its id and enforcement. */
export interface ControlResult extends Finding {
  id: ControlId;
  enforcement: Enforcement;
  /** What was evaluated, when the commit's check run also shows rows from other evaluations (e.g. "push to `main`"). */
  source?: string;
  /** Set when `outcome` is `waived`: the approver, when, why, and the comment that is the record. */
  waiver?: { by: string; at: string; justification: string; url: string; expiresAt?: string };
}

/** A control's enforcement as it applies: as configured, except that a control "off until configured" is off until then. */
export function effectiveEnforcement(id: ControlId, config: SdlcGuardConfig): { enforcement: Enforcement; why?: string } {
  const settings = config.controls[id];
  if (settings.enforcement === "off") return { enforcement: "off", why: "Turned off in the configuration." };
  const why = (controlOf(id).offUntilConfigured as ((settings: unknown) => string | undefined) | undefined)?.(settings);
  return why ? { enforcement: "off", why } : { enforcement: settings.enforcement };
}

/** Whether a control is evaluated (its effective enforcement is not `off`). */
export const isOn = (id: ControlId, config: SdlcGuardConfig): boolean => effectiveEnforcement(id, config).enforcement !== "off";

/** One row of the results: an `off` control is listed with why, and not evaluated. */
export function controlRow(id: ControlId, config: SdlcGuardConfig, evaluate: () => Finding): ControlResult {
  const { enforcement, why } = effectiveEnforcement(id, config);
  if (enforcement === "off") return { id, enforcement, outcome: "pass", reason: why!, fix: "" };
  return { id, enforcement, ...evaluate() };
}

/** `pending`: no required control failed, but one is still waiting (a required check running): the run stays in progress. */
export type Conclusion = "success" | "failure" | "pending";

/** `failure` when any required control failed or could not be evaluated; advisory findings never fail the run. */
export function concludeControls(results: ControlResult[]): Conclusion {
  const required = results.filter((r) => r.enforcement === "required");
  if (required.some((r) => r.outcome === "fail" || r.outcome === "error")) return "failure";
  return required.some((r) => r.outcome === "pending") ? "pending" : "success";
}
