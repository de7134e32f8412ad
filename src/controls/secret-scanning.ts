import { z } from "zod";
import { enforcementSchema } from "../config/schema-parts.js";
import { pullRequestControl } from "./control.js";
import { cannotEvaluate, fail, pass, type Finding } from "./finding.js";
import type { PullRequestFacts, SecretScanningState } from "../facts/pull-request.js";
import { PULL_REQUEST_CHANGES } from "./trigger.js";

/** Push protection does not decide the control (POL-008 asks for scanning); it is reported as advisory. */
function pushProtectionNote({ status, detail }: SecretScanningState["pushProtection"]): string {
  if (status === "enabled") return "push protection is enabled";
  if (status === "disabled") return "push protection is disabled (advisory: enable it so secrets are blocked before they are pushed)";
  return `push protection could not be read${detail ? ` (${detail})` : ""}`;
}

export function evaluateSecretScanning(snapshot: PullRequestFacts<"secretScanning">): Finding {
  if (!snapshot.secretScanning) return cannotEvaluate("the secret-scanning alerts", "they were not read for this evaluation");
  if (!snapshot.secretScanning.ok) return cannotEvaluate("the secret-scanning alerts", snapshot.secretScanning.error);
  const { enabled, openAlerts, moreAlerts, alertsNotListed, pushProtection } = snapshot.secretScanning.value;
  const notes = [pushProtectionNote(pushProtection)];
  if (enabled && alertsNotListed) {
    return pass("Secret scanning is enabled on this public repository (its security settings say so).", [
      "GitHub does not list the secret-scanning alerts of a public repository to the app (it answers 404), so open alerts were not counted: review them in Security → Secret scanning",
      ...notes,
    ]);
  }
  if (!enabled) {
    return fail(
      "Secret scanning is disabled on this repository (GitHub answered 404 on the alerts endpoint, and the repository is private or its settings say scanning is off).",
      "Enable secret scanning (and push protection) in Settings → Code security.",
      notes,
    );
  }
  if (openAlerts > 0) {
    const count = moreAlerts ? `${openAlerts}+` : String(openAlerts);
    return fail(
      `${count} open secret-scanning alert(s) on this repository.`,
      "Revoke and rotate the exposed secrets, then resolve the alerts in Security → Secret scanning.",
      notes,
    );
  }
  return pass("Secret scanning is enabled and there are no open alerts.", notes);
}

const settings = z
  .strictObject({
    enforcement: enforcementSchema.default("required"),
  })
  .describe("`secret-scanning`: secret scanning enabled on the repository and no open alerts.");

export const secretScanningControl = pullRequestControl({
  id: "secret-scanning",
  family: "pull-request",
  settings,
  facts: { secretScanning: () => true },
  triggers: [...PULL_REQUEST_CHANGES, "secret_scanning_alert", "security_and_analysis"],
  evaluate: ({ snapshot }) => evaluateSecretScanning(snapshot),
});
