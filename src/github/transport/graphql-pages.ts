import { fetched, unavailable, type Fetched } from "../../facts/fetched.js";
import { describeGitHubError } from "../../common/describe-error.js";
import type { GitHubClient } from "../types.js";

/** One page of a GraphQL connection, as every query of ours selects it. */
export interface GqlPage<N> {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: (N | null)[];
}

const PAGE_INFO = "pageInfo { hasNextPage endCursor }";

/** The selection of a connection's page: its page info and nodes. */
export const pageOf = (selection: string): string => `${PAGE_INFO} nodes { ${selection} }`;

/** The query that reads the next page of `field` on the node `id` (a PullRequest, Team, StatusCheckRollup...). */
export function nextPageQuery(name: string, typeName: string, field: string, selection: string): string {
  return `query ${name}($id: ID!, $after: String!) {
  node(id: $id) { ... on ${typeName} { page: ${field}(first: 100, after: $after) { ${pageOf(selection)} } } }
}`;
}

/**
 * Reads the rest of a connection after its first page, at most `maxPages` pages in all: past that, or when a page
 * cannot be read, the whole list is unavailable (a control never decides on part of a list).
 */
export async function collectPages<N>(
  octokit: GitHubClient,
  first: GqlPage<N>,
  next: { query: string; id: string; maxPages: number; what: string },
): Promise<Fetched<N[]>> {
  const nodes = first.nodes.filter((n): n is N => n !== null);
  let page = first.pageInfo;
  for (let pages = 1; page.hasNextPage; pages++) {
    if (pages >= next.maxPages) return unavailable(`more than ${next.maxPages * 100} ${next.what}`);
    try {
      const more = await octokit.graphql<{ node: { page: GqlPage<N> } | null }>(next.query, { id: next.id, after: page.endCursor });
      if (!more.node) return unavailable(`${next.what} page ${pages + 1}: the object is gone`);
      nodes.push(...more.node.page.nodes.filter((n): n is N => n !== null));
      page = more.node.page.pageInfo;
    } catch (error) {
      return unavailable(`${next.what} page ${pages + 1}: ${describeGitHubError(error)}`);
    }
  }
  return fetched(nodes);
}
