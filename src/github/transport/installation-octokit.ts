import type { Probot } from "probot";
import type { GitHubClient } from "../types.js";

/**
 * An installation's Octokit as the handlers use it.
 *
 * Probot's throttling plugin paces an Octokit's writes AND its GraphQL requests one per second, in one queue keyed by
 * the Octokit's throttling id. `app.auth(installation)` keys it by installation (the webhook's own Octokit has no id:
 * every installation of the process would share one queue). An evaluation is one GraphQL query and one check-run
 * write, so in one queue the write always waited a second behind the query. GitHub asks for a second between
 * mutating requests; a GraphQL *query* mutates nothing. So queries go through a second Octokit of the same
 * installation, throttled under `<installation>:queries`: queries are still paced one per second among themselves,
 * writes among themselves, and an evaluation no longer waits for its own query's slot. The same installation token
 * serves both (Probot's token cache). The queries' Octokit is made on an installation's first query and kept for the
 * next events (it renews its token itself, and holds no per-event state: requests are counted by the event's Octokit).
 */
export async function installationOctokit(app: Probot, installationId: number): Promise<GitHubClient> {
  const octokit = (await app.auth(installationId)) as GitHubClient;
  let queries: Promise<GitHubClient> | undefined;
  // Registered before anything else wraps `request` (hardenRequests, conditional requests): those stay outside it, so
  // a query is counted, bounded in time and rate-limit-checked as any other request.
  octokit.hook.wrap("request", async (request, options) => {
    if (!isGraphqlQuery(options)) return request(options);
    queries ??= keptQueriesOctokit(app, installationId);
    // The whole request, as merged so far (method, url, query, variables, headers, deadline): the other Octokit merges
    // in the same defaults and adds its own throttling, retries and token. Not `request.hook`, this Octokit's hook
    // chain, which would send the request back here.
    const requestOptions: Record<string, unknown> = { ...options.request };
    delete requestOptions.hook;
    return (await queries).request({ ...options, request: requestOptions } as unknown as Parameters<GitHubClient["request"]>[0]);
  });
  return octokit;
}

/** The throttling id of an installation's GraphQL queries. */
export const queriesThrottlingId = (installationId: number) => `${installationId}:queries`;

/** A GraphQL request that only reads: POST …/graphql whose document is not a mutation. */
export function isGraphqlQuery(options: { method?: string; url?: string; query?: unknown; body?: unknown }): boolean {
  if (options.method !== "POST" || !String(options.url ?? "").endsWith("/graphql")) return false;
  const query = options.query ?? (options.body as { query?: unknown } | undefined)?.query;
  return typeof query === "string" && !/^\s*(?:#[^\n]*\n\s*)*mutation\b/.test(query);
}

interface FactoryOptions {
  octokit: GitHubClient;
  octokitOptions: { throttle?: { enabled?: boolean }; auth?: Record<string, unknown> } & Record<string, unknown>;
  [other: string]: unknown;
}

const keptQueries = new WeakMap<Probot, Map<number, Promise<GitHubClient>>>();
/** Installations whose queries' Octokit an app keeps; past this, the least recently made is dropped. */
const KEPT_INSTALLATIONS = 1_000;

/** The installation's queries' Octokit, made once per app (made again if making it failed). */
function keptQueriesOctokit(app: Probot, installationId: number): Promise<GitHubClient> {
  let kept = keptQueries.get(app);
  if (!kept) keptQueries.set(app, (kept = new Map()));
  let octokit = kept.get(installationId);
  if (!octokit) {
    if (kept.size >= KEPT_INSTALLATIONS) kept.delete(kept.keys().next().value!);
    const made = queriesOctokit(app, installationId);
    made.catch(() => {
      if (kept.get(installationId) === made) kept.delete(installationId);
    });
    kept.set(installationId, (octokit = made));
  }
  return octokit;
}

/** As `app.auth(installation)` builds its Octokit (probot's getAuthenticatedOctokit), under the queries' throttling id. */
async function queriesOctokit(app: Probot, installationId: number): Promise<GitHubClient> {
  const appOctokit = (await app.auth()) as GitHubClient;
  return (await appOctokit.auth({
    type: "installation",
    installationId,
    factory: ({ octokit, octokitOptions, ...otherOptions }: FactoryOptions) => {
      const Octokit = octokit.constructor as new (options: Record<string, unknown>) => GitHubClient;
      return new Octokit({
        ...octokitOptions,
        throttle: octokitOptions.throttle?.enabled
          ? { ...octokitOptions.throttle, id: queriesThrottlingId(installationId) }
          : { enabled: false },
        auth: { ...octokitOptions.auth, otherOptions, installationId },
      });
    },
  })) as GitHubClient;
}
