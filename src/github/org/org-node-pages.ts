import { fetched, unavailable, type Fetched } from "../../facts/fetched.js";
import { describeGitHubError } from "../../common/describe-error.js";
import type { GqlPage } from "../transport/graphql-pages.js";
import type { RateBudget } from "../transport/rate-budget.js";
import type { GitHubClient } from "../types.js";

/** An error GitHub reports on part of a GraphQL answer; `path` says which field came back null because of it. */
export interface GqlFieldError {
  message: string;
  path?: (string | number)[];
  type?: string;
}

export type GqlOutcome<T> = { ok: true; data: T; errors: GqlFieldError[] } | { ok: false; error: string };

/**
 * One GraphQL query whose answer may be partial: Octokit throws when GitHub reports errors, with the data of every
 * field that did not fail, which is kept (the caller tells which objects the errors touch). A query that brought no
 * data back (HTTP error, deadline) is one failure.
 */
export async function graphqlPartial<T>(octokit: GitHubClient, query: string, variables: Record<string, unknown>): Promise<GqlOutcome<T>> {
  try {
    return { ok: true, data: await octokit.graphql<T>(query, variables), errors: [] };
  } catch (error) {
    const e = error as { name?: string; data?: T | null; errors?: GqlFieldError[] };
    if (e.name === "GraphqlResponseError" && e.data) return { ok: true, data: e.data, errors: e.errors ?? [] };
    return { ok: false, error: describeGitHubError(error) };
  }
}

/** The errors, as one sentence (the same as a GraphQL error of a whole query). */
export const describeFieldErrors = (errors: GqlFieldError[]): string => describeGitHubError({ name: "GraphqlResponseError", errors });

/** The next page of a connection on one object. */
export interface NextPage {
  key: string;
  /** The object's GraphQL id. */
  id: string;
  after: string;
}

export interface NextPagesQuery {
  name: string;
  /** The type of the objects (`Repository`, `Issue`). */
  typeName: string;
  /** The connection, with its selection, reading after the cursor variable given (e.g. `comments(first: 100, after: $a0) {…}`). */
  connection: (afterVariable: string) => string;
  /** Variables every alias shares (e.g. `$appId: Int!`). */
  shared?: { definitions: string; values: Record<string, unknown> };
  perQuery: number;
  /** Estimated GraphQL points of a query of this many aliases. */
  cost: (aliases: number) => number;
}

/**
 * The next page of one connection on many objects, `perQuery` of them per query (as aliases): one request for a
 * batch, not one per object. An object whose page could not be read (gone, an error on it, the query failed) is
 * unavailable, with the reason.
 */
export async function readNextPages<N>(
  octokit: GitHubClient,
  budget: RateBudget,
  pages: NextPage[],
  spec: NextPagesQuery,
): Promise<Map<string, Fetched<GqlPage<N>>>> {
  const read = new Map<string, Fetched<GqlPage<N>>>();
  for (let start = 0; start < pages.length; start += spec.perQuery) {
    const batch = pages.slice(start, start + spec.perQuery);
    const variables: Record<string, unknown> = { ...spec.shared?.values };
    batch.forEach((page, i) => Object.assign(variables, { [`id${i}`]: page.id, [`after${i}`]: page.after }));
    const aliases = batch.map((_, i) => `p${i}: node(id: $id${i}) { ... on ${spec.typeName} { page: ${spec.connection(`$after${i}`)} } }`);
    const definitions = [spec.shared?.definitions, ...batch.map((_, i) => `$id${i}: ID!, $after${i}: String!`)].filter(Boolean).join(", ");
    await budget.spend("graphql", spec.cost(batch.length));
    const outcome = await graphqlPartial<Record<string, { page?: GqlPage<N> } | null>>(
      octokit,
      `query ${spec.name}(${definitions}) {\n  ${aliases.join("\n  ")}\n}`,
      variables,
    );
    batch.forEach((page, i) => {
      if (!outcome.ok) return read.set(page.key, unavailable(outcome.error));
      const alias = `p${i}`;
      const errors = outcome.errors.filter((e) => e.path?.[0] === alias || !aliases.some((_, j) => e.path?.[0] === `p${j}`));
      const node = outcome.data[alias];
      if (errors.length) read.set(page.key, unavailable(describeFieldErrors(errors)));
      else if (!node?.page) read.set(page.key, unavailable("the object is gone"));
      else read.set(page.key, fetched(node.page));
    });
  }
  return read;
}

/**
 * Follows one connection on many objects to its end, a round of `readNextPages` per page: `take` keeps what a page
 * holds and says where the next one starts (undefined: done). Each object ends complete, or unavailable with the reason
 * (a page that could not be read, or more than `maxPages` pages in all, counting the first one read elsewhere).
 */
export async function followPages<N>(
  octokit: GitHubClient,
  budget: RateBudget,
  start: NextPage[],
  spec: NextPagesQuery & {
    maxPages: number;
    what: string;
    take: (key: string, page: GqlPage<N>) => string | undefined;
    onRound?: () => void;
  },
): Promise<Map<string, Fetched<true>>> {
  const done = new Map<string, Fetched<true>>();
  let waiting = start;
  for (let pageNumber = 2; waiting.length; pageNumber++) {
    if (pageNumber > spec.maxPages) {
      for (const { key } of waiting) done.set(key, unavailable(`more than ${spec.maxPages} pages of ${spec.what}`));
      break;
    }
    const read = await readNextPages<N>(octokit, budget, waiting, spec);
    spec.onRound?.();
    const next: NextPage[] = [];
    for (const page of waiting) {
      const answer = read.get(page.key)!;
      const after = answer.ok ? spec.take(page.key, answer.value) : undefined;
      if (!answer.ok) done.set(page.key, unavailable(`${spec.what} page ${pageNumber}: ${answer.error}`));
      else if (after) next.push({ ...page, after });
      else done.set(page.key, fetched(true));
    }
    waiting = next;
  }
  return done;
}
