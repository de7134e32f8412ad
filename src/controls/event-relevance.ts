import type { SdlcGuardConfig } from "../config/schema.js";
import { PULL_REQUEST_CONTROLS } from "./catalogue.js";
import { isOn } from "./results.js";
import { PULL_REQUEST_CHANGES, triggerMatches, type EventFacts, type Trigger } from "./trigger.js";

/**
 * Events that change a pull request's report whatever controls are configured: a new head, base or state (evaluated
 * from scratch), the draft state (in the title), and a head shared with another PR.
 */
export const EVALUATION_TRIGGERS: readonly Trigger[] = [
  ...PULL_REQUEST_CHANGES,
  "pull_request.ready_for_review",
  "pull_request.converted_to_draft",
];

/**
 * What a policy rule's conditions read beyond what always triggers an evaluation: its labels. (Its base branch is an
 * `edited` with `changes.base`, its changed files a `synchronize`: both in EVALUATION_TRIGGERS; its author never changes.)
 */
export const RULE_CONDITION_TRIGGERS: readonly Trigger[] = ["pull_request.labeled", "pull_request.unlabeled"];

/** Every trigger some pull-request control or policy rule declares, configured or not: an event none names needs no config either. */
const ANY_CONTROL_TRIGGERS: readonly Trigger[] = [
  ...PULL_REQUEST_CONTROLS.flatMap((control) => control.triggers),
  ...RULE_CONDITION_TRIGGERS,
];

/**
 * The triggers of a pull request evaluation under `config`: the evaluation's own, those of every control that is on,
 * and, when the policy has rules (its own or the floor's), what a rule's conditions read: labels, the base branch, the
 * changed files. A rule can switch any control on, so with rules every control's triggers count, whatever is on now.
 */
export function pullRequestTriggers(config: SdlcGuardConfig): Trigger[] {
  const hasRules = config.rules.length > 0 || (config.floor?.rules?.length ?? 0) > 0;
  const controls = hasRules ? PULL_REQUEST_CONTROLS : PULL_REQUEST_CONTROLS.filter((control) => isOn(control.id, config));
  return [...EVALUATION_TRIGGERS, ...controls.flatMap((c) => c.triggers), ...(hasRules ? RULE_CONDITION_TRIGGERS : [])];
}

/**
 * Whether an event can change a PR's result, before anything is read: "no" only when no trigger of any control (and
 * none of the evaluation's) names it; "maybe" when it depends on the configuration.
 */
export function mayChangeAnyResult(event: EventFacts): "no" | "yes" | "depends on config" {
  if (EVALUATION_TRIGGERS.some((t) => triggerMatches(t, event))) return "yes";
  return ANY_CONTROL_TRIGGERS.some((t) => triggerMatches(t, event)) ? "depends on config" : "no";
}

/** Whether an event can change a PR's result under `config` (undefined: the config could not be used, so yes: fail safe). */
export function canChangeResult(event: EventFacts, config: SdlcGuardConfig | undefined): boolean {
  if (config === undefined) return true;
  return pullRequestTriggers(config).some((t) => triggerMatches(t, event));
}
