import { z } from "zod";
import { CONTROL_IDS, controlSettingsShape, type ControlId } from "../controls/catalogue.js";
import { teamSchema } from "./schema-parts.js";
import { floorSchemaOf } from "./policy-floor.js";
import { rulesSchemaOf } from "./policy-rules.js";
import { notificationsSchema } from "./notifications-schema.js";

/** Per-control settings, keyed by control id: each control's section comes from its descriptor (src/controls/catalogue.ts). */
export const controlsSchema = z.strictObject(controlSettingsShape()).describe("Per-control settings, keyed by control id.");

const controlIdSchema = z.enum(CONTROL_IDS as [ControlId, ...ControlId[]]);

const exceptionsSchema = z
  .strictObject({
    approvers: z
      .array(teamSchema)
      .max(20)
      .default([])
      .describe(
        "Teams (org/team-slug) whose members may waive a control on a PR, e.g. [acme/cto, acme/tech-leads]. Empty: nothing can be waived.",
      ),
    min_justification_length: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(20)
      .describe("Characters the justification of `/sdlc-guard waive` needs at least."),
    non_waivable: z.array(controlIdSchema).default(["secret-scanning"]).describe("Controls that can never be waived."),
    expires_after_days: z
      .number()
      .int()
      .min(1)
      .max(365)
      .default(14)
      .describe(
        "Days a waiver lasts unless its command asks for fewer or more (`--days=N`); it then ends by itself. Capped by `max_expires_after_days`.",
      ),
    max_expires_after_days: z
      .number()
      .int()
      .min(1)
      .max(365)
      .default(30)
      .describe("The longest a waiver may last: a `--days=N` above it is refused."),
    keep_on_new_commits: z
      .array(controlIdSchema)
      .default([])
      .describe(
        "Controls whose waivers survive new commits (until their expiry). Others end when the PR's head changes: the waiver covers the commit it was given on.",
      ),
  })
  .describe(
    "Exceptions (POL-008): `/sdlc-guard waive <control-id> <justification>` by a member of an approver team who is not the PR author.",
  );

/** A five-field cron expression croner accepts (minute hour day-of-month month day-of-week). */
const cronSchema = z
  .string()
  .trim()
  .regex(/^(\S+\s+){4}\S+$/, "a five-field cron expression, e.g. '0 6 * * *'");

const summarySchema = z
  .strictObject({
    repository: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,100}$/, "a repository name of the organisation, e.g. .github")
      .default(".github")
      .describe('Repository of the organisation that holds the "SDLC compliance summary" issue (the app must be installed on it).'),
    schedule: cronSchema
      .default("0 6 * * *")
      .describe("When the summary is refreshed (cron, UTC); each organisation is delayed by its own jitter within `jitter_minutes`."),
    jitter_minutes: z
      .number()
      .int()
      .min(0)
      .max(720)
      .default(30)
      .describe("Spread of the per-organisation delay after `schedule`, so that many organisations do not refresh at once."),
    period_days: z.number().int().min(1).max(366).default(30).describe("The period (days up to now) of the push and merged-PR figures."),
    inactive_days: z
      .number()
      .int()
      .min(1)
      .max(3650)
      .default(180)
      .describe("A repository with no push for this many days should be archived (`activity` fails while it is not)."),
    merged_pass_rate: z
      .number()
      .min(0)
      .max(100)
      .default(100)
      .describe("Share (%) of PRs merged in the period whose sdlc-guard result was success that `merged-prs` needs."),
  })
  .describe("The org-wide compliance summary issue: read from the organisation's `.github` repository config only.");

/** The org's minimums (`floor:`), read only from the organisation's `.github` repository file. */
export const floorSchema = floorSchemaOf(controlsSchema, exceptionsSchema);

/** The `.github/sdlc-guard.yml` file. Defaults encode POL-008. */
export const configSchema = z
  .strictObject({
    _extends: z.string().optional().describe("Inherit from another config: `repo`, `owner/repo` or `owner/repo:path/to/file.yml`."),
    controls: controlsSchema.prefault({}),
    exceptions: exceptionsSchema.prefault({}),
    summary: summarySchema.prefault({}),
    floor: floorSchema.optional(),
    rules: rulesSchemaOf(controlsSchema),
    notifications: notificationsSchema.optional(),
  })
  .describe("sdlc-guard configuration (.github/sdlc-guard.yml on the default branch).");

export type SdlcGuardConfig = z.output<typeof configSchema>;
export type ReviewsConfig = SdlcGuardConfig["controls"]["reviews"];
export type JiraConfig = SdlcGuardConfig["controls"]["jira"];
export type BranchProtectionConfig = SdlcGuardConfig["controls"]["branch-protection"];
export type SecretScanningConfig = SdlcGuardConfig["controls"]["secret-scanning"];
export type ReviewerTeamsConfig = SdlcGuardConfig["controls"]["reviewer-teams"];
export type DescriptionConfig = SdlcGuardConfig["controls"]["description"];
export type RequiredChecksConfig = SdlcGuardConfig["controls"]["required-checks"];
export type CommitMessagesConfig = SdlcGuardConfig["controls"]["commit-messages"];
export type DirectPushConfig = SdlcGuardConfig["controls"]["direct-push"];
export type ReleaseTagConfig = SdlcGuardConfig["controls"]["release-tag"];
export type DeploymentConfig = SdlcGuardConfig["controls"]["deployment"];
export type SummaryConfig = SdlcGuardConfig["summary"];
export type ExceptionsConfig = SdlcGuardConfig["exceptions"];
export type FloorConfig = z.output<typeof floorSchema>;

export const defaultConfig: SdlcGuardConfig = configSchema.parse({});

/** The JSON Schema editors use to validate the YAML users write (committed as schema/sdlc-guard.schema.json). */
export function configJsonSchema(): Record<string, unknown> {
  return {
    $id: "https://sdlc-guard.dev/schema/sdlc-guard.schema.json",
    ...z.toJSONSchema(configSchema, { io: "input", target: "draft-2020-12" }),
  };
}
