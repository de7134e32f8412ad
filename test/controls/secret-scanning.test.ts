import { defaultConfig } from "../../src/config/schema.js";
import { evaluateSecretScanning } from "../../src/controls/secret-scanning.js";
import { fetched, unavailable, type Fetched } from "../../src/facts/fetched.js";
import { type SecretScanningState } from "../../src/facts/pull-request.js";
import { pullRequestSnapshot } from "../support/snapshot.js";

function snapshot(secretScanning: Fetched<SecretScanningState>): ReturnType<typeof pullRequestSnapshot> {
  return pullRequestSnapshot({ secretScanning });
}

const state = (s: Partial<SecretScanningState> = {}): Fetched<SecretScanningState> =>
  fetched({ enabled: true, openAlerts: 0, moreAlerts: false, pushProtection: { status: "enabled" }, ...s });

describe("secret-scanning: secret scanning is enabled and there are no open alerts", () => {
  it("is required by default", () => {
    expect(defaultConfig.controls["secret-scanning"]).toEqual({ enforcement: "required" });
  });

  it("enabled with no open alerts passes", () => {
    expect(evaluateSecretScanning(snapshot(state()))).toEqual({
      outcome: "pass",
      reason: "Secret scanning is enabled and there are no open alerts.",
      fix: "",
      notes: ["push protection is enabled"],
    });
  });

  it.each([
    [{ status: "disabled" as const }, "push protection is disabled (advisory: enable it so secrets are blocked before they are pushed)"],
    [{ status: "unknown" as const, detail: "GitHub answered HTTP 403" }, "push protection could not be read (GitHub answered HTTP 403)"],
    [{ status: "unknown" as const }, "push protection could not be read"],
  ])("push protection %o is reported as an advisory note and never decides the control", (pushProtection, note) => {
    const result = evaluateSecretScanning(snapshot(state({ pushProtection })));
    expect(result.outcome).toBe("pass");
    expect(result.notes).toEqual([note]);
  });

  it("secret scanning disabled fails, saying GitHub answered 404", () => {
    const result = evaluateSecretScanning(snapshot(state({ enabled: false })));
    expect(result.outcome).toBe("fail");
    expect(result.reason).toContain("disabled");
    expect(result.reason).toContain("404");
    expect(result.fix).toBe("Enable secret scanning (and push protection) in Settings → Code security.");
  });

  it("disabled fails even when no alerts are counted", () => {
    expect(evaluateSecretScanning(snapshot(state({ enabled: false, openAlerts: 0 }))).outcome).toBe("fail");
  });

  it.each([
    ["one open alert", 1, false, "1 open secret-scanning alert(s) on this repository."],
    ["three open alerts", 3, false, "3 open secret-scanning alert(s) on this repository."],
    ["more open alerts than were counted (N+)", 100, true, "100+ open secret-scanning alert(s) on this repository."],
  ])("%s: fails, with the count", (_name, openAlerts, moreAlerts, reason) => {
    const result = evaluateSecretScanning(snapshot(state({ openAlerts, moreAlerts })));
    expect(result.outcome).toBe("fail");
    expect(result.reason).toBe(reason);
    expect(result.fix).toBe("Revoke and rotate the exposed secrets, then resolve the alerts in Security → Secret scanning.");
  });

  it("alerts that could not be read are an error, never a pass", () => {
    const result = evaluateSecretScanning(snapshot(unavailable("GitHub answered 403: Resource not accessible by integration")));
    expect(result.outcome).toBe("error");
    expect(result.reason).toBe("Could not read the secret-scanning alerts: GitHub answered 403: Resource not accessible by integration");
    expect(result.fix).toMatch(/Re-run/);
  });
});

describe("secret-scanning on a public repository whose alerts GitHub does not list", () => {
  it("scanning on passes, with a note that open alerts were not counted", () => {
    const result = evaluateSecretScanning(snapshot(state({ alertsNotListed: true })));
    expect(result.outcome).toBe("pass");
    expect(result.reason).toContain("enabled on this public repository");
    expect(result.notes?.[0]).toContain("open alerts were not counted");
    expect(result.notes?.[1]).toBe("push protection is enabled");
  });
});
