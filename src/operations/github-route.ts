/**
 * The route of a GitHub request as a metric label: the method and Octokit's route template
 * (`GET /repos/{owner}/{repo}/pulls`, `POST /graphql`), never a URL with owner, repository, branch or user names in it.
 *
 * Octokit hands its hooks the template for every call made by route (`octokit.rest.*`, `octokit.request("GET /orgs/{org}")`,
 * GraphQL): those are kept (lower-case words and `{placeholders}` only). Paths without placeholders, such as the next pages of
 * a paginated list (full URLs from GitHub's Link header), are reduced to a template: the API prefix and query are dropped,
 * numbers become `{id}`, and any segment that is not one of GitHub's REST path words becomes `{name}`.
 */

/** Literal path segments of GitHub's REST routes (those a next-page link can hold); anything else may be a name. */
const REST_WORDS = new Set([
  "access_tokens",
  "actions",
  "alerts",
  "app",
  "assignees",
  "blobs",
  "branches",
  "check-runs",
  "check-suites",
  "code-scanning",
  "collaborators",
  "comments",
  "commits",
  "compare",
  "contents",
  "deployments",
  "environments",
  "events",
  "files",
  "git",
  "graphql",
  "hooks",
  "installation",
  "installations",
  "issues",
  "labels",
  "members",
  "memberships",
  "orgs",
  "organizations",
  "pulls",
  "rate_limit",
  "ref",
  "refs",
  "releases",
  "repos",
  "repositories",
  "requested_reviewers",
  "reviews",
  "rules",
  "rulesets",
  "runs",
  "search",
  "secret-scanning",
  "status",
  "statuses",
  "tags",
  "teams",
  "timeline",
  "trees",
  "user",
  "users",
]);

const TEMPLATE_SEGMENT = /^\{[A-Za-z0-9_]+\}$/;
const NUMBER = /^\d+$/;

/** `METHOD /template` for a request as Octokit's hooks see it (`url` a template or a full URL). */
export function routeLabel(method: string, url: string): string {
  const verb = /^[A-Za-z]{1,10}$/.test(method) ? method.toUpperCase() : "OTHER";
  return `${verb} ${routeTemplate(url)}`;
}

/** The template of a request's URL; see the module comment. */
export function routeTemplate(url: string): string {
  let path = url.split("{?")[0]!.split("?")[0]!.split("#")[0]!;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    // A full URL: a next page, possibly on GitHub Enterprise Server (`/api/v3/...`, `/api/graphql`).
    try {
      path = new URL(path).pathname;
    } catch {
      return "/{unparsable}";
    }
    path = path.replace(/^\/api\/v3(?=\/|$)/, "").replace(/^\/api(?=\/graphql$)/, "");
  }
  // Octokit's own templates (they have placeholders) are kept as they are; other paths keep only REST words.
  const trusted = path.includes("{");
  const template = path
    .split("/")
    .map((segment, index) => {
      if (index === 0 || segment === "") return segment;
      if (TEMPLATE_SEGMENT.test(segment) || (trusted && /^[a-z][a-z0-9_-]*$/.test(segment))) return segment;
      if (NUMBER.test(segment)) return "{id}";
      return REST_WORDS.has(segment) ? segment : "{name}";
    })
    .join("/");
  return template.startsWith("/") ? template.slice(0, 200) : `/${template}`.slice(0, 200);
}
