import type { ConfigError } from "./config-error.js";
import type { FloorHold } from "./policy-floor.js";

/** One key whose effective value merging the PR would change: from today's value to what the file asks for. */
export interface PolicyKeyChange {
  /** Dotted path: `controls.reviews.min_approvals`, `floor.controls.reviews.min_approvals`. */
  key: string;
  from: string;
  to: string;
  /** Set when the org floor holds `to`: the value that would apply instead. */
  heldAt?: string;
}

/** What a PR that changes a policy file would do to the policy, as its check run reports it. */
export type PolicyChange = {
  /** `owner/repo:path` of the file the PR changes. */
  file: string;
  /** The org file (`<org>/.github`): inherited by every repository of `org`, and the only file with a floor. */
  orgWide?: { org: string };
  deleted: boolean;
} & (
  | { status: "valid"; changes: PolicyKeyChange[]; sources: { from: string[]; to: string[] }; currentInvalid: boolean }
  | { status: "invalid"; error: ConfigError }
  /** The PR's changed files or its version of the file could not be read: the change cannot be checked (fails). */
  | { status: "unreadable"; reason: string }
);

/** A loaded policy as the diff needs it: the effective config and the keys the floor held (from what was asked). */
export interface EffectivePolicy {
  config: object;
  floorHeld?: FloorHold[];
}

/**
 * Key by key (dotted paths, lists compared whole), what changes from `current` to `proposed`: a key is listed when
 * what the files ask for or what applies differs. `from` is what applies today, `to` what the proposed file asks for.
 */
export function diffPolicies(current: EffectivePolicy, proposed: EffectivePolicy): PolicyKeyChange[] {
  const now = flatten(current.config);
  const next = flatten(proposed.config);
  const askedNow = asked(current);
  const askedNext = asked(proposed);
  const keys = [...new Set([...now.keys(), ...next.keys()])];
  return keys.flatMap((key) => {
    const from = showValue(now.get(key));
    const applies = showValue(next.get(key));
    const to = askedNext.get(key) ?? applies;
    if (from === applies && (askedNow.get(key) ?? from) === to) return [];
    return [{ key, from, to, ...(to !== applies ? { heldAt: applies } : {}) }];
  });
}

const asked = (policy: EffectivePolicy) => new Map((policy.floorHeld ?? []).map((hold) => [hold.key, hold.from]));

function flatten(value: unknown, prefix = "", into = new Map<string, unknown>()): Map<string, unknown> {
  if (isMapping(value)) {
    for (const [key, inner] of Object.entries(value)) flatten(inner, prefix ? `${prefix}.${key}` : key, into);
  } else if (value !== undefined && prefix) {
    into.set(prefix, value);
  }
  return into;
}

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A value as the floor names it (`policy-floor.ts`): `[a, b]` for lists, `(not set)` for none. */
function showValue(value: unknown): string {
  if (value === undefined) return "(not set)";
  if (Array.isArray(value))
    return `[${value.map((v) => (typeof v === "object" && v !== null ? JSON.stringify(v) : String(v))).join(", ")}]`;
  return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}
