import { CONFIG_PATH } from "../common/product.js";
import { describeGitHubError } from "../common/describe-error.js";
import type { ConfigError } from "./config-error.js";
import { mergeConfig } from "./merge-config.js";
import { parseConfigFile, type RawConfig } from "./parse-config-file.js";
import { configSchema, type SdlcGuardConfig } from "./schema.js";

const ORG_CONFIG_REPO = ".github";
const MAX_EXTENDS_DEPTH = 5;

export interface FileLocation {
  owner: string;
  repo: string;
  path: string;
}

/** Reads a file from a repository's default branch: its text, `null` when it does not exist; throws on other errors. */
export type ReadDefaultBranchFile = (location: FileLocation) => Promise<string | null>;

export type LoadedConfig =
  | { ok: true; config: SdlcGuardConfig; sources: string[] }
  | { ok: false; error: ConfigError };

export function describeLocation({ owner, repo, path }: FileLocation): string {
  return `${owner}/${repo}:${path}`;
}

/**
 * Loads `.github/sdlc-guard.yml` as Probot's `context.config` does: the repository's default branch first,
 * else the org's `.github` repository, then `_extends` chains; no file at all means the POL-008 defaults.
 */
export async function loadConfig(owner: string, repo: string, read: ReadDefaultBranchFile): Promise<LoadedConfig> {
  const own = { owner, repo, path: CONFIG_PATH };
  const candidates = repo === ORG_CONFIG_REPO ? [own] : [own, { owner, repo: ORG_CONFIG_REPO, path: CONFIG_PATH }];
  for (const location of candidates) {
    const result = await loadWithExtends(location, read, []);
    if (result === null) continue;
    if (!result.ok) return result;
    return { ok: true, config: configSchema.parse(result.raw), sources: result.sources };
  }
  return { ok: true, config: configSchema.parse({}), sources: [] };
}

type Chain = { ok: true; raw: RawConfig; sources: string[] } | { ok: false; error: ConfigError };

async function loadWithExtends(location: FileLocation, read: ReadDefaultBranchFile, seen: string[]): Promise<Chain | null> {
  const file = describeLocation(location);
  let text: string | null;
  try {
    text = await read(location);
  } catch (error) {
    // describeGitHubError keeps the status and a bounded message: an HTML error page must not become the reason.
    return { ok: false, error: { file, keyPath: "", expected: `a readable file, but ${describeGitHubError(error)}` } };
  }
  if (text === null) return null;
  const parsed = parseConfigFile(file, text);
  if (!parsed.ok) return parsed;
  const { _extends: extendsValue, ...own } = parsed.raw;
  if (typeof extendsValue !== "string") return { ok: true, raw: own, sources: [file] };

  const target = parseExtends(extendsValue, location.owner);
  if (!target) {
    return { ok: false, error: { file, keyPath: "_extends", expected: "`repo`, `owner/repo` or `owner/repo:path/file.yml`" } };
  }
  const targetName = describeLocation(target);
  if (seen.includes(targetName) || seen.length >= MAX_EXTENDS_DEPTH) {
    return { ok: false, error: { file, keyPath: "_extends", expected: `an _extends chain without cycles, at most ${MAX_EXTENDS_DEPTH} deep` } };
  }
  const base = await loadWithExtends(target, read, [...seen, file]);
  if (base === null) {
    return { ok: false, error: { file, keyPath: "_extends", expected: `an existing file, but ${targetName} was not found` } };
  }
  if (!base.ok) return base;
  return { ok: true, raw: mergeConfig(base.raw, own), sources: [file, ...base.sources] };
}

function parseExtends(value: string, defaultOwner: string): FileLocation | null {
  const match = /^(?:([\w.-]+)\/)?([\w.-]+)(?::([\w./-]+\.ya?ml))?$/.exec(value.trim());
  if (!match) return null;
  return { owner: match[1] ?? defaultOwner, repo: match[2]!, path: match[3] ?? CONFIG_PATH };
}
