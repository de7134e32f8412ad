import { networkFailure } from "../../common/network-error.js";
import { keepAliveFetch } from "./keep-alive-fetch.js";
import { useConditionalRequests, type EtagStore } from "./conditional-requests.js";
import { PrimaryRateLimitError, RateLimitedSignal, resourceOfUrl, type InstallationRateLimits } from "./rate-limits.js";
import type { GitHubClient } from "../types.js";

export interface RequestPolicy {
  /** Deadline of one attempt of a request. */
  timeoutMs: number;
  /** Retries of a secondary rate limit (403/429 with `retry-after`), which Probot's defaults do not retry. */
  secondaryRateLimitRetries: number;
  /** Longest `retry-after` worth waiting for inside a webhook; longer ones fail the request. */
  maxRetryAfterSeconds: number;
  /**
   * Longest wait for a spent primary rate limit to reset (default 60 s, SDLC_GUARD_MAX_RATE_LIMIT_WAIT_SECONDS); a later
   * reset fails the request at once with the reason, and nothing more is asked of GitHub until it (with `rateLimits`).
   */
  maxRateLimitWaitSeconds?: number;
}

export const defaultRequestPolicy: RequestPolicy = {
  timeoutMs: 30_000,
  secondaryRateLimitRetries: 2,
  maxRetryAfterSeconds: 60,
  maxRateLimitWaitSeconds: 60,
};

/** Requests made; and requests refused for a spent rate limit, with the latest reset (to evaluate again after it). */
export interface RequestCounter {
  count: number;
  rateLimited: number;
  rateLimitedUntil?: number;
}

const hardened = new WeakMap<object, RequestCounter>();
let plainFetch: typeof globalThis.fetch | undefined;
let dataFetch: typeof globalThis.fetch | undefined;
/** Waits for one request's spent limit to reset, at most (then it fails with the reason). */
const PRIMARY_RATE_LIMIT_WAITS = 2;

/**
 * Adds a per-attempt deadline and bounded secondary-rate-limit retries to every request of this Octokit (5xx are retried by
 * Probot's retry plugin underneath), and counts the requests it makes; with `etags`, REST reads become conditional.
 * With `rateLimits` (the installation's book, see rate-limits.ts), a spent primary rate limit is waited out when it
 * resets within `maxRateLimitWaitSeconds`, else the request fails at once with `PrimaryRateLimitError` and no request
 * of that limit reaches GitHub until the reset. Idempotent per instance (the first call's settings stay).
 */
export function hardenRequests(
  octokit: GitHubClient,
  policy: RequestPolicy = defaultRequestPolicy,
  etags?: EtagStore,
  rateLimits?: InstallationRateLimits,
): RequestCounter {
  const existing = hardened.get(octokit);
  if (existing) return existing;
  const counter: RequestCounter = { count: 0, rateLimited: 0 };
  hardened.set(octokit, counter);
  const maxRateLimitWaitMs = (policy.maxRateLimitWaitSeconds ?? defaultRequestPolicy.maxRateLimitWaitSeconds!) * 1000;
  const refused = (error: PrimaryRateLimitError) => {
    counter.rateLimited++;
    counter.rateLimitedUntil = Math.max(counter.rateLimitedUntil ?? 0, error.resetAt);
    return error;
  };
  octokit.hook.wrap("request", async (request, options) => {
    const resource = resourceOfUrl(String(options.url ?? ""));
    // Unless the caller brought its own fetch, GitHub is asked over keep-alive `http`/`https`, and a successful answer's
    // JSON is parsed by that fetch rather than by Octokit (keep-alive-fetch.ts, `bodyIsData`).
    const ownFetch = options.request?.fetch as typeof globalThis.fetch | undefined;
    const parseHere = ownFetch === undefined && options.request?.parseSuccessResponseBody === undefined;
    const base =
      ownFetch ?? (parseHere ? (dataFetch ??= keepAliveFetch(undefined, { bodyIsData: true })) : (plainFetch ??= keepAliveFetch()));
    const fetch = failFastOnPermanentNetworkErrors(rateLimits ? rateLimits.book.fetchFor(rateLimits.installation, base) : base, options);
    // Octokit's hook chain hands every layer the same options object: the deadline must be set on it, not on a copy.
    for (let attempt = 0, resets = 0; ;) {
      try {
        await rateLimits?.book.admit(rateLimits.installation, resource, maxRateLimitWaitMs);
      } catch (error) {
        throw error instanceof PrimaryRateLimitError ? refused(error) : error;
      }
      counter.count++;
      const signal = AbortSignal.timeout(policy.timeoutMs); // each attempt gets the whole deadline
      options.request = { ...options.request, signal, fetch, ...(parseHere ? { parseSuccessResponseBody: false } : {}) };
      try {
        const answer = Promise.resolve(request(options)).catch((error: unknown) => {
          throw error instanceof RateLimitedSignal ? error.reveal() : error;
        });
        return await reportRequest(octokit, options, answer, signal);
      } catch (error) {
        if (error instanceof RateLimitedSignal) {
          // The next turn waits for the reset (or fails with the reason); a limit still spent after it fails.
          if (resets++ < PRIMARY_RATE_LIMIT_WAITS) continue;
          throw refused(new PrimaryRateLimitError(error.resource, error.resetAt));
        }
        if (signal.aborted) throw new RequestTimeoutError(policy.timeoutMs);
        const wait = secondaryRateLimitWait(error);
        if (wait === undefined || attempt++ >= policy.secondaryRateLimitRetries || wait > policy.maxRetryAfterSeconds) throw error;
        await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      }
    }
  });
  // Registered after: it wraps the hook above, so a 304 is counted once and gets the same deadline.
  if (etags) useConditionalRequests(octokit, etags);
  return counter;
}

/** One attempt of a request {@link hardenRequests} made, as an observer sees it (metrics); must not be modified. */
export interface ObservedRequest {
  octokit: GitHubClient;
  method: string;
  /** As Octokit has it: the route template (`/repos/{owner}/{repo}/pulls`), or a full URL (a next page from a Link header). */
  url: string;
  /** GitHub's HTTP status; undefined when no answer came (deadline, network). */
  status: number | undefined;
  /** No answer before the attempt's deadline. */
  timedOut: boolean;
  /** The answer's headers (`x-ratelimit-*`), when there was an answer. */
  headers: Record<string, unknown> | undefined;
}
export type RequestObserver = (request: ObservedRequest) => void;
const requestObservers = new Set<RequestObserver>();

/** Calls `observer` after every attempt of every hardened Octokit's requests; returns a function that stops it. Throwing observers are ignored. */
export function observeRequests(observer: RequestObserver): () => void {
  requestObservers.add(observer);
  return () => requestObservers.delete(observer);
}

/** Tells the observers how `answer` settles; returns it as it is. */
function reportRequest<T extends { status: number; headers: object }>(
  octokit: GitHubClient,
  options: { method?: unknown; url?: unknown },
  answer: T | Promise<T>,
  signal: AbortSignal,
): T | Promise<T> {
  if (requestObservers.size === 0) return answer;
  const method = String(options.method ?? "GET");
  const url = String(options.url ?? "");
  const notify = (status: unknown, headers: unknown) => {
    const seen: ObservedRequest = {
      octokit,
      method,
      url,
      status: typeof status === "number" ? status : undefined,
      timedOut: signal.aborted,
      headers: (headers ?? undefined) as ObservedRequest["headers"],
    };
    for (const observer of requestObservers) {
      try {
        observer(seen);
      } catch {
        // an observer never gets in the way of the request
      }
    }
  };
  Promise.resolve(answer).then(
    (response) => notify(response.status, response.headers),
    (error: { status?: unknown; response?: { headers?: unknown } }) => notify(error?.status, error?.response?.headers),
  );
  return answer;
}

/** A request that got no answer before its deadline (Octokit would report it as an anonymous HTTP 500). */
export class RequestTimeoutError extends Error {
  override readonly name = "TimeoutError";
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

/** Seconds to wait when GitHub signals a secondary rate limit with `retry-after`, else undefined. */
export function secondaryRateLimitWait(error: unknown): number | undefined {
  const e = error as { status?: number; response?: { headers?: Record<string, string | undefined> } };
  if (e.status !== 403 && e.status !== 429) return undefined;
  const retryAfter = e.response?.headers?.["retry-after"];
  if (retryAfter === undefined) return undefined;
  const seconds = Number(retryAfter);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/**
 * Probot's retry plugin retries what Octokit reports as HTTP 500, network failures included (1 + 4 + 9 s): a name that
 * does not resolve or a refused certificate will not mend in seconds, so the request is not retried (`retries: 0`, read by
 * the plugin from the options after the failure); refused, reset and timed-out connections still are.
 */
function failFastOnPermanentNetworkErrors(
  fetch: typeof globalThis.fetch,
  options: { request?: Record<string, unknown> },
): typeof globalThis.fetch {
  return (async (...args: Parameters<typeof globalThis.fetch>) => {
    try {
      return await fetch(...args);
    } catch (error) {
      if (networkFailure(error)?.permanent && options.request) options.request.retries = 0;
      throw error;
    }
  }) as typeof globalThis.fetch;
}
