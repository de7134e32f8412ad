import { useConditionalRequests, type EtagStore } from "./conditional-requests.js";
import type { GitHubClient } from "./types.js";

export interface RequestPolicy {
  /** Deadline of one attempt of a request. */
  timeoutMs: number;
  /** Retries of a secondary rate limit (403/429 with `retry-after`), which Probot's defaults do not retry. */
  secondaryRateLimitRetries: number;
  /** Longest `retry-after` worth waiting for inside a webhook; longer ones fail the request. */
  maxRetryAfterSeconds: number;
}

export const defaultRequestPolicy: RequestPolicy = { timeoutMs: 30_000, secondaryRateLimitRetries: 2, maxRetryAfterSeconds: 60 };

const hardened = new WeakMap<object, { count: number }>();

/**
 * Adds a per-attempt deadline and bounded secondary-rate-limit retries to every request of this Octokit (5xx are retried by
 * Probot's retry plugin underneath), and counts the requests it makes; with `etags`, REST reads become conditional.
 * Idempotent per instance.
 */
export function hardenRequests(octokit: GitHubClient, policy: RequestPolicy = defaultRequestPolicy, etags?: EtagStore): { count: number } {
  const existing = hardened.get(octokit);
  if (existing) return existing;
  const counter = { count: 0 };
  hardened.set(octokit, counter);
  octokit.hook.wrap("request", async (request, options) => {
    // Octokit's hook chain hands every layer the same options object: the deadline must be set on it, not on a copy.
    for (let attempt = 0; ; attempt++) {
      counter.count++;
      const signal = AbortSignal.timeout(policy.timeoutMs); // each attempt gets the whole deadline
      options.request = { ...options.request, signal };
      try {
        return await request(options);
      } catch (error) {
        if (signal.aborted) throw new RequestTimeoutError(policy.timeoutMs);
        const wait = secondaryRateLimitWait(error);
        if (wait === undefined || attempt >= policy.secondaryRateLimitRetries || wait > policy.maxRetryAfterSeconds) throw error;
        await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      }
    }
  });
  // Registered after: it wraps the hook above, so a 304 is counted once and gets the same deadline.
  if (etags) useConditionalRequests(octokit, etags);
  return counter;
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
