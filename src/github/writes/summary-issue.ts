import { SUMMARY_LABEL } from "../../common/product.js";
import { SUMMARY_MARKER } from "../../report/org-summary-markdown.js";
import { SUMMARY_TITLE } from "../../common/product.js";
import { httpStatus } from "../../common/describe-error.js";
import type { GitHubClient, RepoRef } from "../types.js";

/**
 * Written by this app (`performed_via_github_app`) when its id is known; otherwise (the CLI with a token) by a bot.
 * Another bot's issue or comment carrying our marker is never edited, adopted or deleted.
 */
function writtenByUs(
  item: { user?: { type?: string } | null; performed_via_github_app?: { id?: number } | null },
  appId: number | undefined,
): boolean {
  if (item.user?.type !== "Bot") return false;
  return appId === undefined || item.performed_via_github_app?.id === appId;
}

export interface SummaryIssue {
  number: number;
  body: string;
}

export interface PublishedSummary {
  issueNumber: number;
  /** `created`: a new issue; `updated`: edited in place; `unchanged`: nothing to write. */
  outcome: "created" | "updated" | "unchanged";
  /** Overflow comments written (created or edited) and deleted. */
  commentsWritten: number;
  commentsDeleted: number;
  /** Newer duplicates closed (left by a race with another replica, or a crash between create and look-up). */
  duplicatesClosed: number[];
}

const PART_MARKER = /^<!-- sdlc-guard-summary-part: (\d+) -->/;

/**
 * The open summary issues of the repository, oldest first: labelled `sdlc-guard-summary`, written by a bot, and
 * carrying the hidden marker (a human's copy of the text is never mistaken for ours).
 */
export async function findSummaryIssues(octokit: GitHubClient, { owner, repo }: RepoRef, appId?: number): Promise<SummaryIssue[]> {
  const issues = await octokit.paginate(octokit.rest.issues.listForRepo, {
    owner,
    repo,
    state: "open",
    labels: SUMMARY_LABEL,
    sort: "created",
    direction: "asc",
    per_page: 100,
  });
  return issues
    .filter((issue) => !issue.pull_request && writtenByUs(issue, appId) && (issue.body ?? "").includes(SUMMARY_MARKER))
    .map((issue) => ({ number: issue.number, body: issue.body ?? "" }))
    .sort((a, b) => a.number - b.number);
}

/**
 * Writes the summary into the one open summary issue (edited in place), creating it when there is none, with the
 * overflow `parts` as the app's own comments (edited in place, surplus ones deleted). The caller serializes
 * refreshes of one organisation; a race with another process converges: the oldest issue is kept and newer
 * duplicates are closed.
 */
export async function publishSummary(
  octokit: GitHubClient,
  target: RepoRef,
  rendered: { body: string; parts: string[] },
  options: { appId?: number; found?: SummaryIssue[] } = {},
): Promise<PublishedSummary> {
  const { owner, repo } = target;
  const { appId } = options;
  const existing = options.found ?? (await findSummaryIssues(octokit, target, appId));
  const duplicatesClosed = await closeDuplicates(
    octokit,
    target,
    existing.slice(1).map((i) => i.number),
  );
  let issue = existing[0];
  let outcome: PublishedSummary["outcome"] = "updated";
  if (!issue) {
    const created = await createIssue(octokit, target, rendered.body, appId);
    // Another process may have created one at the same moment: the oldest wins, ours is closed, and this run's
    // summary is written into the oldest (it is as fresh as the other's).
    const all = await findSummaryIssues(octokit, target, appId);
    const oldest = all[0];
    if (oldest && oldest.number !== created.number) {
      duplicatesClosed.push(...(await closeDuplicates(octokit, target, [created.number])));
      issue = oldest;
    } else {
      issue = created;
      outcome = "created";
    }
  }

  const comments =
    outcome === "created" ? new Map<number, { id: number; body: string }>() : await ourParts(octokit, target, issue.number, appId);
  let commentsWritten = 0;
  for (const [index, body] of rendered.parts.entries()) {
    const current = comments.get(index + 1);
    if (current?.body === body) continue;
    if (current) await octokit.rest.issues.updateComment({ owner, repo, comment_id: current.id, body });
    else await octokit.rest.issues.createComment({ owner, repo, issue_number: issue.number, body });
    commentsWritten++;
  }
  if (outcome === "updated") {
    if (issue.body !== rendered.body)
      await octokit.rest.issues.update({ owner, repo, issue_number: issue.number, title: SUMMARY_TITLE, body: rendered.body });
    else if (commentsWritten === 0) outcome = "unchanged";
  }
  let commentsDeleted = 0;
  for (const [part, comment] of comments) {
    if (part <= rendered.parts.length) continue;
    await octokit.rest.issues.deleteComment({ owner, repo, comment_id: comment.id }).catch((error: unknown) => {
      if (httpStatus(error) !== 404) throw error; // already gone
    });
    commentsDeleted++;
  }
  if (outcome === "unchanged" && commentsDeleted > 0) outcome = "updated";
  return { issueNumber: issue.number, outcome, commentsWritten, commentsDeleted, duplicatesClosed };
}

async function createIssue(octokit: GitHubClient, target: RepoRef, body: string, appId: number | undefined): Promise<SummaryIssue> {
  try {
    const { data } = await octokit.rest.issues.create({
      ...target,
      title: SUMMARY_TITLE,
      body,
      labels: [SUMMARY_LABEL],
      request: { retries: 0 },
    });
    return { number: data.number, body };
  } catch (error) {
    // A create that failed may still have been made by GitHub (a 502 after the write): look before trying again.
    const status = httpStatus(error);
    if (status !== undefined && status < 500) throw error;
    const again = await findSummaryIssues(octokit, target, appId);
    if (again[0]) return again[0];
    throw error;
  }
}

/** The app's overflow comments on the issue, by part number (a part found twice: the later copy is surplus). */
async function ourParts(
  octokit: GitHubClient,
  { owner, repo }: RepoRef,
  issueNumber: number,
  appId: number | undefined,
): Promise<Map<number, { id: number; body: string }>> {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: issueNumber, per_page: 100 });
  const parts = new Map<number, { id: number; body: string }>();
  let surplus = Number.MAX_SAFE_INTEGER;
  for (const comment of comments) {
    const match = writtenByUs(comment, appId) ? PART_MARKER.exec(comment.body ?? "") : null;
    if (!match) continue;
    const part = Number(match[1]);
    // A duplicate part gets a key beyond any real part, so it is deleted.
    parts.set(parts.has(part) ? surplus-- : part, { id: comment.id, body: comment.body ?? "" });
  }
  return parts;
}

async function closeDuplicates(octokit: GitHubClient, { owner, repo }: RepoRef, numbers: number[]): Promise<number[]> {
  for (const issue_number of numbers) {
    await octokit.rest.issues.update({ owner, repo, issue_number, state: "closed", state_reason: "not_planned" });
  }
  return numbers;
}
