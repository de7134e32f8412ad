import { z } from "zod";
import { CATALOGUE } from "../controls/catalogue.js";
import type { FloorRule } from "./schema-parts.js";
import { ruleConditionSchema, type RuleCondition } from "./policy-rules.js";

export type { FloorRule };

const ENFORCEMENT_ORDER = ["off", "advisory", "required"] as const;

/** The floor rule of each key of `exceptions` (each control declares its own in its descriptor). */
const EXCEPTIONS_FLOOR: Record<string, FloorRule> = {
  approvers: "within",
  min_justification_length: "max",
  non_waivable: "union",
  expires_after_days: "min",
  max_expires_after_days: "min",
  keep_on_new_commits: "within",
};

/** The rule of each key a floor may hold; keys not listed (e.g. `report`) have no stricter value and are refused. */
const RULES: Record<string, Record<string, FloorRule>> = {
  ...Object.fromEntries(CATALOGUE.map((control) => [control.id, (control.floor ?? {}) as Record<string, FloorRule>])),
  exceptions: EXCEPTIONS_FLOOR,
};

const RULE_TEXT: Record<FloorRule, string> = {
  "at-least": "a repository may raise it (off < advisory < required), never lower it",
  max: "a repository's lower value is held at the floor",
  min: "a repository's higher value is held at the floor",
  true: "when true, a repository cannot set it to false",
  false: "when false, a repository cannot set it to true",
  union: "these entries are always in the list; a repository may add more",
  narrow: "a repository may keep only some of these entries, never add others",
  within: "a repository may keep only some of these entries (or none), never add others",
  "all-or-union": "these entries are always in the list (an empty list, meaning all, stays all)",
  fixed: "the floor's value applies; a repository cannot change it",
};

/** How the floor orders a key of a section (`exceptions` or a control id); undefined: it has no stricter value. */
export function ruleOf(section: string, key: string): FloorRule | undefined {
  return key === "enforcement" && section !== "exceptions" ? "at-least" : RULES[section]?.[key];
}

/** A schema field without its default or optional wrapper: in a floor, a key is either set or not there. */
function bare(field: z.ZodType): z.ZodType {
  const def = (field as unknown as { _zod: { def: { type: string; innerType?: z.ZodType } } })._zod.def;
  return (def.type === "default" || def.type === "optional" || def.type === "prefault") && def.innerType ? bare(def.innerType) : field;
}

/** A section of the floor: the keys of `section` that have an order, optional; the others refused with why. */
function floorSection(name: string, schema: z.ZodType): z.ZodType {
  const shape = (bare(schema) as z.ZodObject).shape as Record<string, z.ZodType>;
  const fields = Object.fromEntries(
    Object.entries(shape).map(([key, field]) => {
      const rule = ruleOf(name, key);
      if (!rule) {
        const why = `\`${key}\` has no stricter value, so it cannot be in the floor: set it under \`${name === "exceptions" ? "exceptions" : `controls.${name}`}\` of the org file instead`;
        return [key, z.never({ error: why }).optional().describe(`Not allowed in the floor: ${why}.`)];
      }
      return [
        key,
        bare(field)
          .optional()
          .describe(`Floor: ${RULE_TEXT[rule]}. ${field.description ?? ""}`.trim()),
      ];
    }),
  );
  return z.strictObject(fields).optional().describe(`The floor of \`${name}\`: minimums no repository may lower.`);
}

/** The `floor:` section of the organisation's file, built from the sections it bounds (so a new key is never forgotten). */
export function floorSchemaOf(controls: z.ZodObject, exceptions: z.ZodType) {
  const controlFloors = Object.fromEntries(
    Object.entries(controls.shape as Record<string, z.ZodType>).map(([id, schema]) => [id, floorSection(id, schema)]),
  );
  return z
    .strictObject({
      controls: z.strictObject(controlFloors).optional().describe("Per-control minimums, keyed by control id (same keys as `controls`)."),
      exceptions: floorSection("exceptions", exceptions),
      rules: z
        .array(
          z
            .strictObject({
              name: z.string().trim().min(1).max(100).describe("What the minimum is for, shown on the check run when it holds a value."),
              if: ruleConditionSchema,
              controls: z.strictObject(controlFloors).describe("Per-control minimums for the pull requests `if` matches."),
            })
            .describe("A floor that holds only for the pull requests its `if` matches (after every rule)."),
        )
        .max(50)
        .optional()
        .describe(
          "Conditional minimums: each holds, after the rules, for the pull requests its `if` matches (same conditions as `rules`).",
        ),
    })
    .describe(
      "Only in the organisation's `.github` repository: minimums no repository may lower. A repository value below the floor is held at the floor, and the check run says so.",
    );
}

/** A key the floor held: the repository (or org) config asked for `from`, the floor made it `to`. */
export interface FloorHold {
  key: string;
  from: string;
  to: string;
}

type Section = Record<string, unknown>;
/** A parsed `floor:` (its schema is built at run time, so its type is loose here). */
export type Floor = {
  controls?: Record<string, unknown>;
  exceptions?: unknown;
  rules?: { name: string; if: RuleCondition; controls: Record<string, unknown> }[];
};

/**
 * The config with every key the floor bounds raised to the floor, and which keys were held (from what to what).
 * Pure: `floor` is the parsed `floor:` section of the org file.
 */
export function applyFloor<C extends { controls: object; exceptions: object }>(
  config: C,
  floor: Floor | undefined,
): { config: C; held: FloorHold[] } {
  if (!floor) return { config, held: [] };
  const held: FloorHold[] = [];
  const controls = { ...(config.controls as Record<string, Section>) };
  for (const [id, bounds] of Object.entries(floor.controls ?? {})) {
    if (bounds && controls[id]) controls[id] = raiseSection(`controls.${id}`, id, controls[id], bounds as Section, held);
  }
  const exceptions = floor.exceptions
    ? raiseSection("exceptions", "exceptions", config.exceptions as Section, floor.exceptions as Section, held)
    : config.exceptions;
  return { config: { ...config, controls, exceptions }, held };
}

function raiseSection(path: string, name: string, current: Section, bounds: Section, held: FloorHold[]): Section {
  const raised = { ...current };
  for (const [key, bound] of Object.entries(bounds)) {
    const rule = ruleOf(name, key);
    if (bound === undefined || !rule) continue;
    const value = raiseValue(rule, current[key], bound);
    if (!sameValue(value, current[key])) held.push({ key: `${path}.${key}`, from: showSetting(current[key]), to: showSetting(value) });
    raised[key] = value;
  }
  return raised;
}

/** The effective value of one key under its floor `bound`. */
export function raiseValue(rule: FloorRule, value: unknown, bound: unknown): unknown {
  const list = (v: unknown) => (Array.isArray(v) ? (v as unknown[]) : []);
  switch (rule) {
    case "at-least": {
      const rank = (v: unknown) => ENFORCEMENT_ORDER.indexOf(v as (typeof ENFORCEMENT_ORDER)[number]);
      return rank(value) >= rank(bound) ? value : bound;
    }
    case "max":
      return typeof value === "number" && value >= (bound as number) ? value : bound;
    case "min":
      return typeof value === "number" && value <= (bound as number) ? value : bound;
    case "true":
      return bound === true ? true : value;
    case "false":
      return bound === false ? false : value;
    case "union":
      return [...list(value), ...list(bound).filter((entry) => !list(value).some((v) => sameValue(v, entry)))];
    case "narrow": {
      const kept = list(value).filter((entry) => list(bound).some((b) => sameValue(b, entry)));
      return kept.length ? kept : bound;
    }
    case "within":
      return list(value).filter((entry) => list(bound).some((b) => sameValue(b, entry)));
    case "all-or-union":
      // Empty means all: a floor of all cannot be narrowed, and a repository's all stays all.
      if (list(bound).length === 0) return bound;
      return list(value).length === 0 ? value : raiseValue("union", value, bound);
    case "fixed":
      return bound;
  }
}

export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function showSetting(value: unknown): string {
  if (value === undefined) return "(not set)";
  if (Array.isArray(value)) return `[${value.join(", ")}]`;
  return String(value);
}

/** `controls.reviews.min_approvals` 1 → 2: how the check run's policy line names a held key (user text in code spans by the caller). */
export function describeHold({ key, from, to }: FloorHold): string {
  return `${key} ${from} → ${to}`;
}
