import { httpStatus } from "../../common/describe-error.js";
import type { GitHubClient } from "../types.js";

/** The rate limits a collection spends: REST requests, and GraphQL points. */
export type RateResource = "core" | "graphql";
const RESOURCES: readonly RateResource[] = ["core", "graphql"];

export interface RateBudgetOptions {
  /** Requests (points) left untouched for webhook evaluations (default 50). */
  reserve?: number;
  /** Longest wait for a reset; a reset further away fails the collection instead (default 15 minutes). */
  maxWaitMs?: number;
  /** Waits `ms` (default: a timer). */
  sleep?: (ms: number) => Promise<void>;
  /** Epoch milliseconds now (default: the system clock), to tell how far away a reset is. */
  clock?: () => number;
}

interface Bucket {
  limit: number;
  remaining: number;
  /** Epoch milliseconds. */
  resetAt: number;
}

/** GitHub's reset time is in whole seconds: waiting this much longer makes sure the window has turned. */
const RESET_MARGIN_MS = 1_000;

/** The collection needs more of a rate limit than is left, and the limit does not reset soon enough to wait for it. */
export class RateLimitExhaustedError extends Error {
  override readonly name = "RateLimitExhaustedError";
  constructor(
    readonly resource: RateResource,
    readonly needed: number,
    readonly remaining: number,
    readonly resetAt: Date,
    detail: string,
  ) {
    super(
      `GitHub's ${resource === "core" ? "REST" : "GraphQL"} rate limit: ${needed} ${resource === "core" ? "requests" : "points"} needed, ` +
        `${remaining} remaining; it resets at ${resetAt.toISOString()} (${detail})`,
    );
  }
}

/** A request answered (or failed): the limit it was charged to (`/rate_limit` is free) and the answer's headers. */
type Listener = (resource: RateResource | undefined, headers: Record<string, unknown> | undefined) => void;
/** One pair of hooks per Octokit, however many budgets watch it: budgets come and go, hooks cannot be removed. */
const listenersByClient = new WeakMap<object, Set<Listener>>();

const resourceOf = (url: unknown): RateResource | undefined => {
  const path = String(url ?? "").split("?")[0]!;
  return path.endsWith("/rate_limit") ? undefined : path.endsWith("/graphql") ? "graphql" : "core";
};

function watchRateHeaders(octokit: GitHubClient, listener: Listener): () => void {
  let listeners = listenersByClient.get(octokit);
  if (!listeners) {
    const set = new Set<Listener>();
    listeners = set;
    listenersByClient.set(octokit, set);
    octokit.hook.after("request", (response, options) =>
      set.forEach((l) => l(resourceOf(options.url), response.headers as Record<string, unknown>)),
    );
    octokit.hook.error("request", (error, options) => {
      set.forEach((l) => l(resourceOf(options.url), (error as { response?: { headers?: Record<string, unknown> } }).response?.headers));
      throw error;
    });
  }
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * What is left of GitHub's rate limits for a long read (the org summary), so that it never starves the webhook
 * evaluations sharing the installation's limits: read from `GET /rate_limit`, kept current from every response's
 * `x-ratelimit-*` headers, and spent before each request. When a request would dig into the reserve, it waits for the
 * reset (if near) or fails with `RateLimitExhaustedError`; after a failure every later `spend` fails too, so nothing
 * more is requested.
 */
export class RateBudget {
  readonly reserve: number;
  readonly maxWaitMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly clock: () => number;
  /** undefined: not known (GitHub Enterprise Server without rate limits, or `/rate_limit` unreadable). */
  private readonly buckets: Partial<Record<RateResource, Bucket>> = {};
  private readonly waits: Partial<Record<RateResource, Promise<void>>> = {};
  /** What was spent on requests not answered yet (oldest first): GitHub's figures in their answers do not count them yet. */
  private readonly inFlight: Record<RateResource, number[]> = { core: [], graphql: [] };
  private failure: RateLimitExhaustedError | undefined;
  private stopWatching: (() => void) | undefined;

  private constructor(
    private readonly octokit: GitHubClient,
    options: RateBudgetOptions,
  ) {
    this.reserve = options.reserve ?? 50;
    this.maxWaitMs = options.maxWaitMs ?? 15 * 60_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.clock = options.clock ?? (() => Date.now());
  }

  /** A budget from `GET /rate_limit` (free), watching this Octokit's responses until `stop()`. */
  static async start(octokit: GitHubClient, options: RateBudgetOptions = {}): Promise<RateBudget> {
    const budget = new RateBudget(octokit, options);
    await budget.readLimits();
    budget.stopWatching = watchRateHeaders(octokit, (resource, headers) => budget.answered(resource, headers));
    return budget;
  }

  /** Stops following this Octokit's responses. */
  stop(): void {
    this.stopWatching?.();
    this.stopWatching = undefined;
  }

  /** What is left of one limit (undefined: not known). */
  remaining(resource: RateResource): number | undefined {
    return this.buckets[resource]?.remaining;
  }

  /**
   * Takes `n` requests (GraphQL: points) from the budget before making them: waits for the reset when they would dig
   * into the reserve and the reset is within `maxWaitMs`, else throws `RateLimitExhaustedError`.
   */
  async spend(resource: RateResource, n: number): Promise<void> {
    for (let waited = false; ; waited = true) {
      if (this.failure) throw this.failure;
      const bucket = this.buckets[resource];
      if (!bucket || bucket.remaining - n >= this.reserve) {
        if (bucket) bucket.remaining -= n;
        this.inFlight[resource].push(n);
        return;
      }
      const waitMs = bucket.resetAt - this.clock();
      if (n > bucket.limit - this.reserve)
        throw this.fail(resource, n, bucket, `more than the whole limit of ${bucket.limit} leaves beside the reserve of ${this.reserve}`);
      if (waited)
        throw this.fail(resource, n, bucket, `still short after waiting for the reset, with ${this.reserve} kept for webhook evaluations`);
      if (waitMs > this.maxWaitMs) throw this.fail(resource, n, bucket, this.tooLate(waitMs));
      // Concurrent requests short of the same limit share one wait and one re-read.
      await (this.waits[resource] ??= this.waitForReset(waitMs).finally(() => delete this.waits[resource]));
    }
  }

  /**
   * Fails now, before anything is spent on it, when a whole collection's estimated need cannot be met before the
   * deadline: what is left above the reserve, plus one more window if the reset comes within `maxWaitMs`.
   */
  ensureCanMeet(need: Partial<Record<RateResource, number>>): void {
    if (this.failure) throw this.failure;
    for (const resource of RESOURCES) {
      const n = need[resource] ?? 0;
      const bucket = this.buckets[resource];
      if (!bucket || n <= 0) continue;
      const now = Math.max(0, bucket.remaining - this.reserve);
      if (n <= now) continue;
      const waitMs = bucket.resetAt - this.clock();
      const afterReset = Math.max(0, bucket.limit - this.reserve);
      if (waitMs <= this.maxWaitMs && n <= now + afterReset) continue;
      const why =
        waitMs <= this.maxWaitMs ? `more than this window and the next leave beside the reserve of ${this.reserve}` : this.tooLate(waitMs);
      throw this.fail(resource, n, bucket, `estimated for the whole collection: ${why}`);
    }
  }

  /** One spent request was answered (or failed): GitHub's `x-ratelimit-*` figures, less what is still in flight, are what is left. */
  answered(charged: RateResource | undefined, headers: Record<string, unknown> | undefined): void {
    if (charged) this.inFlight[charged].shift();
    this.observe(headers);
  }

  /** Follows GitHub's `x-ratelimit-*` headers of one answer (only the limits this budget spends). */
  observe(headers: Record<string, unknown> | undefined): void {
    const resource = headers?.["x-ratelimit-resource"];
    if (resource !== "core" && resource !== "graphql") return;
    const limit = Number(headers?.["x-ratelimit-limit"]);
    const remaining = Number(headers?.["x-ratelimit-remaining"]);
    const reset = Number(headers?.["x-ratelimit-reset"]);
    if (!Number.isFinite(remaining) || !Number.isFinite(reset)) return;
    const known = this.buckets[resource];
    this.buckets[resource] = {
      limit: Number.isFinite(limit) ? limit : (known?.limit ?? remaining),
      remaining: remaining - this.spentInFlight(resource),
      resetAt: reset * 1000,
    };
  }

  private spentInFlight(resource: RateResource): number {
    return this.inFlight[resource].reduce((sum, n) => sum + n, 0);
  }

  private tooLate(waitMs: number): string {
    return `in ${Math.ceil(waitMs / 60_000)} min, later than the ${Math.round(this.maxWaitMs / 60_000)} min the collection may wait, with ${this.reserve} kept for webhook evaluations`;
  }

  private fail(resource: RateResource, n: number, bucket: Bucket, detail: string): RateLimitExhaustedError {
    this.failure = new RateLimitExhaustedError(resource, n, bucket.remaining, new Date(bucket.resetAt), detail);
    return this.failure;
  }

  private async waitForReset(waitMs: number): Promise<void> {
    if (waitMs > 0) await this.sleep(waitMs + RESET_MARGIN_MS);
    if (await this.readLimits()) return;
    // Unreadable after the reset: the window has turned, so the limits are whole again.
    for (const bucket of Object.values(this.buckets)) {
      if (bucket.resetAt <= this.clock()) Object.assign(bucket, { remaining: bucket.limit, resetAt: bucket.resetAt + 3_600_000 });
    }
  }

  /** Reads every limit; false when GitHub would not say (the limits stay as known). */
  private async readLimits(): Promise<boolean> {
    try {
      const { data } = await this.octokit.request("GET /rate_limit");
      for (const resource of RESOURCES) {
        const entry = data.resources[resource];
        if (entry)
          this.buckets[resource] = {
            limit: entry.limit,
            remaining: entry.remaining - this.spentInFlight(resource),
            resetAt: entry.reset * 1000,
          };
      }
      return true;
    } catch (error) {
      // GitHub Enterprise Server without rate limits answers 404: there is nothing to budget. Anything else: the
      // headers of the next responses will tell.
      if (httpStatus(error) !== 404) return false;
      for (const resource of RESOURCES) delete this.buckets[resource];
      return true;
    }
  }
}
