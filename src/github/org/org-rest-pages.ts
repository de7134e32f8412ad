import type { RateBudget } from "../transport/rate-budget.js";
import type { GitHubClient } from "../types.js";

const HAS_NEXT_PAGE = /rel="next"/;

/** A list longer than the caller would read (`maxPages`). */
export class TooManyPagesError extends Error {
  constructor(route: string, maxPages: number) {
    super(`${route} has more than ${maxPages} pages`);
    this.name = "TooManyPagesError";
  }
}

/**
 * Every item of a paginated REST list (`octokit.paginate` follows GitHub's Link header, by page number or cursor),
 * one request of the budget (when there is one) spent before each page. `onPage` hears the running item count; past
 * `maxPages` pages, `TooManyPagesError`.
 */
export async function readAllPages<T>(
  octokit: GitHubClient,
  budget: Pick<RateBudget, "spend"> | undefined,
  route: string,
  parameters: Record<string, unknown>,
  onPage?: (items: number) => void,
  maxPages = Number.POSITIVE_INFINITY,
): Promise<T[]> {
  const items: T[] = [];
  const pages = octokit.paginate.iterator(route, parameters)[Symbol.asyncIterator]() as AsyncIterator<{
    data: T[];
    headers: { link?: string };
  }>;
  for (let read = 0; ;) {
    await budget?.spend("core", 1);
    const page = await pages.next();
    if (page.done) return items;
    items.push(...page.value.data);
    onPage?.(items.length);
    // Asked only when there is one, so that the budget is never spent on a page that does not exist.
    if (!HAS_NEXT_PAGE.test(page.value.headers.link ?? "")) return items;
    if (++read >= maxPages) throw new TooManyPagesError(route, maxPages);
  }
}
