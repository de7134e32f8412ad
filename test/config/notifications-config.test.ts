import { loadConfig, type FileLocation } from "../../src/config/load-config.js";

const ORG = "notifications:\n  channels:\n    - { type: slack, url_env: ORG_SLACK }\n";
const files = (entries: Record<string, string>) => async (location: FileLocation) =>
  entries[`${location.owner}/${location.repo}:${location.path}`] ?? null;

describe("notifications: the org's alone", () => {
  it("the org file's channels apply to every repository", async () => {
    const loaded = await loadConfig("acme", "payments", files({ "acme/.github:.github/sdlc-guard.yml": ORG }));
    expect(loaded.ok && loaded.config.notifications).toEqual({ channels: [{ type: "slack", url_env: "ORG_SLACK", events: [] }] });
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
        "acme/tools:policy/mine.yml": "notifications:\n  channels:\n    - { type: slack, url_env: MINE }\n",
      },
      "acme/tools:policy/mine.yml",
    ],
  ])("a repository cannot silence or redirect them through %s: set aside, and said", async (_, repoFiles, file) => {
    const loaded = await loadConfig("acme", "payments", files({ "acme/.github:.github/sdlc-guard.yml": ORG, ...repoFiles }));
    expect(loaded.ok && loaded.config.notifications?.channels.map((c) => c.url_env)).toEqual(["ORG_SLACK"]);
    expect(loaded.ok && loaded.floorHeld).toEqual([{ key: "notifications", from: `set in ${file}`, to: "the org's (.github file only)" }]);
  });

  it("a generic webhook without a secret is refused: it is always signed", async () => {
    const org = "notifications:\n  channels:\n    - { type: webhook, url_env: SIEM_URL }\n";
    const loaded = await loadConfig("acme", "payments", files({ "acme/.github:.github/sdlc-guard.yml": org }));
    expect(loaded.ok).toBe(false);
    expect(!loaded.ok && loaded.error).toMatchObject({ keyPath: "notifications.channels.0.secret_env" });
  });

  it("a URL is never written in the config: only the name of the variable holding it", async () => {
    const org = "notifications:\n  channels:\n    - { type: slack, url_env: 'https://hooks.slack.com/services/T0/B0/x' }\n";
    const loaded = await loadConfig("acme", "payments", files({ "acme/.github:.github/sdlc-guard.yml": org }));
    expect(!loaded.ok && loaded.error.keyPath).toBe("notifications.channels.0.url_env");
  });
});
