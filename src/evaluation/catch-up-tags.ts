import { reachesEvaluatedTag, unannouncedTags, type RecentTag, type RecentTagWindow } from "../controls/unannounced-tags.js";
import { describeGitHubError } from "../common/describe-error.js";
import { OLDER_TAG_PAGES, OLDER_TAGS_PAGE, readOlderTags } from "../github/refs/recent-tags.js";
import type { EvaluationDeps } from "./evaluate-pull-request.js";

/** Who created a tag GitHub sent no event for: the push that carried it is not known. */
export const UNANNOUNCED_ACTOR = "unknown (a push of more than three tags: GitHub sent no event)";

/**
 * Evaluates the recent tags GitHub announced no event for (more than three tags pushed at once), one after the other,
 * after the evaluation that read them (outside its repository lock). When none of the tags read with the evaluation was
 * evaluated and GitHub has older ones (a batch bigger than that window), older pages are read until a tag our runs show
 * evaluated is reached, up to {@link OLDER_TAG_PAGES} pages: a batch of any size up to that is caught up at once. Past
 * them, or with no evaluated tag at all (tags from before the app's first tag evaluation), nothing is, and a warning says
 * so. A tag that fails to evaluate is logged and stays unevaluated: the repository's next push, tag or release event
 * finds it again.
 */
export async function catchUpUnannouncedTags(
  deps: Pick<EvaluationDeps, "log" | "octokit" | "appId" | "memory">,
  where: { owner: string; repo: string },
  recent: RecentTagWindow | undefined,
  current: string | undefined,
  evaluate: (tag: string) => Promise<unknown>,
): Promise<string[]> {
  if (!recent) return [];
  const read = await readBackToAnEvaluatedTag(deps, where, recent, current);
  if (!read) return [];
  const tags = unannouncedTags(read, current);
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

/**
 * The tags from the newest back to the first evaluated one (or all there are); undefined when the older ones cannot be
 * read, or when reading them would find nothing new: a repository whose tags all predate the app (none evaluated) would
 * otherwise pay the read-back on every push, so its result is remembered until a newer tag appears.
 */
async function readBackToAnEvaluatedTag(
  deps: Pick<EvaluationDeps, "log" | "octokit" | "appId" | "memory">,
  where: { owner: string; repo: string },
  recent: RecentTagWindow,
  current: string | undefined,
): Promise<RecentTag[] | undefined> {
  const tags = [...recent.tags];
  let older = recent.olderCursor;
  if (!older || reachesEvaluatedTag(tags, current)) return tags;
  const appId = deps.appId;
  if (appId === undefined) return undefined; // our runs cannot be told apart: nothing to compare with
  const noneEvaluatedKey = `${where.owner}/${where.repo}:read back to no evaluated tag`.toLowerCase();
  const newest = tags[0]?.name ?? "";
  if (deps.memory.recentTags.get(noneEvaluatedKey) === newest) return undefined;
  for (let page = 0; older && !reachesEvaluatedTag(tags, current); page++) {
    if (page === OLDER_TAG_PAGES) {
      deps.log.warn(
        { ...where, tags_read: tags.length },
        `none of the latest ${tags.length} tags was evaluated: tags GitHub sent no event for are not caught up past ${OLDER_TAG_PAGES} pages of ${OLDER_TAGS_PAGE}`,
      );
      break;
    }
    try {
      const window = await readOlderTags(deps.octokit, where, older, appId);
      tags.push(...window.tags);
      older = window.olderCursor;
    } catch (error) {
      deps.log.error({ ...where, err: describeGitHubError(error) }, "could not read older tags; the next event retries the catch-up");
      return undefined;
    }
  }
  if (!reachesEvaluatedTag(tags, current)) deps.memory.recentTags.set(noneEvaluatedKey, newest);
  return tags;
}
