import { readFile } from "node:fs/promises";
import type { Logger } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { describeGitHubError } from "../common/describe-error.js";
import { webUrlFromEnv } from "../common/web-url.js";
import type { GitHubClient, RepoRef } from "../github/types.js";
import { CliError, type OctokitClass } from "./io.js";

export interface CliGitHub {
  octokit: GitHubClient;
  /** How the CLI authenticated, for the log; never the credential itself. */
  auth: "token" | "app-installation";
}

export const CREDENTIALS_HELP =
  "set GITHUB_TOKEN (a token that can read the repository), or APP_ID with PRIVATE_KEY or PRIVATE_KEY_PATH (the GitHub App's credentials)";

/** The API root, as Probot computes it: `GHE_HOST` (with `GHE_PROTOCOL`, https by default) for GitHub Enterprise Server. */
export function githubBaseUrl(env: NodeJS.ProcessEnv): string {
  if (!env.GHE_HOST?.trim()) return "https://api.github.com";
  try {
    return `${webUrlFromEnv(env)}/api/v3`;
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}

/**
 * An Octokit that reads `target` as the environment allows: `GITHUB_TOKEN` as is; else the GitHub App (`APP_ID` and
 * `PRIVATE_KEY` / `PRIVATE_KEY_PATH`) authenticated as its installation on that repository (or, without `repo`, on the
 * organisation), found by `GET /repos/{owner}/{repo}/installation` (`GET /orgs/{org}/installation`).
 */
export async function githubClientFromEnv(
  env: NodeJS.ProcessEnv,
  target: RepoRef | { owner: string; repo?: undefined },
  log: Logger,
  Octokit: OctokitClass = ProbotOctokit,
): Promise<CliGitHub> {
  const baseUrl = githubBaseUrl(env);
  const token = env.GITHUB_TOKEN?.trim();
  if (token) {
    // Probot's auth strategy takes `{ token }` and sends it as `authorization: token …`.
    return { octokit: new Octokit({ auth: { token }, baseUrl, log }), auth: "token" };
  }

  const appIdText = env.APP_ID?.trim();
  const hasKey = Boolean(env.PRIVATE_KEY?.trim() || env.PRIVATE_KEY_PATH?.trim());
  if (!appIdText && !hasKey) throw new CliError(`no GitHub credentials: ${CREDENTIALS_HELP}`);
  if (!appIdText) throw new CliError(`PRIVATE_KEY/PRIVATE_KEY_PATH is set but APP_ID is not: ${CREDENTIALS_HELP}`);
  if (!/^[1-9]\d*$/.test(appIdText)) throw new CliError(`APP_ID must be the GitHub App's numeric id, not "${appIdText.slice(0, 40)}"`);
  if (!hasKey) throw new CliError(`APP_ID is set but neither PRIVATE_KEY nor PRIVATE_KEY_PATH is: ${CREDENTIALS_HELP}`);
  const privateKey = await privateKeyFromEnv(env);

  const probot = new Probot({ appId: Number(appIdText), privateKey, baseUrl, log, Octokit });
  const app = (await probot.auth()) as GitHubClient;
  const { owner, repo } = target;
  let installationId: number;
  try {
    installationId = (
      repo === undefined ? await app.rest.apps.getOrgInstallation({ org: owner }) : await app.rest.apps.getRepoInstallation({ owner, repo })
    ).data.id;
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    const why =
      status === 404
        ? repo === undefined
          ? `app ${appIdText} is not installed on the ${owner} organisation (or it does not exist)`
          : `app ${appIdText} is not installed on ${owner}/${repo} (or the repository does not exist)`
        : status === 401
          ? `GitHub refused the app's credentials (HTTP 401): check APP_ID and the private key`
          : typeof status === "number"
            ? describeGitHubError(error)
            : `could not sign a request with the private key, or reach GitHub (${(error as Error).message?.slice(0, 200)})`;
    throw new CliError(`cannot authenticate as the GitHub App: ${why}`);
  }
  log.debug({ owner, repo, installation_id: installationId }, "authenticated as the app's installation");
  return { octokit: (await probot.auth(installationId)) as GitHubClient, auth: "app-installation" };
}

/** `PRIVATE_KEY` (PEM, with real or `\n`-escaped newlines, or base64 of the PEM), else the file at `PRIVATE_KEY_PATH`. */
async function privateKeyFromEnv(env: NodeJS.ProcessEnv): Promise<string> {
  const inline = env.PRIVATE_KEY?.trim();
  if (inline) {
    if (inline.includes("-----BEGIN")) return inline.replace(/\\n/g, "\n");
    const decoded = Buffer.from(inline, "base64").toString("utf8");
    if (decoded.includes("-----BEGIN")) return decoded;
    throw new CliError("PRIVATE_KEY is not a PEM private key (nor base64 of one)");
  }
  const path = env.PRIVATE_KEY_PATH!.trim();
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new CliError(`cannot read PRIVATE_KEY_PATH ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!text.includes("-----BEGIN")) throw new CliError(`PRIVATE_KEY_PATH ${path} does not hold a PEM private key`);
  return text;
}
