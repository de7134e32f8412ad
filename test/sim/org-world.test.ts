import { GitHubWorld, rulesetRule, strictClassicRule, type SimRepo } from "../../sim/github-world.js";
import { APP_AUTHOR } from "../../sim/issue-tracker.js";
import { DEFAULT_RATE_RESET } from "../../sim/rate-limit.js";
import { worldsInTest } from "../support/github-mock.js";

type Json = Record<string, unknown>;
type Repo = {
  name: string;
  full_name: string;
  node_id: string;
  archived: boolean;
  visibility: string;
  pushed_at: string | null;
  default_branch: string;
  html_url: string;
  security_and_analysis?: Json;
};

function setup() {
  const world = new GitHubWorld();
  worldsInTest.push(world); // the setup asserts after each test that every answer matched GitHub's description
  const call = (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
    world.handle(method, url, body, headers);
  const get = (url: string) => call("GET", url);
  return { world, call, get };
}

/** The path and query of a `link` header's next page. */
const nextOf = (link: string | undefined) => link && /<https:\/\/api\.github\.com([^>]+)>; rel="next"/.exec(link)?.[1];

function threeRepos(world: GitHubWorld): SimRepo[] {
  const a = world.addRepo("acme", "payments", { visibility: "internal" });
  const b = world.addRepo("acme", "ledger", { archived: true, pushedAt: "2025-10-01T00:00:00Z", securityAndAnalysisHidden: true });
  const c = world.addRepo("acme", "web", { visibility: "public" });
  world.addRepo("other", "elsewhere");
  return [a, b, c];
}

describe("simulated organisation: REST", () => {
  it("GET /orgs/{org}: the 2FA requirement, omitted when hidden from the caller; 404 for an unknown org", () => {
    const { world, get } = setup();
    threeRepos(world);
    expect(get("/orgs/acme").body).toMatchObject({
      login: "acme",
      two_factor_requirement_enabled: true,
      public_repos: 1,
      total_private_repos: 2,
    });
    world.organization("acme").twoFactorRequired = false;
    expect(get("/orgs/acme").body).toMatchObject({ two_factor_requirement_enabled: false });
    world.organization("acme").twoFactorRequired = null;
    const hidden = get("/orgs/acme").body as Json;
    expect("two_factor_requirement_enabled" in hidden).toBe(false);
    expect(get("/orgs/nobody").status).toBe(404);
    expect(world.violations).toEqual([]);
  });

  it("GET /orgs/{org}/repos: every repository of the owner, archived included, paged with a link to the next page", () => {
    const { world, get } = setup();
    const [payments, ledger] = threeRepos(world);
    const first = get("/orgs/acme/repos?type=all&per_page=2");
    expect(first.status).toBe(200);
    expect((first.body as Repo[]).map((r) => r.name)).toEqual(["web", "ledger"]); // newest first, as GitHub sorts by default
    expect(first.headers.link).toBe('<https://api.github.com/orgs/acme/repos?type=all&per_page=2&page=2>; rel="next"');
    const second = get(nextOf(first.headers.link)!);
    expect((second.body as Repo[]).map((r) => r.name)).toEqual(["payments"]);
    expect(second.headers.link).toBeUndefined();

    const all = get("/orgs/acme/repos?type=all&per_page=100&sort=full_name").body as Repo[];
    expect(all.map((r) => r.name)).toEqual(["ledger", "payments", "web"]);
    expect(all.find((r) => r.name === "payments")).toMatchObject({
      full_name: "acme/payments",
      node_id: `R_${payments!.id}`,
      html_url: "https://github.com/acme/payments",
      archived: false,
      visibility: "internal",
      default_branch: "main",
      pushed_at: "2026-11-20T09:00:00Z",
      security_and_analysis: { secret_scanning: { status: "enabled" }, secret_scanning_push_protection: { status: "enabled" } },
    });
    const archived = all.find((r) => r.name === "ledger")!;
    expect(archived).toMatchObject({ archived: true, node_id: `R_${ledger!.id}`, pushed_at: "2025-10-01T00:00:00Z" });
    expect(archived.security_and_analysis).toBeUndefined();
    expect(world.violations).toEqual([]);
  });

  it("the repository itself reports node id, archived, visibility, pushed_at, and hides security_and_analysis when asked", () => {
    const { world, get } = setup();
    const [payments, ledger] = threeRepos(world);
    expect(get("/repos/acme/payments").body).toMatchObject({
      node_id: `R_${payments!.id}`,
      archived: false,
      visibility: "internal",
      private: true,
      security_and_analysis: expect.any(Object),
    });
    const hidden = get("/repos/acme/ledger").body as Json;
    expect(hidden).toMatchObject({ node_id: `R_${ledger!.id}`, archived: true });
    expect("security_and_analysis" in hidden).toBe(false);
  });

  it("GET /orgs/{org}/secret-scanning/alerts: open alerts of every repository with their repository; generic ones only when named", () => {
    const { world, get } = setup();
    const [payments, ledger, web] = threeRepos(world);
    payments!.secretScanning = { enabled: true, openAlerts: 2, genericAlerts: 1, pushProtection: true };
    ledger!.secretScanning = { enabled: true, openAlerts: 1, genericAlerts: 0, pushProtection: false };
    web!.secretScanning = { enabled: false, openAlerts: 5, genericAlerts: 5, pushProtection: false }; // disabled: contributes nothing

    const provider = get("/orgs/acme/secret-scanning/alerts?state=open&per_page=100").body as {
      number: number;
      state: string;
      repository: { full_name: string };
    }[];
    expect(provider.map((a) => [a.repository.full_name, a.number, a.state])).toEqual([
      ["acme/payments", 1, "open"],
      ["acme/payments", 2, "open"],
      ["acme/ledger", 1, "open"],
    ]);
    const generic = get("/orgs/acme/secret-scanning/alerts?state=open&secret_type=password,generic_secret&per_page=100").body as {
      secret_type: string;
      repository: { name: string };
    }[];
    expect(generic.map((a) => [a.repository.name, a.secret_type])).toEqual([["payments", "password"]]);
    expect(get("/orgs/acme/secret-scanning/alerts?state=resolved").body).toEqual([]);

    const page1 = get("/orgs/acme/secret-scanning/alerts?state=open&per_page=2");
    expect(page1.headers.link).toBe('<https://api.github.com/orgs/acme/secret-scanning/alerts?state=open&per_page=2&page=2>; rel="next"');
    expect((get(nextOf(page1.headers.link)!).body as unknown[]).length).toBe(1);
    expect(world.violations).toEqual([]);
  });

  it("GET /orgs/{org}/dependabot/alerts: severity filter, repositories with alerts enabled only, cursor pages (`after`)", () => {
    const { world, get } = setup();
    const [payments, ledger, web] = threeRepos(world);
    payments!.dependabot = { alertsEnabled: true, openAlerts: { critical: 1, high: 2, medium: 3 } };
    ledger!.dependabot = { alertsEnabled: true, openAlerts: { critical: 0, high: 1, medium: 0 } };
    web!.dependabot = { alertsEnabled: false, openAlerts: { critical: 4, high: 0, medium: 0 } };

    type Alert = {
      number: number;
      state: string;
      security_advisory: { severity: string };
      security_vulnerability: { severity: string };
      repository: { name: string };
    };
    const collect = (url: string) => {
      const seen: Alert[] = [];
      for (let next: string | undefined = url; next;) {
        const page = get(next);
        expect(page.status).toBe(200);
        seen.push(...(page.body as Alert[]));
        next = nextOf(page.headers.link);
        if (next) expect(next).toMatch(/[?&]after=[^&]+/);
      }
      return seen;
    };
    const alerts = collect("/orgs/acme/dependabot/alerts?state=open&severity=critical,high&per_page=2");
    expect(alerts.map((a) => [a.repository.name, a.security_advisory.severity, a.security_vulnerability.severity, a.state])).toEqual([
      ["payments", "critical", "critical", "open"],
      ["payments", "high", "high", "open"],
      ["payments", "high", "high", "open"],
      ["ledger", "high", "high", "open"],
    ]);
    expect(collect("/orgs/acme/dependabot/alerts?state=open&per_page=100")).toHaveLength(7);
    expect(get("/orgs/acme/dependabot/alerts?state=fixed").body).toEqual([]);
    expect(world.violations).toEqual([]);
  });

  it("GET /orgs/{org}/code-scanning/alerts and the code security configurations with their repositories", () => {
    const { world, get } = setup();
    const [payments, ledger] = threeRepos(world);
    payments!.codeScanning = { openAlerts: 2 };
    ledger!.codeScanning = { openAlerts: 1 };
    const org = world.organization("acme");
    org.codeSecurityConfigurations.push(
      { id: 17, name: "GitHub recommended", defaultSetup: true, repos: ["payments", "web"] },
      { id: 18, name: "Custom", defaultSetup: false, repos: ["ledger"] },
    );

    const alerts = get("/orgs/acme/code-scanning/alerts?state=open&per_page=2");
    expect((alerts.body as { repository: { name: string } }[]).map((a) => a.repository.name)).toEqual(["payments", "payments"]);
    expect((get(nextOf(alerts.headers.link)!).body as { repository: { name: string } }[]).map((a) => a.repository.name)).toEqual([
      "ledger",
    ]);

    const configurations = get("/orgs/acme/code-security/configurations").body as {
      id: number;
      name: string;
      code_scanning_default_setup: string;
    }[];
    expect(configurations.map((c) => [c.id, c.name, c.code_scanning_default_setup])).toEqual([
      [17, "GitHub recommended", "enabled"],
      [18, "Custom", "disabled"],
    ]);
    const attached = get("/orgs/acme/code-security/configurations/17/repositories?status=attached&per_page=1");
    expect(attached.body).toEqual([
      { status: "attached", repository: expect.objectContaining({ name: "payments", full_name: "acme/payments" }) },
    ]);
    expect(nextOf(attached.headers.link)).toMatch(
      /^\/orgs\/acme\/code-security\/configurations\/17\/repositories\?status=attached&per_page=1&after=/,
    );
    expect(get(nextOf(attached.headers.link)!).body).toEqual([
      { status: "attached", repository: expect.objectContaining({ name: "web" }) },
    ]);
    expect(get("/orgs/acme/code-security/configurations/99/repositories").status).toBe(404);
    expect(world.violations).toEqual([]);
  });

  it("membership (204/404) and collaborator permission (legacy permission and exact role)", () => {
    const { world, get } = setup();
    threeRepos(world);
    const org = world.organization("acme");
    org.members.add("Dev-Alice");
    org.grant("payments", "dev-alice", "maintain");
    org.collaboratorPermissions.set("web", new Map([["rev-bob", "triage"]]));

    expect(get("/orgs/acme/members/dev-alice").status).toBe(204);
    expect(get("/orgs/acme/members/mallory").status).toBe(404);
    expect(get("/repos/acme/payments/collaborators/dev-alice/permission").body).toMatchObject({
      permission: "write",
      role_name: "maintain",
      user: { login: "dev-alice" },
    });
    expect(get("/repos/acme/web/collaborators/rev-bob/permission").body).toMatchObject({ permission: "read", role_name: "triage" });
    expect(get("/repos/acme/web/collaborators/mallory/permission").body).toMatchObject({ permission: "none", role_name: "none" });
    expect(get("/repos/acme/missing/collaborators/dev-alice/permission").status).toBe(404);
    expect(world.violations).toEqual([]);
  });

  it("the app's installation on the org and its installation list", () => {
    const { world, get } = setup();
    threeRepos(world);
    const installation = { id: 77, app_id: 4242, target_type: "Organization", account: expect.objectContaining({ login: "acme" }) };
    expect(get("/orgs/acme/installation").body).toMatchObject(installation);
    expect(get("/app/installations").body).toEqual([expect.objectContaining(installation)]);
    expect(world.violations).toEqual([]);
  });

  it("reactions to an issue comment: 201 and recorded, 200 for the same one again; listed", () => {
    const { world, call } = setup();
    threeRepos(world);
    const issue = world.issues.add("acme", "payments", { title: "Summary" });
    const comment = world.issues.addComment("acme", "payments", issue.number, "@sdlc-guard refresh");

    const created = call("POST", `/repos/acme/payments/issues/comments/${comment.id}/reactions`, { content: "eyes" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ content: "eyes", user: { login: APP_AUTHOR.login, type: "Bot" } });
    expect(call("POST", `/repos/acme/payments/issues/comments/${comment.id}/reactions`, { content: "eyes" }).status).toBe(200);
    expect(comment.reactions).toEqual([expect.objectContaining({ content: "eyes", author: APP_AUTHOR })]);
    expect(call("GET", `/repos/acme/payments/issues/comments/${comment.id}/reactions`).body).toEqual([
      expect.objectContaining({ content: "eyes" }),
    ]);
    expect(world.violations).toEqual([]);
  });

  it("failNext applies to the new routes", () => {
    const { world, get } = setup();
    threeRepos(world);
    world.failNext("GET", "/orgs/acme/repos", 502);
    world.failNext("GET", "/orgs/acme/dependabot/alerts", 404);
    expect(get("/orgs/acme/repos?type=all").status).toBe(502);
    expect(get("/orgs/acme/repos?type=all").status).toBe(200);
    expect(get("/orgs/acme/dependabot/alerts?state=open").status).toBe(404);
    expect(world.violations).toEqual([]);
  });
});

describe("simulated rate limits", () => {
  it("charges each REST request to core and reports it in x-ratelimit headers; /rate_limit is free", () => {
    const { world, get } = setup();
    threeRepos(world);
    const first = get("/orgs/acme");
    expect(first.headers).toMatchObject({
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": "4999",
      "x-ratelimit-used": "1",
      "x-ratelimit-resource": "core",
      "x-ratelimit-reset": String(DEFAULT_RATE_RESET),
    });
    expect(get("/repos/acme/missing").status).toBe(404); // errors count too (without the headers)
    expect(get("/orgs/acme").headers["x-ratelimit-remaining"]).toBe("4997");
    const overview = get("/rate_limit");
    expect(overview.headers["x-ratelimit-remaining"]).toBeUndefined();
    expect(overview.body).toMatchObject({
      resources: { core: { limit: 5000, remaining: 4997, used: 3 }, graphql: { remaining: 5000 }, search: { limit: 30 } },
      rate: { remaining: 4997 },
    });
    expect(world.rateLimit.core.remaining).toBe(4997);
  });

  it("an exhausted bucket answers 403 with GitHub's message until reset; other buckets are unaffected", () => {
    const { world, get, call } = setup();
    threeRepos(world);
    world.rateLimit.core.remaining = 0;
    world.rateLimit.core.reset = 1_800_000_000;
    const refused = get("/orgs/acme/repos");
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ message: "API rate limit exceeded for installation ID 77.", documentation_url: expect.any(String) });
    expect(refused.headers).toMatchObject({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1800000000", "x-ratelimit-used": "5000" });
    expect(call("POST", "/graphql", { query: "{ rateLimit { remaining } }" }).body).toEqual({ data: { rateLimit: { remaining: 4999 } } });
    expect(get("/rate_limit").status).toBe(200);
    world.resetRateLimit("core");
    expect(get("/orgs/acme/repos").status).toBe(200);
    expect(world.violations).toEqual([]);
  });

  it("GraphQL: one point per query, RATE_LIMITED (HTTP 200) when exhausted", () => {
    const { world, call } = setup();
    threeRepos(world);
    const answer = call("POST", "/graphql", { query: "{ rateLimit { remaining limit cost used resetAt } }" });
    expect(answer.headers).toMatchObject({ "x-ratelimit-resource": "graphql", "x-ratelimit-remaining": "4999" });
    expect(answer.body).toEqual({
      data: { rateLimit: { remaining: 4999, limit: 5000, cost: 1, used: 1, resetAt: "2026-11-20T10:00:00Z" } },
    });
    world.rateLimit.graphql.remaining = 0;
    const refused = call("POST", "/graphql", { query: "{ rateLimit { remaining } }" });
    expect(refused.status).toBe(200);
    expect(refused.body).toEqual({
      errors: [expect.objectContaining({ type: "RATE_LIMITED", message: "API rate limit exceeded for installation ID 77." })],
    });
    expect(refused.headers["x-ratelimit-remaining"]).toBe("0");
  });

  it("keeps ETags: the headers do not change them, and a 304 is free", () => {
    const { world, call } = setup();
    threeRepos(world);
    const first = call("GET", "/orgs/acme/repos?per_page=100");
    const again = call("GET", "/orgs/acme/repos?per_page=100");
    expect(again.headers.etag).toBe(first.headers.etag);
    const remaining = world.rateLimit.core.remaining;
    const notModified = call("GET", "/orgs/acme/repos?per_page=100", undefined, { "if-none-match": first.headers.etag! });
    expect(notModified.status).toBe(304);
    expect(notModified.headers).toMatchObject({ etag: first.headers.etag, "x-ratelimit-remaining": String(remaining) });
    expect(world.rateLimit.core.remaining).toBe(remaining);
  });

  it("a fault answers with its own headers only", () => {
    const { world, get } = setup();
    threeRepos(world);
    world.failNext("GET", "/orgs/acme/repos", 403, {
      message: "API rate limit exceeded for installation ID 77.",
      headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1" },
    });
    expect(get("/orgs/acme/repos").headers).toEqual({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1" });
    expect(world.violations).toEqual([]);
  });
});

describe("simulated organisation: GraphQL", () => {
  const graphql = (world: GitHubWorld, query: string, variables: Json = {}) => {
    const answer = world.handle("POST", "/graphql", { query, variables });
    return answer.body as { data?: Json; errors?: { message: string }[] };
  };

  function richRepo(world: GitHubWorld): SimRepo {
    const repo = world.addRepo("acme", "payments", { pushedAt: "2026-11-18T10:00:00Z" });
    repo.classicRules.set("main", strictClassicRule("main", 2));
    for (const path of ["README.md", ".github/CODEOWNERS", ".github/workflows/codeql.yml", "docs/SECURITY.md", "src/index.ts"])
      repo.files.set(path, `# ${path}\n`);
    repo.releases.push(
      { tagName: "v1.0.0", name: null, body: "", draft: false, prerelease: false, publishedAt: "2026-10-01T00:00:00Z" },
      { tagName: "v1.1.0", name: null, body: "", draft: false, prerelease: false, publishedAt: "2026-11-01T00:00:00Z" },
      { tagName: "v2.0.0-rc.1", name: null, body: "", draft: false, prerelease: true },
      { tagName: "next", name: null, body: "", draft: true, prerelease: false },
    );
    return repo;
  }

  it("nodes(ids) resolves repositories by node id with the summary's fields; an unknown id is null with an error", () => {
    const { world } = setup();
    const repo = richRepo(world);
    const archived = world.addRepo("acme", "old", {
      archived: true,
      dependabot: { alertsEnabled: false, openAlerts: { critical: 0, high: 0, medium: 0 } },
    });
    const query = `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Repository { id name nameWithOwner isArchived pushedAt hasVulnerabilityAlertsEnabled
      latestRelease { tagName publishedAt } } } }`;
    const answer = graphql(world, query, { ids: [`R_${repo.id}`, `R_${archived.id}`] });
    expect(answer).toEqual({
      data: {
        nodes: [
          {
            id: `R_${repo.id}`,
            name: "payments",
            nameWithOwner: "acme/payments",
            isArchived: false,
            pushedAt: "2026-11-18T10:00:00Z",
            hasVulnerabilityAlertsEnabled: true,
            latestRelease: { tagName: "v1.1.0", publishedAt: "2026-11-01T00:00:00Z" },
          },
          {
            id: `R_${archived.id}`,
            name: "old",
            nameWithOwner: "acme/old",
            isArchived: true,
            pushedAt: "2026-11-20T09:00:00Z",
            hasVulnerabilityAlertsEnabled: false,
            latestRelease: null,
          },
        ],
      },
    });
    const missing = graphql(world, query, { ids: [`R_${repo.id}`, "R_404"] });
    expect((missing.data!.nodes as unknown[])[1]).toBeNull();
    // As GitHub: the error names where it happened and its type.
    expect(missing.errors).toEqual([
      {
        message: "Could not resolve to a node with the global id of 'R_404'",
        path: ["nodes", 1],
        locations: [expect.any(Object)],
        type: "NOT_FOUND",
      },
    ]);
    expect(graphql(world, `{ node(id: "R_${repo.id}") { ... on Repository { name } } }`)).toEqual({ data: { node: { name: "payments" } } });
  });

  it("object(expression:) gives the default branch's trees (null for a missing directory); object(oid:) still finds commits", () => {
    const { world } = setup();
    const repo = richRepo(world);
    const query = `query($owner: String!, $name: String!, $oid: GitObjectID) { repository(owner: $owner, name: $name) {
      root: object(expression: "HEAD:") { ... on Tree { entries { name type path } } }
      github: object(expression: "HEAD:.github") { ... on Tree { entries { name type path } } }
      docs: object(expression: "HEAD:docs") { ... on Tree { entries { name type } } }
      workflows: object(expression: "HEAD:.github/workflows") { ... on Tree { entries { name type } } }
      missing: object(expression: "HEAD:nope") { ... on Tree { entries { name } } }
      readme: object(expression: "HEAD:README.md") { ... on Blob { text } }
      commit: object(oid: $oid) { ... on Commit { oid } } } }`;
    const head = repo.git.branches.get("main")!;
    const answer = graphql(world, query, { owner: "acme", name: "payments", oid: head });
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.repository).toEqual({
      root: {
        entries: [
          { name: ".github", type: "tree", path: ".github" },
          { name: "README.md", type: "blob", path: "README.md" },
          { name: "docs", type: "tree", path: "docs" },
          { name: "src", type: "tree", path: "src" },
        ],
      },
      github: {
        entries: [
          { name: "CODEOWNERS", type: "blob", path: ".github/CODEOWNERS" },
          { name: "workflows", type: "tree", path: ".github/workflows" },
        ],
      },
      docs: { entries: [{ name: "SECURITY.md", type: "blob" }] },
      workflows: { entries: [{ name: "codeql.yml", type: "blob" }] },
      missing: null,
      readme: { text: "# README.md\n" },
      commit: { oid: head },
    });
  });

  it("an empty repository has no default branch, tree or push", () => {
    const { world } = setup();
    world.addRepo("acme", "empty", { empty: true });
    const answer = graphql(
      world,
      `
        {
          repository(owner: "acme", name: "empty") {
            isEmpty
            pushedAt
            defaultBranchRef {
              name
            }
            object(expression: "HEAD:") {
              oid
            }
          }
        }
      `,
    );
    expect(answer).toEqual({ data: { repository: { isEmpty: true, pushedAt: null, defaultBranchRef: null, object: null } } });
  });

  it("merged pull requests newest first, with the app's check run on the head; and the default branch's protection", () => {
    const { world } = setup();
    const repo = richRepo(world);
    repo.branchRules.set("main", [rulesetRule.pullRequest(2, "acme"), rulesetRule.nonFastForward("acme")]);
    const merged = (number: number, mergedAt: string, conclusion: string | null) => {
      const pr = world.addPullRequest(repo, { number });
      pr.mergedAt = mergedAt;
      world.mergePullRequest(repo, pr);
      if (conclusion)
        repo.checkRuns.push({
          id: 9000 + number,
          appId: world.appId,
          name: "sdlc-guard",
          headSha: pr.headSha,
          status: "completed",
          conclusion,
          output: { title: null, summary: null },
          externalId: null,
        });
      repo.checkRuns.push({
        id: 9100 + number,
        appId: 1,
        name: "ci",
        headSha: pr.headSha,
        status: "completed",
        conclusion: "failure",
        output: { title: null, summary: null },
        externalId: null,
      });
      return pr;
    };
    merged(1, "2026-11-01T00:00:00Z", "success");
    merged(2, "2026-11-10T00:00:00Z", "failure");
    merged(3, "2026-11-15T00:00:00Z", null);
    world.addPullRequest(repo, { number: 4 }); // open
    const automatic = world.addPullRequest(repo, { number: 5 });
    world.mergePullRequest(repo, automatic);
    expect(automatic.mergedAt).toMatch(/^2026-11-20T09:\d\d:00Z$/);
    automatic.mergedAt = "2026-10-01T00:00:00Z"; // a test may set it

    const query = `query($owner: String!, $name: String!, $appId: Int!, $after: String) { repository(owner: $owner, name: $name) {
      defaultBranchRef { name branchProtectionRule { pattern requiresApprovingReviews requiredApprovingReviewCount allowsForcePushes allowsDeletions dismissesStaleReviews isAdminEnforced requiredStatusCheckContexts }
        rules(first: 50) { nodes { type parameters { ... on PullRequestParameters { requiredApprovingReviewCount } } repositoryRuleset { source { __typename ... on Organization { login } } } } } }
      pullRequests(states: [MERGED], first: 2, after: $after, orderBy: { field: UPDATED_AT, direction: DESC }) {
        pageInfo { hasNextPage endCursor }
        nodes { number mergedAt updatedAt headRefOid
          commits(last: 1) { nodes { commit { checkSuites(first: 5, filterBy: { appId: $appId }) { nodes { checkRuns(first: 5, filterBy: { checkName: "sdlc-guard" }) { nodes { status conclusion } } } } } } } } } } }`;
    const first = graphql(world, query, { owner: "acme", name: "payments", appId: world.appId });
    expect(first.errors).toBeUndefined();
    const data = first.data!.repository as {
      defaultBranchRef: Json;
      pullRequests: {
        pageInfo: { hasNextPage: boolean; endCursor: string };
        nodes: { number: number; mergedAt: string; updatedAt: string; commits: Json }[];
      };
    };
    expect(data.defaultBranchRef).toEqual({
      name: "main",
      branchProtectionRule: {
        pattern: "main",
        requiresApprovingReviews: true,
        requiredApprovingReviewCount: 2,
        allowsForcePushes: false,
        allowsDeletions: false,
        dismissesStaleReviews: true,
        isAdminEnforced: true,
        requiredStatusCheckContexts: ["sdlc-guard"],
      },
      rules: {
        nodes: [
          {
            type: "PULL_REQUEST",
            parameters: { requiredApprovingReviewCount: 2 },
            repositoryRuleset: { source: { __typename: "Repository" } },
          },
          { type: "NON_FAST_FORWARD", parameters: null, repositoryRuleset: { source: { __typename: "Repository" } } },
        ],
      },
    });
    expect(data.pullRequests.nodes.map((p) => [p.number, p.mergedAt, p.updatedAt])).toEqual([
      [3, "2026-11-15T00:00:00Z", "2026-11-15T00:00:00Z"],
      [2, "2026-11-10T00:00:00Z", "2026-11-10T00:00:00Z"],
    ]);
    const runs = (n: { commits: Json }) => JSON.stringify(n.commits);
    expect(runs(data.pullRequests.nodes[0]!)).toBe(JSON.stringify({ nodes: [{ commit: { checkSuites: { nodes: [] } } }] }));
    expect(runs(data.pullRequests.nodes[1]!)).toBe(
      JSON.stringify({
        nodes: [{ commit: { checkSuites: { nodes: [{ checkRuns: { nodes: [{ status: "COMPLETED", conclusion: "FAILURE" }] } }] } } }],
      }),
    );
    expect(data.pullRequests.pageInfo.hasNextPage).toBe(true);

    const second = graphql(world, query, {
      owner: "acme",
      name: "payments",
      appId: world.appId,
      after: data.pullRequests.pageInfo.endCursor,
    });
    const rest = (second.data!.repository as typeof data).pullRequests;
    expect(rest.nodes.map((p) => p.number)).toEqual([1, 5]);
    expect(rest.pageInfo.hasNextPage).toBe(false);
  });

  it("search(type: ISSUE) over every repository's issues with org, repo, label, state and date qualifiers", () => {
    const { world } = setup();
    richRepo(world);
    world.addRepo("acme", "ledger");
    world.addRepo("other", "elsewhere");
    world.issues.add("acme", "payments", {
      title: "sdlc-guard: direct pushes to protected branches",
      body: "<!-- sdlc-guard-violation: direct-push -->",
      labels: ["sdlc-guard"],
      author: APP_AUTHOR,
      createdAt: "2026-11-02T00:00:00Z",
      comments: [
        { body: "second push", author: APP_AUTHOR, createdAt: "2026-11-05T00:00:00Z" },
        { body: "a person", createdAt: "2026-11-06T00:00:00Z" },
      ],
    });
    world.issues.add("acme", "ledger", {
      title: "old",
      labels: ["sdlc-guard"],
      author: APP_AUTHOR,
      createdAt: "2026-09-01T00:00:00Z",
      updatedAt: "2026-09-01T00:00:00Z",
    });
    world.issues.add("acme", "ledger", {
      title: "closed",
      labels: ["SDLC-Guard"],
      state: "closed",
      createdAt: "2026-11-03T00:00:00Z",
      updatedAt: "2026-11-03T00:00:00Z",
    });
    world.issues.add("acme", "ledger", { title: "unlabelled", createdAt: "2026-11-04T00:00:00Z", updatedAt: "2026-11-04T00:00:00Z" });
    world.issues.add("other", "elsewhere", {
      title: "other org",
      labels: ["sdlc-guard"],
      createdAt: "2026-11-04T00:00:00Z",
      updatedAt: "2026-11-04T00:00:00Z",
    });

    const query = `query($q: String!, $after: String) { search(type: ISSUE, query: $q, first: 1, after: $after) { issueCount pageInfo { hasNextPage endCursor }
      nodes { ... on Issue { number title body createdAt updatedAt state author { login __typename } repository { name nameWithOwner }
        comments(first: 10) { totalCount pageInfo { hasNextPage } nodes { body createdAt author { login __typename } } } } } } }`;
    type Search = {
      issueCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string };
      nodes: { title: string; state: string; author: Json; repository: Json; comments: { totalCount: number; nodes: Json[] } }[];
    };
    const search = (q: string, after?: string) => {
      const answer = graphql(world, query, { q, after });
      expect(answer.errors).toBeUndefined();
      return (answer.data as { search: Search }).search;
    };
    const titles = (q: string) => {
      const out: string[] = [];
      let page = search(q);
      out.push(...page.nodes.map((n) => n.title));
      while (page.pageInfo.hasNextPage) {
        page = search(q, page.pageInfo.endCursor);
        out.push(...page.nodes.map((n) => n.title));
      }
      return out;
    };

    expect(titles("org:acme label:sdlc-guard is:issue")).toEqual(["closed", "sdlc-guard: direct pushes to protected branches", "old"]);
    expect(titles("org:acme label:sdlc-guard is:issue is:open updated:>=2026-10-21 direct push")).toEqual([
      "sdlc-guard: direct pushes to protected branches",
    ]);
    expect(titles("repo:acme/ledger created:>=2026-11-01")).toEqual(["unlabelled", "closed"]);
    expect(titles("org:acme is:closed")).toEqual(["closed"]);
    expect(titles('org:acme label:"sdlc-guard" author:app/sdlc-guard')).toEqual(["sdlc-guard: direct pushes to protected branches", "old"]);
    expect(titles("org:acme is:pr")).toEqual([]);

    const page = search("org:acme label:sdlc-guard is:issue is:open updated:>=2026-10-21");
    expect(page.issueCount).toBe(1);
    expect(page.nodes[0]).toEqual({
      number: 1,
      title: "sdlc-guard: direct pushes to protected branches",
      body: "<!-- sdlc-guard-violation: direct-push -->",
      createdAt: "2026-11-02T00:00:00Z",
      updatedAt: "2026-11-06T00:00:00Z",
      state: "OPEN",
      author: { login: "sdlc-guard", __typename: "Bot" }, // GraphQL names a bot without the [bot] suffix
      repository: { name: "payments", nameWithOwner: "acme/payments" },
      comments: {
        totalCount: 2,
        pageInfo: { hasNextPage: false },
        nodes: [
          { body: "second push", createdAt: "2026-11-05T00:00:00Z", author: { login: "sdlc-guard", __typename: "Bot" } },
          { body: "a person", createdAt: "2026-11-06T00:00:00Z", author: { login: "octo-human", __typename: "User" } },
        ],
      },
    });
  });
});
