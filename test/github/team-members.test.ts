import { readTeamMembers } from "../../src/github/refs/team-members.js";
import { createStateCache } from "../../src/evaluation/state-cache.js";

type Answer = Record<string, unknown>;
/** A GraphQL client that answers each query with the next scripted answer (or throws it). */
function scripted(...answers: (Answer | Error)[]) {
  const queries: { query: string; variables: unknown }[] = [];
  const octokit = {
    graphql: async (query: string, variables: unknown) => {
      queries.push({ query, variables });
      const next = answers.shift();
      if (!next) throw new Error("unexpected query");
      if (next instanceof Error) throw next;
      return next;
    },
  };
  return { octokit: octokit as never, queries };
}
const page = (logins: string[], next?: string) => ({
  pageInfo: { hasNextPage: !!next, endCursor: next ?? null },
  nodes: logins.map((login) => ({ login })),
});

describe("team membership for reviewer-teams and code owners", () => {
  it("reads several teams in one query, follows member pages, lower-cases logins and caches the result", async () => {
    const cache = createStateCache();
    const { octokit, queries } = scripted(
      { t0: { team: { id: "T1", members: page(["Carol"]) } }, t1: { team: { id: "T2", members: page(["Dave"], "c1") } } },
      { node: { page: page(["Erin"]) } },
    );
    const teams = await readTeamMembers(octokit, ["acme/CTO", "acme/senior-engineers"], cache.teams);

    expect(teams.get("acme/cto")).toEqual({ ok: true, value: new Set(["carol"]) });
    expect(teams.get("acme/senior-engineers")).toEqual({ ok: true, value: new Set(["dave", "erin"]) });
    expect(queries[0]!.variables).toEqual({ org0: "acme", slug0: "cto", org1: "acme", slug1: "senior-engineers" });
    expect(await readTeamMembers(octokit, ["acme/cto"], cache.teams)).toEqual(
      new Map([["acme/cto", { ok: true, value: new Set(["carol"]) }]]),
    );
    expect(queries).toHaveLength(2);
  });

  it("an unknown organisation answered with errors and partial data: the teams GitHub did answer are used", async () => {
    const partial = Object.assign(new Error("Could not resolve to an Organization with the login of 'ghost'."), {
      data: { t0: { team: { id: "T1", members: page(["carol"]) } }, t1: null },
    });
    const { octokit } = scripted(partial);
    const teams = await readTeamMembers(octokit, ["acme/cto", "ghost/cto"]);

    expect(teams.get("acme/cto")?.ok).toBe(true);
    expect(teams.get("ghost/cto")).toEqual({ ok: false, error: expect.stringContaining("team ghost/cto was not found or is not visible") });
  });

  it("a query that fails outright leaves every team unavailable (fail closed), and nothing is cached", async () => {
    const cache = createStateCache();
    const { octokit } = scripted(Object.assign(new Error("Bad gateway"), { status: 502 }));
    const teams = await readTeamMembers(octokit, ["acme/cto"], cache.teams);

    expect(teams.get("acme/cto")).toEqual({ ok: false, error: expect.stringContaining("members of acme/cto: GitHub answered HTTP 502") });
    expect(cache.teams.size).toBe(0);
  });

  it("a member page that fails makes the team unavailable rather than partly read", async () => {
    const { octokit } = scripted({ t0: { team: { id: "T1", members: page(["carol"], "c1") } } }, new Error("timeout"));
    const teams = await readTeamMembers(octokit, ["acme/cto"]);

    expect(teams.get("acme/cto")).toEqual({ ok: false, error: expect.stringContaining("members of acme/cto page 2") });
  });
});
