import type { ConfigError } from "../config/config-error.js";
import { ORG_CONFIG_REPO, type LoadedConfig } from "../config/load-config.js";
import type { GitHubClient } from "../github/types.js";
import { loadConfigCached } from "./state-cache.js";
import type { StateCache } from "./state-cache.js";

/**
 * The policy a push, tag, release or merge is judged under. A repository whose own file (or what it extends) cannot be
 * loaded is judged under the org's policy chain (the org `.github` file, its `_extends`, its floor; the built-in
 * defaults when the org has no file), and `configError` says why its file was set aside: breaking its file must never
 * lower, let alone silence, what the org asks. Only when the org's own policy cannot be loaded is there nothing to
 * judge under (`ok: false`). Pull requests keep failing on the config error instead (they cannot merge until it is fixed).
 * A file GitHub could not serve (an outage, not a broken file) is not set aside either: its controls fail closed with
 * the reason, as every unreadable fact does, rather than the repository's stricter policy giving way to the org's.
 */
export type RefPolicy = (LoadedConfig & { ok: true }) & { configError?: ConfigError };

export async function loadRefPolicy(
  octokit: GitHubClient,
  owner: string,
  repo: string,
  cache: StateCache | undefined,
): Promise<RefPolicy | (LoadedConfig & { ok: false })> {
  const loaded = await loadConfigCached(octokit, owner, repo, cache);
  if (loaded.ok || loaded.error.unreadable || repo.toLowerCase() === ORG_CONFIG_REPO) return loaded;
  // The org's policy alone: what `loadConfig` gives its `.github` repository (cached under that repository).
  const org = await loadConfigCached(octokit, owner, ORG_CONFIG_REPO, cache);
  if (!org.ok) return loaded;
  return { ...org, configError: loaded.error };
}
