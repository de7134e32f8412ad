import { raiseValue, ruleOf, sameValue, showSetting } from "./policy-floor.js";

/** A key a repository's config set weaker than the organisation's: `from` the org's value, `to` the repository's. */
export interface LoweredKey {
  /** `controls.reviews.min_approvals`, `exceptions.approvers`. */
  key: string;
  /** The control id, or `exceptions`. */
  section: string;
  setting: string;
  from: string;
  to: string;
}

type Sections = { controls: object; exceptions: object };

/**
 * The keys where `config` (a repository's config merged over the organisation's) is weaker than `reference` (the
 * organisation's), by the order the floor uses for each key (src/config/policy-floor.ts): enforcement off < advisory <
 * required, fewer approvals, more bypass actors, a shorter list that must be kept whole... Keys without an order
 * (`report`) or with no order but equality (`fixed`: a different pattern is not weaker, only different) are not judged.
 * Pure.
 */
export function findLoweredKeys(reference: Sections, config: Sections): LoweredKey[] {
  const sections: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ...Object.entries(reference.controls as Record<string, Record<string, unknown>>).map(
      ([id, org]): [string, Record<string, unknown>, Record<string, unknown>] => [
        id,
        org,
        (config.controls as Record<string, Record<string, unknown>>)[id] ?? org,
      ],
    ),
    ["exceptions", reference.exceptions as Record<string, unknown>, config.exceptions as Record<string, unknown>],
  ];
  const lowered: LoweredKey[] = [];
  for (const [section, org, repo] of sections) {
    for (const setting of Object.keys(org)) {
      const rule = ruleOf(section, setting);
      if (!rule || rule === "fixed") continue;
      const orgValue = org[setting];
      const repoValue = repo[setting];
      // An empty `narrow` list means "any" (e.g. jira.projects): a repository's list can only narrow it.
      if (rule === "narrow" && Array.isArray(orgValue) && orgValue.length === 0) continue;
      if (sameValue(raiseValue(rule, repoValue, orgValue), repoValue)) continue;
      const path = section === "exceptions" ? "exceptions" : `controls.${section}`;
      lowered.push({ key: `${path}.${setting}`, section, setting, from: showSetting(orgValue), to: showSetting(repoValue) });
    }
  }
  return lowered;
}

/** "reviews turned off", "jira lowered to advisory", "controls.reviews.min_approvals 3 → 1": plain text, no code spans. */
export function describeLowering({ key, section, setting, from, to }: LoweredKey): string {
  if (setting === "enforcement" && section !== "exceptions") return to === "off" ? `${section} turned off` : `${section} lowered to ${to}`;
  return `${key} ${from} → ${to}`;
}
