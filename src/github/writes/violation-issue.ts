import { VIOLATION_LABEL } from "../../common/product.js";
import { clampMarkdown, ISSUE_BODY_LIMIT, utf8Bytes } from "../../common/markdown.js";
import type { GitHubClient, RepoRef } from "../types.js";

export interface ViolationOccurrence {
  /** Stable id of this occurrence, e.g. `push:<after-sha>`: a redelivered webhook yields the same key. */
  key: string;
  /** The text of one comment describing the occurrence. */
  markdown: string;
}

export interface ViolationIssueSpec {
  /** The control, e.g. `direct-push`: one open issue per repository and control. */
  control: string;
  title: string;
  /** What the issue is about and how to resolve it. */
  intro: string;
}

export type ViolationOutcome = "created" | "appended" | "already-recorded";

/** GitHub rejects issue bodies and comments longer than this. */
const TEXT_LIMIT = ISSUE_BODY_LIMIT;
const INTRO_LIMIT = 16_000;

/** Only these characters reach a hidden marker, so a key or control can never close the HTML comment. */
const markerSafe = (text: string): string => text.replace(/[^A-Za-z0-9._:/@-]/g, "_");
/** Hidden marker of the issue of one control. */
export const violationMarker = (control: string): string => `<!-- sdlc-guard-violation: ${markerSafe(control)} -->`;
/** Hidden marker of one recorded occurrence (in the issue body for the first one, in a comment for each later one). */
export const occurrenceMarker = (key: string): string => `<!-- sdlc-guard-occurrence: ${markerSafe(key)} -->`;

interface FoundIssue {
  number: number;
  body: string;
}

/**
 * Records one occurrence of a violation in the single open issue of its repository and control: opens that issue
 * (labelled `sdlc-guard`, found again by a hidden marker in a body written by a bot) or appends a comment to it.
 * GitHub is the record, so this holds across restarts, and a redelivered occurrence (same key) adds nothing.
 * Not safe against itself running concurrently for one repository: the caller serializes calls per repository.
 */
export async function reportViolation(
  octokit: GitHubClient,
  repo: RepoRef,
  spec: ViolationIssueSpec,
  occurrence: ViolationOccurrence,
): Promise<{ issueNumber: number; outcome: ViolationOutcome }> {
  const found = await findViolationIssue(octokit, repo, spec.control);
  if (found) return { issueNumber: found.number, outcome: await appendOccurrence(octokit, repo, found, occurrence) };
  try {
    return { issueNumber: await createIssue(octokit, repo, spec, occurrence), outcome: "created" };
  } catch (error) {
    // A create that failed may still have been made by GitHub (a 502 after the write): never retried blindly.
    const status = (error as { status?: unknown }).status;
    if (typeof status === "number" && status < 500) throw error;
    const again = await findViolationIssue(octokit, repo, spec.control);
    if (!again) return { issueNumber: await createIssue(octokit, repo, spec, occurrence), outcome: "created" };
    // Our create was applied when the issue found carries this occurrence in its body.
    if (again.body.includes(occurrenceMarker(occurrence.key))) return { issueNumber: again.number, outcome: "created" };
    return { issueNumber: again.number, outcome: await appendOccurrence(octokit, repo, again, occurrence) };
  }
}

/** The oldest open `sdlc-guard` issue whose body, written by a bot, carries the control's marker. */
async function findViolationIssue(octokit: GitHubClient, { owner, repo }: RepoRef, control: string): Promise<FoundIssue | null> {
  const marker = violationMarker(control);
  let found: FoundIssue | null = null;
  await octokit.paginate(
    octokit.rest.issues.listForRepo,
    { owner, repo, state: "open", labels: VIOLATION_LABEL, sort: "created", direction: "asc", per_page: 100 },
    (response, done) => {
      // Oldest first: the first match is the oldest one, and later pages need not be read.
      const match = response.data.find((issue) => !issue.pull_request && issue.user?.type === "Bot" && (issue.body ?? "").includes(marker));
      if (match) {
        found = { number: match.number, body: match.body ?? "" };
        done();
      }
      return [];
    },
  );
  return found;
}

async function appendOccurrence(
  octokit: GitHubClient,
  { owner, repo }: RepoRef,
  issue: FoundIssue,
  occurrence: ViolationOccurrence,
): Promise<ViolationOutcome> {
  const marker = occurrenceMarker(occurrence.key);
  if (issue.body.includes(marker)) return "already-recorded";
  let recorded = false;
  await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: issue.number, per_page: 100 }, (response, done) => {
    // Only the app's (a bot's) comments count: a pasted marker cannot suppress an occurrence.
    if (response.data.some((comment) => comment.user?.type === "Bot" && (comment.body ?? "").includes(marker))) {
      recorded = true;
      done();
    }
    return [];
  });
  if (recorded) return "already-recorded";
  const body = `${clampMarkdown(occurrence.markdown, TEXT_LIMIT - utf8Bytes(marker) - 2)}\n\n${marker}`;
  await octokit.rest.issues.createComment({ owner, repo, issue_number: issue.number, body });
  return "appended";
}

async function createIssue(
  octokit: GitHubClient,
  { owner, repo }: RepoRef,
  spec: ViolationIssueSpec,
  occurrence: ViolationOccurrence,
): Promise<number> {
  const head = `${clampMarkdown(spec.intro, INTRO_LIMIT)}\n\n${violationMarker(spec.control)}\n\n### First occurrence\n\n`;
  const tail = `\n\n${occurrenceMarker(occurrence.key)}`;
  const body = `${head}${clampMarkdown(occurrence.markdown, TEXT_LIMIT - utf8Bytes(head) - utf8Bytes(tail))}${tail}`;
  const { data } = await octokit.rest.issues.create({
    owner,
    repo,
    title: spec.title,
    body,
    labels: [VIOLATION_LABEL],
    request: { retries: 0 },
  });
  return data.number;
}
