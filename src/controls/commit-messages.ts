import { z } from "zod";
import { enforcementSchema, isLinearTimePattern } from "../config/schema-parts.js";
import { pullRequestControl } from "./control.js";
import type { RE2JS } from "re2js";
import { inlineCode } from "../common/markdown.js";
import { compileUserPattern } from "../common/user-pattern.js";
import { cannotEvaluate, fail, pass, type Finding } from "./finding.js";
import { type PullRequestCommit, type PullRequestFacts } from "../facts/pull-request.js";
import { PULL_REQUEST_CHANGES } from "./trigger.js";

/** How many offending commits are listed; the rest are counted. */
export const MAX_LISTED_COMMITS = 10;
const MAX_SUBJECT = 72;

/** The first line of a commit message, trimmed. */
export const subjectLine = (message: string): string => (message.split("\n", 1)[0] ?? "").trim();

/** A subject as it is shown in the finding: at most 72 code points, in a code span (it is the author's text). */
function quoted(subject: string): string {
  if (subject === "") return "(empty subject)";
  const codePoints = Array.from(subject);
  return inlineCode(codePoints.length > MAX_SUBJECT ? `${codePoints.slice(0, MAX_SUBJECT).join("")}…` : subject);
}

/** Why a subject line is not acceptable, or an empty list. */
function problemsOf(subject: string, config: CommitMessagesSettings, pattern: RE2JS | null): string[] {
  const problems: string[] = [];
  const length = Array.from(subject).length;
  if (length < config.min_length) problems.push(`too short: ${length} < ${config.min_length} characters`);
  if (pattern && !pattern.matcher(subject).find()) problems.push("does not match the pattern");
  return problems;
}

export function evaluateCommitMessages(snapshot: PullRequestFacts<"commits">, config: CommitMessagesSettings): Finding {
  if (!snapshot.commits) return cannotEvaluate("the pull request's commits", "they were not read for this evaluation");
  if (!snapshot.commits.ok) return cannotEvaluate("the pull request's commits", snapshot.commits.error);
  const commits: PullRequestCommit[] = snapshot.commits.value;
  if (commits.length === 0) return cannotEvaluate("the pull request's commits", "GitHub returned no commits");

  let pattern: RE2JS | null = null;
  if (config.pattern) {
    try {
      pattern = compileUserPattern(config.pattern);
    } catch (error) {
      return fail(
        `The configured pattern ${inlineCode(config.pattern)} is not a valid RE2 regular expression (${(error as Error).message.split("\n")[0]}).`,
        "Fix `controls.commit-messages.pattern` in .github/sdlc-guard.yml.",
      );
    }
  }
  const rule = `at least ${config.min_length} characters${config.pattern ? ` and matching ${inlineCode(config.pattern)}` : ""}`;

  const checked = config.ignore_merge_commits ? commits.filter((c) => c.parents <= 1) : commits;
  const skipped = commits.length - checked.length;
  const skippedNote = skipped ? ` (${skipped} merge commit(s) skipped)` : "";
  if (checked.length === 0) return pass(`No commits to check: all ${commits.length} are merge commits, which are skipped.`);

  const offending: string[] = [];
  for (const commit of checked) {
    const subject = subjectLine(commit.message);
    const problems = problemsOf(subject, config, pattern);
    if (problems.length) offending.push(`\`${commit.sha.slice(0, 7)}\` ${quoted(subject)} (${problems.join("; ")})`);
  }
  if (offending.length === 0) return pass(`All ${checked.length} commit subject line(s) are ${rule}${skippedNote}.`);

  const listed = offending.slice(0, MAX_LISTED_COMMITS).join(", ");
  const more = offending.length > MAX_LISTED_COMMITS ? `, and ${offending.length - MAX_LISTED_COMMITS} more` : "";
  return fail(
    `${offending.length} of ${checked.length} commit(s) have a subject line that is not ${rule}${skippedNote}: ${listed}${more}.`,
    `Reword those commits (\`git rebase -i\`, then \`git push --force-with-lease\`) so that each subject line is ${rule}.`,
  );
}

const settings = z
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

export type CommitMessagesSettings = z.output<typeof settings>;

export const commitMessagesControl = pullRequestControl({
  id: "commit-messages",
  family: "pull-request",
  settings,
  floor: { min_length: "max", pattern: "fixed", ignore_merge_commits: "false" },
  facts: { commits: () => true },
  triggers: [...PULL_REQUEST_CHANGES],
  evaluate: ({ snapshot }, settings) => evaluateCommitMessages(snapshot, settings),
});
