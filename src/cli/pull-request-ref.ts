import type { PullRequestTarget } from "../evaluation/evaluate-pull-request.js";

export const PULL_REQUEST_REF_FORMS = "<owner>/<repo>#<number> or https://github.com/<owner>/<repo>/pull/<number>";

// An owner: letters, digits, `-` (and `_` for Enterprise Managed Users); a repository: letters, digits, `.`, `-`, `_`.
const SHORT = /^([A-Za-z0-9][A-Za-z0-9_-]{0,99})\/([A-Za-z0-9._-]{1,100})#([1-9][0-9]{0,9})$/;
const URL_PATH = /^\/([A-Za-z0-9][A-Za-z0-9_-]{0,99})\/([A-Za-z0-9._-]{1,100})\/pull\/([1-9][0-9]{0,9})(?:\/[A-Za-z0-9/_-]*)?$/;
const MAX_NUMBER = 2_147_483_647; // GraphQL Int

/**
 * Parses `owner/repo#123` or a pull request's web address (`https://github.com/owner/repo/pull/123`, optionally
 * `/files` etc.), whose host must be `webHost` (github.com, or `GHE_HOST`). Throws an Error saying what was expected.
 */
export function parsePullRequestRef(text: string, webHost = "github.com"): PullRequestTarget {
  const input = text.trim();
  const shown = JSON.stringify(input.slice(0, 200));
  let match = SHORT.exec(input);
  if (!match && /^https?:\/\//i.test(input)) {
    const url = URL.canParse(input) ? new URL(input) : undefined;
    const host = url?.host.toLowerCase().replace(/^www\./, "");
    if (url && host !== webHost.toLowerCase()) {
      throw new Error(`${shown} is on ${host}, but this command talks to ${webHost} (set GHE_HOST for GitHub Enterprise Server)`);
    }
    if (url) match = URL_PATH.exec(url.pathname);
  }
  if (!match) throw new Error(`${shown} is not a pull request: expected ${PULL_REQUEST_REF_FORMS}`);
  const [, owner, repo, digits] = match as unknown as [string, string, string, string];
  if (repo === "." || repo === "..") throw new Error(`${shown} does not name a repository: expected ${PULL_REQUEST_REF_FORMS}`);
  const number = Number(digits);
  if (number > MAX_NUMBER) throw new Error(`${shown}: pull request number ${digits} is out of range`);
  return { owner, repo, number };
}
