import nock from "nock";
import type { GitHubWorld } from "../../sim/github-world.js";
import { GITHUB_API, worldsInTest } from "./github-mock.js";

type Method = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

/**
 * Routes every api.github.com request (any number of times) to the world, as GitHub would answer it, for flows of many
 * requests (the org summary) where declaring each one would hide what the test states; the world still validates
 * each request and answer, and the test asserts the requests it cares about from `world.requests`. Each method given
 * must be used at least once (an unused route fails the test, as any unused mock). Returns the requests as
 * `GET /path` or `POST graphql <operation>`.
 */
export function routeToWorld(world: GitHubWorld, methods: readonly Method[] = ["GET", "POST"]): string[] {
  worldsInTest.push(world);
  const log: string[] = [];
  const answer = (method: Method) =>
    function (this: { req: { headers: Record<string, string> } }, uri: string, body: unknown): [number, string, Record<string, string>] {
      const parsed = typeof body === "string" && body ? JSON.parse(body) : body || undefined;
      const operation =
        method === "POST" && uri.startsWith("/graphql")
          ? /(?:query|mutation) (\w+)/.exec((parsed as { query: string }).query)?.[1]
          : undefined;
      log.push(operation ? `POST graphql ${operation}` : `${method} ${uri.split("?")[0]}`);
      const a = world.handle(method, uri, parsed, this.req.headers);
      return [a.status, a.body === undefined ? "" : JSON.stringify(a.body), { "content-type": "application/json", ...a.headers }];
    };
  const scope = nock(GITHUB_API).persist();
  for (const method of methods) scope.intercept(/.*/, method).reply(answer(method));
  return log;
}
