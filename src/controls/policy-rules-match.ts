import { applyFloor, ruleOf, sameValue, type Floor, type FloorHold } from "../config/policy-floor.js";
import type { PolicyRule, RuleCondition } from "../config/policy-rules.js";
import type { SdlcGuardConfig } from "../config/schema.js";
import { inlineCode } from "../common/markdown.js";
import type { Fetched } from "../facts/fetched.js";
import type { OptionalPullRequestFact, TeamMembers } from "../facts/pull-request.js";
import { PULL_REQUEST_CONTROL_IDS, type ControlId, type PullRequestControlId } from "./catalogue.js";
import { matchesCodeOwnersPattern } from "./codeowners.js";
import { cannotEvaluate } from "./finding.js";
import type { ControlResult } from "./results.js";

/** What rule conditions look at: the PR's base, author, labels and changed files, and the teams `authors` names. */
export interface RuleFacts {
  baseRefName: string;
  /** The author's login; null: a deleted account. */
  author: string | null;
  labels: Fetched<string[]> | undefined;
  changedFiles: Fetched<string[]> | undefined;
  /** The new paths of renamed files (their old path is not known): a `paths` condition they do not already match is undecidable. */
  renamedFiles?: string[];
  teams: TeamMembers;
}

/** A rule's answer for one PR: it holds (and why, with the facts), it does not, or it cannot be decided (and why). */
/** The events that can change a rule's answer: labels, the base branch (`edited` with `changes.base`), new commits (files). */
export const RULE_TRIGGERS = ["pull_request.labeled", "pull_request.unlabeled", "pull_request.edited", "pull_request.synchronize"] as const;

export type RuleMatch = { kind: "match"; why: string } | { kind: "no" } | { kind: "unknown"; why: string };

const MAX_SHOWN = 3;
const listSome = (items: string[]): string =>
  items.length > MAX_SHOWN ? `${items.slice(0, MAX_SHOWN).join(", ")} and ${items.length - MAX_SHOWN} more` : items.join(", ");

/** A base-branch pattern matches the whole branch name (`main` is not `x/main`), with the CODEOWNERS glob engine. */
export const matchesBasePattern = (pattern: string, branch: string): boolean =>
  matchesCodeOwnersPattern(pattern.startsWith("/") ? pattern : `/${pattern}`, branch);

/** Whether one condition holds: every condition given must; a false one decides even when another cannot be read. */
export function matchRule(condition: RuleCondition, facts: RuleFacts): RuleMatch {
  const reasons: string[] = [];
  const unknown: string[] = [];
  const check = (answer: RuleMatch): boolean => {
    if (answer.kind === "match") reasons.push(answer.why);
    if (answer.kind === "unknown") unknown.push(answer.why);
    return answer.kind !== "no";
  };
  const holds = [
    !condition.base || check(baseMatch(condition.base, facts.baseRefName)),
    !condition.paths || check(pathsMatch(condition.paths, facts.changedFiles, facts.renamedFiles)),
    !condition.only_paths || check(onlyPathsMatch(condition.only_paths, facts.changedFiles, facts.renamedFiles)),
    !condition.authors || check(authorMatch(condition.authors, facts)),
    !condition.labels || check(labelsMatch(condition.labels, facts.labels)),
  ].every(Boolean);
  if (!holds) return { kind: "no" };
  if (unknown.length) return { kind: "unknown", why: unknown.join("; ") };
  return { kind: "match", why: reasons.join("; ") };
}

function baseMatch(patterns: string[], base: string): RuleMatch {
  return patterns.some((pattern) => matchesBasePattern(pattern, base)) ? { kind: "match", why: `base ${base}` } : { kind: "no" };
}

function pathsMatch(patterns: string[], files: Fetched<string[]> | undefined, renamed: string[] = []): RuleMatch {
  if (!files) return { kind: "unknown", why: "the changed files were not read" };
  if (!files.ok) return { kind: "unknown", why: `the changed files could not be read (${files.error})` };
  const matching = files.value.filter((path) => patterns.some((pattern) => matchesCodeOwnersPattern(pattern, path)));
  if (matching.length) return { kind: "match", why: listSome(matching) };
  // A file moved out of `infra/` is listed only under its new path: whether it came from a matching one is not known.
  if (renamed.length) return { kind: "unknown", why: `a renamed file's old path is not known to GraphQL (${listSome(renamed)})` };
  return { kind: "no" };
}

/** Every changed file matches a glob (a relaxing rule's condition); a renamed file's old path is unknown, so it cannot be decided. */
function onlyPathsMatch(patterns: string[], files: Fetched<string[]> | undefined, renamed: string[] = []): RuleMatch {
  if (!files) return { kind: "unknown", why: "the changed files were not read" };
  if (!files.ok) return { kind: "unknown", why: `the changed files could not be read (${files.error})` };
  const outside = files.value.filter((path) => !patterns.some((pattern) => matchesCodeOwnersPattern(pattern, path)));
  if (outside.length || !files.value.length) return { kind: "no" };
  if (renamed.length) return { kind: "unknown", why: `a renamed file's old path is not known to GraphQL (${listSome(renamed)})` };
  return { kind: "match", why: `only ${listSome(files.value)}` };
}

function authorMatch(entries: string[], facts: RuleFacts): RuleMatch {
  const login = facts.author?.toLowerCase();
  if (!login) return { kind: "no" };
  if (entries.includes(login)) return { kind: "match", why: `author @${login}` };
  const unreadable: string[] = [];
  for (const team of entries.filter((entry) => entry.includes("/"))) {
    const members = facts.teams.get(team);
    if (!members || !members.ok) unreadable.push(`the members of ${team} (${members ? members.error : "not read"})`);
    else if (members.value.has(login)) return { kind: "match", why: `author @${login} (${team})` };
  }
  if (unreadable.length) return { kind: "unknown", why: `could not read ${unreadable.join(", ")}` };
  return { kind: "no" };
}

function labelsMatch(wanted: string[], labels: Fetched<string[]> | undefined): RuleMatch {
  if (!labels) return { kind: "unknown", why: "the labels were not read" };
  if (!labels.ok) return { kind: "unknown", why: `the labels could not be read (${labels.error})` };
  const present = labels.value.filter((label) => wanted.some((w) => w.toLowerCase() === label.toLowerCase()));
  return present.length ? { kind: "match", why: `label ${listSome(present)}` } : { kind: "no" };
}

/** The teams whose members `authors` conditions need (rules and conditional floors). */
export function ruleTeams(config: SdlcGuardConfig): string[] {
  const conditions = [...config.rules.map((rule) => rule.if), ...(config.floor?.rules ?? []).map((rule) => rule.if)];
  return [...new Set(conditions.flatMap((condition) => (condition.authors ?? []).filter((entry) => entry.includes("/"))))];
}

/** What the rules did to one PR's policy. */
export interface RulesApplied {
  config: SdlcGuardConfig;
  /** Rules that held, in order, with why. */
  matched: { name: string; why: string }[];
  /** Rules that could not be decided: the controls they set fail closed. */
  undecided: { name: string; why: string; controls: PullRequestControlId[] }[];
  /** The rules that set each control's settings, and which keys. */
  setBy: Map<ControlId, { name: string; keys: string[] }[]>;
  /** Keys the floor (and its conditional entries) held after the rules. */
  held: FloorHold[];
  /** The org rules that held keys of a control against the repository's rules (an org rule is a minimum), and which keys. */
  heldByRule?: Map<ControlId, { name: string; keys: string[] }[]>;
}

type Controls = Record<string, Record<string, unknown>>;

/**
 * The controls with a rule's keys set: a value replaces the one before, except a "must" list (a key the floor orders
 * as `union`: teams, checks, sections), which the rule adds to, so two matching rules both count.
 */
function withRule(controls: Controls, rule: PolicyRule): Controls {
  const next = { ...controls };
  for (const id of controlsOf(rule)) {
    const section = { ...next[id] };
    for (const [key, value] of Object.entries(rule.controls[id]!)) {
      const before = section[key];
      section[key] =
        ruleOf(id, key) === "union" && Array.isArray(before) && Array.isArray(value)
          ? [...before, ...value.filter((entry) => !before.some((b) => sameValue(b, entry)))]
          : value;
    }
    next[id] = section;
  }
  return next;
}

const controlsOf = (rule: Pick<PolicyRule, "controls">): PullRequestControlId[] =>
  PULL_REQUEST_CONTROL_IDS.filter((id) => rule.controls[id] !== undefined);

/**
 * Applies every matching rule, in order, over the config (already held at the floor), then the floor again with the
 * conditional floor entries that match (and those that cannot be decided: a floor only raises, so that fails safe).
 */
export function applyPolicyRules(config: SdlcGuardConfig, facts: RuleFacts): RulesApplied {
  const matched: RulesApplied["matched"] = [];
  const undecided: RulesApplied["undecided"] = [];
  const setBy: RulesApplied["setBy"] = new Map();
  const orgMatched: PolicyRule[] = [];
  let controls = config.controls as unknown as Controls;
  for (const rule of config.rules as PolicyRule[]) {
    const answer = matchRule(rule.if, facts);
    if (answer.kind === "no") continue;
    if (answer.kind === "unknown") {
      undecided.push({ name: rule.name, why: answer.why, controls: controlsOf(rule) });
      continue;
    }
    matched.push({ name: rule.name, why: answer.why });
    if (rule.origin === "org") orgMatched.push(rule);
    controls = withRule(controls, rule);
    for (const id of controlsOf(rule))
      setBy.set(id, [...(setBy.get(id) ?? []), { name: rule.name, keys: Object.keys(rule.controls[id]!) }]);
  }
  const floor = config.floor as Floor | undefined;
  let ruled = { ...config, controls: controls as unknown as SdlcGuardConfig["controls"] };
  const held: FloorHold[] = [];
  const raise = (bounds: Floor) => {
    const applied = applyFloor(ruled, bounds);
    ruled = applied.config;
    held.push(...applied.held);
  };
  if (floor) raise({ controls: floor.controls, exceptions: floor.exceptions });
  for (const entry of floor?.rules ?? []) if (matchRule(entry.if, facts).kind !== "no") raise({ controls: entry.controls });
  // An org rule is a minimum: a repository rule after it may tighten what it set, never loosen it.
  const heldByRule: NonNullable<RulesApplied["heldByRule"]> = new Map();
  for (const rule of orgMatched) {
    const applied = applyFloor(ruled, { controls: rule.controls });
    ruled = applied.config;
    for (const hold of applied.held) {
      const [, id, key] = hold.key.split(".") as [string, ControlId, string];
      const entries = heldByRule.get(id) ?? [];
      const entry = entries.find((e) => e.name === rule.name);
      if (entry) entry.keys.push(key);
      else heldByRule.set(id, [...entries, { name: rule.name, keys: [key] }]);
    }
  }
  return { config: ruled, matched, undecided, setBy, held, ...(heldByRule.size ? { heldByRule } : {}) };
}

/** Each row a rule set says so; a control an undecided rule sets fails closed with why. */
export function annotateRuleRows(results: ControlResult[], applied: RulesApplied): ControlResult[] {
  return results.map((result) => {
    const blocked = applied.undecided.filter((rule) => rule.controls.includes(result.id as PullRequestControlId));
    if (blocked.length) {
      const { reason, fix } = cannotEvaluate(
        `whether rule ${blocked.map((rule) => inlineCode(rule.name)).join(", ")} applies`,
        blocked.map((rule) => rule.why).join("; "),
      );
      return { ...result, enforcement: "required", outcome: "error", reason, fix, waiver: undefined };
    }
    const named = (rules: { name: string; keys: string[] }[]) =>
      rules.map((rule) => `rule ${inlineCode(rule.name)} (${rule.keys.map((key) => inlineCode(key)).join(", ")})`);
    const rules = applied.setBy.get(result.id);
    const orgHeld = applied.heldByRule?.get(result.id);
    if (!rules?.length && !orgHeld?.length) return result;
    const setBy = rules?.length ? ` Set by ${named(rules).join(", then ")}.` : "";
    const heldBy = orgHeld?.length ? ` Held by org ${named(orgHeld).join(", org ")}: a repository rule cannot go below an org rule.` : "";
    return { ...result, reason: `${result.reason}${setBy}${heldBy}` };
  });
}

/** The policy line's clause: "Rules applied: `name` (why), …" (user text in code spans). */
export function describeMatchedRules(applied: Pick<RulesApplied, "matched" | "undecided">): string {
  const parts = [
    ...(applied.matched.length
      ? [`Rules applied: ${applied.matched.map((rule) => `${inlineCode(rule.name)}: ${inlineCode(rule.why)}`).join(", ")}.`]
      : []),
    ...(applied.undecided.length
      ? [
          `Rules not decidable (their controls fail): ${applied.undecided.map((rule) => `${inlineCode(rule.name)}: ${inlineCode(rule.why)}`).join(", ")}.`,
        ]
      : []),
  ];
  return parts.length ? ` ${parts.join(" ")}` : "";
}

/**
 * The optional facts the rules need: the labels and changed files their conditions read, and the facts of every control
 * a rule or a conditional floor entry could turn on (each alone, and all of them: the snapshot is read before knowing
 * which match).
 */
export function ruleNeeds(config: SdlcGuardConfig, needsOf: (config: SdlcGuardConfig) => ReadonlySet<OptionalPullRequestFact>) {
  const needs = new Set<OptionalPullRequestFact>();
  const conditions = [...config.rules.map((rule) => rule.if), ...(config.floor?.rules ?? []).map((rule) => rule.if)];
  if (conditions.some((condition) => condition.labels)) needs.add("labels");
  if (conditions.some((condition) => condition.paths || condition.only_paths)) needs.add("changedFiles");
  const rules = config.rules as PolicyRule[];
  const withRules = (chosen: PolicyRule[]) => ({
    ...config,
    controls: chosen.reduce(withRule, config.controls as unknown as Controls) as unknown as SdlcGuardConfig["controls"],
  });
  // A conditional floor entry can turn a control on (or add a check, a CODEOWNERS review) for the PRs it matches.
  const floorRules = (config.floor?.rules ?? []) as Floor[];
  const withFloors = (base: SdlcGuardConfig, chosen: Floor[]): SdlcGuardConfig =>
    chosen.reduce<SdlcGuardConfig>((raised, entry) => applyFloor(raised, { controls: entry.controls }).config, base);
  const candidates = [
    ...rules.map((rule) => withRules([rule])),
    withRules(rules),
    ...floorRules.map((entry) => withFloors(config, [entry])),
    withFloors(withRules(rules), floorRules),
  ];
  for (const candidate of candidates) for (const fact of needsOf(candidate)) needs.add(fact);
  return needs;
}
