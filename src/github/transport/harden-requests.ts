import { networkFailure } from "../../common/network-error.js";
import { keepAliveFetch } from "./keep-alive-fetch.js";
import { gatedFetch, isSupersededWrite } from "./send-gate.js";
import { useConditionalRequests, type EtagStore } from "./conditional-requests.js";
import { PrimaryRateLimitError, RateLimitedSignal, resourceOfUrl, type InstallationRateLimits } from "./rate-limits.js";
import type { GitHubClient } from "../types.js";

export interface RequestPolicy {
  /** Deadline of one attempt of a request. */
  timeoutMs: number;
  /**
   * Retries of a secondary rate limit, which Probot's defaults do not retry: a 403/429 with `retry-after` waits that
   * long; one without (GitHub's "secondary rate limit" message, or any 429) waits a minute, then twice as long each time.
   */
  secondaryRateLimitRetries: number;
  /**
   * Longest secondary-rate-limit wait worth making inside a webhook; a longer one fails the request at once (its
   * controls fail closed with GitHub's words) and the pull request is evaluated again after it.
   */
  maxRetryAfterSeconds: number;
  /**
   * Longest wait for a spent primary rate limit to reset (default 60 s, SDLC_GUARD_MAX_RATE_LIMIT_WAIT_SECONDS); a later
   * reset fails the request at once with the reason, and nothing more is asked of GitHub until it (with `rateLimits`).
   */
  maxRateLimitWaitSeconds?: number;
  /** How a secondary-rate-limit wait is made (tests inject a clock; default a timer). */
  sleep?: (ms: number) => Promise<void>;
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
    const limited = failFastOnPermanentNetworkErrors(rateLimits ? rateLimits.book.fetchFor(rateLimits.installation, base) : base, options);
    // The calling evaluation's last say, once the request's pacing is over (send-gate.ts).
    const fetch = gatedFetch(limited, options as Parameters<typeof gatedFetch>[1]);
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
        if (isSupersededWrite(error)) {
          counter.count--; // never sent
          throw error;
        }
        if (signal.aborted) throw new RequestTimeoutError(policy.timeoutMs);
        const wait = secondaryRateLimitWait(error, attempt);
        if (wait === undefined) throw error;
        if (wait > policy.maxRetryAfterSeconds) {
          // Not waited for inside a webhook: the request fails (closed, with GitHub's words) and the caller evaluates
          // again after the wait, as for a spent primary limit.
          counter.rateLimited++;
          counter.rateLimitedUntil = Math.max(counter.rateLimitedUntil ?? 0, Date.now() + wait * 1000);
          throw error;
        }
        if (attempt++ >= policy.secondaryRateLimitRetries) throw error;
        await (policy.sleep ?? sleepFor)(wait * 1000);
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
  const notify = (status: unknown, headers: unknown, unsent = false) => {
    if (unsent) return; // a superseded write never reached GitHub
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
    (error: { status?: unknown; response?: { headers?: unknown } }) =>
      notify(error?.status, error?.response?.headers, isSupersededWrite(error)),
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

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** GitHub's advice for a secondary rate limit without `retry-after`: wait at least a minute, then back off exponentially. */
export const SECONDARY_RATE_LIMIT_BASE_WAIT_SECONDS = 60;
const SECONDARY_MESSAGE = /secondary rate limit/i;

/**
 * Seconds to wait before retry number `attempt` (0 for the first) of a request GitHub refused for a secondary rate limit,
 * else undefined. With `retry-after`, what it says; without, when the answer is one (a 429, or a 403 whose message says
 * "secondary rate limit": a plain 403 is a permission problem), a minute, doubled at each further attempt.
 */
export function secondaryRateLimitWait(error: unknown, attempt = 0): number | undefined {
  const e = error as {
    status?: number;
    message?: unknown;
    response?: { headers?: Record<string, string | undefined>; data?: unknown };
  };
  if (e.status !== 403 && e.status !== 429) return undefined;
  const retryAfter = e.response?.headers?.["retry-after"];
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
  }
  const data = e.response?.data as { message?: unknown } | undefined;
  const said = `${typeof data?.message === "string" ? data.message : ""} ${typeof e.message === "string" ? e.message : ""}`;
  if (e.status === 403 && !SECONDARY_MESSAGE.test(said)) return undefined;
  return SECONDARY_RATE_LIMIT_BASE_WAIT_SECONDS * 2 ** attempt;
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
