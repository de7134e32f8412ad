import { loadConfig, type FileLocation } from "../../src/config/load-config.js";

const ORG = "notifications:\n  channels:\n    - { type: slack, url_env: SDLC_GUARD_NOTIFY_ORG_SLACK }\n";
const files = (entries: Record<string, string>) => async (location: FileLocation) =>
  entries[`${location.owner}/${location.repo}:${location.path}`] ?? null;

describe("notifications: the org's alone", () => {
  it("the org file's channels apply to every repository", async () => {
    const loaded = await loadConfig("acme", "payments", files({ "acme/.github:.github/sdlc-guard.yml": ORG }));
    expect(loaded.ok && loaded.config.notifications).toEqual({
      channels: [{ type: "slack", url_env: "SDLC_GUARD_NOTIFY_ORG_SLACK", events: [] }],
    });
  });

  it.each([
    [
      "its own file",
      { "acme/payments:.github/sdlc-guard.yml": "notifications: { channels: [] }\n" },
      "acme/payments:.github/sdlc-guard.yml",
    ],
    [
      "a file it extends",
      {
        "acme/payments:.github/sdlc-guard.yml": "_extends: tools:policy/mine.yml\n",
        "acme/tools:policy/mine.yml": "notifications:\n  channels:\n    - { type: slack, url_env: SDLC_GUARD_NOTIFY_MINE }\n",
      },
      "acme/tools:policy/mine.yml",
    ],
  ])("a repository cannot silence or redirect them through %s: set aside, and said", async (_, repoFiles, file) => {
    const loaded = await loadConfig("acme", "payments", files({ "acme/.github:.github/sdlc-guard.yml": ORG, ...repoFiles }));
    expect(loaded.ok && loaded.config.notifications?.channels.map((c) => c.url_env)).toEqual(["SDLC_GUARD_NOTIFY_ORG_SLACK"]);
    expect(loaded.ok && loaded.floorHeld).toEqual([{ key: "notifications", from: `set in ${file}`, to: "the org's (.github file only)" }]);
  });

  it("a generic webhook without a secret is refused: it is always signed", async () => {
    const org = "notifications:\n  channels:\n    - { type: webhook, url_env: SDLC_GUARD_NOTIFY_SIEM_URL }\n";
    const loaded = await loadConfig("acme", "payments", files({ "acme/.github:.github/sdlc-guard.yml": org }));
    expect(loaded.ok).toBe(false);
    expect(!loaded.ok && loaded.error).toMatchObject({ keyPath: "notifications.channels.0.secret_env" });
  });

  it("a URL is never written in the config: only the name of the variable holding it", async () => {
    const org = "notifications:\n  channels:\n    - { type: slack, url_env: 'https://hooks.slack.com/services/T0/B0/x' }\n";
    const loaded = await loadConfig("acme", "payments", files({ "acme/.github:.github/sdlc-guard.yml": org }));
    expect(!loaded.ok && loaded.error.keyPath).toBe("notifications.channels.0.url_env");
  });

  it.each([
    ["url_env", "WEBHOOK_SECRET", "    - { type: slack, url_env: WEBHOOK_SECRET }\n"],
    ["url_env", "PRIVATE_KEY", "    - { type: slack, url_env: PRIVATE_KEY }\n"],
    ["secret_env", "WEBHOOK_SECRET", "    - { type: webhook, url_env: SDLC_GUARD_NOTIFY_SIEM_URL, secret_env: WEBHOOK_SECRET }\n"],
    ["url_env", "SDLC_GUARD_NOTIFY_ALLOW_INTERNAL_URLS", "    - { type: slack, url_env: SDLC_GUARD_NOTIFY_ALLOW_INTERNAL_URLS }\n"],
  ])("%s cannot name any variable of the app's process: %s is refused, only SDLC_GUARD_NOTIFY_ ones", async (key, variable, channel) => {
    const loaded = await loadConfig(
      "acme",
      "payments",
      files({ "acme/.github:.github/sdlc-guard.yml": `notifications:\n  channels:\n${channel}` }),
    );
    expect(loaded.ok).toBe(false);
    expect(!loaded.ok && loaded.error).toMatchObject({ keyPath: `notifications.channels.0.${key}` });
    expect(!loaded.ok && JSON.stringify(loaded.error)).toContain(
      variable.startsWith("SDLC_GUARD_NOTIFY_") ? "names a setting of the app" : "must start with SDLC_GUARD_NOTIFY_",
    );
  });

  it("a variable named SDLC_GUARD_NOTIFY_... is accepted", async () => {
    const org =
      "notifications:\n  channels:\n    - { type: slack, url_env: SDLC_GUARD_NOTIFY_SLACK_URL }\n" +
      "    - { type: webhook, url_env: SDLC_GUARD_NOTIFY_SIEM_URL, secret_env: SDLC_GUARD_NOTIFY_SIEM_SECRET }\n";
    const loaded = await loadConfig("acme", "payments", files({ "acme/.github:.github/sdlc-guard.yml": org }));
    expect(loaded.ok && loaded.config.notifications?.channels.map((c) => [c.url_env, c.secret_env])).toEqual([
      ["SDLC_GUARD_NOTIFY_SLACK_URL", undefined],
      ["SDLC_GUARD_NOTIFY_SIEM_URL", "SDLC_GUARD_NOTIFY_SIEM_SECRET"],
    ]);
  });
});
