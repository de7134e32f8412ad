import { unannouncedTags, type RecentTag } from "../controls/unannounced-tags.js";
import type { EvaluationDeps } from "./evaluate-pull-request.js";

/** Who created a tag GitHub sent no event for: the push that carried it is not known. */
export const UNANNOUNCED_ACTOR = "unknown (a push of more than three tags: GitHub sent no event)";

/**
 * Evaluates the recent tags GitHub announced no event for (more than three tags pushed at once), one after the other,
 * after the evaluation that read them (outside its repository lock). A tag that fails to evaluate is logged and stays
 * unevaluated: the repository's next push, tag or release event finds it again.
 */
export async function catchUpUnannouncedTags(
  deps: Pick<EvaluationDeps, "log">,
  where: { owner: string; repo: string },
  recent: RecentTag[] | undefined,
  current: string | undefined,
  evaluate: (tag: string) => Promise<unknown>,
): Promise<string[]> {
  if (!recent) return [];
  const tags = unannouncedTags(recent, current);
  if (!tags.length) return [];
  deps.log.info({ ...where, tags }, "evaluating tags GitHub sent no event for");
  for (const tag of tags) {
    try {
      await evaluate(tag);
    } catch (error) {
      deps.log.error(
        { ...where, tag, err: error instanceof Error ? error.message : String(error) },
        "could not evaluate a tag GitHub sent no event for; the next event retries",
      );
    }
  }
  return tags;
}
