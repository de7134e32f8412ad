import { CONFIG_PATH } from "../common/product.js";
import { describeGitHubError } from "../common/describe-error.js";
import { describeLocation, loadConfig, ORG_CONFIG_REPO, type LoadedConfig } from "../config/load-config.js";
import { diffPolicies, type PolicyChange } from "../config/policy-diff.js";
import type { Fetched } from "../facts/fetched.js";
import type { SdlcGuardConfig } from "../config/schema.js";
import { readDefaultBranchFile, readFileAtCommit } from "../github/refs/read-config-file.js";
import type { GitHubClient } from "../github/types.js";

/**
 * What the PR would do to the repository's policy file (the org's, in `<org>/.github`): `undefined` when it does not
 * change it. The head's file is read only then (one request), and loaded with the same loader as the policy in force
 * (its `_extends` and the org file it inherits read from their default branches, its floor applied), so what is shown
 * is what would apply once merged. Nothing here is applied to the PR itself.
 */
export async function checkProposedPolicy(
  octokit: GitHubClient,
  target: { owner: string; repo: string },
  pr: { headSha: string; changedFiles?: Fetched<string[]> },
  current: LoadedConfig,
): Promise<(PolicyChange & { proposedConfig?: SdlcGuardConfig }) | undefined> {
  const { owner, repo } = target;
  const own = { owner, repo, path: CONFIG_PATH };
  const file = describeLocation(own);
  const about = { file, ...(repo.toLowerCase() === ORG_CONFIG_REPO ? { orgWide: { org: owner } } : {}) };
  const unreadable = (reason: string): PolicyChange => ({ ...about, deleted: false, status: "unreadable", reason });

  const files = pr.changedFiles;
  if (!files) return unreadable("the pull request's changed files were not read");
  if (!files.ok) return unreadable(`the pull request's changed files could not be read (${files.error})`);
  if (!files.value.includes(CONFIG_PATH)) return undefined;

  let text: string | null;
  try {
    text = await readFileAtCommit(octokit, own, pr.headSha);
  } catch (error) {
    return unreadable(`its version of the file could not be read (${describeGitHubError(error)})`);
  }
  const deleted = text === null;
  const proposed = await loadConfig(owner, repo, (location) =>
    describeLocation(location) === file ? Promise.resolve(text) : readDefaultBranchFile(octokit, location),
  );
  if (!proposed.ok) return { ...about, deleted, status: "invalid", error: proposed.error };
  return {
    ...about,
    deleted,
    status: "valid",
    changes: current.ok ? diffPolicies(current, proposed) : [],
    sources: { from: current.ok ? current.sources : proposed.sources, to: proposed.sources },
    currentInvalid: !current.ok,
    proposedConfig: proposed.config,
  };
}
