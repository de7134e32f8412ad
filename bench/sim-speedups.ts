import { createRequire } from "node:module";
import type { GitHubWorld, SimRepo } from "../sim/github-world.js";

// The simulator is built for fidelity, not speed, and in the benchmarks it runs on the same two cores as the app:
// its CPU would be charged to the app's figures. Two of its costs grow with nothing the app does, and are removed here
// without changing a single answer. Imported FIRST by the benchmark entry points, before anything of sim/.
// `--sim-uncached` on the command line turns both off (to see the simulator's own cost).
//
// 1. GraphQL validation. Every query is parsed and validated against GitHub's published schema (tens of thousands of
//    lines) twice before it is executed: about 20 ms of CPU per PR query. The same text always parses to the same
//    document and validates to the same errors, so both are memoized; execution over the world is untouched.
//    graphql-js is CommonJS: its modules read `parse` and `validate` from these export objects at call time, and
//    sim/graphql.ts's ESM import binds them when it is first evaluated, i.e. after this module.
// 2. `node(id:)` / `nodes(ids:)`. The world resolves an id by walking every repository, its PRs and their commits,
//    so a `nodes(ids:)` batch of 50 costs 50 × (all repositories × PRs): seconds per query at 5,000 repositories.
//    `speedUpWorld` resolves an id of the form R_<repo id>, PR_<repo id>_<n> or SCR_<repo id>_<sha> with the world's
//    own resolver over that one repository (ids embed the repository's unique id, so no other can match), and falls
//    back to the full walk when that finds nothing.

export const simSpeedups = !process.argv.includes("--sim-uncached");

type Parse = (source: unknown, options?: unknown) => object;
type Validate = (schema: object, document: object, ...rest: unknown[]) => readonly unknown[];

if (simSpeedups) {
  const require = createRequire(import.meta.url);
  const parser = require("graphql/language/parser.js") as { parse: Parse };
  const validation = require("graphql/validation/validate.js") as { validate: Validate };
  const parse = parser.parse;
  const validate = validation.validate;
  const documents = new Map<string, object>();
  const verdicts = new WeakMap<object, WeakMap<object, readonly unknown[]>>();

  parser.parse = (source, options) => {
    if (typeof source !== "string" || options !== undefined) return parse(source, options);
    let document = documents.get(source);
    if (!document) {
      document = parse(source);
      if (documents.size >= 1_000) documents.clear();
      documents.set(source, document);
    }
    return document;
  };
  validation.validate = (schema, document, ...rest) => {
    if (rest.some((r) => r !== undefined)) return validate(schema, document, ...rest);
    let bySchema = verdicts.get(schema);
    if (!bySchema) verdicts.set(schema, (bySchema = new WeakMap()));
    let errors = bySchema.get(document);
    if (!errors) bySchema.set(document, (errors = validate(schema, document)));
    return errors;
  };
}

type NodeResolver = (args: { id: string }) => unknown;
interface WorldInternals {
  repos: SimRepo[];
  graphqlRoot?: () => Record<string, unknown>;
}

/** Applies speed-up 2 to this world (no-op with `--sim-uncached`, or if the world's internals are not as expected). */
export function speedUpWorld(world: GitHubWorld): void {
  const internals = world as unknown as WorldInternals;
  const graphqlRoot = internals.graphqlRoot;
  if (!simSpeedups || typeof graphqlRoot !== "function") return;
  let byId = new Map<number, SimRepo>();
  let indexed = -1;
  const repoOfId = (id: string): SimRepo | undefined => {
    const digits = /^(?:R|PR|SCR)_(\d+)(?:_|$)/.exec(id)?.[1];
    if (!digits) return undefined;
    if (indexed !== internals.repos.length) {
      byId = new Map(internals.repos.map((r) => [r.id, r]));
      indexed = internals.repos.length;
    }
    return byId.get(Number(digits));
  };
  internals.graphqlRoot = function (this: GitHubWorld) {
    const root = graphqlRoot.call(this);
    const node = root.node as NodeResolver | undefined;
    if (typeof node !== "function" || typeof root.nodes !== "function") return root;
    const fastNode: NodeResolver = ({ id }) => {
      const repo = repoOfId(id);
      if (repo) {
        // The world's own resolver, over a one-repository view of the world (everything here is synchronous).
        const all = internals.repos;
        internals.repos = [repo];
        let found: unknown;
        try {
          found = node({ id });
        } finally {
          internals.repos = all;
        }
        if (found !== null && found !== undefined) return found;
      }
      return node({ id });
    };
    return {
      ...root,
      node: fastNode,
      nodes: ({ ids }: { ids: string[] }) => ids.map((id) => fastNode({ id }) ?? new Error(`Could not resolve to a node with the global id of '${id}'`)),
    };
  };
}
