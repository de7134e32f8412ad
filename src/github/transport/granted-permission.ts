import type { GitHubClient } from "../types.js";

/**
 * The access the installation token grants for `permission` ("read", "write", "none"), as GitHub listed it when it
 * issued the token (cached with the token: no request); undefined when not known (a personal token, or no token yet).
 */
export async function grantedPermission(octokit: GitHubClient, permission: string): Promise<string | undefined> {
  try {
    const auth = (await octokit.auth({ type: "installation" })) as { permissions?: Record<string, string> } | undefined;
    if (!auth?.permissions) return undefined;
    return auth.permissions[permission] ?? "none";
  } catch {
    return undefined;
  }
}
