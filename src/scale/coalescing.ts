/**
 * Deliveries whose WHOLE handling is "evaluate this pull request from fresh state", whatever the configuration: only
 * `registerPullRequestEvents` listens to them (src/handlers/pull-request-events.ts), its handler reads nothing from
 * the payload but the PR's number and announced head, and `mayChangeAnyResult` says "yes" for every one of them, so
 * a job of one of them always evaluates (a test pins both). Such a delivery, arriving while a job of another one for
 * the same PR waits, adds nothing: the waiting job reads GitHub after the change it announces. They HOST: later
 * deliveries of this list or of JOINING_EVENTS for the same PR join their waiting job.
 *
 * Never coalesced, each its own job: `pull_request.closed` (merged-unverified), comments (waivers, replies, refresh),
 * and every event named neither here nor in JOINING_EVENTS.
 */
export const COALESCED_EVENTS: readonly string[] = [
  "pull_request.opened",
  "pull_request.reopened",
  "pull_request.synchronize",
  "pull_request.ready_for_review",
  "pull_request.converted_to_draft",
  // with `changes.base` only (a new base branch: evaluated from scratch)
  "pull_request.edited",
];

/**
 * Deliveries whose whole handling is "evaluate this PR" too, but only when the configuration reads what they change
 * (`canChangePullRequestResult`: a review when no control reads reviews, a label when no rule reads labels, a title
 * edit when nothing reads the title are skipped). They JOIN a waiting job of a COALESCED_EVENTS delivery for the same
 * PR (that job evaluates whatever they are), but never host one: their own job might evaluate nothing.
 */
export const JOINING_EVENTS: readonly string[] = [
  "pull_request.labeled",
  "pull_request.unlabeled",
  "pull_request.edited",
  "pull_request_review.submitted",
  "pull_request_review.edited",
  "pull_request_review.dismissed",
];

/** How a queued delivery may coalesce: it `hosts` (others may join its waiting job) or only `joins` a waiting host. */
export interface Coalescing {
  /** `evaluate:<owner>/<repo>#<n>`: BullMQ's deduplication id of the PR's waiting host job. */
  key: string;
  role: "hosts" | "joins";
}

/**
 * How a delivery coalesces with the others of its pull request (from the job's `ordering` key, `orderingKeyOf`), or
 * undefined when it must be a job of its own.
 */
export function coalescingOf(name: string, payload: unknown, ordering: string | undefined): Coalescing | undefined {
  const {
    action,
    changes,
    pull_request: pr,
  } = (payload ?? {}) as {
    action?: unknown;
    changes?: { base?: unknown } | null;
    pull_request?: { number?: unknown };
  };
  if (typeof action !== "string" || typeof pr?.number !== "number" || !ordering?.endsWith(`#${pr.number}`)) return undefined;
  const event = `${name}.${action}`;
  const key = `evaluate:${ordering}`;
  if (COALESCED_EVENTS.includes(event) && (action !== "edited" || Boolean(changes?.base))) return { key, role: "hosts" };
  return JOINING_EVENTS.includes(event) ? { key, role: "joins" } : undefined;
}
