import type { FileLocation } from "../../config/load-config.js";
import { httpStatus } from "../../common/describe-error.js";
import type { GitHubClient } from "../types.js";

/** Reads a file from the repository's default branch (no `ref`: a PR can never change its own policy). */
export async function readDefaultBranchFile(octokit: GitHubClient, { owner, repo, path }: FileLocation): Promise<string | null> {
  try {
    const { data } = await octokit.rest.repos.getContent({ owner, repo, path });
    if (Array.isArray(data) || data.type !== "file" || !("content" in data)) {
      throw new Error(`${path} is not a file`);
    }
    return Buffer.from(data.content, (data.encoding as BufferEncoding) || "base64").toString("utf8");
  } catch (error) {
    if (httpStatus(error) === 404) return null;
    throw error;
  }
}
