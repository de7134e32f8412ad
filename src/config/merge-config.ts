import type { RawConfig } from "./parse-config-file.js";

/** Deep-merges `overlay` over `base`: mappings merge key by key, anything else (lists included) is replaced. */
export function mergeConfig(base: RawConfig, overlay: RawConfig): RawConfig {
  const merged: RawConfig = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    const under = merged[key];
    merged[key] = isMapping(under) && isMapping(value) ? mergeConfig(under, value) : value;
  }
  return merged;
}

function isMapping(value: unknown): value is RawConfig {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Merges two config files: mappings key by key (the overlay wins), except `rules:`, whose lists add up (the base's
 * first), a rule named twice (a file inherited twice) counted once.
 */
export function mergeConfigFiles(base: RawConfig, overlay: RawConfig): RawConfig {
  const merged = mergeConfig(base, overlay);
  // A `rules:` that is not a list is left as written, for the schema to refuse with its key path.
  if (![base.rules, overlay.rules].every((list) => list === undefined || Array.isArray(list))) return merged;
  const rules = [base.rules, overlay.rules].flatMap((list) => (list as unknown[] | undefined) ?? []);
  if (!rules.length) return merged;
  const seen = new Set<string>();
  merged.rules = rules.filter((rule) => {
    const key = JSON.stringify(rule);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return merged;
}
