import type { GitHubWorld, SimRepo, SimResponse } from "./github-world.js";
import { exampleResponse } from "./openapi.js";

// Organisations of the simulated GitHub and the org-wide REST routes (repository list, alert lists, code security
// configurations, membership, installation, rate limit). Answers start from GitHub's documented examples; the world
// validates them against the OpenAPI description.

export type SimPermission = "admin" | "maintain" | "write" | "triage" | "read" | "none";
export interface SimCodeSecurityConfiguration {
  id: number;
  name: string;
  /** Code scanning default setup (`code_scanning_default_setup: enabled`). */
  defaultSetup: boolean;
  /** Names of the repositories it is attached to. */
  repos: string[];
}

export class SimOrganization {
  /** null: hidden, as GitHub does for a caller that is not an owner (REST omits `two_factor_requirement_enabled`). */
  twoFactorRequired: boolean | null = true;
  /** Member logins (compared case-insensitively). */
  readonly members = new Set<string>();
  /** Repository name, then login: the role GitHub reports (`none` when absent). */
  readonly collaboratorPermissions = new Map<string, Map<string, SimPermission>>();
  readonly codeSecurityConfigurations: SimCodeSecurityConfiguration[] = [];

  constructor(
    readonly login: string,
    readonly id: number,
  ) {}

  /** Gives a login a role on one repository. */
  grant(repo: string, login: string, permission: SimPermission): void {
    const byLogin = this.collaboratorPermissions.get(repo.toLowerCase()) ?? new Map<string, SimPermission>();
    byLogin.set(login.toLowerCase(), permission);
    this.collaboratorPermissions.set(repo.toLowerCase(), byLogin);
  }

  permissionOf(repo: string, login: string): SimPermission {
    for (const [name, byLogin] of this.collaboratorPermissions) {
      if (name.toLowerCase() !== repo.toLowerCase()) continue;
      for (const [who, permission] of byLogin) if (who.toLowerCase() === login.toLowerCase()) return permission;
    }
    return "none";
  }

  isMember(login: string): boolean {
    return [...this.members].some((m) => m.toLowerCase() === login.toLowerCase());
  }
}

type Json = Record<string, unknown>;
const API = "https://api.github.com";
const WEB = "https://github.com";
/** The `permission` field is GitHub's legacy one (maintain reads as write, triage as read); `role_name` is exact. */
const LEGACY_PERMISSION: Record<SimPermission, string> = {
  admin: "admin",
  maintain: "write",
  write: "write",
  triage: "read",
  read: "read",
  none: "none",
};
/** Fields of `GET /orgs/{org}` only an owner sees. */
const OWNER_ONLY = [
  "two_factor_requirement_enabled",
  "billing_email",
  "plan",
  "total_private_repos",
  "owned_private_repos",
  "private_gists",
  "disk_usage",
  "collaborators",
  "default_repository_permission",
];
const SEVERITIES = ["critical", "high", "medium"] as const;

export class OrgWorld {
  private readonly orgs = new Map<string, SimOrganization>();
  private nextOrgId = 600_000;

  constructor(private readonly world: GitHubWorld) {}

  /** The organisation (created on first use, with 2FA required, no members, no configurations). */
  organization(login: string): SimOrganization {
    let org = this.orgs.get(login.toLowerCase());
    if (!org) {
      org = new SimOrganization(login, this.nextOrgId++);
      this.orgs.set(login.toLowerCase(), org);
    }
    return org;
  }

  /** An organisation GitHub knows: created explicitly, or owning a repository. */
  known(login: string): SimOrganization | undefined {
    return (
      this.orgs.get(login.toLowerCase()) ?? (this.reposOf(login).length ? this.organization(this.reposOf(login)[0]!.owner) : undefined)
    );
  }

  /** The account the app is installed on: the first organisation created, else the owner of the first repository. */
  installationAccount(): SimOrganization {
    return this.orgs.values().next().value ?? this.organization(this.world.repos[0]?.owner ?? "acme");
  }

  reposOf(login: string): SimRepo[] {
    return this.world.repos.filter((r) => r.owner.toLowerCase() === login.toLowerCase());
  }

  /** Answers an org-level request, or undefined when the path is not one of these routes. */
  route(method: string, path: string, query: URLSearchParams): SimResponse | undefined {
    if (method !== "GET") return undefined;
    if (path === "/rate_limit") return json(200, this.world.rateLimit.overview(exampleResponse("GET", "/rate_limit", 200)));
    if (path === "/app/installations")
      return json(200, [
        this.installationJson(this.installationAccount(), exampleResponse("GET", "/app/installations", 200) as unknown as Json[]),
      ]);
    let m = path.match(/^\/repos\/([^/]+)\/([^/]+)\/collaborators\/([^/]+)\/permission$/);
    if (m) return this.permission(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!), decodeURIComponent(m[3]!));
    m = path.match(/^\/orgs\/([^/]+)(\/.*)?$/);
    if (!m) return undefined;
    const org = this.known(decodeURIComponent(m[1]!));
    if (!org) return notFound();
    return this.orgRoute(org, m[2] ?? "", query);
  }

  private orgRoute(org: SimOrganization, rest: string, query: URLSearchParams): SimResponse | undefined {
    const repos = this.reposOf(org.login);
    const base = `/orgs/${org.login}`;
    let m: RegExpMatchArray | null;
    if (rest === "") return json(200, this.orgJson(org));
    if (rest === "/installation") return json(200, this.installationJson(org, exampleResponse("GET", "/orgs/{org}/installation", 200)));
    if ((m = rest.match(/^\/members\/([^/]+)$/))) {
      return org.isMember(decodeURIComponent(m[1]!))
        ? { status: 204, headers: {}, body: undefined }
        : json(404, {
            message: "User does not exist or is not a member of the organization",
            documentation_url: "https://docs.github.com/rest/orgs/members",
          });
    }
    if (rest === "/repos") return pageByNumber(this.sortRepos(repos, query), query, `${base}/repos`, (r) => this.minimalRepository(r));
    if (rest === "/secret-scanning/alerts") {
      // Paged by number, or by cursor when the request names one (an empty `after` asks for the first cursor page).
      const page = query.has("after") || query.has("before") ? pageByCursor : pageByNumber;
      return page(this.secretAlerts(repos, query), query, `${base}/secret-scanning/alerts`, (a) => a);
    }
    if (rest === "/dependabot/alerts")
      return pageByCursor(this.dependabotAlerts(repos, query), query, `${base}/dependabot/alerts`, (a) => a);
    if (rest === "/code-scanning/alerts")
      return pageByNumber(this.codeScanningAlerts(repos, query), query, `${base}/code-scanning/alerts`, (a) => a);
    // GitHub lets an app read code security configurations only with organisation administration write.
    const granted = this.world.installationPermissions;
    if (rest.startsWith("/code-security/") && granted && granted.organization_administration !== "write")
      return json(403, {
        message: "Resource not accessible by integration",
        documentation_url: "https://docs.github.com/rest/code-security/configurations",
        status: "403",
      });
    if (rest === "/code-security/configurations") {
      const [template] = exampleResponse("GET", "/orgs/{org}/code-security/configurations", 200) as unknown as Json[];
      return pageByCursor(org.codeSecurityConfigurations, query, `${base}/code-security/configurations`, (c) =>
        this.configurationJson(org, c, template!),
      );
    }
    if ((m = rest.match(/^\/code-security\/configurations\/(\d+)\/repositories$/))) {
      const configuration = org.codeSecurityConfigurations.find((c) => c.id === Number(m![1]));
      if (!configuration) return notFound();
      const statuses = (query.get("status") ?? "all").split(",").map((s) => s.trim());
      // Every attachment is modelled as `attached`.
      const attached =
        statuses.includes("all") || statuses.includes("attached")
          ? repos.filter((r) => configuration.repos.some((n) => n.toLowerCase() === r.name.toLowerCase()))
          : [];
      return pageByCursor(attached, query, `${base}/code-security/configurations/${configuration.id}/repositories`, (r) => ({
        status: "attached",
        repository: this.simpleRepository(r),
      }));
    }
    return undefined;
  }

  private permission(owner: string, name: string, login: string): SimResponse | undefined {
    const repo = this.world.repo(owner, name);
    if (!repo) return undefined;
    const role = this.organization(repo.owner).permissionOf(repo.name, login);
    const example = exampleResponse("GET", "/repos/{owner}/{repo}/collaborators/{username}/permission", 200);
    const user = { ...(example.user as Json), login, url: `${API}/users/${login}`, html_url: `${WEB}/${login}`, role_name: role };
    return json(200, { ...example, permission: LEGACY_PERMISSION[role], role_name: role, user });
  }

  private orgJson(org: SimOrganization): Json {
    const example = exampleResponse("GET", "/orgs/{org}", 200);
    const repos = this.reposOf(org.login);
    const out: Json = {
      ...JSON.parse(JSON.stringify(example).replaceAll("/orgs/github", `/orgs/${org.login}`)),
      login: org.login,
      id: org.id,
      node_id: `O_${org.id}`,
      name: org.login,
      html_url: `${WEB}/${org.login}`,
      public_repos: repos.filter((r) => r.visibility === "public").length,
      total_private_repos: repos.filter((r) => r.visibility !== "public").length,
      owned_private_repos: repos.filter((r) => r.visibility !== "public").length,
      two_factor_requirement_enabled: org.twoFactorRequired,
      archived_at: null,
    };
    if (org.twoFactorRequired === null) for (const field of OWNER_ONLY) delete out[field];
    return out;
  }

  private installationJson(org: SimOrganization, example: Json | Json[]): Json {
    const template = (Array.isArray(example) ? example[0] : example)!;
    const id = this.world.installationId;
    return {
      ...template,
      id,
      app_id: this.world.appId,
      app_slug: "sdlc-guard",
      target_id: org.id,
      target_type: "Organization",
      repository_selection: "all",
      access_tokens_url: `${API}/app/installations/${id}/access_tokens`,
      repositories_url: `${API}/installation/repositories`,
      html_url: `${WEB}/organizations/${org.login}/settings/installations/${id}`,
      // The list's published schema wants the account to be a user and an enterprise at once (allOf): both sets of fields.
      account: {
        ...(template.account as Json),
        login: org.login,
        id: org.id,
        node_id: `O_${org.id}`,
        type: "Organization",
        url: `${API}/orgs/${org.login}`,
        html_url: `${WEB}/${org.login}`,
        name: org.login,
        slug: org.login,
        created_at: "2020-01-01T00:00:00Z",
        updated_at: "2026-11-20T09:00:00Z",
      },
      suspended_by: null,
      suspended_at: null,
    };
  }

  private sortRepos(repos: SimRepo[], query: URLSearchParams): SimRepo[] {
    const type = query.get("type") ?? "all";
    const sort = query.get("sort") ?? "created";
    // GitHub: ascending by default only for full_name.
    const direction = (query.get("direction") ?? (sort === "full_name" ? "asc" : "desc")) === "asc" ? 1 : -1;
    const key = (r: SimRepo): string | number =>
      sort === "full_name" ? r.name.toLowerCase() : sort === "pushed" || sort === "updated" ? (r.pushedAt ?? "") : r.id;
    return repos
      .filter((r) => type === "all" || type === "sources" || type === "member" || (type === "public") === (r.visibility === "public"))
      .sort((a, b) => direction * (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }

  /** `minimal-repository`, as `GET /orgs/{org}/repos` lists it. */
  minimalRepository(repo: SimRepo): Json {
    const [example] = exampleResponse("GET", "/orgs/{org}/repos", 200) as unknown as Json[];
    const status = (on: boolean) => ({ status: on ? "enabled" : "disabled" });
    const out: Json = {
      ...retarget(example!, repo),
      language: "TypeScript",
      archived: repo.archived,
      disabled: false,
      visibility: repo.visibility,
      private: repo.visibility !== "public",
      default_branch: repo.defaultBranch,
      pushed_at: repo.empty ? null : repo.pushedAt,
      security_and_analysis: {
        ...((example!.security_and_analysis as Json | undefined) ?? {}),
        secret_scanning: status(repo.secretScanning.enabled),
        secret_scanning_push_protection: status(repo.secretScanning.enabled && repo.secretScanning.pushProtection),
      },
    };
    if (repo.securityAndAnalysisHidden) delete out.security_and_analysis;
    return out;
  }

  /** `simple-repository`, as alert lists and configuration attachments embed it. */
  simpleRepository(repo: SimRepo): Json {
    const [example] = exampleResponse("GET", "/orgs/{org}/secret-scanning/alerts", 200) as unknown as Json[];
    return { ...retarget(example!.repository as Json, repo), private: repo.visibility !== "public" };
  }

  private secretAlerts(repos: SimRepo[], query: URLSearchParams): Json[] {
    if ((query.get("state") ?? "open") !== "open") return [];
    const [template] = exampleResponse("GET", "/orgs/{org}/secret-scanning/alerts", 200) as unknown as Json[];
    // Generic patterns are listed only when named in secret_type, as by the repository route.
    const generic = Boolean(query.get("secret_type"));
    return repos
      .filter((r) => r.secretScanning.enabled)
      .flatMap((repo) =>
        Array.from({ length: generic ? repo.secretScanning.genericAlerts : repo.secretScanning.openAlerts }, (_, i) => {
          const alert: Json = {
            ...template,
            number: i + 1,
            url: `${API}/repos/${repo.owner}/${repo.name}/secret-scanning/alerts/${i + 1}`,
            html_url: `${WEB}/${repo.owner}/${repo.name}/security/secret-scanning/${i + 1}`,
            locations_url: `${API}/repos/${repo.owner}/${repo.name}/secret-scanning/alerts/${i + 1}/locations`,
            state: "open",
            resolution: null,
            resolved_at: null,
            resolved_by: null,
            secret_type: generic ? "password" : "github_personal_access_token",
            secret_type_display_name: generic ? "Password" : "GitHub Personal Access Token",
            push_protection_bypassed: false,
            push_protection_bypassed_by: null,
            push_protection_bypassed_at: null,
            push_protection_bypass_request_reviewer: null,
            assigned_to: null,
            repository: this.simpleRepository(repo),
          };
          for (const field of [
            "resolution_comment",
            "push_protection_bypass_request_reviewer_comment",
            "push_protection_bypass_request_comment",
            "push_protection_bypass_request_html_url",
          ])
            delete alert[field];
          return alert;
        }),
      );
  }

  private dependabotAlerts(repos: SimRepo[], query: URLSearchParams): Json[] {
    const states = (query.get("state") ?? "open").split(",");
    if (!states.includes("open")) return [];
    const wanted = (query.get("severity") ?? SEVERITIES.join(",")).split(",").map((s) => s.trim().toLowerCase());
    const [template] = exampleResponse("GET", "/orgs/{org}/dependabot/alerts", 200) as unknown as Json[];
    return repos
      .filter((r) => r.dependabot.alertsEnabled)
      .flatMap((repo) => {
        const severities = SEVERITIES.flatMap((severity) => Array.from({ length: repo.dependabot.openAlerts[severity] }, () => severity));
        return severities
          .map((severity, i) => ({ severity, number: i + 1 }))
          .filter((a) => wanted.includes(a.severity))
          .map(({ severity, number }) => {
            const advisory = template!.security_advisory as Json;
            return {
              ...template,
              number,
              state: "open",
              url: `${API}/repos/${repo.owner}/${repo.name}/dependabot/alerts/${number}`,
              html_url: `${WEB}/${repo.owner}/${repo.name}/security/dependabot/${number}`,
              // The documented example's EPSS percentile is a string where the schema wants a number.
              security_advisory: {
                ...advisory,
                severity,
                epss: { percentage: 0.00045, percentile: 0.16001 },
                vulnerabilities: (advisory.vulnerabilities as Json[]).map((v) => ({ ...v, severity })),
              },
              security_vulnerability: { ...(template!.security_vulnerability as Json), severity },
              dismissed_at: null,
              dismissed_by: null,
              dismissed_reason: null,
              dismissed_comment: null,
              fixed_at: null,
              auto_dismissed_at: null,
              assignees: [],
              repository: this.simpleRepository(repo),
            };
          });
      });
  }

  private codeScanningAlerts(repos: SimRepo[], query: URLSearchParams): Json[] {
    if ((query.get("state") ?? "open") !== "open") return [];
    const [template] = exampleResponse("GET", "/orgs/{org}/code-scanning/alerts", 200) as unknown as Json[];
    return repos.flatMap((repo) =>
      Array.from({ length: repo.codeScanning.openAlerts }, (_, i) => ({
        ...template,
        number: i + 1,
        state: "open",
        url: `${API}/repos/${repo.owner}/${repo.name}/code-scanning/alerts/${i + 1}`,
        html_url: `${WEB}/${repo.owner}/${repo.name}/code-scanning/${i + 1}`,
        instances_url: `${API}/repos/${repo.owner}/${repo.name}/code-scanning/alerts/${i + 1}/instances`,
        fixed_at: null,
        dismissed_by: null,
        dismissed_at: null,
        dismissed_reason: null,
        repository: this.simpleRepository(repo),
      })),
    );
  }

  private configurationJson(org: SimOrganization, configuration: SimCodeSecurityConfiguration, template: Json): Json {
    return {
      ...template,
      id: configuration.id,
      name: configuration.name,
      target_type: "organization",
      description: `${configuration.name} (simulated)`,
      code_scanning_default_setup: configuration.defaultSetup ? "enabled" : "disabled",
      url: `${API}/orgs/${org.login}/code-security/configurations/${configuration.id}`,
      html_url: `${WEB}/organizations/${org.login}/settings/security_products/configurations/edit/${configuration.id}`,
    };
  }
}

/** A documented repository example made into this repository (ids, names, owner and every URL). */
function retarget(example: Json, repo: SimRepo): Json {
  const text = JSON.stringify(example)
    .replaceAll("octocat/Hello-World", `${repo.owner}/${repo.name}`)
    .replaceAll("/users/octocat", `/users/${repo.owner}`)
    .replaceAll("github.com/octocat", `github.com/${repo.owner}`);
  const out = JSON.parse(text) as Json;
  return {
    ...out,
    id: repo.id,
    node_id: `R_${repo.id}`,
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    html_url: `${WEB}/${repo.owner}/${repo.name}`,
    url: `${API}/repos/${repo.owner}/${repo.name}`,
    description: null,
    fork: false,
    owner: { ...(out.owner as Json), login: repo.owner, type: "Organization" },
  };
}

const perPageOf = (query: URLSearchParams) => Math.min(100, Math.max(1, Number(query.get("per_page") ?? 30) || 30));

/** The link to the next page: the request's own query with the page (or cursor) moved on. */
function nextLink(path: string, query: URLSearchParams, set: Record<string, string>): Record<string, string> {
  const next = new URLSearchParams(query);
  for (const [key, value] of Object.entries(set)) {
    next.delete(key);
    next.set(key, value);
  }
  return { link: `<${API}${path}?${next.toString()}>; rel="next"` };
}

/** One page of a list paged by number (`page`, `per_page`). */
function pageByNumber<T>(items: T[], query: URLSearchParams, path: string, toJson: (item: T) => Json): SimResponse {
  const perPage = perPageOf(query);
  const page = Math.max(1, Number(query.get("page") ?? 1) || 1);
  const headers = page * perPage < items.length ? nextLink(path, query, { per_page: String(perPage), page: String(page + 1) }) : {};
  return { status: 200, headers, body: items.slice((page - 1) * perPage, page * perPage).map(toJson) };
}

/** One page of a list paged by cursor (`after`, `per_page`), as the Dependabot and code security lists are. */
function pageByCursor<T>(items: T[], query: URLSearchParams, path: string, toJson: (item: T) => Json): SimResponse {
  const perPage = perPageOf(query);
  const after = query.get("after");
  const start = after ? Number(/^cursor:(\d+)$/.exec(Buffer.from(after, "base64url").toString())?.[1] ?? Number.NaN) : 0;
  if (Number.isNaN(start)) return json(400, { message: "Invalid cursor.", documentation_url: "https://docs.github.com/rest" });
  const end = start + perPage;
  const headers =
    end < items.length
      ? nextLink(path, query, { per_page: String(perPage), after: Buffer.from(`cursor:${end}`).toString("base64url") })
      : {};
  return { status: 200, headers, body: items.slice(start, end).map(toJson) };
}

const json = (status: number, body: unknown): SimResponse => ({ status, headers: {}, body });
const notFound = (): SimResponse => json(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
