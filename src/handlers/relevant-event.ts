import type { Context } from "probot";
import { canChangeResult, mayChangeAnyResult } from "../controls/event-relevance.js";
import type { EventFacts } from "../controls/trigger.js";
import { repositoryKey } from "../github/types.js";
import type { HandlerDeps } from "./app-options.js";
import { repoOf } from "./evaluate-from-event.js";

/** The event as the triggers read it: name, action, and what an `edited` changed. */
export function eventFactsOf(context: Context): EventFacts {
  const payload = context.payload as { action?: string; changes?: Record<string, unknown> };
  return { name: context.name, action: payload.action, changes: payload.changes };
}

/**
 * Whether an event can change the result of a PR evaluation under the repository's policy. An event that no control
 * names costs nothing; one that depends on which controls are on is decided by the CACHED config only (never a read of
 * its own: the evaluation would read it again); a config not cached, or that cannot be used, means yes: an event is
 * skipped only when it certainly cannot change a result.
 */
export async function canChangePullRequestResult(context: Context, options: HandlerDeps): Promise<boolean> {
  const event = eventFactsOf(context);
  const answer = mayChangeAnyResult(event);
  if (answer !== "depends on config") return answer === "yes";
  const { owner, repo } = repoOf(context);
  const loaded = options.memory.cache.config.get(repositoryKey(owner, repo));
  const relevant = canChangeResult(event, loaded?.ok ? loaded.config : undefined);
  if (!relevant)
    context.log.debug(
      { owner, repo, event: `${event.name}.${event.action ?? ""}` },
      "no configured control reads what this event changed: not evaluated",
    );
  return relevant;
}
