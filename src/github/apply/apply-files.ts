import { describeGitHubError, httpStatus } from "../../common/describe-error.js";
import type { RepositoryFilesChange } from "../../controls/apply-files.js";
import { fetched, unavailable, type Fetched } from "../../facts/fetched.js";
import type { GitHubClient } from "../types.js";

// The CODEOWNERS / SECURITY.md pull request of `sdlc-guard apply`: a branch from the default branch's head, the files
// committed on it, a pull request. Resumable: a branch left by an earlier run is reused, and a file already on it is
// not written again.

/** The number of the open pull request from `branch` in `owner/repo` (null: none). */
export async function readOpenPullRequestFrom(
  octokit: GitHubClient,
  owner: string,
  repo: string,
  branch: string,
): Promise<Fetched<number | null>> {
  try {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/pulls", {
      owner,
      repo,
      head: `${owner}:${branch}`,
      state: "open",
      per_page: 1,
    });
    return fetched(data[0]?.number ?? null);
  } catch (error) {
    return unavailable(describeGitHubError(error));
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
    // Left by an earlier run that stopped midway: reuse it (it must still be readable).
    await octokit.request("GET /repos/{owner}/{repo}/git/ref/{ref}", { owner, repo, ref: `heads/${change.branch}` });
    reused = true;
  }
  const written: string[] = [];
  for (const file of change.files) {
    if (reused && (await existsOnBranch(octokit, owner, repo, file.path, change.branch))) continue;
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

async function existsOnBranch(octokit: GitHubClient, owner: string, repo: string, path: string, branch: string): Promise<boolean> {
  try {
    await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", { owner, repo, path, ref: branch });
    return true;
  } catch (error) {
    if (httpStatus(error) === 404) return false;
    throw error;
  }
}
