import type { PolicyRule } from "../config/policy-rules.js";
import type { SdlcGuardConfig } from "../config/schema.js";
import { requiredCheckSpecs, type RequiredCheckSpec } from "./required-check-spec.js";
import { isOn } from "./results.js";

type CheckEntry = string | { name: string; app: string };

/**
 * The checks whose reports can change some PR's `required-checks` verdict: the repository's (when the control is on),
 * and those a rule or a conditional floor entry requires for the PRs it matches (a rule can turn the control on for
 * them, so the repository's own checks count too then). Empty: no check report re-evaluates anything.
 */
export function watchedCheckSpecs(config: SdlcGuardConfig): RequiredCheckSpec[] {
  const own = config.controls["required-checks"];
  const ruled = [...(config.rules as PolicyRule[]), ...((config.floor?.rules ?? []) as Pick<PolicyRule, "controls">[])]
    .map((rule) => rule.controls["required-checks"])
    .filter((section) => section !== undefined);
  if (!ruled.length) return isOn("required-checks", config) ? requiredCheckSpecs(own) : [];
  const checks = [...own.checks, ...ruled.flatMap((section) => (section.checks ?? []) as CheckEntry[])];
  return requiredCheckSpecs({ checks });
}
