import { formatConfigError } from "../config/config-error.js";
import { CONFIG_PATH } from "../common/product.js";
import { mergeConfig } from "../config/merge-config.js";
import { parseConfigFile, type RawConfig } from "../config/parse-config-file.js";
import { applyFloor, describeHold, type Floor, type FloorHold } from "../config/policy-floor.js";
import { describeLowering, findLoweredKeys, type LoweredKey } from "../config/policy-lowering.js";
import { configSchema, type SdlcGuardConfig } from "../config/schema.js";
import type { RepositoryFacts, SummaryCell } from "../facts/org-summary.js";
import { fetched, unavailable, type Fetched } from "../facts/fetched.js";

/** What a repository's own file makes of the org policy, as the app applies it. */
export interface EffectiveConfig {
  /** The repository's file merged over the org's, the floor applied: what the app enforces. */
  config: SdlcGuardConfig;
  /** What the repository's file set below the org floor (held at the floor). */
  held: FloorHold[];
  /** What the repository's file set weaker than the org's file (before the floor). */
  lowered: LoweredKey[];
}

export const LOWER_ITSELF_FIX = `Remove the override from the repository's ${CONFIG_PATH}: a repository may tighten the org policy, never lower it.`;

/**
 * The repository's own config (without following `_extends`) merged over the organisation's, as the app loads it,
 * with the org floor applied; `held`: what the repository's file set below the floor; `lowered`: what it set weaker
 * than the organisation's file.
 */
export function effectiveConfigOf(repo: RepositoryFacts, orgConfig: SdlcGuardConfig): Fetched<EffectiveConfig> {
  if (!repo.configText.ok) return repo.configText;
  if (repo.configText.value === null) return fetched({ config: orgConfig, held: [], lowered: [] });
  const file = `${repo.name}:${CONFIG_PATH}`;
  const parsed = parseConfigFile(file, repo.configText.value);
  if (!parsed.ok) return unavailable(`${file} cannot be used: ${formatConfigError(parsed.error)}`);
  if (parsed.raw._extends !== undefined) return unavailable(`${file} uses _extends, which the summary does not follow`);
  if (parsed.raw.floor !== undefined) return unavailable(`${file} sets a floor, which only the organisation's .github repository may`);
  const { floor, ...inherited } = orgConfig;
  const config = configSchema.safeParse(mergeConfig(inherited as unknown as RawConfig, parsed.raw));
  if (!config.success) return unavailable(`${file} is not a valid sdlc-guard config`);
  const floored = applyFloor(config.data, floor as Floor | undefined);
  return fetched({ config: floored.config, held: floored.held, lowered: findLoweredKeys(orgConfig, config.data) });
}

/**
 * The `policy` cell: a repository whose own file lowers the org policy (below the org file's values) or tries to go
 * below the floor is a gap naming each key; only a file that keeps or tightens every value passes. A file the summary
 * cannot read or use is unknown, never a pass.
 */
export function judgeRepositoryPolicy(repo: RepositoryFacts, orgConfig: SdlcGuardConfig): SummaryCell {
  if (!repo.configText.ok)
    return {
      state: "unknown",
      detail: `The repository's config could not be read: ${repo.configText.error}`,
      fix: "Counted as not compliant until it can be read: check the app's permissions and installation, then refresh.",
    };
  if (repo.configText.value === null) return { state: "pass", detail: `no ${CONFIG_PATH} of its own: the org policy applies` };
  const effective = effectiveConfigOf(repo, orgConfig);
  if (!effective.ok)
    return {
      state: "unknown",
      detail: `The repository's config could not be judged: ${effective.error}`,
      fix: `Make the repository's ${CONFIG_PATH} a plain, valid sdlc-guard config (no _extends, no floor) so that the summary can compare it with the org policy.`,
    };
  const { held, lowered } = effective.value;
  const heldKeys = new Set(held.map((h) => h.key));
  // A key held at the floor is named once, as held; the others the file set weaker than the org's file.
  const below = lowered.filter((l) => !heldKeys.has(l.key));
  if (!held.length && !below.length) return { state: "pass", detail: "the repository's file keeps or tightens the org policy" };
  const parts = [
    ...(below.length ? [`${below.map(describeLowering).join(", ")} by the repository's file`] : []),
    ...(held.length ? [`held at the floor: ${held.map(describeHold).join(", ")}`] : []),
  ];
  return { state: "fail", detail: parts.join("; "), fix: LOWER_ITSELF_FIX };
}
