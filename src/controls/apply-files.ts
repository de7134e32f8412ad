import type { Fetched } from "../facts/fetched.js";
import { SUMMARY_CONTROL_INFO, type RepositoryFacts } from "../facts/org-summary.js";

// `sdlc-guard apply`: the pull request that adds the CODEOWNERS and SECURITY.md the summary's `repository-files`
// column asks for. A pull request, never a direct commit: the guard itself forbids direct pushes to the default branch.
// Pure: the gateway reads whether the pull request is already open, and writes it.

/** The branch `apply` proposes the files from; an open pull request from it means they are on their way. */
export const REPOSITORY_FILES_BRANCH = "sdlc-guard/repository-files";
export const CODEOWNERS_PATH = ".github/CODEOWNERS";
export const SECURITY_POLICY_PATH = "SECURITY.md";

/** The rows of the plan this adds, one per file. */
export type FileControl = "codeowners" | "security-policy";

/** A pull request adding the missing files to one repository, from `branch` onto its default branch. */
export interface RepositoryFilesChange {
  id: string;
  kind: "repository-files";
  repository: string;
  baseBranch: string;
  branch: string;
  title: string;
  body: string;
  files: { path: string; content: string }[];
}

/**
 * An open pull request from {@link REPOSITORY_FILES_BRANCH}. Anyone with write access can open one, so it counts as
 * the planned change only when `ours` says why: opened by the identity that applies, or carrying exactly the planned
 * content; otherwise `ours` is undefined.
 */
export interface OpenFilesPullRequest {
  number: number;
  author: string;
  ours?: "same-identity" | "planned-content";
}

export interface FilesOptions {
  /** `--codeowners`: validated owners (`@org/team` or `@login`); undefined: not given. */
  codeowners?: string[];
  /** `--security-contact`: a validated e-mail address or https URL; undefined: not given. */
  securityContact?: string;
}

export interface FilesPlanItem {
  control: FileControl;
  state: "holds" | "change" | "cannot";
  detail: string;
  change?: string;
}

const OWNER = /^@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\/[A-Za-z0-9](?:[A-Za-z0-9._-]{0,99}))?$/;
const EMAIL = /^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))+$/;

/** `--codeowners @acme/team,@user`: each one `@org/team` or `@login`, else why not. */
export function parseCodeowners(value: string): { ok: true; owners: string[] } | { ok: false; error: string } {
  const owners = value
    .split(",")
    .map((o) => o.trim())
    .filter(Boolean);
  const bad = owners.find((o) => !OWNER.test(o));
  if (!owners.length || bad !== undefined)
    return { ok: false, error: `code owners are @org/team or @login, comma-separated${bad !== undefined ? ` (not ${bad})` : ""}` };
  return { ok: true, owners: [...new Set(owners)] };
}

/** `--security-contact`: an e-mail address or an https URL (normalised), else why not. */
export function parseSecurityContact(value: string): { ok: true; contact: string } | { ok: false; error: string } {
  const text = value.trim();
  if (EMAIL.test(text)) return { ok: true, contact: text };
  try {
    const url = new URL(text);
    if (url.protocol === "https:" && !url.username && !url.password) return { ok: true, contact: url.href };
  } catch {
    // Neither an address nor a URL: said below.
  }
  return { ok: false, error: "the security contact is an e-mail address or an https URL" };
}

export function codeownersContent(owners: string[]): string {
  return [
    "# Code owners: every change needs the review of one of them (added by sdlc-guard apply; edit as the team sees fit).",
    `* ${owners.join(" ")}`,
    "",
  ].join("\n");
}

export function securityPolicyContent(contact: string): string {
  const how = EMAIL.test(contact) ? `by e-mail to [${contact}](mailto:${contact})` : `through <${contact}>`;
  return [
    "# Security policy",
    "",
    "## Reporting a vulnerability",
    "",
    `Please report a suspected vulnerability privately, ${how}, not in a public issue, discussion or pull request.`,
    "",
    "Say what is affected (version, commit or URL), how to reproduce it and what an attacker could do with it. We",
    "acknowledge each report, keep the reporter informed while it is fixed, and credit them if they wish.",
    "",
    "## Supported versions",
    "",
    "Security fixes go to the latest release and the default branch.",
    "",
  ].join("\n");
}

/**
 * The CODEOWNERS and SECURITY.md rows of one repository and the pull request that adds what is missing (one per
 * repository, carrying both files when both are missing). `openPullRequest`: the number of the pull request already
 * open from {@link REPOSITORY_FILES_BRANCH} (null: none; undefined: not read yet, only while the command decides
 * whether to read it). A file the options do not allow to write is `cannot`, with the option to give.
 */
export function planRepositoryFiles(
  repo: RepositoryFacts,
  options: FilesOptions,
  openPullRequest: Fetched<OpenFilesPullRequest | null> | undefined,
): { items: FilesPlanItem[]; change?: RepositoryFilesChange } {
  const both = (state: "holds" | "cannot", detail: string): { items: FilesPlanItem[] } => ({
    items: [
      { control: "codeowners", state, detail },
      { control: "security-policy", state, detail },
    ],
  });
  if (!repo.files.ok) return both("cannot", `the repository's files could not be read: ${repo.files.error}`);
  const { codeowners, securityPolicy } = repo.files.value;
  const present = (name: string, path: string) => ({ state: "holds" as const, detail: `${name} present (${path})` });
  const items: FilesPlanItem[] = [
    { control: "codeowners", ...(codeowners ? present("CODEOWNERS", codeowners) : { state: "change", detail: "" }) },
    { control: "security-policy", ...(securityPolicy ? present("SECURITY.md", securityPolicy) : { state: "change", detail: "" }) },
  ];
  const missing = items.filter((i) => i.state === "change");
  if (!missing.length) return { items };
  const setAll = (state: "holds" | "cannot", detail: string) => {
    for (const item of missing) Object.assign(item, { state, detail });
    return { items };
  };
  if (repo.defaultBranch === null) return setAll("cannot", "empty repository: no default branch to propose a pull request to");
  if (openPullRequest && !openPullRequest.ok)
    return setAll("cannot", `whether a pull request from ${REPOSITORY_FILES_BRANCH} is open could not be read: ${openPullRequest.error}`);
  const open = openPullRequest?.ok ? openPullRequest.value : null;
  if (open?.ours === "same-identity") return setAll("holds", `pull request #${open.number} open`);
  if (open?.ours === "planned-content")
    return setAll("holds", `pull request #${open.number} open (opened by ${open.author}, content as planned)`);
  if (open)
    return setAll(
      "cannot",
      `pull request #${open.number} from ${REPOSITORY_FILES_BRANCH} was opened by ${open.author} with other content than planned: review or close it`,
    );

  const id = `repository-files:${repo.name}`;
  const files: { path: string; content: string }[] = [];
  for (const item of missing) {
    if (item.control === "codeowners") {
      if (!options.codeowners?.length) Object.assign(item, { state: "cannot", detail: "no code owners given (--codeowners @org/team)" });
      else {
        files.push({ path: CODEOWNERS_PATH, content: codeownersContent(options.codeowners) });
        Object.assign(item, { detail: `add ${CODEOWNERS_PATH} (* ${options.codeowners.join(" ")}) by pull request`, change: id });
      }
    } else if (!options.securityContact)
      Object.assign(item, { state: "cannot", detail: "no security contact given (--security-contact <e-mail or https URL>)" });
    else {
      files.push({ path: SECURITY_POLICY_PATH, content: securityPolicyContent(options.securityContact) });
      Object.assign(item, { detail: `add ${SECURITY_POLICY_PATH} (report to ${options.securityContact}) by pull request`, change: id });
    }
  }
  if (!files.length) return { items };
  const names = files.map((f) => (f.path === CODEOWNERS_PATH ? "CODEOWNERS" : "SECURITY.md"));
  return {
    items,
    change: {
      id,
      kind: "repository-files",
      repository: repo.name,
      baseBranch: repo.defaultBranch,
      branch: REPOSITORY_FILES_BRANCH,
      title: `Add ${names.join(" and ")} (sdlc-guard apply)`,
      body: pullRequestBody(files.map((f) => f.path)),
      files,
    },
  };
}

function pullRequestBody(paths: string[]): string {
  const info = SUMMARY_CONTROL_INFO["repository-files"];
  const why: Record<string, string> = {
    [CODEOWNERS_PATH]: "who must review each change (GitHub requests their review; a ruleset can require it)",
    [SECURITY_POLICY_PATH]: "how to report a vulnerability privately",
  };
  return [
    "The organisation's secure-development policy asks every repository for a CODEOWNERS file and a security policy",
    `(${info.policy}; ISO 27001:2022 ${info.iso}; SOC 2 ${info.soc2}). The sdlc-guard org summary's \`repository-files\``,
    "column fails for this repository until they are on its default branch.",
    "",
    "This pull request adds:",
    ...paths.map((p) => `- \`${p}\`: ${why[p]}`),
    "",
    "Review the content, adjust it if needed and merge it: it was proposed by `sdlc-guard apply`, which never pushes to the",
    "default branch directly.",
  ].join("\n");
}
