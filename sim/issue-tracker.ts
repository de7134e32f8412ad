import type { SimResponse } from "./github-world.js";
import { exampleResponse } from "./openapi.js";

// Issues and issue comments of the simulated repositories. Answers start from GitHub's documented examples
// (the world validates them against the OpenAPI description). Pull requests are not modelled as issues here.

export interface SimIssueAuthor {
  login: string;
  type: "User" | "Bot";
}
export type SimReactionContent = "+1" | "-1" | "laugh" | "confused" | "heart" | "hooray" | "rocket" | "eyes";
export interface SimReaction {
  id: number;
  content: SimReactionContent;
  author: SimIssueAuthor;
  createdAt: string;
}
export interface SimIssueComment {
  id: number;
  body: string;
  author: SimIssueAuthor;
  createdAt: string;
  updatedAt: string;
  /** Reactions to the comment (set when the first one is added). */
  reactions?: SimReaction[];
  /** Set when the body was edited after it was posted (GraphQL `lastEditedAt`). */
  lastEditedAt?: string;
}
export interface SimIssue {
  number: number;
  title: string;
  body: string;
  /** Label names. */
  labels: string[];
  state: "open" | "closed";
  author: SimIssueAuthor;
  /** Oldest first. */
  comments: SimIssueComment[];
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  /** The conversation of a pull request (same numbering as issues on GitHub): left out of issue listings here. */
  pullRequest?: boolean;
}
/** What a test may set when adding an issue directly (e.g. a human-authored one carrying a fake marker). */
export type SimIssueInit = Partial<Omit<SimIssue, "number" | "comments">> & {
  comments?: (Partial<Omit<SimIssueComment, "id">> & { body: string })[];
};

/** Issues and comments written through the API are authored by the app. */
export const APP_AUTHOR: SimIssueAuthor = { login: "sdlc-guard[bot]", type: "Bot" };
const HUMAN_AUTHOR: SimIssueAuthor = { login: "octo-human", type: "User" };

interface RepoIssues {
  owner: string;
  repo: string;
  issues: SimIssue[];
  nextNumber: number;
  /** Label ids by lower-case name (labels named on create/update are created implicitly, as GitHub does for writers). */
  labels: Map<string, { id: number; name: string }>;
}

type Json = Record<string, unknown>;

const ISSUE_ID_BASE = 9_000_000;
const CLOCK_START = Date.UTC(2026, 10, 20, 9, 0, 0);

export class SimIssueTracker {
  /** The app whose writes these are (`performed_via_github_app`); the world sets its own. */
  appId = 4242;
  private readonly repos = new Map<string, RepoIssues>();
  private nextCommentId = 1;
  private nextLabelId = 500;
  private nextReactionId = 1;
  private tick = 0;
  /** Where the write clock starts (default 2026-11-20T09:00:00Z; the playground starts it at the real time). */
  clockStartMs = CLOCK_START;

  /** Every issue of every repository, with the repository it belongs to. */
  all(): { owner: string; repo: string; issue: SimIssue }[] {
    return [...this.repos.values()].flatMap((store) => store.issues.map((issue) => ({ owner: store.owner, repo: store.repo, issue })));
  }

  /** The repository's issues (live objects), in creation order. */
  list(owner: string, repo: string): SimIssue[] {
    return this.repoIssues(owner, repo).issues;
  }

  /** Adds an issue as if someone had opened it on GitHub (default author: a human). */
  add(owner: string, repo: string, init: SimIssueInit = {}): SimIssue {
    const store = this.repoIssues(owner, repo);
    const now = this.now();
    const { comments = [], ...fields } = init;
    const issue: SimIssue = {
      number: store.nextNumber++,
      title: "An issue",
      body: "",
      labels: [],
      state: "open",
      author: HUMAN_AUTHOR,
      comments: [],
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      ...fields,
    };
    if (issue.state === "closed" && !issue.closedAt) issue.closedAt = now;
    for (const name of issue.labels) this.label(store, name);
    store.issues.push(issue);
    for (const c of comments) {
      const comment = this.addComment(owner, repo, issue.number, c.body, c.author ?? HUMAN_AUTHOR);
      // Times given by the test are kept (the issue's own times too).
      if (c.createdAt) Object.assign(comment, { createdAt: c.createdAt, updatedAt: c.updatedAt ?? c.createdAt });
      if (c.reactions) comment.reactions = c.reactions;
    }
    if (comments.length) issue.updatedAt = fields.updatedAt ?? issue.comments.at(-1)!.updatedAt;
    return issue;
  }

  /** The comments of an issue, oldest first ([] for an unknown issue). */
  comments(owner: string, repo: string, number: number): SimIssueComment[] {
    return this.find(owner, repo, number)?.comments ?? [];
  }

  /** Adds a comment as if someone had written it on GitHub (default author: a human). */
  addComment(owner: string, repo: string, number: number, body: string, author: SimIssueAuthor = HUMAN_AUTHOR): SimIssueComment {
    const issue = this.find(owner, repo, number);
    if (!issue) throw new Error(`no issue ${owner}/${repo}#${number}`);
    const now = this.now();
    const comment: SimIssueComment = { id: this.nextCommentId++, body, author, createdAt: now, updatedAt: now };
    issue.comments.push(comment);
    issue.updatedAt = now;
    return comment;
  }

  /** The comment thread of pull request `number` (created on first use), where its comments live as on GitHub. */
  pullRequestThread(owner: string, repo: string, number: number, title = `Pull request ${number}`): SimIssue {
    const store = this.repoIssues(owner, repo);
    const existing = store.issues.find((i) => i.number === number);
    if (existing) return existing;
    const now = this.now();
    const thread: SimIssue = {
      number,
      title,
      body: "",
      labels: [],
      state: "open",
      author: HUMAN_AUTHOR,
      comments: [],
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      pullRequest: true,
    };
    store.issues.push(thread);
    store.nextNumber = Math.max(store.nextNumber, number + 1);
    return thread;
  }

  /** Edits a comment as its author would on GitHub (GitHub records the edit). */
  editComment(owner: string, repo: string, id: number, body: string): SimIssueComment {
    const comment = this.repoIssues(owner, repo)
      .issues.flatMap((i) => i.comments)
      .find((c) => c.id === id);
    if (!comment) throw new Error(`no comment ${id} in ${owner}/${repo}`);
    comment.body = body;
    comment.updatedAt = comment.lastEditedAt = this.now();
    return comment;
  }

  /** Deletes a comment as its author would on GitHub. */
  deleteComment(owner: string, repo: string, id: number): void {
    for (const issue of this.repoIssues(owner, repo).issues) issue.comments = issue.comments.filter((c) => c.id !== id);
  }

  /** Closes an issue as someone would on GitHub. */
  close(owner: string, repo: string, number: number): void {
    const issue = this.find(owner, repo, number);
    if (!issue) throw new Error(`no issue ${owner}/${repo}#${number}`);
    this.setState(issue, "closed");
  }

  /** Answers an issues request under `/repos/{owner}/{repo}` (`rest` is the rest of the path), or undefined if not an issues route. */
  route(owner: string, repo: string, method: string, rest: string, query: URLSearchParams, body: unknown): SimResponse | undefined {
    if (!rest.startsWith("/issues")) return undefined;
    const store = this.repoIssues(owner, repo);
    let m: RegExpMatchArray | null;
    if (rest === "/issues") {
      if (method === "GET") return this.listIssues(store, query);
      if (method === "POST") return this.createIssue(store, body as IssueInput);
      return undefined;
    }
    if ((m = rest.match(/^\/issues\/comments\/(\d+)\/reactions$/))) return this.reactionsRoute(store, Number(m[1]), method, query, body);
    if ((m = rest.match(/^\/issues\/comments\/(\d+)$/))) {
      const id = Number(m[1]);
      const issue = store.issues.find((i) => i.comments.some((c) => c.id === id));
      const comment = issue?.comments.find((c) => c.id === id);
      if (method === "PATCH") {
        if (!issue || !comment) return notFound();
        comment.body = String((body as { body: string }).body);
        comment.updatedAt = comment.lastEditedAt = this.now();
        return json(
          200,
          this.commentJson(store, issue, comment, exampleResponse("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}", 200)),
        );
      }
      if (method === "DELETE") {
        if (!issue || !comment) return notFound();
        issue.comments.splice(issue.comments.indexOf(comment), 1);
        return { status: 204, headers: {}, body: undefined };
      }
      return undefined;
    }
    if ((m = rest.match(/^\/issues\/(\d+)$/))) {
      const issue = store.issues.find((i) => i.number === Number(m![1]));
      if (method === "GET") {
        // The documented example of `issues/get` is an unresolved reference; `issues/update` answers the same `issue` schema.
        return issue
          ? json(200, this.issueJson(store, issue, exampleResponse("PATCH", "/repos/{owner}/{repo}/issues/{issue_number}", 200)))
          : notFound();
      }
      if (method === "PATCH") return issue ? this.updateIssue(store, issue, body as IssueInput) : notFound();
      return undefined;
    }
    if ((m = rest.match(/^\/issues\/(\d+)\/comments$/))) {
      const issue = store.issues.find((i) => i.number === Number(m![1]));
      if (method === "GET") {
        if (!issue) return notFound();
        const [template] = exampleResponse("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments", 200) as unknown as Json[];
        const path = `/repos/${store.owner}/${store.repo}/issues/${issue.number}/comments`;
        return page(issue.comments, query, path, new URLSearchParams(), (c) => this.commentJson(store, issue, c, template!));
      }
      if (method === "POST") {
        if (!issue) return notFound();
        const comment = this.addComment(store.owner, store.repo, issue.number, String((body as { body: string }).body), APP_AUTHOR);
        return json(
          201,
          this.commentJson(store, issue, comment, exampleResponse("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", 201)),
        );
      }
      return undefined;
    }
    return undefined;
  }

  /** Reactions of a comment: the app adds one (201; 200 when it had already reacted so), or lists them. */
  private reactionsRoute(
    store: RepoIssues,
    commentId: number,
    method: string,
    query: URLSearchParams,
    body: unknown,
  ): SimResponse | undefined {
    const comment = store.issues.flatMap((i) => i.comments).find((c) => c.id === commentId);
    if (method === "GET") {
      if (!comment) return notFound();
      const [template] = exampleResponse("GET", "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", 200) as unknown as Json[];
      const content = query.get("content");
      const kept = new URLSearchParams(content ? { content } : {});
      const path = `/repos/${store.owner}/${store.repo}/issues/comments/${commentId}/reactions`;
      return page(
        (comment.reactions ?? []).filter((r) => !content || r.content === content),
        query,
        path,
        kept,
        (r) => reactionJson(r, template!),
      );
    }
    if (method !== "POST") return undefined;
    if (!comment) return notFound();
    const content = (body as { content: SimReactionContent }).content;
    const example = exampleResponse("POST", "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", 201);
    const existing = comment.reactions?.find((r) => r.content === content && r.author.login === APP_AUTHOR.login);
    if (existing) return json(200, reactionJson(existing, example));
    const reaction: SimReaction = { id: this.nextReactionId++, content, author: APP_AUTHOR, createdAt: this.now() };
    (comment.reactions ??= []).push(reaction);
    return json(201, reactionJson(reaction, example));
  }

  private listIssues(store: RepoIssues, query: URLSearchParams): SimResponse {
    const state = query.get("state") ?? "open";
    const wanted = (query.get("labels") ?? "")
      .split(",")
      .map((l) => l.trim().toLowerCase())
      .filter(Boolean);
    const creator = query.get("creator")?.toLowerCase();
    const sort = query.get("sort") ?? "created";
    const direction = query.get("direction") === "asc" ? 1 : -1;
    const key = (i: SimIssue): [string | number, number] =>
      sort === "updated" ? [i.updatedAt, i.number] : sort === "comments" ? [i.comments.length, i.number] : [i.createdAt, i.number];
    const matching = store.issues
      .filter((i) => !i.pullRequest)
      .filter((i) => state === "all" || i.state === state)
      .filter((i) => wanted.every((w) => i.labels.some((l) => l.toLowerCase() === w)))
      .filter((i) => !creator || i.author.login.toLowerCase() === creator)
      .sort((a, b) => {
        const [ka, na] = key(a);
        const [kb, nb] = key(b);
        return direction * (ka < kb ? -1 : ka > kb ? 1 : na - nb);
      });
    const [template] = exampleResponse("GET", "/repos/{owner}/{repo}/issues", 200) as unknown as Json[];
    const kept = new URLSearchParams();
    for (const name of ["state", "labels", "creator", "sort", "direction"]) if (query.has(name)) kept.set(name, query.get(name)!);
    return page(matching, query, `/repos/${store.owner}/${store.repo}/issues`, kept, (i) => this.issueJson(store, i, template!));
  }

  private createIssue(store: RepoIssues, input: IssueInput): SimResponse {
    const issue = this.add(store.owner, store.repo, {
      title: String(input.title),
      body: input.body ?? "",
      labels: labelNames(input.labels ?? []),
      author: APP_AUTHOR,
    });
    return json(201, this.issueJson(store, issue, exampleResponse("POST", "/repos/{owner}/{repo}/issues", 201)));
  }

  private updateIssue(store: RepoIssues, issue: SimIssue, input: IssueInput): SimResponse {
    if (input.title !== undefined && input.title !== null) issue.title = String(input.title);
    if (input.body !== undefined) issue.body = input.body ?? "";
    if (input.labels) {
      issue.labels = labelNames(input.labels);
      for (const name of issue.labels) this.label(store, name);
    }
    if (input.state && input.state !== issue.state) this.setState(issue, input.state);
    issue.updatedAt = this.now();
    return json(200, this.issueJson(store, issue, exampleResponse("PATCH", "/repos/{owner}/{repo}/issues/{issue_number}", 200)));
  }

  private setState(issue: SimIssue, state: "open" | "closed"): void {
    const now = this.now();
    issue.state = state;
    issue.closedAt = state === "closed" ? now : null;
    issue.updatedAt = now;
  }

  private issueJson(store: RepoIssues, issue: SimIssue, example: Json): Json {
    const out: Json = {
      ...example,
      id: ISSUE_ID_BASE + issue.number,
      node_id: `I_sim${store.owner}_${store.repo}_${issue.number}`,
      url: `${apiBase(store)}/issues/${issue.number}`,
      repository_url: apiBase(store),
      labels_url: `${apiBase(store)}/issues/${issue.number}/labels{/name}`,
      comments_url: `${apiBase(store)}/issues/${issue.number}/comments`,
      events_url: `${apiBase(store)}/issues/${issue.number}/events`,
      html_url: `${htmlBase(store)}/issues/${issue.number}`,
      number: issue.number,
      state: issue.state,
      state_reason: issue.state === "closed" ? "completed" : null,
      title: issue.title,
      body: issue.body,
      user: userJson(example.user as Json, issue.author),
      labels: issue.labels.map((name) => this.labelJson(store, name, (example.labels as Json[])[0]!)),
      assignee: null,
      assignees: [],
      milestone: null,
      locked: false,
      active_lock_reason: null,
      comments: issue.comments.length,
      closed_at: issue.closedAt,
      closed_by: null,
      created_at: issue.createdAt,
      updated_at: issue.updatedAt,
      author_association: issue.author.type === "Bot" ? "NONE" : "MEMBER",
      pinned_comment: null,
      performed_via_github_app: this.appOf(issue.author),
    };
    delete out.pull_request;
    return out;
  }

  private commentJson(store: RepoIssues, issue: SimIssue, comment: SimIssueComment, example: Json): Json {
    return {
      ...example,
      id: comment.id,
      node_id: `IC_sim${comment.id}`,
      url: `${apiBase(store)}/issues/comments/${comment.id}`,
      html_url: `${htmlBase(store)}/issues/${issue.number}#issuecomment-${comment.id}`,
      issue_url: `${apiBase(store)}/issues/${issue.number}`,
      body: comment.body,
      user: userJson(example.user as Json, comment.author),
      created_at: comment.createdAt,
      updated_at: comment.updatedAt,
      author_association: comment.author.type === "Bot" ? "NONE" : "MEMBER",
      performed_via_github_app: this.appOf(comment.author),
    };
  }

  /** GitHub names the app that wrote an issue or comment; only our app's writes are modelled as such. */
  private appOf(author: SimIssueAuthor): Json | null {
    if (author.type !== "Bot" || author.login !== APP_AUTHOR.login) return null;
    return { ...exampleResponse("GET", "/app", 200), id: this.appId, slug: "sdlc-guard", name: "sdlc-guard" };
  }

  private labelJson(store: RepoIssues, name: string, example: Json): Json {
    const label = this.label(store, name);
    return {
      ...example,
      id: label.id,
      node_id: `LA_sim${label.id}`,
      url: `${apiBase(store)}/labels/${encodeURIComponent(label.name)}`,
      name: label.name,
      description: null,
      color: "ededed",
      default: false,
    };
  }

  private label(store: RepoIssues, name: string): { id: number; name: string } {
    let label = store.labels.get(name.toLowerCase());
    if (!label) {
      label = { id: this.nextLabelId++, name };
      store.labels.set(name.toLowerCase(), label);
    }
    return label;
  }

  private find(owner: string, repo: string, number: number): SimIssue | undefined {
    return this.repoIssues(owner, repo).issues.find((i) => i.number === number);
  }

  private repoIssues(owner: string, repo: string): RepoIssues {
    const key = `${owner}/${repo}`.toLowerCase();
    let store = this.repos.get(key);
    if (!store) {
      store = { owner, repo, issues: [], nextNumber: 1, labels: new Map() };
      this.repos.set(key, store);
    }
    return store;
  }

  /** The clock's time for the next write, without moving it (for other parts of the world that record a time). */
  peekNow(): string {
    return new Date(this.clockStartMs + this.tick * 1000).toISOString().replace(".000Z", "Z");
  }

  /** A deterministic clock: every write is one second after the previous one. */
  private now(): string {
    return new Date(this.clockStartMs + this.tick++ * 1000).toISOString().replace(".000Z", "Z");
  }
}

interface IssueInput {
  title?: string | number | null;
  body?: string | null;
  state?: "open" | "closed";
  labels?: (string | { name?: string })[];
}

const labelNames = (labels: (string | { name?: string })[]): string[] => [
  ...new Set(labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))).filter(Boolean)),
];

/** One page of a list, with GitHub's `link` header when there is a next page. */
function page<T>(items: T[], query: URLSearchParams, path: string, kept: URLSearchParams, toJson: (item: T) => Json): SimResponse {
  const perPage = Math.min(100, Math.max(1, Number(query.get("per_page") ?? 30) || 30));
  const pageNumber = Math.max(1, Number(query.get("page") ?? 1) || 1);
  const slice = items.slice((pageNumber - 1) * perPage, pageNumber * perPage);
  const headers: Record<string, string> = {};
  if (pageNumber * perPage < items.length) {
    const next = new URLSearchParams(kept);
    next.set("per_page", String(perPage));
    next.set("page", String(pageNumber + 1));
    headers.link = `<https://api.github.com${path}?${next.toString()}>; rel="next"`;
  }
  return { status: 200, headers, body: slice.map(toJson) };
}

function reactionJson(reaction: SimReaction, example: Json): Json {
  return {
    ...example,
    id: reaction.id,
    node_id: `REA_sim${reaction.id}`,
    content: reaction.content,
    created_at: reaction.createdAt,
    user: userJson(example.user as Json, reaction.author),
  };
}

function userJson(example: Json, author: SimIssueAuthor): Json {
  const bot = author.type === "Bot";
  const slug = author.login.replace(/\[bot\]$/, "");
  return {
    ...example,
    login: author.login,
    id: bot ? 4_000_000 + author.login.length : 1_000_000 + author.login.length,
    type: author.type,
    url: `https://api.github.com/users/${encodeURIComponent(author.login)}`,
    html_url: bot ? `https://github.com/apps/${slug}` : `https://github.com/${author.login}`,
  };
}

const apiBase = (store: RepoIssues) => `https://api.github.com/repos/${store.owner}/${store.repo}`;
const htmlBase = (store: RepoIssues) => `https://github.com/${store.owner}/${store.repo}`;
const json = (status: number, body: unknown): SimResponse => ({ status, headers: {}, body });
const notFound = (): SimResponse => json(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
