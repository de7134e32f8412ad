/**
 * Deliveries whose WHOLE handling is "evaluate this pull request from fresh state", whatever the configuration: only
 * `registerPullRequestEvents` listens to them (src/handlers/pull-request-events.ts), its handler reads nothing from
 * the payload but the PR's number and announced head, and `mayChangeAnyResult` says "yes" for every one of them, so
 * a job of one of them always evaluates (a test pins both). Such a delivery, arriving while a job of another one for
 * the same PR waits, adds nothing: the waiting job reads GitHub after the change it announces.
 *
 * Not coalesced, each its own job: `pull_request.closed` (merged-unverified), comments (waivers, replies, refresh),
 * `labeled`/`unlabeled`, an `edited` that did not change the base, and reviews. The last ones are evaluate-only too,
 * but whether they evaluate at all depends on the configuration (a review when no control reads reviews is skipped),
 * so a job of one of them could not stand in for a `synchronize` that joined it.
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
 * The key under which a burst of evaluate-only deliveries for one PR coalesces into one waiting job
 * (`evaluate:<owner>/<repo>#<n>`, from the job's `ordering` key, `orderingKeyOf`), or undefined when the delivery must
 * be a job of its own.
 */
export function coalescingKeyOf(name: string, payload: unknown, ordering: string | undefined): string | undefined {
  const {
    action,
    changes,
    pull_request: pr,
  } = (payload ?? {}) as {
    action?: unknown;
    changes?: { base?: unknown } | null;
    pull_request?: { number?: unknown };
  };
  if (typeof action !== "string" || !COALESCED_EVENTS.includes(`${name}.${action}`)) return undefined;
  if (action === "edited" && !changes?.base) return undefined;
  if (typeof pr?.number !== "number") return undefined;
  return ordering?.endsWith(`#${pr.number}`) ? `evaluate:${ordering}` : undefined;
}
