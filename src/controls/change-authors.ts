import { inlineCode } from "../common/markdown.js";
import type { Fetched } from "../facts/fetched.js";
import type { CommitPerson, ForcePush, PullRequestCommit } from "../facts/pull-request.js";

export type { CommitPerson, ForcePush };

// ISO 27001 A.8.32 / SOC 2 CC8.1: a reviewer is independent of the change. Whoever authored, committed or co-authored
// a commit of the PR, or pushed its head (where GitHub says who did), wrote part of it and cannot approve it.

/** GitHub's own committer of web edits, merges and "Update branch": not a person. */
const WEB_FLOW = "web-flow";

/** `Co-authored-by: Name <email>` trailers of a commit message, as git writes them (case-insensitive). */
export function coAuthorTrailers(message: string): { name: string; email: string }[] {
  return [...message.matchAll(/^[ \t]*co-authored-by:[ \t]*(.*?)[ \t]*<([^<>\s]+)>[ \t]*$/gim)].map((m) => ({ name: m[1]!, email: m[2]! }));
}

/** The login of GitHub's noreply address (`ID+login@users.noreply.github.com` or `login@users.noreply.github.com`), else null. */
export function loginOfNoreplyEmail(email: string): string | null {
  const match = /^(?:\d+\+)?([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))@users\.noreply\.github\.com$/i.exec(email.trim());
  return match ? match[1]! : null;
}

export interface ChangeAuthors {
  /** Lower-case login → what the person did ("authored `abc1234`"), first of each kind per commit. */
  byLogin: Map<string, string[]>;
  /** Co-authors that cannot be matched to an account (no linked email, no noreply address), as written. */
  unmatched: string[];
}

/**
 * Everyone who wrote the change: each commit's author and co-authors (GitHub's linked account, else the noreply form of
 * the trailer's email) and its committer (not `web-flow`), and whoever force-pushed the current head.
 */
export function changeAuthorsOf(
  commits: readonly PullRequestCommit[],
  headSha: string,
  forcePushes: readonly ForcePush[] = [],
): ChangeAuthors {
  const byLogin = new Map<string, string[]>();
  const unmatched: string[] = [];
  const add = (login: string, what: string) => {
    const key = login.toLowerCase();
    const list = byLogin.get(key) ?? [];
    if (!list.includes(what)) list.push(what);
    byLogin.set(key, list);
  };
  for (const commit of commits) {
    const short = `\`${commit.sha.slice(0, 7)}\``;
    const [author, ...coAuthors] = commit.authors ?? [];
    if (author?.login) add(author.login, `authored ${short}`);
    if (commit.committer?.login && commit.committer.login.toLowerCase() !== WEB_FLOW) add(commit.committer.login, `committed ${short}`);
    const linked = new Map(coAuthors.filter((p) => p.email).map((p) => [p.email!.toLowerCase(), p.login]));
    for (const trailer of coAuthorTrailers(commit.message)) {
      const login = linked.get(trailer.email.toLowerCase()) ?? loginOfNoreplyEmail(trailer.email);
      if (login) add(login, `co-authored ${short}`);
      else unmatched.push(`${inlineCode(`${trailer.name} <${trailer.email}>`)} (co-author of ${short})`);
    }
    // A co-author GitHub linked that the message parsing above did not see (another trailer spelling) counts too.
    for (const p of coAuthors) if (p.login) add(p.login, `co-authored ${short}`);
  }
  const lastForcePush = forcePushes.at(-1);
  if (lastForcePush?.actor && lastForcePush.afterSha === headSha) add(lastForcePush.actor, `force-pushed \`${headSha.slice(0, 7)}\``);
  return { byLogin, unmatched };
}

/** Why the people who wrote the change cannot be known, or null when they can (commits and force pushes read whole). */
export function changeAuthorsUnreadable(
  commits: Fetched<PullRequestCommit[]> | undefined,
  forcePushes: Fetched<ForcePush[]> | undefined,
): string | null {
  if (!commits) return "not read";
  if (!commits.ok) return commits.error;
  const truncated = commits.value.find((c) => c.authors === undefined || c.authors === null);
  if (truncated) return `GitHub did not list every author of \`${truncated.sha.slice(0, 7)}\``;
  if (forcePushes && !forcePushes.ok) return `the force pushes of the head branch: ${forcePushes.error}`;
  return null;
}
