import { appOptionsFromEnv } from "../../src/handlers/app-options.js";

describe("options from the environment", () => {
  it("reads APP_ID, the Jira variables and the re-evaluation bound", () => {
    const options = appOptionsFromEnv({
      WEBHOOK_SECRET: "s",
      APP_ID: "123",
      JIRA_BASE_URL: "https://j.example",
      JIRA_EMAIL: "a@b",
      JIRA_API_TOKEN: "t",
      SDLC_GUARD_MAX_REEVALUATIONS: "25",
      SDLC_GUARD_CACHE_TTL_SECONDS: "60",
    });
    expect(options.appId).toBe(123);
    expect(options.cacheTtlMs).toBe(60_000);
    expect(options.jira).toBeDefined();
    expect(options.maxReevaluations).toBe(25);
  });

  it("falls back to safe defaults for missing or invalid values", () => {
    const options = appOptionsFromEnv({
      WEBHOOK_SECRET: "s",
      APP_ID: "abc",
      SDLC_GUARD_MAX_REEVALUATIONS: "0",
      SDLC_GUARD_ASSOCIATION_RETRY_MS: "-5",
    });
    expect(options).toEqual({
      appId: undefined,
      jira: undefined,
      maxReevaluations: 100,
      cacheTtlMs: 3_600_000,
      associationRetryMs: 3_000,
      summarySchedule: true,
      webUrl: "https://github.com",
      recoverInProgress: { olderThanMs: 600_000 },
    });
  });

  it("the summary schedule can be switched off; links follow GitHub Enterprise Server's host", () => {
    expect(
      appOptionsFromEnv({
        WEBHOOK_SECRET: "s",
        SDLC_GUARD_SUMMARY_SCHEDULE: "off",
        GHE_HOST: "github.acme.example/",
        GHE_PROTOCOL: "http",
      }),
    ).toMatchObject({ summarySchedule: false, webUrl: "http://github.acme.example" });
    expect(() => appOptionsFromEnv({ WEBHOOK_SECRET: "s", SDLC_GUARD_SUMMARY_SCHEDULE: "sometimes" })).toThrow(
      /SDLC_GUARD_SUMMARY_SCHEDULE must be on or off/,
    );
    expect(() => appOptionsFromEnv({ WEBHOOK_SECRET: "s", GHE_HOST: "gh.example", GHE_PROTOCOL: "ftp" })).toThrow(
      /GHE_PROTOCOL must be https or http/,
    );
  });

  it("notification URLs stay https to public addresses unless SDLC_GUARD_NOTIFY_ALLOW_INTERNAL_URLS=true (tests, local receivers)", () => {
    expect(appOptionsFromEnv({ WEBHOOK_SECRET: "s" }).notify).toBeUndefined();
    expect(appOptionsFromEnv({ WEBHOOK_SECRET: "s", SDLC_GUARD_NOTIFY_ALLOW_INTERNAL_URLS: "true" }).notify).toEqual({
      allowInternalUrls: true,
    });
    expect(() => appOptionsFromEnv({ WEBHOOK_SECRET: "s", SDLC_GUARD_NOTIFY_ALLOW_INTERNAL_URLS: "yes" })).toThrow(
      /SDLC_GUARD_NOTIFY_ALLOW_INTERNAL_URLS must be true or false/,
    );
  });

  it("refuses to start without a webhook secret (Probot would accept deliveries signed with a well-known one)", () => {
    expect(() => appOptionsFromEnv({ APP_ID: "123" })).toThrow(/WEBHOOK_SECRET is not set/);
  });
});
