import { createHash } from "node:crypto";
import type { GitHubWorld, SimPullRequest, SimRelease, SimRepo } from "./github-world.js";
import { connection } from "./graphql.js";
import type { SimIssue, SimIssueAuthor } from "./issue-tracker.js";

// GraphQL model of what the org-wide summary reads: repository facts (archived, pushed, Dependabot, latest release),
// the default branch's tree by `object(expression:)`, merged pull requests, releases, nodes by id, the search of issues and
// pull requests, and rateLimit.

type Node = Record<string, unknown>;
/** What the world's GraphQL model lends this one. */
export interface GraphqlHooks {
  repositoryNode(repo: SimRepo): Node;
  prNode(repo: SimRepo, pr: SimPullRequest): Node;
  commitNode(repo: SimRepo, oid: string): Node;
}

type OrderArgs = { orderBy?: { field: string; direction: string } };
type PullRequestArgs = {
  first?: number;
  after?: string;
  last?: number;
  states?: string[];
  baseRefName?: string;
  headRefName?: string;
} & OrderArgs;

/** The Repository fields added for the org summary. */
export function repositoryFields(repo: SimRepo, hooks: GraphqlHooks): Node {
  return {
    __typename: "Repository",
    id: `R_${repo.id}`,
    databaseId: repo.id,
    name: repo.name,
    nameWithOwner: `${repo.owner}/${repo.name}`,
    url: `https://github.com/${repo.owner}/${repo.name}`,
    isArchived: repo.archived,
    isPrivate: repo.visibility !== "public",
    visibility: repo.visibility.toUpperCase(),
    isEmpty: Boolean(repo.empty),
    pushedAt: repo.empty ? null : repo.pushedAt,
    hasVulnerabilityAlertsEnabled: repo.dependabot.alertsEnabled,
    // As GitHub: the newest release that is neither a draft nor a prerelease.
    latestRelease: () => {
      const release = repo.releases.filter((r) => !r.draft && !r.prerelease).at(-1);
      return release
        ? {
            tagName: release.tagName,
            name: release.name,
            description: release.body,
            isDraft: false,
            isPrerelease: false,
            publishedAt: release.publishedAt ?? "2026-11-20T09:00:00Z",
          }
        : null;
    },
    // Drafts are listed too (to those who may see them), with no publication time.
    releases: (args: { first?: number; after?: string; last?: number } & OrderArgs) => {
      const made = repo.releases.map((release, index) => ({ release, index, createdAt: releaseCreatedAt(release) }));
      const byName = args.orderBy?.field === "NAME";
      const key = (r: (typeof made)[number]) => (byName ? r.release.tagName : r.createdAt);
      const direction = args.orderBy?.direction === "ASC" ? 1 : -1;
      const sorted = made.sort((a, b) => direction * (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.index - b.index));
      return connection(sorted.map(({ release, index, createdAt }) => releaseNode(repo, release, index, createdAt)))(args);
    },
    pullRequests: (args: PullRequestArgs) => {
      const direction = args.orderBy?.direction === "DESC" ? -1 : 1;
      const key = (pr: SimPullRequest): string | number =>
        args.orderBy?.field === "UPDATED_AT"
          ? prTimes(pr).updatedAt
          : args.orderBy?.field === "COMMENTS"
            ? 0
            : args.orderBy
              ? prTimes(pr).createdAt
              : pr.number;
      const pulls = repo.pulls
        .filter(
          (pr) =>
            (!args.states?.length || args.states.includes(pr.state)) &&
            (!args.baseRefName || pr.baseRef === args.baseRefName) &&
            (!args.headRefName || pr.headRef === args.headRefName),
        )
        .sort((a, b) => direction * (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.number - b.number));
      return connection(pulls.map((pr) => hooks.prNode(repo, pr)))(args);
    },
  };
}

/** A release's creation time: set, else its publication (the simulator's clock start for a draft). */
const releaseCreatedAt = (release: SimRelease): string => release.createdAt ?? release.publishedAt ?? "2026-11-20T09:00:00Z";

function releaseNode(repo: SimRepo, release: SimRelease, index: number, createdAt: string): Node {
  return {
    __typename: "Release",
    id: `RE_${repo.id}_${index}`,
    databaseId: repo.id * 1000 + index,
    tagName: release.tagName,
    name: release.name,
    description: release.body,
    isDraft: release.draft,
    isPrerelease: release.prerelease,
    createdAt,
    publishedAt: release.draft ? null : (release.publishedAt ?? "2026-11-20T09:00:00Z"),
    url: `https://github.com/${repo.owner}/${repo.name}/releases/tag/${encodeURIComponent(release.tagName)}`,
  };
}

/** Created, updated and merged times of a PR as GraphQL reports them (defaults: the simulator's clock start). */
export function prTimes(pr: SimPullRequest): { createdAt: string; updatedAt: string; mergedAt: string | null } {
  const createdAt = pr.createdAt ?? "2026-11-20T09:00:00Z";
  return {
    createdAt,
    updatedAt: pr.updatedAt ?? pr.mergedAt ?? createdAt,
    mergedAt: pr.state === "MERGED" ? (pr.mergedAt ?? createdAt) : null,
  };
}

/**
 * `Repository.object(expression:)`: `REV:path` is the tree or blob at that path of the default branch (whose files are
 * `repo.files`), null when there is no such path; `REV` alone is the commit. REV: `HEAD` or the default branch.
 */
export function objectAt(repo: SimRepo, expression: string, hooks: GraphqlHooks): Node | null {
  const [rev = "", path] = expression.split(/:(.*)/s, 2) as [string, string | undefined];
  if (repo.empty || (rev !== "HEAD" && rev !== repo.defaultBranch && rev !== `refs/heads/${repo.defaultBranch}`)) return null;
  const head = repo.git.branches.get(repo.defaultBranch);
  if (path === undefined) return head ? hooks.commitNode(repo, head) : null;
  const dir = path.replace(/^\/+|\/+$/g, "");
  const text = repo.files.get(dir);
  if (text !== undefined) return blobNode(text);
  return dir === "" || [...repo.files.keys()].some((f) => f.startsWith(`${dir}/`)) ? treeNode(repo, dir) : null;
}

function treeNode(repo: SimRepo, dir: string): Node {
  const prefix = dir ? `${dir}/` : "";
  const children = new Map<string, "blob" | "tree">();
  for (const file of repo.files.keys()) {
    if (!file.startsWith(prefix)) continue;
    const [name, ...deeper] = file.slice(prefix.length).split("/");
    if (name) children.set(name, deeper.length ? "tree" : (children.get(name) ?? "blob"));
  }
  const oid = gitOid("tree", [...children.entries()].map(([n, t]) => `${t} ${n}`).join("\n") + prefix);
  return {
    __typename: "Tree",
    id: `TREE_${repo.id}_${oid}`,
    oid,
    abbreviatedOid: oid.slice(0, 7),
    // Git's order: by name.
    entries: [...children.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, type]) => {
        const path = `${prefix}${name}`;
        const object = type === "tree" ? treeNode(repo, path) : blobNode(repo.files.get(path)!);
        const dot = name.lastIndexOf(".");
        return {
          name,
          type,
          path,
          mode: type === "tree" ? 0o40000 : 0o100644,
          oid: object.oid,
          extension: type === "blob" && dot > 0 ? name.slice(dot) : null,
          isGenerated: false,
          object,
        };
      }),
  };
}

function blobNode(text: string): Node & { oid: string } {
  const oid = gitOid("blob", text);
  return {
    __typename: "Blob",
    id: `BLOB_${oid}`,
    oid,
    abbreviatedOid: oid.slice(0, 7),
    text,
    byteSize: Buffer.byteLength(text),
    isTruncated: false,
    isBinary: false,
  };
}

/** Git's object id (`blob` ids are the real ones). */
function gitOid(type: string, content: string): string {
  return createHash("sha1")
    .update(`${type} ${Buffer.byteLength(content)}\0${content}`)
    .digest("hex");
}

/** Root fields: `search` (issues and pull requests, at most `world.searchResultLimit` listed), `rateLimit`. */
export function rootFields(world: GitHubWorld, hooks: GraphqlHooks): Node {
  return {
    search: (args: { query: string; type: string; first?: number; after?: string; last?: number }) => {
      const matches = args.type === "ISSUE" ? searchIssues(world, args.query) : [];
      const page = connection(
        matches
          .slice(0, world.searchResultLimit)
          .map((match) => ("issue" in match ? issueNode(match.repo, match.issue, hooks) : hooks.prNode(match.repo, match.pr))),
      )(args);
      return {
        ...page,
        issueCount: args.type === "ISSUE" ? matches.length : 0,
        repositoryCount: 0,
        userCount: 0,
        discussionCount: 0,
        wikiCount: 0,
        codeCount: 0,
      };
    },
    rateLimit: () => {
      const bucket = world.rateLimit.graphql;
      return {
        limit: bucket.limit,
        remaining: bucket.remaining,
        used: world.rateLimit.used("graphql"),
        cost: 1,
        nodeCount: 0,
        resetAt: new Date(bucket.reset * 1000).toISOString().replace(".000Z", "Z"),
      };
    },
  };
}

/** A Bot's GraphQL login has no `[bot]` suffix (REST: `sdlc-guard[bot]`, GraphQL: `sdlc-guard`). */
const actor = (author: SimIssueAuthor) => ({
  __typename: author.type,
  login: author.type === "Bot" ? author.login.replace(/\[bot\]$/, "") : author.login,
});

function issueNode(repo: SimRepo, issue: SimIssue, hooks: GraphqlHooks): Node {
  return {
    __typename: "Issue",
    id: `I_${repo.id}_${issue.number}`,
    number: issue.number,
    title: issue.title,
    body: issue.body,
    url: `https://github.com/${repo.owner}/${repo.name}/issues/${issue.number}`,
    state: issue.state.toUpperCase(),
    createdAt: issue.createdAt,
    updatedAt: issue.updatedAt,
    closedAt: issue.closedAt,
    author: actor(issue.author),
    repository: hooks.repositoryNode(repo),
    labels: connection(issue.labels.map((name) => ({ name }))),
    comments: connection(
      issue.comments.map((c) => ({
        __typename: "IssueComment",
        id: `IC_${c.id}`,
        databaseId: c.id,
        body: c.body,
        createdAt: c.createdAt,
        updatedAt: c.updatedAt,
        author: actor(c.author),
      })),
    ),
  };
}

/** The issue of a GraphQL id (`I_<repository id>_<number>`), or undefined. */
export function issueById(world: GitHubWorld, id: string, hooks: GraphqlHooks): Node | undefined {
  const m = /^I_(\d+)_(\d+)$/.exec(id);
  const repo = m ? world.repos.find((r) => r.id === Number(m[1])) : undefined;
  const issue = repo && world.issues.list(repo.owner, repo.name).find((i) => i.number === Number(m![2]));
  return issue && issueNode(repo, issue, hooks);
}

/** One search result: an issue, or a pull request. */
export type SearchMatch = { repo: SimRepo; issue: SimIssue } | { repo: SimRepo; pr: SimPullRequest };

/** What the qualifiers test, alike for issues and pull requests. */
interface Searchable {
  repo: SimRepo;
  kind: "issue" | "pr";
  state: "open" | "closed";
  merged: boolean;
  labels: string[];
  author: string;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  mergedAt: string | null;
}

function searchable(match: SearchMatch): Searchable {
  if ("issue" in match) {
    const { repo, issue } = match;
    return {
      repo,
      kind: "issue",
      state: issue.state,
      merged: false,
      labels: issue.labels,
      author: issue.author.login,
      createdAt: issue.createdAt,
      updatedAt: issue.updatedAt,
      closedAt: issue.closedAt,
      mergedAt: null,
    };
  }
  const { repo, pr } = match;
  const times = prTimes(pr);
  // The simulator keeps no close time of an unmerged PR: its last update stands for it.
  const closedAt = pr.state === "OPEN" ? null : (times.mergedAt ?? times.updatedAt);
  return {
    repo,
    kind: "pr",
    state: pr.state === "OPEN" ? "open" : "closed",
    merged: pr.state === "MERGED",
    labels: [],
    author: pr.author.login,
    closedAt,
    ...times,
  };
}

/**
 * Issues and pull requests matching a search query. Qualifiers: `org:`/`user:`, `repo:`, `label:` (comma: any of),
 * `is:`/`type:` issue|pr, `is:`/`state:` open|closed, `is:merged`/`is:unmerged`, `author:` (`app/NAME` for an app),
 * `created:`/`updated:`/`closed:`/`merged:` with `>=`, `>`, `<=`, `<`, `a..b` or a day (times: `YYYY-MM-DDTHH:MM:SSZ`),
 * and `sort:created|updated[-asc|-desc]` (default: newest created first). Free text is ignored.
 */
export function searchIssues(world: GitHubWorld, query: string): SearchMatch[] {
  const filters: ((item: Searchable) => boolean)[] = [];
  let sort: { field: "createdAt" | "updatedAt"; direction: number } = { field: "createdAt", direction: -1 };
  for (const token of query.match(/-?[\w-]+:"[^"]*"|"[^"]*"|\S+/g) ?? []) {
    const m = /^(-?)([\w-]+):(.*)$/.exec(token);
    if (!m) continue;
    const [, negated, key, raw] = m as unknown as [string, string, string, string];
    const value = raw.replace(/^"|"$/g, "");
    const lower = value.toLowerCase();
    let test: ((item: Searchable) => boolean) | undefined;
    if (key === "org" || key === "user") test = (item) => item.repo.owner.toLowerCase() === lower;
    else if (key === "repo") test = (item) => `${item.repo.owner}/${item.repo.name}`.toLowerCase() === lower;
    else if (key === "label") test = (item) => lower.split(",").some((l) => item.labels.some((name) => name.toLowerCase() === l));
    else if ((key === "is" || key === "type") && (lower === "pr" || lower === "pull-request")) test = (item) => item.kind === "pr";
    else if ((key === "is" || key === "type") && lower === "issue") test = (item) => item.kind === "issue";
    else if ((key === "is" || key === "state") && (lower === "open" || lower === "closed")) test = (item) => item.state === lower;
    else if (key === "is" && (lower === "merged" || lower === "unmerged"))
      test = (item) => item.kind === "pr" && item.state === "closed" && item.merged === (lower === "merged");
    else if (key === "author") test = (item) => item.author.toLowerCase() === (lower.startsWith("app/") ? `${lower.slice(4)}[bot]` : lower);
    else if (key === "created" || key === "updated" || key === "closed" || key === "merged") {
      const inRange = dateRange(value);
      const field = `${key}At` as "createdAt" | "updatedAt" | "closedAt" | "mergedAt";
      test = (item) => item[field] !== null && inRange(item[field]);
    } else if (key === "sort") {
      const [field, dir] = lower.split("-");
      if (field === "created" || field === "updated")
        sort = { field: field === "created" ? "createdAt" : "updatedAt", direction: dir === "asc" ? 1 : -1 };
    }
    if (test) filters.push(negated ? (item) => !test(item) : test);
  }
  const issues: SearchMatch[] = world.issues
    .all()
    .map(({ owner, repo, issue }) => ({ repo: world.repo(owner, repo)!, issue }))
    .filter(({ repo }) => repo);
  const pulls: SearchMatch[] = world.repos.flatMap((repo) => repo.pulls.map((pr) => ({ repo, pr })));
  const number = (match: SearchMatch) => ("issue" in match ? match.issue.number : match.pr.number);
  return [...issues, ...pulls]
    .map((match) => ({ match, item: searchable(match) }))
    .filter(({ item }) => filters.every((f) => f(item)))
    .sort(
      (a, b) =>
        sort.direction *
        (a.item[sort.field] < b.item[sort.field] ? -1 : a.item[sort.field] > b.item[sort.field] ? 1 : number(a.match) - number(b.match)),
    )
    .map(({ match }) => match);
}

/** A search date qualifier's test: `>=D`, `>D`, `<=D`, `<D`, `A..B`, or `D` (that day); days are UTC. */
function dateRange(value: string): (iso: string) => boolean {
  const dayOnly = (d: string) => /^\d{4}-\d{2}-\d{2}$/.test(d);
  const start = (d: string) => Date.parse(dayOnly(d) ? `${d}T00:00:00Z` : d);
  const end = (d: string) => (dayOnly(d) ? start(d) + 86_400_000 : Date.parse(d) + 1); // exclusive
  const range = /^(.+)\.\.(.+)$/.exec(value);
  const m = /^(>=|>|<=|<)?(.+)$/.exec(value)!;
  const [, op = "", d = ""] = m;
  return (iso) => {
    const t = Date.parse(iso);
    if (range) return (range[1] === "*" || t >= start(range[1]!)) && (range[2] === "*" || t < end(range[2]!));
    if (op === ">=") return t >= start(d);
    if (op === ">") return t >= end(d);
    if (op === "<=") return t < end(d);
    if (op === "<") return t < start(d);
    return t >= start(d) && t < end(d);
  };
}
