import { z } from "zod";
import { PULL_REQUEST_CONTROL_IDS } from "../controls/catalogue.js";

// `rules:`: parts of the policy that apply only to some pull requests (by base branch, changed paths, author, labels).

const MAX_RULES = 50;
const MAX_ENTRIES = 50;

/** A glob as CODEOWNERS writes them (`infra/**`, `*.tf`), matched by its engine (no backtracking); `!` and whitespace are not part of that syntax. */
const globSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\s!#]\S*$/, "a glob as in CODEOWNERS, e.g. infra/** or release/*");

const loginOrTeamSchema = z
  .string()
  .regex(/^@?[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\/[A-Za-z0-9_.-]{1,100})?(?:\[bot\])?$/, "a login (alice) or a team (acme/security)")
  .transform((entry) => entry.replace(/^@/, "").toLowerCase());

/** `if:` of a rule: every condition given must hold; within one condition, any entry matching is enough. */
export const ruleConditionSchema = z
  .strictObject({
    base: z
      .array(globSchema)
      .min(1)
      .max(MAX_ENTRIES)
      .optional()
      .describe("Base-branch patterns (`release/*`, `feature/**`, `main`), matched on the whole branch name: the PR's base matches one."),
    paths: z
      .array(globSchema)
      .min(1)
      .max(MAX_ENTRIES)
      .optional()
      .describe("File globs as in CODEOWNERS (`infra/**`, `*.tf`, `/docs/`): any changed file of the PR matches one."),
    only_paths: z
      .array(globSchema)
      .min(1)
      .max(MAX_ENTRIES)
      .optional()
      .describe(
        "File globs as in CODEOWNERS: EVERY changed file of the PR matches one (for relaxing rules: a PR that also changes other files does not match; renamed files make it undecidable).",
      ),
    authors: z
      .array(loginOrTeamSchema)
      .min(1)
      .max(MAX_ENTRIES)
      .optional()
      .describe(
        "The PR's author (who opened it, not who wrote its commits) is one of these logins, or a member of one of these teams (org/team-slug).",
      ),
    labels: z
      .array(z.string().trim().min(1).max(100))
      .min(1)
      .max(MAX_ENTRIES)
      .optional()
      .describe("The PR carries one of these labels (case-insensitive)."),
  })
  .refine(
    (condition) => Object.values(condition).some((value) => value !== undefined),
    "at least one of base, paths, only_paths, authors, labels",
  )
  .describe("When the rule applies: every condition given must hold (base, paths, only_paths, authors, labels).");

export type RuleCondition = z.output<typeof ruleConditionSchema>;

/** A section of a rule's `controls`: the keys of the control's settings, each optional and without its default. */
function partialSection(schema: z.ZodType, pullRequest: boolean, id: string): z.ZodType {
  if (!pullRequest) {
    const why = `rules apply to pull requests: \`${id}\` is not a pull-request control; set it under \`controls.${id}\``;
    return z.never({ error: why }).optional().describe(`Not allowed in a rule: ${why}.`);
  }
  const shape = (bare(schema) as z.ZodObject).shape as Record<string, z.ZodType>;
  const fields = Object.fromEntries(
    Object.entries(shape).map(([key, field]) => [
      key,
      bare(field)
        .optional()
        .describe(field.description ?? key),
    ]),
  );
  return z.strictObject(fields).optional().describe(`What the rule sets in \`controls.${id}\` (other keys keep their value).`);
}

/** A schema field without its default or optional wrapper: a rule sets a key or leaves it. */
function bare(field: z.ZodType): z.ZodType {
  const def = (field as unknown as { _zod: { def: { type: string; innerType?: z.ZodType } } })._zod.def;
  return (def.type === "default" || def.type === "optional" || def.type === "prefault") && def.innerType ? bare(def.innerType) : field;
}

/** The `rules:` list, its `controls` built from the `controls:` section (same keys, same values, nothing defaulted). */
export function rulesSchemaOf(controls: z.ZodObject) {
  const ids = new Set<string>(PULL_REQUEST_CONTROL_IDS);
  const sections = Object.fromEntries(
    Object.entries(controls.shape as Record<string, z.ZodType>).map(([id, schema]) => [id, partialSection(schema, ids.has(id), id)]),
  );
  const ruleSchema = z
    .strictObject({
      name: z.string().trim().min(1).max(100).describe("What the rule is for, shown on the check run when it applies."),
      if: ruleConditionSchema,
      controls: z
        .strictObject(sections)
        .describe("The settings the rule sets, with the shape of `controls:`; keys not given keep their value."),
    })
    .describe("A rule: when `if` holds for a pull request, `controls` is applied over the policy.");
  return z
    .array(ruleSchema)
    .max(MAX_RULES)
    .default([])
    .describe(
      "Rules scoped by base branch, changed paths, author and labels. The org file's rules, then the repository's, apply in order; every rule that matches applies; the org floor still holds after them.",
    );
}

/** A rule as parsed: its `controls` hold only the keys it sets. */
export interface PolicyRule {
  name: string;
  if: RuleCondition;
  controls: Record<string, Record<string, unknown> | undefined>;
  /** Set by loadConfig, never by a file: "org" for a rule of the org file (or a file it extends), a minimum the repository's rules cannot lower. */
  origin?: "org";
}
