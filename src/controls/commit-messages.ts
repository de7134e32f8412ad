import type { RE2JS } from "re2js";
import type { CommitMessagesConfig } from "../config/schema.js";
import { inlineCode } from "../report/markdown.js";
import { compileUserPattern } from "./user-pattern.js";
import { cannotEvaluate, fail, pass, type Finding, type PullRequestCommit, type PullRequestSnapshot } from "./types.js";

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
function problemsOf(subject: string, config: CommitMessagesConfig, pattern: RE2JS | null): string[] {
  const problems: string[] = [];
  const length = Array.from(subject).length;
  if (length < config.min_length) problems.push(`too short: ${length} < ${config.min_length} characters`);
  if (pattern && !pattern.matcher(subject).find()) problems.push("does not match the pattern");
  return problems;
}

export function evaluateCommitMessages(snapshot: PullRequestSnapshot, config: CommitMessagesConfig): Finding {
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
