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
        .reply((uri, body) => {
          let answer;
          try {
            answer = world.handle(method, uri, typeof body === "string" && body ? JSON.parse(body) : body || undefined);
          } catch (error) {
            world.violations.push(`mock failed to answer ${method} ${uri}: ${(error as Error).message}`);
            return [500, JSON.stringify({ message: "mock failure" })];
          }
          return [answer.status, answer.body === undefined ? "" : JSON.stringify(answer.body), { "content-type": "application/json", ...answer.headers }];
        });
      return api;
    },
    /** The requests of one PR evaluation in steady state: config, GraphQL snapshot, rulesets, secret scanning, check-run write. */
    expectEvaluation(owner: string, repo: string, opts: { orgFallback?: boolean; write?: "create" | "update"; base?: string } = {}) {
      api.expect("GET", `/repos/${owner}/${repo}/contents/.github%2Fsdlc-guard.yml`);
      if (opts.orgFallback) api.expect("GET", `/repos/${owner}/.github/contents/.github%2Fsdlc-guard.yml`);
      api.expect("POST", "/graphql");
      api.expect("GET", `/repos/${owner}/${repo}/rules/branches/${opts.base ?? "main"}`);
      api.expect("GET", `/repos/${owner}/${repo}/secret-scanning/alerts`, 2); // provider patterns, then generic ones
      api.expect("GET", `/repos/${owner}/${repo}`); // push protection (security_and_analysis)
      if ((opts.write ?? "create") === "create") api.expect("POST", `/repos/${owner}/${repo}/check-runs`);
      else api.expect("PATCH", `/repos/${owner}/${repo}/check-runs/*`);
      return api;
    },
    /** An evaluation whose PR cannot be read: config and the failed GraphQL query, then a failing run on the announced head. */
    expectUnreadablePullRequest(owner: string, repo: string, headSha: string) {
      return api
        .expect("GET", `/repos/${owner}/${repo}/contents/.github%2Fsdlc-guard.yml`)
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
  const { PULL_REQUEST_QUERY } = await import("../../src/github/pull-request-snapshot.js");
  const { GitHubWorld: World } = await import("../../sim/github-world.js");
  const world = new World();
  const repo = compliantRepo(world);
  const pr = compliantPullRequest(world, repo, 1);
  world.handle("POST", "/app/installations/77/access_tokens", undefined);
  world.handle("GET", "/repos/acme/payments/contents/.github%2Fsdlc-guard.yml", undefined);
  world.handle("POST", "/graphql", { query: PULL_REQUEST_QUERY, variables: { owner: "acme", repo: "payments", number: 1, appId: world.appId } });
  world.handle("GET", "/repos/acme/payments/rules/branches/main", undefined);
  world.handle("GET", "/repos/acme/payments/secret-scanning/alerts?state=open", undefined);
  world.handle("GET", "/repos/acme/payments", undefined);
  world.handle("GET", `/repos/acme/payments/commits/${pr.headSha}/check-runs`, undefined);
  world.handle("POST", "/repos/acme/payments/check-runs", { name: "sdlc-guard", head_sha: pr.headSha, status: "completed", conclusion: "success", output: { title: "t", summary: "s" } });
  if (world.violations.length) throw new Error(world.violations.join("; "));
}
