import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import { Octokit } from "@octokit/core";
import { restEndpointMethods } from "@octokit/plugin-rest-endpoint-methods";
import { PERMISSION_USES, permissionProblems } from "../src/github/permissions/app-permissions.js";
import { renderPermissionsDoc } from "../src/github/permissions/render-permissions.js";

type Manifest = { default_permissions: Record<string, string>; default_events: string[] };
const manifest = load(readFileSync("app.yml", "utf8")) as Manifest;
const openapi = JSON.parse(readFileSync("node_modules/@octokit/openapi/generated/api.github.com.json", "utf8")) as {
  paths: Record<string, Record<string, unknown>>;
};
// Octokit's own map from `octokit.rest.<scope>.<method>` to its route.
const restMethods = restEndpointMethods(new Octokit()).rest as unknown as Record<
  string,
  Record<string, { endpoint: { DEFAULTS: { method: string; url: string } } }>
>;
const routeOf = (scope: string, method: string) => {
  const { DEFAULTS } = restMethods[scope]![method]!.endpoint;
  return `${DEFAULTS.method} ${DEFAULTS.url}`;
};

// Route-shaped strings in src that are not GitHub API calls: the app's own endpoints, Jira, a comment's shorthand.
const NOT_GITHUB = new Set([
  "GET /health",
  "GET /ready",
  "GET /metrics",
  "GET /rest/api/3/issue/{key}?fields=status",
  "GET /repos/{o}/{r}/git/tags/{sha}",
]);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** Every REST route and GraphQL operation the app and the CLI call, read from the code. */
function callsInCode(): { rest: Set<string>; graphql: Set<string> } {
  const rest = new Set<string>();
  const graphql = new Set<string>();
  for (const file of sources("src")) {
    const text = readFileSync(file, "utf8");
    for (const [, scope, method] of text.matchAll(/\.rest\.(\w+)\.(\w+)/g)) rest.add(routeOf(scope!, method!));
    // A route template has no space after its path and no `${...}` (those are texts naming a request that was made).
    for (const [, route] of text.matchAll(/["`]((?:GET|POST|PATCH|PUT|DELETE) \/[^"`\s]*)["`]/g))
      if (!NOT_GITHUB.has(route!) && !route!.includes("${")) rest.add(route!);
    for (const [, name] of text.matchAll(/(?:query |name: "|nextPageQuery\(")(SdlcGuard\w+)/g)) graphql.add(name!);
  }
  return { rest, graphql };
}

const names = (kind: string) => PERMISSION_USES.filter((u) => u.kind === kind).map((u) => u.name);

describe("permissions: every call and event mapped to the permission GitHub documents, and app.yml grants exactly that", () => {
  const { rest, graphql } = callsInCode();

  it("every REST route the code calls is in the table, and the table lists no route the code no longer calls", () => {
    expect(rest.size).toBeGreaterThan(30);
    expect([...rest].sort()).toEqual([...names("REST")].sort());
  });

  it("every REST route in the table is one of GitHub's published operations", () => {
    // POST /graphql is GitHub's GraphQL endpoint (not in the REST description); its documents are checked below.
    for (const route of names("REST").filter((name) => name !== "POST /graphql")) {
      const [method, path] = route.split(" ");
      expect({ route, known: openapi.paths[path!]?.[method!.toLowerCase()] !== undefined }).toEqual({ route, known: true });
    }
  });

  it("every GraphQL document the code sends is in the table, and no other", () => {
    expect(graphql.size).toBeGreaterThan(20);
    expect([...graphql].sort()).toEqual([...names("GraphQL")].sort());
  });

  it("app.yml grants every required permission at the access the table says, asks nothing more, and subscribes to exactly the table's events", () => {
    expect(permissionProblems(manifest)).toEqual([]);
  });

  it("a manifest granting less than a route needs is caught (pull_requests: read where waiver replies need write)", () => {
    const lowered = { ...manifest, default_permissions: { ...manifest.default_permissions, pull_requests: "read" } };
    expect(permissionProblems(lowered)).toContain(
      "REST POST /repos/{owner}/{repo}/issues/{issue_number}/comments needs pull_requests: write; app.yml grants read",
    );
  });

  it("a manifest asking more than the code needs, or an event the table does not list, is caught", () => {
    const wider = {
      default_permissions: { ...manifest.default_permissions, contents: "write" },
      default_events: [...manifest.default_events, "fork"],
    };
    expect(permissionProblems(wider)).toEqual([
      "app.yml asks contents: write; the code needs read",
      "app.yml subscribes to fork, which the table does not list",
    ]);
  });

  it("code security configurations stay optional: app.yml keeps organisation administration at read", () => {
    expect(manifest.default_permissions.organization_administration).toBe("read");
    const optional = PERMISSION_USES.filter((u) => u.optional).map((u) => [u.name, u.needs]);
    expect(optional).toEqual([
      ["GET /orgs/{org}/code-security/configurations", [{ permission: "organization_administration", access: "write" }]],
      [
        "GET /orgs/{org}/code-security/configurations/{configuration_id}/repositories",
        [{ permission: "organization_administration", access: "write" }],
      ],
    ]);
  });

  it("docs/permissions.md is up to date (run `npm run permissions`)", () => {
    expect(readFileSync("docs/permissions.md", "utf8")).toEqual(renderPermissionsDoc());
  });

  it("app.yml's comments link the generated table", () => {
    expect(readFileSync("app.yml", "utf8")).toContain("docs/permissions.md");
  });
});
