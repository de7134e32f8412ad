/** A recent tag of a repository: its commit, and whether our run on that commit holds a tag or release evaluation. */
export interface RecentTag {
  name: string;
  commitSha: string;
  /** `undefined`: GitHub could not say (more suites than read), so the tag is neither counted nor re-evaluated. */
  evaluated: boolean | undefined;
}

/** The latest tags read in one page, newest first; `olderCursor` when GitHub has older tags than these. */
export interface RecentTagWindow {
  tags: RecentTag[];
  olderCursor?: string;
}

/** Whether the tags read so far reach a tag our runs show evaluated (the point the catch-up stops at). */
export const reachesEvaluatedTag = (tags: readonly RecentTag[], current?: string): boolean =>
  tags.some((tag) => tag.name !== current && tag.evaluated === true);

/**
 * The tags GitHub announced no event for (it sends no `push` or `create` for a push of more than three tags): among
 * the recent tags, newest first, those not evaluated that are newer than the newest evaluated one (`current`, the
 * tag being evaluated now, is left out). With no evaluated tag to compare with, none: tags from before the app's
 * first tag evaluation are not evaluated retroactively.
 */
export function unannouncedTags(recent: readonly RecentTag[], current?: string): string[] {
  const pending: string[] = [];
  for (const tag of recent) {
    if (tag.name === current) continue;
    if (tag.evaluated === true) return pending;
    if (tag.evaluated === false) pending.push(tag.name);
  }
  return [];
}
