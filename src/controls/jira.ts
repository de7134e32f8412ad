import { z } from "zod";
import { enforcementSchema, isLinearTimePattern } from "../config/schema-parts.js";
import { pullRequestControl } from "./control.js";
import type { JiraLookups, KeyMatch } from "../facts/jira.js";
import { acceptsAnyProject } from "./jira-keys.js";
import { inlineCode } from "../common/markdown.js";
import { cannotEvaluate, fail, pass, type Finding } from "./finding.js";
import { PULL_REQUEST_CHANGES } from "./trigger.js";

export function evaluateJira(keys: KeyMatch[], config: JiraSettings, lookups: JiraLookups | undefined): Finding {
  const searched = config.search_in.join(", ");
  if (keys.length === 0) {
    const expected = config.key_pattern
      ? `matching ${inlineCode(config.key_pattern)}`
      : config.projects.length
        ? `of project ${config.projects.join("/")}`
        : "such as PAY-123";
    return fail(
      `No Jira issue key ${expected} in the PR ${searched}.`,
      `Reference the Jira ticket (a key ${expected}) in the PR ${config.search_in.join(" or ")}.`,
    );
  }
  const listed = keys.map((k) => `${inlineCode(k.key)} (${k.foundIn})`).join(", ");
  if (!lookups) {
    const unverified = acceptsAnyProject(config)
      ? [
          "Any key of the form ABC-123 is accepted and not looked up in Jira: set `controls.jira.projects` (and JIRA_BASE_URL/JIRA_EMAIL/JIRA_API_TOKEN) so that text such as SHA-256 cannot pass for a ticket.",
        ]
      : undefined;
    return pass(`Jira key ${listed}.`, unverified);
  }

  const closed = new Set(config.closed_statuses.map((s) => s.toLowerCase()));
  const problems: string[] = [];
  let outage: string | null = null;
  for (const { key } of keys) {
    const looked = lookups.get(key);
    if (!looked) continue;
    if (!looked.ok) {
      outage ??= looked.error;
      continue;
    }
    if (looked.value === null) problems.push(`${inlineCode(key)} does not exist in Jira`);
    else if (closed.has(looked.value.status.toLowerCase())) problems.push(`${inlineCode(key)} is ${inlineCode(looked.value.status)}`);
    else return pass(`Jira issue ${inlineCode(key)} exists (status: ${inlineCode(looked.value.status)}).`);
  }
  if (outage) return cannotEvaluate("Jira", outage);
  if (problems.length === 0) return cannotEvaluate("Jira", "no answer for any of the keys");
  return fail(`${problems.join("; ")}.`, "Reference an existing, open Jira ticket for this change.");
}

const settings = z
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
    verify: z.boolean().default(true).describe("When JIRA_BASE_URL/JIRA_EMAIL/JIRA_API_TOKEN are set, check that the key exists in Jira."),
    closed_statuses: z
      .array(z.string().min(1))
      .default([])
      .describe("Jira statuses (case-insensitive) that do not satisfy the control, e.g. [Done, Closed]."),
  })
  .describe("`jira`: the PR references a Jira issue key.");

export type JiraSettings = z.output<typeof settings>;

export const jiraControl = pullRequestControl({
  id: "jira",
  family: "pull-request",
  settings,
  floor: { projects: "narrow", key_pattern: "fixed", search_in: "narrow", verify: "true", closed_statuses: "union" },
  facts: {},
  triggers: [...PULL_REQUEST_CHANGES, { event: "pull_request.edited", changes: ["title", "body"] }],
  evaluate: ({ jiraKeys, jiraLookups }, settings) => evaluateJira(jiraKeys, settings, jiraLookups),
});
