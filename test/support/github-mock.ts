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
    expect(method: "GET" | "POST" | "PATCH", path: string, times = 1) {
      // `*` stands for one path segment (an id the world assigns); everything else is literal.
      const source = path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", "[^/?]+");
      // eslint-disable-next-line no-restricted-syntax -- the test's own literal path, escaped
      const pathOnly = new RegExp(`^${source}(\\?.*)?$`);
      scope
        .intercept(pathOnly, method)
        .times(times)
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
      api.expect("GET", `/repos/${owner}/${repo}/secret-scanning/alerts`);
      if ((opts.write ?? "create") === "create") api.expect("POST", `/repos/${owner}/${repo}/check-runs`);
      else api.expect("PATCH", `/repos/${owner}/${repo}/check-runs/*`);
      return api;
    },
    expectToken(installationId = world.installationId) {
      return api.expect("POST", `/app/installations/${installationId}/access_tokens`);
    },
  };
  return api;
}
