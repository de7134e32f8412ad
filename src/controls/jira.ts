import type { JiraConfig } from "../config/schema.js";
import type { JiraIssue } from "../jira/jira-client.js";
import { acceptsAnyProject, type KeyMatch } from "./jira-keys.js";
import { inlineCode } from "../report/markdown.js";
import { cannotEvaluate, fail, pass, type Fetched, type Finding } from "./types.js";

/** What Jira said of each key; absent when no Jira lookup is configured. */
export type JiraLookups = Map<string, Fetched<JiraIssue | null>>;

export function evaluateJira(keys: KeyMatch[], config: JiraConfig, lookups: JiraLookups | undefined): Finding {
  const searched = config.search_in.join(", ");
  if (keys.length === 0) {
    const expected = config.key_pattern ? `matching ${inlineCode(config.key_pattern)}` : config.projects.length ? `of project ${config.projects.join("/")}` : "such as PAY-123";
    return fail(`No Jira issue key ${expected} in the PR ${searched}.`, `Reference the Jira ticket (a key ${expected}) in the PR ${config.search_in.join(" or ")}.`);
  }
  const listed = keys.map((k) => `${inlineCode(k.key)} (${k.foundIn})`).join(", ");
  if (!lookups) {
    const unverified = acceptsAnyProject(config)
      ? ["Any key of the form ABC-123 is accepted and not looked up in Jira: set `controls.jira.projects` (and JIRA_BASE_URL/JIRA_EMAIL/JIRA_API_TOKEN) so that text such as SHA-256 cannot pass for a ticket."]
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
