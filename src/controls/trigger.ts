/**
 * A webhook event that can change a control's result: `event` (every action) or `event.action`. With `changes`, an
 * `edited` event counts only when GitHub's `changes` names one of these keys (e.g. `title`, `body`, `base`).
 */
export type Trigger = string | { readonly event: string; readonly changes: readonly string[] };

/** What an event says about itself: its name, action, and for an `edited` event what changed. */
export interface EventFacts {
  name: string;
  action?: string;
  /** GitHub's `changes` of the payload (keys: what changed); undefined when the payload has none. */
  changes?: Record<string, unknown>;
}

/** What GitHub's `pull_request.edited` can name in `changes`: anything else is unknown, and evaluated (fail safe). */
export const KNOWN_PULL_REQUEST_EDITS: readonly string[] = ["title", "body", "base"];

/**
 * The pull request's own changes that can change any pull-request control: a new head, a reopen, a new base branch.
 * (Draft state is in every report's title: see EVALUATION_TRIGGERS in event-relevance.ts.)
 */
export const PULL_REQUEST_CHANGES: readonly Trigger[] = [
  "pull_request.opened",
  "pull_request.reopened",
  "pull_request.synchronize",
  { event: "pull_request.edited", changes: ["base"] },
];

/** Whether `event` is one `trigger` names. An `edited` whose changes are unknown (absent, or a key not known) matches. */
export function triggerMatches(trigger: Trigger, event: EventFacts): boolean {
  const name = typeof trigger === "string" ? trigger : trigger.event;
  const [triggerEvent, triggerAction] = name.split(".", 2);
  if (triggerEvent !== event.name) return false;
  if (triggerAction === undefined) return true;
  if (triggerAction !== event.action) return false;
  if (typeof trigger === "string") return true;
  const changed = event.changes === undefined ? undefined : Object.keys(event.changes);
  if (changed === undefined || changed.some((key) => !KNOWN_PULL_REQUEST_EDITS.includes(key))) return true;
  return changed.some((key) => trigger.changes.includes(key));
}
