import { RE2JS } from "re2js";
import type { KeyMatch } from "../facts/jira.js";
import type { PullRequestFacts } from "../facts/pull-request.js";
import { readerVisibleText } from "./reader-visible-text.js";
import { compileUserPattern } from "../common/user-pattern.js";

const ANY_PROJECT_KEY = "\\b[A-Z][A-Z0-9_]{1,49}-[1-9][0-9]{0,9}\\b";
/** The settings of `jira` that say what a key looks like and where it is searched. */
export interface JiraKeySettings {
  projects: string[];
  key_pattern?: string | undefined;
  search_in: KeyMatch["foundIn"][];
}

/** How many distinct keys are looked up in Jira at most, so a PR body full of keys cannot flood Jira. */
export const MAX_KEYS = 5;

export function jiraKeyPattern(config: JiraKeySettings): RE2JS {
  if (config.key_pattern) return compileUserPattern(config.key_pattern);
  if (config.projects.length === 0) return compileUserPattern(ANY_PROJECT_KEY);
  return compileUserPattern(`\\b(?:${config.projects.map((p) => RE2JS.quote(p)).join("|")})-[1-9][0-9]{0,9}\\b`);
}

/** Whether keys of any project are accepted (no `projects`, no `key_pattern`): then text like SHA-256 looks like a key. */
export const acceptsAnyProject = (config: JiraKeySettings): boolean => !config.key_pattern && config.projects.length === 0;

/**
 * The distinct Jira keys of the PR, in the order title, branch, body. With projects configured (and no custom
 * pattern), branches are also read upper-cased (`feature/pay-12-fix`); otherwise that would turn `octocat-patch-1`
 * or `node-20` into "keys" (a custom pattern may match any upper-cased word). In the title and body only the text a
 * reader sees counts: not HTML comments (a template's `<!-- e.g. PAY-123 -->`), code blocks or code spans.
 */
export function findJiraKeys(snapshot: PullRequestFacts, config: JiraKeySettings): KeyMatch[] {
  const pattern = jiraKeyPattern(config);
  const branch = snapshot.headRefName;
  const texts: Record<KeyMatch["foundIn"], string[]> = {
    title: [readerVisibleText(snapshot.title, { inlineOnly: true })],
    branch: config.projects.length > 0 && !config.key_pattern ? [branch, branch.toUpperCase()] : [branch],
    body: [readerVisibleText(snapshot.body)],
  };
  const found: KeyMatch[] = [];
  for (const where of config.search_in) {
    for (const text of texts[where]) {
      const matcher = pattern.matcher(text);
      while (found.length < MAX_KEYS && matcher.find()) {
        const key = matcher.group();
        if (key && !found.some((f) => f.key === key)) found.push({ key, foundIn: where });
      }
    }
  }
  return found;
}
