import type { GitHubWorld, SimRepo } from "../sim/github-world.js";

// The simulator is built for fidelity, not speed, and in the benchmarks it runs on the same two cores as the app:
// its CPU would be charged to the app's figures. (It parses and validates each distinct GraphQL query text once and
// remembers which OpenAPI operation a path is, in sim/ itself.) One more of its costs grows with nothing the app
// does, and is removed here without changing a single answer; `--sim-uncached` on the command line keeps it.
//
// `node(id:)` / `nodes(ids:)`. The world resolves an id by walking every repository, its PRs and their commits,
// so a `nodes(ids:)` batch of 50 costs 50 × (all repositories × PRs): seconds per query at 5,000 repositories.
// `speedUpWorld` resolves an id of the form R_<repo id>, PR_<repo id>_<n> or SCR_<repo id>_<sha> with the world's
// own resolver over that one repository (ids embed the repository's unique id, so no other can match), and falls
// back to the full walk when that finds nothing.

export const simSpeedups = !process.argv.includes("--sim-uncached");

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
      nodes: ({ ids }: { ids: string[] }) =>
        ids.map((id) => fastNode({ id }) ?? new Error(`Could not resolve to a node with the global id of '${id}'`)),
    };
  };
}
