import type { FileLocation } from "../../config/load-config.js";
import { httpStatus } from "../../common/describe-error.js";
import type { GitHubClient } from "../types.js";

/** Reads a file from the repository's default branch (no `ref`: a PR can never change its own policy). */
export function readDefaultBranchFile(octokit: GitHubClient, location: FileLocation): Promise<string | null> {
  return readFile(octokit, location, undefined);
}

/** Reads a file as a commit has it (a PR's head, to check the policy it proposes): `null` when the commit has no such file. */
export function readFileAtCommit(octokit: GitHubClient, location: FileLocation, sha: string): Promise<string | null> {
  return readFile(octokit, location, sha);
}

async function readFile(octokit: GitHubClient, { owner, repo, path }: FileLocation, ref: string | undefined): Promise<string | null> {
  try {
    const { data } = await octokit.rest.repos.getContent({ owner, repo, path, ...(ref ? { ref } : {}) });
    if (Array.isArray(data) || data.type !== "file" || !("content" in data)) {
      throw new Error(`${path} is not a file`);
    }
    return Buffer.from(data.content, (data.encoding as BufferEncoding) || "base64").toString("utf8");
  } catch (error) {
    if (httpStatus(error) === 404) return null;
    throw error;
  }
}
