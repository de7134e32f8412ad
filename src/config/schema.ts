import { z } from "zod";
import { userPatternError } from "../controls/jira-keys.js";

/** How a control's outcome counts: `required` fails the check, `advisory` only warns, `off` skips it. */
export const enforcementSchema = z
  .enum(["required", "advisory", "off"])
  .describe("required: a failure fails the check run; advisory: reported as a warning; off: not evaluated.");

const reviewsSchema = z
  .strictObject({
    enforcement: enforcementSchema.default("required"),
    min_approvals: z
      .number()
      .int()
      .min(1)
      .max(10)
      .default(2)
      .describe("Distinct human approvals needed on the current head commit (POL-008: at least two)."),
    count_stale_approvals: z
      .boolean()
      .default(false)
      .describe("Count approvals given on an older commit of the PR. Off by default: a new push needs a new review."),
  })
  .describe("`reviews`: distinct human approvals, not the author, not bots, latest decisive review per reviewer.");

const jiraSchema = z
  .strictObject({
    enforcement: enforcementSchema.default("required"),
    projects: z
      .array(z.string().regex(/^[A-Z][A-Z0-9_]{0,49}$/, "an upper-case Jira project key such as PAY"))
      .default([])
      .describe("Jira project keys accepted (e.g. [PAY, OPS]). Empty: any key of the form ABC-123."),
    key_pattern: z
      .string()
      .min(1)
      .max(500)
      .superRefine((pattern, ctx) => {
        const error = userPatternError(pattern);
        // RE2 quotes the pattern at the end of its message; the check run shows the key path, not the user's text.
        if (error) ctx.addIssue({ code: "custom", message: `a valid RE2 regular expression (${error.replace(/: `[^]*$/, "")})` });
      })
      .optional()
      .describe("Custom issue-key pattern (RE2 syntax, linear-time). Overrides `projects` when set."),
    search_in: z
      .array(z.enum(["title", "branch", "body"]))
      .min(1)
      .default(["title", "branch", "body"])
      .describe("Where to look for the key: PR title, head branch name, PR body."),
    verify: z
      .boolean()
      .default(true)
      .describe("When JIRA_BASE_URL/JIRA_EMAIL/JIRA_API_TOKEN are set, check that the key exists in Jira."),
    closed_statuses: z
      .array(z.string().min(1))
      .default([])
      .describe("Jira statuses (case-insensitive) that do not satisfy the control, e.g. [Done, Closed]."),
  })
  .describe("`jira`: the PR references a Jira issue key.");

const branchProtectionSchema = z
  .strictObject({
    enforcement: enforcementSchema.default("required"),
    min_approvals: z
      .number()
      .int()
      .min(1)
      .max(10)
      .default(2)
      .describe("Approvals the base branch's protection (classic or rulesets) must require."),
  })
  .describe("`branch-protection`: the PR's base branch requires reviewed PRs and blocks force pushes and deletion.");

const secretScanningSchema = z
  .strictObject({
    enforcement: enforcementSchema.default("required"),
  })
  .describe("`secret-scanning`: secret scanning enabled on the repository and no open alerts.");

export const controlsSchema = z
  .strictObject({
    reviews: reviewsSchema.prefault({}),
    jira: jiraSchema.prefault({}),
    "branch-protection": branchProtectionSchema.prefault({}),
    "secret-scanning": secretScanningSchema.prefault({}),
  })
  .describe("Per-control settings, keyed by control id.");

/** The `.github/sdlc-guard.yml` file. Defaults encode POL-008. */
export const configSchema = z
  .strictObject({
    _extends: z
      .string()
      .optional()
      .describe("Inherit from another config: `repo`, `owner/repo` or `owner/repo:path/to/file.yml`."),
    controls: controlsSchema.prefault({}),
  })
  .describe("sdlc-guard configuration (.github/sdlc-guard.yml on the default branch).");

export type SdlcGuardConfig = z.output<typeof configSchema>;
export type Enforcement = z.output<typeof enforcementSchema>;
export type ReviewsConfig = SdlcGuardConfig["controls"]["reviews"];
export type JiraConfig = SdlcGuardConfig["controls"]["jira"];
export type BranchProtectionConfig = SdlcGuardConfig["controls"]["branch-protection"];
export type SecretScanningConfig = SdlcGuardConfig["controls"]["secret-scanning"];

export const defaultConfig: SdlcGuardConfig = configSchema.parse({});

/** The JSON Schema editors use to validate the YAML users write (committed as schema/sdlc-guard.schema.json). */
export function configJsonSchema(): Record<string, unknown> {
  return {
    $id: "https://sdlc-guard.dev/schema/sdlc-guard.schema.json",
    ...z.toJSONSchema(configSchema, { io: "input", target: "draft-2020-12" }),
  };
}
