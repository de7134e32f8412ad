import { fromNotFound } from "../../../src/github/refs/secret-scanning-state.js";

const pushProtection = { status: "enabled" as const };

describe("a 404 on the secret-scanning alerts: public repository or scanning disabled", () => {
  it.each([
    ["private, scanning off", { visibility: "private", scanning: "disabled" }, { ok: true, enabled: false }],
    ["private, settings hidden", { visibility: "private" }, { ok: true, enabled: false }],
    ["internal", { visibility: "internal", scanning: "enabled" }, { ok: true, enabled: false }],
    ["public, scanning on", { visibility: "public", scanning: "enabled" }, { ok: true, enabled: true }],
    ["public, scanning off", { visibility: "public", scanning: "disabled" }, { ok: true, enabled: false }],
    ["public, settings hidden", { visibility: "public" }, { ok: false, enabled: false }],
    ["repository unreadable", { error: "GitHub answered HTTP 502" }, { ok: false, enabled: false }],
  ])("%s", (_, security, expected) => {
    const state = fromNotFound({ ...security, pushProtection });
    expect(state.ok).toBe(expected.ok);
    if (state.ok) {
      expect(state.value.enabled).toBe(expected.enabled);
      expect(state.value.alertsNotListed ?? false).toBe(expected.enabled);
    } else expect(state.error).toContain("cannot be told");
  });
});
