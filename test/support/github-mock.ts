import nock from "nock";
import type { GitHubWorld } from "../../sim/github-world.js";

export const GITHUB_API = "https://api.github.com";

/** Worlds used by the running test: the setup file asserts none saw a request GitHub would reject. */
export const worldsInTest: GitHubWorld[] = [];

/**
 * Strict GitHub mocks: each expected request is declared (and must be used), and is answered by the world model,
 * whose answers are validated against GitHub's OpenAPI description / GraphQL schema.
 */
export function mockGitHub(world: GitHubWorld) {
  worldsInTest.push(world);
  const scope = nock(GITHUB_API);
  const api = {
    expect(method: "GET" | "POST" | "PATCH", path: string, times = 1, delayMs = 0) {
      // `*` stands for one path segment (an id the world assigns); everything else is literal.
      const source = path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", "[^/?]+");
      // eslint-disable-next-line no-restricted-syntax -- the test's own literal path, escaped
      const pathOnly = new RegExp(`^${source}(\\?.*)?$`);
      scope
        .intercept(pathOnly, method)
        .times(times)
        .delay(delayMs)
        .reply(function (uri, body) {
          let answer;
          try {
            const headers = this.req.headers as Record<string, string | string[] | undefined>;
            answer = world.handle(method, uri, typeof body === "string" && body ? JSON.parse(body) : body || undefined, headers);
          } catch (error) {
            world.violations.push(`mock failed to answer ${method} ${uri}: ${(error as Error).message}`);
            return [500, JSON.stringify({ message: "mock failure" })];
          }
          return [
            answer.status,
            answer.body === undefined ? "" : JSON.stringify(answer.body),
            { "content-type": "application/json", ...answer.headers },
          ];
        });
      return api;
    },
    /**
     * The policy files of a first load: the repository's, then the organisation's, which every repository inherits
     * (`orgCached`: read by an earlier evaluation in the same app, so only the repository's own).
     */
    expectConfigFiles(owner: string, repo: string, opts: { orgCached?: boolean } = {}) {
      api.expect("GET", `/repos/${owner}/${repo}/contents/.github%2Fsdlc-guard.yml`);
      if (repo !== ".github" && !opts.orgCached) api.expect("GET", `/repos/${owner}/.github/contents/.github%2Fsdlc-guard.yml`);
      return api;
    },
    /** The organisation's two open secret-scanning alert lists (provider patterns, then generic ones), read once per org. */
    expectOrgSecretAlerts(owner: string) {
      return api.expect("GET", `/orgs/${owner}/secret-scanning/alerts`, 2);
    },
    /**
     * The requests of one PR evaluation. First in a repository (nothing cached): config (the repository's file and
     * the org's, read whether or not the repository has one: `orgFallback` is kept for the callers), the GraphQL snapshot,
     * secret-scanning state (the repository's settings, and its alert count from the organisation's two lists), the
     * check-run write. `orgCached`: an earlier evaluation in the same app read the organisation's file and alert lists,
     * so a new repository costs its own file, GraphQL, its settings and the write. `cached`: a later evaluation in the
     * same repository, whose config and secret-scanning state are cached: GraphQL and the write only (`"config"`: only
     * the config is cached, e.g. after an evaluation that stopped before reading secret scanning).
     * `write: "none"`: the run read with the PR already shows the result, so nothing is written.
     */
    expectEvaluation(
      owner: string,
      repo: string,
      opts: { orgFallback?: boolean; write?: "create" | "update" | "none"; cached?: boolean | "config"; orgCached?: boolean } = {},
    ) {
      if (!opts.cached) api.expectConfigFiles(owner, repo, opts);
      api.expect("POST", "/graphql");
      if (opts.cached !== true) {
        api.expect("GET", `/repos/${owner}/${repo}`); // visibility, secret scanning, push protection (security_and_analysis)
        if (!opts.orgCached) api.expectOrgSecretAlerts(owner);
      }
      if ((opts.write ?? "create") === "create") api.expect("POST", `/repos/${owner}/${repo}/check-runs`);
      else if (opts.write === "update") api.expect("PATCH", `/repos/${owner}/${repo}/check-runs/*`);
      return api;
    },
    /** An evaluation whose config cannot be used: config, the GraphQL snapshot (for the head), the failing run. */
    expectConfigError(owner: string, repo: string) {
      return api
        .expect("GET", `/repos/${owner}/${repo}/contents/.github%2Fsdlc-guard.yml`)
        .expect("POST", "/graphql")
        .expect("POST", `/repos/${owner}/${repo}/check-runs`);
    },
    /** An evaluation whose PR cannot be read: config and the failed GraphQL query, then a failing run on the announced head. */
    expectUnreadablePullRequest(owner: string, repo: string, headSha: string) {
      return api
        .expectConfigFiles(owner, repo)
        .expect("POST", "/graphql")
        .expect("GET", `/repos/${owner}/${repo}/commits/${headSha}/check-runs`)
        .expect("POST", `/repos/${owner}/${repo}/check-runs`);
    },
    expectToken(installationId = world.installationId) {
      return api.expect("POST", `/app/installations/${installationId}/access_tokens`);
    },
  };
  return api;
}

/**
 * Compiles the GraphQL schema and every OpenAPI validator an evaluation uses, without HTTP, so a test that
 * measures a deadline measures the endpoint it slows down and not the mock's first-use cost.
 */
export async function warmUpGitHubModel(): Promise<void> {
  const { compliantPullRequest, compliantRepo } = await import("../../sim/scenarios.js");
  const { PULL_REQUEST_QUERY } = await import("../../src/github/refs/pull-request-snapshot.js");
  const { GitHubWorld: World } = await import("../../sim/github-world.js");
  const world = new World();
  const repo = compliantRepo(world);
  const pr = compliantPullRequest(world, repo, 1);
  world.handle("POST", "/app/installations/77/access_tokens", undefined);
  world.handle("GET", "/repos/acme/payments/contents/.github%2Fsdlc-guard.yml", undefined);
  world.handle("POST", "/graphql", {
    query: PULL_REQUEST_QUERY,
    variables: {
      owner: "acme",
      repo: "payments",
      number: 1,
      appId: world.appId,
      withFiles: true,
      withCommits: true,
      withChecks: true,
      withCodeOwners: true,
    },
  });
  world.handle("GET", "/repos/acme/payments/secret-scanning/alerts?state=open", undefined);
  world.handle("GET", "/orgs/acme/secret-scanning/alerts?state=open", undefined);
  world.handle("GET", "/repos/acme/payments", undefined);
  world.handle("GET", `/repos/acme/payments/commits/${pr.headSha}/check-runs`, undefined);
  world.handle("POST", "/repos/acme/payments/check-runs", {
    name: "sdlc-guard",
    head_sha: pr.headSha,
    status: "completed",
    conclusion: "success",
    output: { title: "t", summary: "s" },
  });
  if (world.violations.length) throw new Error(world.violations.join("; "));
}
