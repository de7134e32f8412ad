import { cannotEvaluate, fail, pass, type Finding, type PullRequestSnapshot } from "./types.js";

export function evaluateSecretScanning(snapshot: PullRequestSnapshot): Finding {
  if (!snapshot.secretScanning.ok) return cannotEvaluate("the secret-scanning alerts", snapshot.secretScanning.error);
  const { enabled, openAlerts, moreAlerts } = snapshot.secretScanning.value;
  if (!enabled) {
    return fail(
      "Secret scanning is disabled on this repository (GitHub answered 404 on the alerts endpoint).",
      "Enable secret scanning (and push protection) in Settings → Code security.",
    );
  }
  if (openAlerts > 0) {
    const count = moreAlerts ? `${openAlerts}+` : String(openAlerts);
    return fail(
      `${count} open secret-scanning alert(s) on this repository.`,
      "Revoke and rotate the exposed secrets, then resolve the alerts in Security → Secret scanning.",
    );
  }
  return pass("Secret scanning is enabled and there are no open alerts.");
}
