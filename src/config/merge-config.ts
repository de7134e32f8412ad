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
