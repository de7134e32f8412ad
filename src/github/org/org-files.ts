import type { RepositoryFiles } from "../../facts/org-summary.js";

/** The file names (blobs) of the folders where GitHub looks for community files; null: no such folder. */
export interface CommunityFolders {
  github: string[] | null;
  root: string[] | null;
  docs: string[] | null;
}

/** GitHub's order (as for README and CODEOWNERS): `.github/`, the root, `docs/`. */
const FOLDERS: [keyof CommunityFolders, string][] = [
  ["github", ".github/"],
  ["root", ""],
  ["docs", "docs/"],
];

const FILE_NAMES: Record<keyof RepositoryFiles, RegExp> = {
  readme: /^readme(\.[a-z0-9]+)?$/i,
  contributing: /^(contributing|coding[-_]?standards?|coding[-_]?guidelines?)(\.[a-z0-9]+)?$/i,
  securityPolicy: /^security\.md$/i,
  codeowners: /^CODEOWNERS$/,
};

/** The community files GitHub finds in these folders (the first place that has one, in GitHub's order). */
export function findCommunityFiles(folders: CommunityFolders): RepositoryFiles {
  const find = (name: RegExp): string | null => {
    for (const [folder, prefix] of FOLDERS) {
      const found = folders[folder]?.find((file) => name.test(file));
      if (found) return `${prefix}${found}`;
    }
    return null;
  };
  return {
    readme: find(FILE_NAMES.readme),
    contributing: find(FILE_NAMES.contributing),
    securityPolicy: find(FILE_NAMES.securityPolicy),
    codeowners: find(FILE_NAMES.codeowners),
  };
}

/**
 * A repository's files completed by the organisation's defaults (its public `.github` repository): GitHub shows that
 * repository's SECURITY and CONTRIBUTING for every repository without its own, never its README or CODEOWNERS.
 */
export function withOrgDefaults(own: RepositoryFiles, defaults: RepositoryFiles, defaultsRepository: string): RepositoryFiles {
  const fromOrg = (path: string | null) => path && `${defaultsRepository}: ${path}`;
  return {
    ...own,
    contributing: own.contributing ?? fromOrg(defaults.contributing),
    securityPolicy: own.securityPolicy ?? fromOrg(defaults.securityPolicy),
  };
}

/** Whether a workflow file (in `.github/workflows`) runs CodeQL, as far as its name tells. */
export const isCodeQlWorkflow = (file: string): boolean => /codeql/i.test(file) && /\.ya?ml$/i.test(file);
