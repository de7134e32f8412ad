import { schema as publishedSchema } from "@octokit/graphql-schema";
import { buildSchema, execute, parse, validate, type DocumentNode, type ExecutionResult, type GraphQLSchema } from "graphql";

// GitHub's published GraphQL schema: queries are validated against it and answered by executing them over a model,
// so a response can only contain fields GitHub has, with the nullability GitHub declares.
let schema: GraphQLSchema | undefined;

function githubSchema(): GraphQLSchema {
  schema ??= buildSchema(publishedSchema.idl, { assumeValidSDL: true });
  return schema;
}

/**
 * A query text parsed and validated against GitHub's schema, once: the same text always gives the same document and
 * the same verdict (validation against the published schema is most of the simulator's CPU otherwise). Bounded.
 */
const checkedQueries = new Map<string, { document?: DocumentNode; problems: string[] }>();
function checkedQuery(query: string): { document?: DocumentNode; problems: string[] } {
  let checked = checkedQueries.get(query);
  if (!checked) {
    try {
      const document = parse(query);
      checked = { document, problems: validate(githubSchema(), document).map((e) => e.message) };
    } catch (error) {
      checked = { problems: [(error as Error).message] }; // a syntax error, as GitHub reports it
    }
    if (checkedQueries.size >= 500) checkedQueries.clear();
    checkedQueries.set(query, checked);
  }
  return checked;
}

/** Validation errors of a query against GitHub's schema ([] when GitHub would accept it). */
export function queryProblems(query: string): string[] {
  return [...checkedQuery(query).problems];
}

/** Executes a query over a model object (fields may be functions of their arguments), as GitHub would answer it. */
export function executeQuery(
  query: string,
  variables: Record<string, unknown>,
  root: object,
): { data?: unknown; errors?: { message: string; path?: (string | number)[]; type?: string }[] } {
  const { document, problems } = checkedQuery(query);
  if (problems.length || !document) return { errors: problems.map((message) => ({ message })) };
  // The world's resolvers are synchronous: execution completes at once (a promise would be a simulator bug).
  const result = execute({ schema: githubSchema(), document, rootValue: root, variableValues: variables }) as ExecutionResult;
  if (typeof (result as { then?: unknown }).then === "function") throw new Error("the simulator's GraphQL resolvers must be synchronous");
  if (!result.errors) return { data: result.data };
  // As GitHub: each error names the field it happened at (`path`) and, for an id that resolves to nothing, NOT_FOUND.
  const errors = result.errors.map((e) => ({
    message: e.message,
    ...(e.path ? { path: [...e.path] } : {}),
    ...(e.locations ? { locations: e.locations.map(({ line, column }) => ({ line, column })) } : {}),
    ...(e.message.startsWith("Could not resolve to") ? { type: "NOT_FOUND" } : {}),
  }));
  return { data: result.data, errors };
}

/** A GraphQL connection over a list, honouring first/after/last as GitHub does (opaque cursors). */
export function connection<T>(items: T[]) {
  return (args: { first?: number; after?: string; last?: number }) => {
    let start = args.after ? Number(Buffer.from(args.after, "base64").toString().split(":")[1]) + 1 : 0;
    let end = items.length;
    if (args.first !== undefined) end = Math.min(end, start + args.first);
    if (args.last !== undefined) start = Math.max(start, end - args.last);
    const cursor = (i: number) => Buffer.from(`cursor:${i}`).toString("base64");
    const nodes = items.slice(start, end);
    return {
      nodes,
      edges: nodes.map((node, i) => ({ node, cursor: cursor(start + i) })),
      totalCount: items.length,
      pageInfo: {
        hasNextPage: end < items.length,
        hasPreviousPage: start > 0,
        startCursor: nodes.length ? cursor(start) : null,
        endCursor: nodes.length ? cursor(end - 1) : null,
      },
    };
  };
}
