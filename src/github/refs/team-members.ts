import { fetched, unavailable, type Fetched } from "../../facts/fetched.js";
import { type TeamMembers } from "../../facts/pull-request.js";
import type { TtlCache } from "../../common/ttl-cache.js";
import { describeGitHubError } from "../../common/describe-error.js";
import { collectPages, nextPageQuery, pageOf, type GqlPage } from "../transport/graphql-pages.js";
import type { GitHubClient } from "../types.js";

/** Team pages read at most (100 members each). */
const MAX_MEMBER_PAGES = 20;

export const MORE_TEAM_MEMBERS_QUERY = nextPageQuery("SdlcGuardMoreTeamMembers", "Team", "members", "login");

/** One query for several teams: `t0`, `t1`... aliases, organisation and slug passed as variables. */
export function teamsQuery(count: number): string {
  const indexes = Array.from({ length: count }, (_, i) => i);
  const variables = indexes.map((i) => `$org${i}: String!, $slug${i}: String!`).join(", ");
  const fields = indexes.map(
    (i) => `  t${i}: organization(login: $org${i}) { team(slug: $slug${i}) { id members(first: 100) { ${pageOf("login")} } } }`,
  );
  return `query SdlcGuardTeams(${variables}) {\n${fields.join("\n")}\n}`;
}

type GqlTeam = { id: string; members: GqlPage<{ login: string }> } | null;

/**
 * Members (lower-case logins, child teams included, as GitHub counts them for reviews) of each `org/slug` team.
 * Cached per team until a `membership`/`team` event or the TTL; teams not in the cache are read in one GraphQL query.
 * A team that does not exist, or that the app cannot see (it needs Members: read), is unavailable, never empty.
 */
export async function readTeamMembers(
  octokit: GitHubClient,
  teams: readonly string[],
  cache?: TtlCache<ReadonlySet<string>>,
): Promise<TeamMembers> {
  const result = new Map<string, Fetched<ReadonlySet<string>>>();
  const missing: string[] = [];
  for (const team of new Set(teams.map((t) => t.toLowerCase()))) {
    const cached = cache?.get(team);
    if (cached) result.set(team, fetched(cached));
    else missing.push(team);
  }
  if (!missing.length) return result;
  const readAt = cache?.generation;
  const variables: Record<string, string> = {};
  missing.forEach((team, i) => {
    const [org, slug] = team.split("/");
    variables[`org${i}`] = org!;
    variables[`slug${i}`] = slug!;
  });
  let data: Record<string, { team: GqlTeam } | null>;
  try {
    data = await octokit.graphql<Record<string, { team: GqlTeam } | null>>(teamsQuery(missing.length), variables);
  } catch (error) {
    // GitHub answers a query with an unknown organisation with errors and partial data: use what it did answer.
    const partial = (error as { data?: Record<string, { team: GqlTeam } | null> }).data;
    if (!partial) {
      for (const team of missing) result.set(team, unavailable(`members of ${team}: ${describeGitHubError(error)}`));
      return result;
    }
    data = partial;
  }
  await Promise.all(
    missing.map(async (team, i) => {
      const node = data[`t${i}`]?.team;
      if (!node) {
        result.set(team, unavailable(`team ${team} was not found or is not visible to the app (it needs the Members: read permission)`));
        return;
      }
      const members = await collectPages(octokit, node.members, {
        query: MORE_TEAM_MEMBERS_QUERY,
        id: node.id,
        maxPages: MAX_MEMBER_PAGES,
        what: `members of ${team}`,
      });
      if (!members.ok) {
        result.set(team, members);
        return;
      }
      const logins: ReadonlySet<string> = new Set(members.value.map((m) => m.login.toLowerCase()));
      cache?.set(team, logins, [team, `org:${team.split("/")[0]}`], readAt);
      result.set(team, fetched(logins));
    }),
  );
  return result;
}
