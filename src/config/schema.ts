import { z } from "zod";
import { userPatternError } from "../controls/user-pattern.js";

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
    require_code_owners: z
      .boolean()
      .default(false)
      .describe(
        "Every changed file's code owners (CODEOWNERS of the base branch: .github/, root or docs/) approved: for each file, one counted approval by one of its owners. A missing or unparsable CODEOWNERS file fails.",
      ),
    independent_approvers: z
      .boolean()
      .default(true)
      .describe(
        "Approvals count only from people independent of the change: not whoever authored, committed (GitHub's web-flow excepted) or co-authored (Co-authored-by trailers) a commit of the PR, nor whoever force-pushed its head. The PR author never counts.",
      ),
  })
  .describe("`reviews`: distinct human approvals, not the author nor anyone else who wrote the change, not bots, latest decisive review per reviewer.");

/** User-supplied patterns compile with RE2 (linear time) or the config is rejected. */
function isLinearTimePattern(pattern: string, ctx: z.RefinementCtx): void {
  const error = userPatternError(pattern);
  // RE2 quotes the pattern at the end of its message; the check run shows the key path, not the user's text.
  if (!error) return;
  // RE2 names the symptom ("invalid escape sequence"); say which construct from other engines it does not have.
  const missing = /\(\?<[=!]/.test(pattern) ? "lookbehind" : /\(\?[=!]/.test(pattern) ? "lookahead" : /\\[1-9]|\\[kg][<{]|\\g-?[0-9]|\(\?P=/.test(pattern) ? "backreferences" : undefined;
  const hint = missing ? `; RE2 has no ${missing}: it matches in linear time` : "";
  ctx.addIssue({ code: "custom", message: `a valid RE2 regular expression (${error.replace(/: `[^]*$/, "")}${hint})` });
}

/** `org/team-slug`, as GitHub writes teams in CODEOWNERS and review requests (a leading @ is accepted). */
const teamSchema = z
  .string()
  .regex(/^@?[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9_.-]{1,100}$/, "a team as org/team-slug, e.g. acme/senior-engineers")
  .transform((team) => team.replace(/^@/, "").toLowerCase());

const reviewerTeamsSchema = z
  .strictObject({
    enforcement: enforcementSchema.default("required"),
    teams: z
      .array(teamSchema)
      .max(20)
      .default([])
      .describe("Teams (org/team-slug) that must each give at least one counted approval. Empty: the control is off."),
  })
  .describe("`reviewer-teams`: at least one approval counted by `reviews` from a member of each configured team (ECO 6.2).");

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
      .superRefine(isLinearTimePattern)
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

const descriptionSchema = z
  .strictObject({
    enforcement: enforcementSchema.default("advisory"),
    sections: z
      .array(z.string().trim().min(1).max(100))
      .default(["Description", "Testing", "Security considerations"])
      .describe("Headings the PR body must have, each followed by some text (matched case-insensitively, any heading level)."),
  })
  .describe("`description`: the PR body documents the change, how it was tested and its security considerations.");

const requiredChecksSchema = z
  .strictObject({
    enforcement: enforcementSchema.default("required"),
    checks: z
      .array(z.string().min(1).max(200))
      .max(50)
      .default([])
      .describe("Names of check runs or commit-status contexts that must conclude successfully on the head commit. Empty: the control is off."),
    accepted_conclusions: z
      .array(z.enum(["success", "neutral", "skipped"]))
      .min(1)
      .default(["success"])
      .describe("Conclusions that count as passed. GitHub's branch protection also accepts neutral and skipped."),
  })
  .describe("`required-checks`: named checks (SAST, SCA, tests...) concluded successfully on the head commit; pending keeps the control pending.");

const commitMessagesSchema = z
  .strictObject({
    enforcement: enforcementSchema.default("off"),
    min_length: z
      .number()
      .int()
      .min(1)
      .max(200)
      .default(10)
      .describe("Minimum length of each commit's subject line (first line), after trimming."),
    pattern: z
      .string()
      .min(1)
      .max(500)
      .superRefine(isLinearTimePattern)
      .optional()
      .describe("RE2 pattern each subject line must match, e.g. '^(feat|fix|docs|chore)(\\(.+\\))?: .+' (linear-time)."),
    ignore_merge_commits: z
      .boolean()
      .default(true)
      .describe("Skip merge commits (more than one parent), e.g. GitHub's \"Merge branch 'main' into ...\"."),
  })
  .describe("`commit-messages`: every commit of the PR has a meaningful message.");

const secretScanningSchema = z
  .strictObject({
    enforcement: enforcementSchema.default("required"),
  })
  .describe("`secret-scanning`: secret scanning enabled on the repository and no open alerts.");

/** Where a push, tag or release finding is reported (CONTROLS.md: a check run on the commit, and one issue per control). */
const reportSchema = z
  .enum(["check", "issue", "both"])
  .describe("check: the `sdlc-guard` check run on the affected commit; issue: one open `sdlc-guard` issue per control, each occurrence a comment; both.");

const directPushSchema = z
  .strictObject({
    enforcement: enforcementSchema.default("required"),
    report: reportSchema.default("both"),
    bypass_actors: z
      .array(z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/, "a GitHub login, e.g. release-bot or release-bot[bot]"))
      .max(50)
      .default([])
      .describe("Logins allowed to push commits straight to protected branches (e.g. a release bot): reported, but the control passes. Never covers force pushes."),
  })
  .describe("`direct-push`: every commit pushed to the default or a protected branch arrived through a pull request merged into it.");

const forcePushSchema = z
  .strictObject({
    enforcement: enforcementSchema.default("required"),
    report: reportSchema.default("both"),
  })
  .describe("`force-push`: no forced push (history rewrite) to, and no deletion of, the default or a protected branch.");

/** Semantic Versioning 2.0.0 (semver.org), with an optional `v` prefix. */
export const SEMVER_TAG_PATTERN =
  "^v?(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(\\.(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?$";

const releaseTagSchema = z
  .strictObject({
    enforcement: enforcementSchema.default("required"),
    report: reportSchema.default("both"),
    pattern: z
      .string()
      .min(1)
      .max(500)
      .superRefine(isLinearTimePattern)
      .default(SEMVER_TAG_PATTERN)
      .describe("RE2 pattern a tag name must match. Default: a semantic version, `v` prefix optional, pre-release and build metadata allowed (v1.4.0, 2.0.0-rc.1)."),
    require_on_default_branch: z
      .boolean()
      .default(true)
      .describe("The tagged commit must be on the default branch (reachable from its head)."),
  })
  .describe("`release-tag`: tags are semantic versions on a commit of the default branch; a published release has such a tag.");

const signedReleaseSchema = z
  .strictObject({
    enforcement: enforcementSchema.default("advisory"),
    report: reportSchema.default("check"),
  })
  .describe("`signed-release`: a release tag is an annotated tag whose signature GitHub verifies (ENT 2.3).");

const releaseNotesSchema = z
  .strictObject({
    enforcement: enforcementSchema.default("advisory"),
    report: reportSchema.default("check"),
  })
  .describe("`release-notes`: a published release has non-empty notes (ECO 3.2).");

const deploymentSchema = z
  .strictObject({
    enforcement: enforcementSchema.default("required"),
    environments: z
      .array(z.string().min(1).max(255))
      .max(100)
      .default([])
      .describe("Environments gated (case-insensitive). Empty: every environment whose protection rules include the app."),
  })
  .describe("`deployment`: as a custom deployment protection rule, approve only a semver tag whose commit passed sdlc-guard.");

export const controlsSchema = z
  .strictObject({
    reviews: reviewsSchema.prefault({}),
    "reviewer-teams": reviewerTeamsSchema.prefault({}),
    jira: jiraSchema.prefault({}),
    description: descriptionSchema.prefault({}),
    "branch-protection": branchProtectionSchema.prefault({}),
    "secret-scanning": secretScanningSchema.prefault({}),
    "required-checks": requiredChecksSchema.prefault({}),
    "commit-messages": commitMessagesSchema.prefault({}),
    "direct-push": directPushSchema.prefault({}),
    "force-push": forcePushSchema.prefault({}),
    "release-tag": releaseTagSchema.prefault({}),
    "signed-release": signedReleaseSchema.prefault({}),
    "release-notes": releaseNotesSchema.prefault({}),
    deployment: deploymentSchema.prefault({}),
  })
  .describe("Per-control settings, keyed by control id.");

const controlIdSchema = z.enum(Object.keys(controlsSchema.shape) as [keyof typeof controlsSchema.shape, ...(keyof typeof controlsSchema.shape)[]]);

const exceptionsSchema = z
  .strictObject({
    approvers: z
      .array(teamSchema)
      .max(20)
      .default([])
      .describe("Teams (org/team-slug) whose members may waive a control on a PR, e.g. [acme/cto, acme/tech-leads]. Empty: nothing can be waived."),
    min_justification_length: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(20)
      .describe("Characters the justification of `/sdlc-guard waive` needs at least."),
    non_waivable: z
      .array(controlIdSchema)
      .default(["secret-scanning"])
      .describe("Controls that can never be waived."),
    expires_after_days: z
      .number()
      .int()
      .min(1)
      .max(365)
      .default(14)
      .describe("Days a waiver lasts unless its command asks for fewer or more (`--days=N`); it then ends by itself. Capped by `max_expires_after_days`."),
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
      .describe("Controls whose waivers survive new commits (until their expiry). Others end when the PR's head changes: the waiver covers the commit it was given on."),
  })
  .describe("Exceptions (POL-008): `/sdlc-guard waive <control-id> <justification>` by a member of an approver team who is not the PR author.");

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
      .describe("Repository of the organisation that holds the \"SDLC compliance summary\" issue (the app must be installed on it)."),
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
    period_days: z
      .number()
      .int()
      .min(1)
      .max(366)
      .default(30)
      .describe("The period (days up to now) of the push and merged-PR figures."),
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

/** The `.github/sdlc-guard.yml` file. Defaults encode POL-008. */
export const configSchema = z
  .strictObject({
    _extends: z
      .string()
      .optional()
      .describe("Inherit from another config: `repo`, `owner/repo` or `owner/repo:path/to/file.yml`."),
    controls: controlsSchema.prefault({}),
    exceptions: exceptionsSchema.prefault({}),
    summary: summarySchema.prefault({}),
  })
  .describe("sdlc-guard configuration (.github/sdlc-guard.yml on the default branch).");

export type SdlcGuardConfig = z.output<typeof configSchema>;
export type Enforcement = z.output<typeof enforcementSchema>;
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
export type ReportTo = z.output<typeof reportSchema>;

export const defaultConfig: SdlcGuardConfig = configSchema.parse({});

/** The JSON Schema editors use to validate the YAML users write (committed as schema/sdlc-guard.schema.json). */
export function configJsonSchema(): Record<string, unknown> {
  return {
    $id: "https://sdlc-guard.dev/schema/sdlc-guard.schema.json",
    ...z.toJSONSchema(configSchema, { io: "input", target: "draft-2020-12" }),
  };
}
