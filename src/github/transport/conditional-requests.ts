import type { GitHubClient } from "../types.js";

interface StoredResponse {
  etag: string;
  status: number;
  url: string;
  headers: Record<string, string | number | undefined>;
  data: unknown;
}

/**
 * ETags of REST reads, so a repeated read is a conditional request: GitHub answers 304 Not Modified, which does not
 * count against the rate limit, and the stored answer is reused. Bounded (least recently used evicted).
 */
export class EtagStore {
  private readonly responses = new Map<string, StoredResponse>();

  constructor(private readonly maxEntries = 5_000) {}

  get size(): number {
    return this.responses.size;
  }

  get(key: string): StoredResponse | undefined {
    const stored = this.responses.get(key);
    if (stored) {
      this.responses.delete(key);
      this.responses.set(key, stored);
    }
    return stored;
  }

  set(key: string, response: StoredResponse): void {
    this.responses.delete(key);
    this.responses.set(key, response);
    while (this.responses.size > this.maxEntries) this.responses.delete(this.responses.keys().next().value!);
  }
}

type RequestOptions = Parameters<Parameters<GitHubClient["hook"]["wrap"]>[1]>[1];

/** The URL (with query) and media type a request resolves to: what GitHub's ETag is for. */
function keyOf(octokit: GitHubClient, options: RequestOptions): string {
  const { url, headers } = octokit.request.endpoint.parse(options as Parameters<typeof octokit.request.endpoint.parse>[0]);
  return `${url} ${headers.accept ?? ""}`;
}

const conditional = new WeakSet<object>();

/** Makes every REST GET of this Octokit conditional on the ETag stored for it (GraphQL and writes are untouched). Idempotent. */
export function useConditionalRequests(octokit: GitHubClient, store: EtagStore): void {
  if (conditional.has(octokit)) return;
  conditional.add(octokit);
  octokit.hook.wrap("request", async (request, options) => {
    if ((options.method ?? "GET") !== "GET") return request(options);
    const key = keyOf(octokit, options);
    const stored = store.get(key);
    if (stored) options.headers = { ...options.headers, "if-none-match": stored.etag };
    try {
      const response = await request(options);
      const etag = response.headers.etag;
      if (etag) store.set(key, { etag, status: response.status, url: response.url, headers: { ...response.headers }, data: response.data });
      return response;
    } catch (error) {
      if ((error as { status?: number }).status !== 304 || !stored) throw error;
      // A copy: callers may change what they get, and the stored answer must stay as GitHub sent it.
      return { status: stored.status, url: stored.url, headers: { ...stored.headers }, data: structuredClone(stored.data) } as Awaited<
        ReturnType<typeof request>
      >;
    }
  });
}
