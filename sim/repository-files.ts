import { createHash } from "node:crypto";
import type { GitHubWorld, SimRepo, SimResponse } from "./github-world.js";
import { exampleResponse } from "./openapi.js";

// Branches, files written on them and pull requests opened from them (`sdlc-guard apply`'s CODEOWNERS / SECURITY.md
// pull request): `GET /git/ref/{ref}`, `POST /git/refs`, `PUT /contents/{path}` on a branch, `GET /contents/{path}?ref=`
// that branch, `POST /pulls`. A branch's files are the default branch's (`repo.files`) plus those written on it.

type Json = Record<string, unknown>;

const DOCS = "https://docs.github.com/rest";

export class SimRepositoryFiles {
  /** Files written on a branch other than the default one, by `owner/repo` (lower case) and branch. */
  private readonly written = new Map<string, Map<string, Map<string, string>>>();

  constructor(private readonly world: GitHubWorld) {}

  /** The files written on `branch` (not the default branch's): path → text. */
  onBranch(repo: SimRepo, branch: string): Map<string, string> {
    const key = `${repo.owner}/${repo.name}`.toLowerCase();
    const branches = this.written.get(key) ?? new Map<string, Map<string, string>>();
    this.written.set(key, branches);
    const files = branches.get(branch) ?? new Map<string, string>();
    branches.set(branch, files);
    return files;
  }

  /**
   * The `files` of `GET /compare/{base}...{head}` when `head` is a branch with files written on it: each one added (or
   * modified, when the default branch has it) with its blob SHA, as GitHub lists them.
   */
  compareFiles(repo: SimRepo, head: string): Json[] {
    const files = this.written.get(`${repo.owner}/${repo.name}`.toLowerCase())?.get(head);
    if (!files || head === repo.defaultBranch) return [];
    return [...files.entries()].map(([filename, text]) => ({
      sha: blobSha(text),
      filename,
      status: repo.files.has(filename) ? "modified" : "added",
      additions: text.split("\n").length,
      deletions: 0,
      changes: text.split("\n").length,
      blob_url: `https://github.com/${repo.owner}/${repo.name}/blob/${head}/${filename}`,
      raw_url: `https://github.com/${repo.owner}/${repo.name}/raw/${head}/${filename}`,
      contents_url: `https://api.github.com/repos/${repo.owner}/${repo.name}/contents/${filename}?ref=${head}`,
    }));
  }

  /** Answers the routes above for `repo` (`rest`: the path after `/repos/{owner}/{repo}`), or undefined for others. */
  route(repo: SimRepo, method: string, rest: string, query: URLSearchParams, body: unknown): SimResponse | undefined {
    let m: RegExpMatchArray | null;
    if (method === "GET" && (m = rest.match(/^\/git\/ref\/(.+)$/))) {
      const ref = decodeURIComponent(m[1]!);
      const sha = ref.startsWith("heads/") ? repo.git.branches.get(ref.slice("heads/".length)) : undefined;
      if (!sha) return json(404, { message: "Not Found", documentation_url: DOCS });
      return json(200, this.refJson(repo, `refs/${ref}`, sha, "GET", "/repos/{owner}/{repo}/git/ref/{ref}", 200));
    }
    if (method === "POST" && rest === "/git/refs") {
      const { ref, sha } = body as { ref: string; sha: string };
      if (!ref.startsWith("refs/heads/"))
        return json(422, { message: "Reference name must start with refs/heads/", documentation_url: DOCS });
      const branch = ref.slice("refs/heads/".length);
      if (repo.git.branches.has(branch)) return json(422, { message: "Reference already exists", documentation_url: DOCS });
      if (!repo.git.commits.has(sha)) return json(422, { message: "Object does not exist", documentation_url: DOCS });
      repo.git.branches.set(branch, sha);
      return json(201, this.refJson(repo, ref, sha, "POST", "/repos/{owner}/{repo}/git/refs", 201));
    }
    if ((m = rest.match(/^\/contents\/(.+)$/))) {
      const path = decodeURIComponent(m[1]!);
      if (method === "GET") {
        const ref = query.get("ref");
        if (!ref || ref === repo.defaultBranch || !repo.git.branches.has(ref)) return undefined;
        const text = this.onBranch(repo, ref).get(path) ?? repo.files.get(path);
        if (text === undefined) return json(404, { message: "Not Found", documentation_url: DOCS });
        const example = exampleResponse("GET", "/repos/{owner}/{repo}/contents/{path}", 200);
        return json(200, {
          ...example,
          name: path.split("/").pop(),
          path,
          size: Buffer.byteLength(text),
          content: Buffer.from(text).toString("base64"),
          encoding: "base64",
        });
      }
      if (method === "PUT") return this.putFile(repo, path, body as { message: string; content: string; branch?: string; sha?: string });
    }
    if (method === "POST" && rest === "/pulls")
      return this.openPullRequest(repo, body as { title: string; body?: string; head: string; base: string });
    return undefined;
  }

  private putFile(repo: SimRepo, path: string, input: { message: string; content: string; branch?: string; sha?: string }): SimResponse {
    const branch = input.branch ?? repo.defaultBranch;
    if (!repo.git.branches.has(branch)) return json(404, { message: `Branch ${branch} not found`, documentation_url: DOCS });
    const onDefault = branch === repo.defaultBranch;
    const files = onDefault ? repo.files : this.onBranch(repo, branch);
    const exists = files.has(path) || (!onDefault && repo.files.has(path));
    // As GitHub: replacing a file needs its blob SHA.
    if (exists && !input.sha) return json(422, { message: 'Invalid request.\n\n"sha" wasn\'t supplied.', documentation_url: DOCS });
    const text = Buffer.from(input.content, "base64").toString("utf8");
    files.set(path, text);
    const commitSha = this.world.commit(repo, branch, input.message);
    const example = exampleResponse("PUT", "/repos/{owner}/{repo}/contents/{path}", exists ? 200 : 201);
    const blob = blobSha(text);
    return json(exists ? 200 : 201, {
      ...example,
      content: { ...(example.content as Json), name: path.split("/").pop(), path, sha: blob, size: Buffer.byteLength(text) },
      commit: { ...(example.commit as Json), sha: commitSha, message: input.message },
    });
  }

  private openPullRequest(repo: SimRepo, input: { title: string; body?: string; head: string; base: string }): SimResponse {
    const head = input.head.includes(":") ? input.head.split(":")[1]! : input.head;
    const headSha = repo.git.branches.get(head);
    if (!headSha || !repo.git.branches.has(input.base))
      return json(422, {
        message: "Validation Failed",
        errors: [{ resource: "PullRequest", field: "head", code: "invalid" }],
        documentation_url: DOCS,
      });
    if (repo.pulls.some((p) => p.state === "OPEN" && p.headRef === head))
      return json(422, {
        message: "Validation Failed",
        errors: [{ resource: "PullRequest", code: "custom", message: `A pull request already exists for ${repo.owner}:${head}.` }],
        documentation_url: DOCS,
      });
    const changed = this.onBranch(repo, head);
    const number =
      Math.max(0, ...repo.pulls.map((p) => p.number), ...this.world.issues.list(repo.owner, repo.name).map((i) => i.number)) + 1;
    const pr = this.world.addPullRequest(repo, {
      number,
      title: input.title,
      body: input.body ?? "",
      headRef: head,
      headSha,
      baseRef: input.base,
      author: { login: this.world.tokenUser },
      files: [...changed.keys()],
      headFiles: new Map(changed),
    });
    const example = exampleResponse("POST", "/repos/{owner}/{repo}/pulls", 201);
    const side = (ref: string, sha: string) => ({
      ...(example.head as Json),
      ref,
      sha,
      label: `${repo.owner}:${ref}`,
      repo: { ...((example.head as Json).repo as Json), id: repo.id, name: repo.name, full_name: `${repo.owner}/${repo.name}` },
    });
    return json(201, {
      ...example,
      number: pr.number,
      title: pr.title,
      body: pr.body,
      state: "open",
      draft: false,
      head: side(head, headSha),
      base: side(input.base, repo.git.branches.get(input.base)!),
      user: { ...(example.user as Json), login: pr.author.login, type: "User" },
      requested_teams: [],
      requested_reviewers: [],
    });
  }

  private refJson(repo: SimRepo, ref: string, sha: string, method: string, template: string, status: number): Json {
    const example = exampleResponse(method, template, status);
    const url = `https://api.github.com/repos/${repo.owner}/${repo.name}/git/${ref}`;
    return {
      ...example,
      ref,
      node_id: `REF_${createHash("sha1").update(url).digest("hex").slice(0, 12)}`,
      url,
      object: {
        ...(example.object as Json),
        type: "commit",
        sha,
        url: `https://api.github.com/repos/${repo.owner}/${repo.name}/git/commits/${sha}`,
      },
    };
  }
}

const blobSha = (text: string): string =>
  createHash("sha1")
    .update(`blob ${Buffer.byteLength(text)}\0${text}`)
    .digest("hex");

const json = (status: number, body: unknown): SimResponse => ({ status, headers: { "content-type": "application/json" }, body });
