import { z } from "zod";

/**
 * What a channel can be told about: the ref controls' findings, the merge-time verdict, waivers, the summary, and a
 * repository file that could not be loaded when its default branch was pushed to (`config-error`).
 */
export const NOTIFICATION_EVENTS = [
  "direct-push",
  "force-push",
  "merged-unverified",
  "release-tag",
  "signed-release",
  "release-notes",
  "waiver-granted",
  "waiver-ended",
  "summary-newly-failing",
  "config-error",
] as const;

export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

/**
 * The variables a channel may name: only those made for it, so the config (which anyone merging to the org's `.github`
 * repository writes) can never make the app send or sign with another of its secrets (`WEBHOOK_SECRET`, its key...).
 */
export const NOTIFY_ENV_PREFIX = "SDLC_GUARD_NOTIFY_";
const ENV_NAME = /^SDLC_GUARD_NOTIFY_[A-Z0-9_]{1,80}$/;
/** A setting of the app itself, not a channel's URL or secret. */
const RESERVED = new Set(["SDLC_GUARD_NOTIFY_ALLOW_INTERNAL_URLS"]);
const envName = (example: string) =>
  z
    .string()
    .regex(ENV_NAME, `an environment variable name that must start with ${NOTIFY_ENV_PREFIX}, e.g. ${example}`)
    .refine((name) => !RESERVED.has(name), { message: "names a setting of the app, not a channel's URL or secret" });

const channelSchema = z
  .strictObject({
    type: z
      .enum(["slack", "teams", "webhook"])
      .describe(
        "slack: a Slack incoming webhook; teams: a Microsoft Teams Workflows webhook (Adaptive Card); webhook: a generic JSON POST signed with HMAC-SHA256.",
      ),
    url_env: envName("SDLC_GUARD_NOTIFY_SLACK_URL").describe(
      "Name of the environment variable (of the app's process) holding the URL, which must start with SDLC_GUARD_NOTIFY_ (no other variable of the app can be named): webhook URLs are secrets and never belong in a repository. https only; loopback, private and link-local addresses are refused.",
    ),
    secret_env: envName("SDLC_GUARD_NOTIFY_SIEM_SECRET")
      .optional()
      .describe(
        "webhook only (required there): name of the environment variable holding the HMAC-SHA256 secret, which must start with SDLC_GUARD_NOTIFY_ (so the app's own secrets, such as WEBHOOK_SECRET, can never sign notifications); the body is signed in `X-Sdlc-Guard-Signature-256: sha256=<hex>`.",
      ),
    events: z
      .array(z.enum(NOTIFICATION_EVENTS))
      .default([])
      .describe("Events this channel is told about; empty (the default): all of them."),
  })
  .superRefine((channel, ctx) => {
    if (channel.type === "webhook" && !channel.secret_env)
      ctx.addIssue({ code: "custom", path: ["secret_env"], message: "secret_env: a generic webhook is always signed" });
    if (channel.type !== "webhook" && channel.secret_env)
      ctx.addIssue({ code: "custom", path: ["secret_env"], message: "no secret_env: only a generic webhook is signed" });
  })
  .describe("One destination of notifications.");

/** The `notifications:` section: read only from the organisation's `.github` repository file. */
export const notificationsSchema = z
  .strictObject({
    channels: z.array(channelSchema).max(10).default([]).describe("Where each new finding is sent (at most 10 channels)."),
  })
  .describe(
    "Only in the organisation's `.github` repository file: where each new finding (direct push, force push, unverified merge, release-tag findings, waivers, newly failing repositories of the summary, a repository config that cannot be loaded) is sent. A repository's own file cannot add, change or silence it.",
  );

export type NotificationsConfig = z.output<typeof notificationsSchema>;
export type NotificationChannel = NotificationsConfig["channels"][number];
