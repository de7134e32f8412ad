import { loadConfig, ORG_CONFIG_REPO, type FileLocation, type LoadedConfig } from "../config/load-config.js";
import type { SecretScanningState } from "../facts/pull-request.js";
import type { OrgSecretAlerts } from "../github/refs/secret-scanning-state.js";
import { EtagStore } from "../github/transport/conditional-requests.js";
import { readDefaultBranchFile } from "../github/refs/read-config-file.js";
import { repositoryKey, type GitHubClient } from "../github/types.js";
import { TtlCache } from "../common/ttl-cache.js";

/**
 * What one app instance caches between evaluations, per installation's repositories and teams. Each entry is dropped
 * by the webhook that announces its change (see `invalidate*` below and the handlers), and expires after the TTL
 * as a safety net for a missed delivery. Every REST read is also conditional (ETag), so a re-read that finds
 * nothing changed costs no rate limit.
 */
export interface StateCache {
  config: TtlCache<LoadedConfig>;
  /**
   * The policy files a config was built from, by file (text, or null when absent): a repository seen for the first
   * time reads its own file and reuses the org's, which every repository inherits.
   */
  configFiles: TtlCache<string | null>;
  secretScanning: TtlCache<SecretScanningState>;
  /** The organisation's secret-scanning alert lists, by lower-case login (see `readSecretScanning`). */
  orgSecretAlerts: TtlCache<OrgSecretAlerts>;
  teams: TtlCache<ReadonlySet<string>>;
  etags: EtagStore;
}

export interface StateCacheOptions {
  ttlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

export const DEFAULT_CACHE_TTL_MS = 60 * 60 * 1000;

export function createStateCache({ ttlMs = DEFAULT_CACHE_TTL_MS, maxEntries = 10_000, now }: StateCacheOptions = {}): StateCache {
  return {
    config: new TtlCache(ttlMs, maxEntries, now),
    configFiles: new TtlCache(ttlMs, maxEntries, now),
    secretScanning: new TtlCache(ttlMs, maxEntries, now),
    orgSecretAlerts: new TtlCache(ttlMs, maxEntries, now),
    teams: new TtlCache(ttlMs, maxEntries, now),
    etags: new EtagStore(maxEntries),
  };
}

const fileTag = ({ owner, repo, path }: FileLocation): string => `file:${repositoryKey(owner, repo)}:${path}`;
const repoTag = (owner: string, repo: string): string => `repo:${repositoryKey(owner, repo)}`;

/**
 * The repository's configuration, from the cache or read from GitHub. The entry is tagged with every file the load
 * looked at (found or not: a config added later to the repository must drop an entry built from the org fallback).
 * A load that hit a GitHub error is not cached: the next evaluation tries again.
 */
export async function loadConfigCached(
  octokit: GitHubClient,
  owner: string,
  repo: string,
  cache: StateCache | undefined,
): Promise<LoadedConfig> {
  if (!cache) return readConfigOnce(octokit, owner, repo, undefined);
  // PRs of one repository are evaluated side by side: they share one read of its config, never one read each.
  return cache.config.getOrLoad(repositoryKey(owner, repo), (readAt) => readConfigOnce(octokit, owner, repo, { cache, readAt }));
}

async function readConfigOnce(
  octokit: GitHubClient,
  owner: string,
  repo: string,
  caching: { cache: StateCache; readAt: number } | undefined,
): Promise<LoadedConfig> {
  const tags: string[] = [];
  let readFailed = false;
  const loaded = await loadConfig(owner, repo, async (location) => {
    const fileTags = [fileTag(location), repoTag(location.owner, location.repo)];
    tags.push(...fileTags);
    try {
      if (!caching) return await readDefaultBranchFile(octokit, location);
      // Policy files are cached one by one: a repository seen for the first time reads only its own, not the org's.
      const files = caching.cache.configFiles;
      return await files.getOrLoad(fileTags[0]!, async (fileReadAt) => {
        const text = await readDefaultBranchFile(octokit, location);
        files.set(fileTags[0]!, text, fileTags, fileReadAt);
        return text;
      });
    } catch (error) {
      readFailed = true;
      throw error;
    }
  });
  if (!readFailed) caching?.cache.config.set(repositoryKey(owner, repo), loaded, tags, caching.readAt);
  return loaded;
}

/**
 * A push to a repository's default branch: drops every cached config built from a file it touched (in this
 * repository or any other that extends or falls back to it). `paths` undefined: the push may have changed anything
 * (forced, or more commits than the payload lists), so every config that read this repository is dropped.
 */
export function invalidateConfigFiles(cache: StateCache, owner: string, repo: string, paths: readonly string[] | undefined): number {
  const tags = paths ? paths.map((path) => fileTag({ owner, repo, path })) : [repoTag(owner, repo)];
  for (const tag of tags) cache.configFiles.invalidateTag(tag);
  return tags.reduce((dropped, tag) => dropped + cache.config.invalidateTag(tag), 0);
}

/**
 * A secret-scanning alert or a security setting changed in the repository: its state, and the organisation's alert
 * lists, which count that repository's alerts too.
 */
export function invalidateSecretScanning(cache: StateCache, owner: string, repo: string): boolean {
  invalidateOrgSecretAlerts(cache, owner);
  return cache.secretScanning.delete(repositoryKey(owner, repo));
}

/**
 * The organisation's alert lists may no longer cover its repositories (one was transferred in or unarchived, or the
 * installation was given more): they are read again by the next evaluation that needs them.
 */
export function invalidateOrgSecretAlerts(cache: StateCache, org: string): boolean {
  return cache.orgSecretAlerts.delete(org.toLowerCase());
}

/**
 * A person asked for a re-run: every cached state of the repository (config and the policy files it is built from: its
 * own, the org's, `_extends` targets; secret scanning, the org's alert lists included) and its org's teams.
 */
export function forgetRepository(cache: StateCache, owner: string, repo: string): void {
  // Every file its config was built from (its own, the org's, `_extends` targets elsewhere), and the org's in any case.
  for (const tag of cache.config.tagsOf(repositoryKey(owner, repo))) cache.configFiles.invalidateTag(tag);
  cache.configFiles.invalidateTag(repoTag(owner, ORG_CONFIG_REPO));
  invalidateConfigFiles(cache, owner, repo, undefined); // drops the repository's own entry too: it read its own file
  invalidateSecretScanning(cache, owner, repo);
  invalidateTeams(cache, owner);
}

/**
 * Team membership changed in the organisation: every cached team of it is dropped, because members are read with
 * child teams included, so a change to one team changes its parents too.
 */
export function invalidateTeams(cache: StateCache, org: string): number {
  return cache.teams.invalidateTag(`org:${org.toLowerCase()}`);
}
