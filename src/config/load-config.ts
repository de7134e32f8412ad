import { CONFIG_PATH } from "../common/product.js";
import { describeGitHubError } from "../common/describe-error.js";
import type { ConfigError } from "./config-error.js";
import { mergeConfigFiles } from "./merge-config.js";
import { parseConfigFile, type RawConfig } from "./parse-config-file.js";
import type { PolicyRule } from "./policy-rules.js";
import { applyFloor, type FloorHold } from "./policy-floor.js";
import { configSchema, floorSchema, type SdlcGuardConfig } from "./schema.js";
import { notificationsSchema } from "./notifications-schema.js";

export const ORG_CONFIG_REPO = ".github";
const MAX_EXTENDS_DEPTH = 5;

export interface FileLocation {
  owner: string;
  repo: string;
  path: string;
}

/** Reads a file from a repository's default branch: its text, `null` when it does not exist; throws on other errors. */
export type ReadDefaultBranchFile = (location: FileLocation) => Promise<string | null>;

export type LoadedConfig =
  /** `floorHeld`: keys the org's floor raised (from what to what); `config.floor` is the org's floor. */
  { ok: true; config: SdlcGuardConfig; sources: string[]; floorHeld?: FloorHold[] } | { ok: false; error: ConfigError };

export function describeLocation({ owner, repo, path }: FileLocation): string {
  return `${owner}/${repo}:${path}`;
}

/**
 * Loads `.github/sdlc-guard.yml`: the org's `.github` repository file is the policy every repository inherits, the
 * repository's own file (default branch) is merged over it, each with its `_extends` chain; then the org file's
 * `floor:` raises every key a repository set below it. `rules:` add up (the org's first, then the repository's): they
 * apply per pull request (src/evaluation/apply-policy-rules.ts). No file at all means the POL-008 defaults.
 */
export async function loadConfig(owner: string, repo: string, readFile: ReadDefaultBranchFile): Promise<LoadedConfig> {
  // A file named twice (a repository that `_extends: .github`, which it also inherits) is read once.
  const reads = new Map<string, Promise<string | null>>();
  const read: ReadDefaultBranchFile = (location) => {
    const name = describeLocation(location);
    if (!reads.has(name)) reads.set(name, readFile(location));
    return reads.get(name)!;
  };
  const own = { owner, repo, path: CONFIG_PATH };
  const org = { owner, repo: ORG_CONFIG_REPO, path: CONFIG_PATH };
  const isOrgRepo = repo === ORG_CONFIG_REPO;
  const mine = await loadWithExtends(own, read, []);
  if (mine && !mine.ok) return mine;
  const inherited = isOrgRepo ? null : await loadWithExtends(org, read, []);
  if (inherited && !inherited.ok) return inherited;
  const orgChain = isOrgRepo ? mine : inherited;
  const raw = mergeConfigFiles(inherited?.raw ?? {}, mine?.raw ?? {});
  const sources = [...(mine?.sources ?? []), ...(inherited?.sources ?? [])].filter((file, i, all) => all.indexOf(file) === i);
  const floor = orgChain?.floor === undefined ? undefined : floorSchema.parse(orgChain.floor);
  const parsed = configSchema.parse(raw);
  const { config, held } = applyFloor({ ...parsed, rules: withOrigin(parsed.rules, raw.rules, orgChain?.raw.rules) }, floor);
  // Notifications are the org's alone: a repository's `notifications:` is set aside (and the run says so), never merged.
  const notifications = orgChain?.notifications === undefined ? {} : { notifications: notificationsSchema.parse(orgChain.notifications) };
  const ignored = [...(mine?.ignoredNotifications ?? []), ...(inherited?.ignoredNotifications ?? [])].map((file): FloorHold => ({
    key: "notifications",
    from: `set in ${file}`,
    to: `the org's (${ORG_CONFIG_REPO} file only)`,
  }));
  const allHeld = [...held, ...ignored];
  return { ok: true, config: { ...config, floor, ...notifications }, sources, ...(allHeld.length ? { floorHeld: allHeld } : {}) };
}

/**
 * Each parsed rule marked `origin: "org"` when it comes from the org file or a file the org file extends: such a rule
 * is a minimum that the repository's rules cannot lower (src/controls/policy-rules-match.ts).
 */
function withOrigin(parsed: SdlcGuardConfig["rules"], raw: unknown, orgRaw: unknown): SdlcGuardConfig["rules"] {
  if (!Array.isArray(raw) || !Array.isArray(orgRaw)) return parsed;
  const org = new Set(orgRaw.map((rule) => JSON.stringify(rule)));
  return parsed.map((rule, i) => (org.has(JSON.stringify(raw[i])) ? { ...rule, origin: "org" as PolicyRule["origin"] } : rule));
}

/** The org's own file: the only one whose `floor:` counts. */
export const isOrgFile = (location: FileLocation): boolean =>
  location.repo.toLowerCase() === ORG_CONFIG_REPO && location.path === CONFIG_PATH;

type Chain =
  | { ok: true; raw: RawConfig; sources: string[]; floor?: unknown; notifications?: unknown; ignoredNotifications?: string[] }
  | { ok: false; error: ConfigError };

async function loadWithExtends(location: FileLocation, read: ReadDefaultBranchFile, seen: string[]): Promise<Chain | null> {
  const file = describeLocation(location);
  let text: string | null;
  try {
    text = await read(location);
  } catch (error) {
    // describeGitHubError keeps the status and a bounded message: an HTML error page must not become the reason.
    return { ok: false, error: { file, keyPath: "", expected: `a readable file, but ${describeGitHubError(error)}`, unreadable: true } };
  }
  if (text === null) return null;
  const parsed = parseConfigFile(file, text);
  if (!parsed.ok) return parsed;
  const { _extends: extendsValue, floor, notifications, ...own } = parsed.raw;
  const ownNotifications = notifications === undefined ? {} : isOrgFile(location) ? { notifications } : {};
  const ignoredHere = notifications !== undefined && !isOrgFile(location) ? [file] : [];
  if (floor !== undefined && !isOrgFile(location)) {
    const orgFile = describeLocation({ owner: location.owner, repo: ORG_CONFIG_REPO, path: CONFIG_PATH });
    return {
      ok: false,
      error: {
        file,
        keyPath: "floor",
        expected: `no \`floor\` here: the floor is read only from ${orgFile}; a repository tightens its own policy under \`controls\``,
      },
    };
  }
  const orgFloor = floor === undefined ? {} : { floor };
  if (typeof extendsValue !== "string")
    return { ok: true, raw: own, sources: [file], ...orgFloor, ...ownNotifications, ignoredNotifications: ignoredHere };

  const target = parseExtends(extendsValue, location.owner);
  if (!target) {
    return { ok: false, error: { file, keyPath: "_extends", expected: "`repo`, `owner/repo` or `owner/repo:path/file.yml`" } };
  }
  const targetName = describeLocation(target);
  if (seen.includes(targetName) || seen.length >= MAX_EXTENDS_DEPTH) {
    return {
      ok: false,
      error: { file, keyPath: "_extends", expected: `an _extends chain without cycles, at most ${MAX_EXTENDS_DEPTH} deep` },
    };
  }
  const base = await loadWithExtends(target, read, [...seen, file]);
  if (base === null) {
    return { ok: false, error: { file, keyPath: "_extends", expected: `an existing file, but ${targetName} was not found` } };
  }
  if (!base.ok) return base;
  return {
    ok: true,
    raw: mergeConfigFiles(base.raw, own),
    sources: [file, ...base.sources],
    ...orgFloor,
    ...ownNotifications,
    ignoredNotifications: [...ignoredHere, ...(base.ignoredNotifications ?? [])],
  };
}

function parseExtends(value: string, defaultOwner: string): FileLocation | null {
  const match = /^(?:([\w.-]+)\/)?([\w.-]+)(?::([\w./-]+\.ya?ml))?$/.exec(value.trim());
  if (!match) return null;
  return { owner: match[1] ?? defaultOwner, repo: match[2]!, path: match[3] ?? CONFIG_PATH };
}
