/**
 * GitHub's primary rate limits, per installation (its limits are the installation's, shared by every event): what the
 * answers' `x-ratelimit-*` headers said, so that once a limit is spent nothing more is asked of GitHub until it
 * resets. {@link hardenRequests} waits for a reset that is near (within the policy's deadline) and otherwise fails the
 * request at once with {@link PrimaryRateLimitError}, whose message is the reason the check run gives.
 *
 * The book sits under Octokit's plugins (as the `fetch` of each request), so it sees every HTTP answer, including those
 * the throttling and retry plugins would handle, and it refuses every HTTP request of a spent limit, retries included.
 * A rate-limited answer is turned into an error no plugin retries: Probot's throttling plugin would otherwise wait for
 * the reset (up to an hour) inside a webhook.
 */

/** GitHub's reset time is in whole seconds: waiting this much longer makes sure the window has turned. */
export const RESET_MARGIN_MS = 1_000;

/** The limit a request is charged to, from its URL (the answer's `x-ratelimit-resource` says it exactly). */
export function resourceOfUrl(url: string): string {
  const path = url.replace(/^[a-z]+:\/\/[^/]+/i, "").split("?")[0]!;
  if (path.endsWith("/graphql")) return "graphql";
  return /(^|\/)search\//.test(path) ? "search" : "core";
}

const API_NAMES: Record<string, string> = { core: "REST API", graphql: "GraphQL API", search: "search API" };
const hhmm = (epochMs: number): string => new Date(epochMs).toISOString().slice(11, 16);

/** A primary rate limit of the installation is spent, and resets later than the request may wait. */
export class PrimaryRateLimitError extends Error {
  override readonly name = "PrimaryRateLimitError";
  constructor(
    readonly resource: string,
    /** Epoch milliseconds. */
    readonly resetAt: number,
  ) {
    super(`GitHub's rate limit is exhausted until ${hhmm(resetAt)} UTC (${API_NAMES[resource] ?? resource})`);
  }
}

/**
 * Thrown from the `fetch` layer for a spent limit. Named `AbortError` so that Octokit's request rethrows it untouched
 * and neither the retry nor the throttling plugin retries it (no `request.retries`, an empty `response`: Probot's
 * throttling would otherwise wait for the reset). {@link hardenRequests} catches it above the plugins, {@link reveal}s
 * GitHub's answer (for observers) and decides: wait for the reset, or fail with {@link PrimaryRateLimitError}.
 */
export class RateLimitedSignal extends Error {
  override readonly name = "AbortError";
  readonly request = {};
  response: { headers: Record<string, string>; data: object } = { headers: {}, data: {} };
  /** Octokit sets 500 on any `AbortError`; {@link reveal} puts GitHub's status back (undefined: refused without asking). */
  status: number | undefined;
  constructor(
    readonly resource: string,
    readonly resetAt: number,
    private readonly answer?: { status: number; headers: Record<string, string> },
  ) {
    super(`rate limit ${resource} spent until ${new Date(resetAt).toISOString()}`);
  }

  /** GitHub's status and headers, once no plugin can mistake them for a limit to wait for. */
  reveal(): this {
    this.status = this.answer?.status;
    this.response = { headers: this.answer?.headers ?? {}, data: {} };
    return this;
  }
}

interface Window {
  remaining: number;
  /** Epoch milliseconds. */
  resetAt: number;
}

type Fetch = typeof globalThis.fetch;

export class RateLimitBook {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    private readonly maxEntries = 10_000,
  ) {}

  /** Records what an answer's headers say of a limit: a later window replaces an earlier one; within one, the lowest count wins (answers arrive out of order). */
  observe(installation: string, headers: { get(name: string): string | null }, fallbackResource: string): void {
    const remaining = Number(headers.get("x-ratelimit-remaining") ?? Number.NaN);
    const reset = Number(headers.get("x-ratelimit-reset") ?? Number.NaN);
    if (!Number.isFinite(remaining) || !Number.isFinite(reset)) return;
    const key = `${installation} ${headers.get("x-ratelimit-resource") ?? fallbackResource}`;
    const known = this.windows.get(key);
    const resetAt = reset * 1000;
    if (known && resetAt === known.resetAt) known.remaining = Math.min(known.remaining, remaining);
    else if (!known || resetAt > known.resetAt) {
      this.windows.delete(key);
      this.windows.set(key, { remaining, resetAt });
      while (this.windows.size > this.maxEntries) this.windows.delete(this.windows.keys().next().value!);
    }
  }

  /** When the installation's limit resets, while it is spent; undefined when requests may go. */
  spentUntil(installation: string, resource: string): number | undefined {
    const window = this.windows.get(`${installation} ${resource}`);
    if (!window || window.remaining > 0) return undefined;
    if (window.resetAt + RESET_MARGIN_MS <= this.now()) return undefined; // a new window began: GitHub says how much is left
    return window.resetAt;
  }

  /** Before a request: waits for a reset at most `maxWaitMs` away; a later one fails with {@link PrimaryRateLimitError}. */
  async admit(installation: string, resource: string, maxWaitMs: number): Promise<void> {
    const until = this.spentUntil(installation, resource);
    if (until === undefined) return;
    const wait = until + RESET_MARGIN_MS - this.now();
    if (wait > maxWaitMs) throw new PrimaryRateLimitError(resource, until);
    await this.sleep(Math.max(0, wait));
  }

  /**
   * The `fetch` of one installation's requests: refuses a request of a spent limit without sending it, records every
   * answer's limits, and turns a rate-limited answer (403/429, or GraphQL's `RATE_LIMITED`, with none remaining) into
   * a {@link RateLimitedSignal}.
   */
  fetchFor(installation: string, base: Fetch | undefined): Fetch {
    return async (input, init) => {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      const resource = resourceOfUrl(url);
      const spent = this.spentUntil(installation, resource);
      if (spent !== undefined) throw new RateLimitedSignal(resource, spent);
      const response = await (base ?? globalThis.fetch)(input, init);
      this.observe(installation, response.headers, resource);
      if (response.headers.get("x-ratelimit-remaining") === "0" && (await isRateLimited(response, resource))) {
        const resetAt = Number(response.headers.get("x-ratelimit-reset")) * 1000;
        const answer = { status: response.status, headers: Object.fromEntries(response.headers) };
        throw new RateLimitedSignal(
          response.headers.get("x-ratelimit-resource") ?? resource,
          Number.isFinite(resetAt) ? resetAt : this.now(),
          answer,
        );
      }
      return response;
    };
  }
}

async function isRateLimited(response: Response, resource: string): Promise<boolean> {
  if (response.status === 403 || response.status === 429) return true;
  if (resource !== "graphql" || response.status !== 200) return false;
  const body = (await response
    .clone()
    .json()
    .catch(() => undefined)) as { errors?: { type?: string }[] } | undefined;
  return body?.errors?.some((e) => e.type === "RATE_LIMITED") ?? false;
}

/** The book of an installation, as {@link hardenRequests} takes it. */
export interface InstallationRateLimits {
  book: RateLimitBook;
  installation: string;
}
