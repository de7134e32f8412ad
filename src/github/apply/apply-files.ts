import { createHash } from "node:crypto";
import { describeGitHubError, httpStatus } from "../../common/describe-error.js";
import type { OpenFilesPullRequest, RepositoryFilesChange } from "../../controls/apply-files.js";
import { fetched, unavailable, type Fetched } from "../../facts/fetched.js";
import type { GitHubClient } from "../types.js";

// The CODEOWNERS / SECURITY.md pull request of `sdlc-guard apply`: a branch from the default branch's head, the files
// committed on it, a pull request. Resumable: a branch left by an earlier run is reused, and a file already on it is
// not written again. Anyone with write access can push that branch, so a reused branch (or the pull request opened
// from it by someone else) is trusted only when it carries nothing but the planned files, with exactly their content.

/** The open pull request from `branch` in `owner/repo` and who opened it (null: none). */
export async function readOpenPullRequestFrom(
  octokit: GitHubClient,
  owner: string,
  repo: string,
  branch: string,
): Promise<Fetched<{ number: number; author: string } | null>> {
  try {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/pulls", {
      owner,
      repo,
      head: `${owner}:${branch}`,
      state: "open",
      per_page: 1,
    });
    const pr = data[0];
    return fetched(pr ? { number: pr.number, author: pr.user?.login ?? "(unknown)" } : null);
  } catch (error) {
    return unavailable(describeGitHubError(error));
  }
}

/**
 * The open pull request from `change.branch` and whether it is the planned change: only when its branch carries exactly
 * the planned files with their planned content, whoever opened it (`same-identity` when that was `applier`, the identity
 * that applies; undefined when it cannot be told, as for an app installation).
 */
export async function readOpenFilesPullRequest(
  octokit: GitHubClient,
  owner: string,
  change: RepositoryFilesChange,
  applier: () => Promise<string | undefined>,
): Promise<Fetched<OpenFilesPullRequest | null>> {
  const open = await readOpenPullRequestFrom(octokit, owner, change.repository, change.branch);
  if (!open.ok || open.value === null) return open;
  const pr = open.value;
  try {
    // Compared whoever opened it: anyone with write access can push more to the branch after apply opened the PR.
    const { problems, present } = await compareWithPlan(octokit, owner, change);
    if (problems.length || present.size !== change.files.length) return fetched(pr);
    const me = await applier().catch(() => undefined);
    const byApplier = me !== undefined && me.toLowerCase() === pr.author.toLowerCase();
    return fetched({ ...pr, ours: byApplier ? "same-identity" : "planned-content" });
  } catch (error) {
    return unavailable(
      `pull request #${pr.number} was opened by ${pr.author}; its content could not be compared: ${describeGitHubError(error)}`,
    );
  }
}

/** Makes the pull request; resolves to what GitHub did (the pull request's number and the requests that wrote). */
export async function writeRepositoryFiles(octokit: GitHubClient, owner: string, change: RepositoryFilesChange): Promise<string> {
  const repo = change.repository;
  const base = await octokit.request("GET /repos/{owner}/{repo}/git/ref/{ref}", { owner, repo, ref: `heads/${change.baseBranch}` });
  let reused = false;
  try {
    await octokit.request("POST /repos/{owner}/{repo}/git/refs", {
      owner,
      repo,
      ref: `refs/heads/${change.branch}`,
      sha: base.data.object.sha,
    });
  } catch (error) {
    if (httpStatus(error) !== 422 || !/reference already exists/i.test(describeGitHubError(error))) throw error;
    // Left by an earlier run that stopped midway, or pushed by anyone with write access: reused only when it holds
    // nothing but planned files, each exactly as planned.
    reused = true;
  }
  const already = reused ? await planned(octokit, owner, change) : new Set<string>();
  const written: string[] = [];
  for (const file of change.files) {
    if (already.has(file.path)) continue;
    await octokit.request("PUT /repos/{owner}/{repo}/contents/{path}", {
      owner,
      repo,
      path: file.path,
      branch: change.branch,
      message: `Add ${file.path} (sdlc-guard apply)`,
      content: Buffer.from(file.content, "utf8").toString("base64"),
    });
    written.push(file.path);
  }
  const { data } = await octokit.request("POST /repos/{owner}/{repo}/pulls", {
    owner,
    repo,
    title: change.title,
    body: change.body,
    head: change.branch,
    base: change.baseBranch,
  });
  const branch = `${reused ? "reused" : "created"} branch ${change.branch}`;
  const files = written.length ? `wrote ${written.join(", ")}` : "files already on the branch";
  return `POST /repos/${owner}/${repo}/pulls (pull request #${data.number}; ${branch}, ${files})`;
}

/** Refused because the branch carries something else than the planned files: a person must look at it. */
export class ForeignBranchError extends Error {}

/**
 * The planned files already on `change.branch`, read from the comparison of the two branches; throws
 * {@link ForeignBranchError} when the branch changes anything else, or a planned file with other content.
 */
async function planned(octokit: GitHubClient, owner: string, change: RepositoryFilesChange): Promise<Set<string>> {
  const { problems, present } = await compareWithPlan(octokit, owner, change);
  if (problems.length)
    throw new ForeignBranchError(`branch ${change.branch} exists with other content: review or delete it (${problems.join("; ")})`);
  return present;
}

/**
 * `change.branch` compared with the default branch: `problems`, what is not the planned content (a file not planned, a
 * planned file with other content, by blob SHA, a deletion or rename); `present`, the planned files already on it. A
 * planned file absent from the branch is fine (still to write). Throws when GitHub does not answer (fail closed).
 */
export async function compareWithPlan(
  octokit: GitHubClient,
  owner: string,
  change: RepositoryFilesChange,
): Promise<{ problems: string[]; present: Set<string> }> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/compare/{basehead}", {
    owner,
    repo: change.repository,
    basehead: `${change.baseBranch}...${change.branch}`,
    per_page: 1,
  });
  const wanted = new Map(change.files.map((f) => [f.path, blobSha(f.content)]));
  const files = data.files ?? [];
  const present = new Set<string>();
  if (!data.files && data.ahead_by > 0) return { problems: ["the files it changes could not be listed"], present };
  // GitHub lists at most 300 files: more than that is more than planned anyway.
  const problems: string[] = [];
  for (const file of files) {
    const sha = wanted.get(file.filename);
    if (sha === undefined) problems.push(`${file.filename} is not planned`);
    else if (file.status === "removed" || file.status === "renamed" || file.sha !== sha)
      problems.push(`${file.filename} differs from the planned content`);
    else present.add(file.filename);
  }
  return { problems, present };
}

/** Git's blob SHA-1 of a text, as GitHub lists it for each file of a comparison. */
function blobSha(text: string): string {
  return createHash("sha1")
    .update(`blob ${Buffer.byteLength(text, "utf8")}\0`)
    .update(text, "utf8")
    .digest("hex");
}
