import type { SimResponse } from "./github-world.js";

// GitHub's primary rate limits as the simulator models them: one bucket per resource, charged one point per request
// (GraphQL: one point per query, errors included), reported in the `x-ratelimit-*` headers of successful answers, and a
// 403 (REST) or a RATE_LIMITED error (GraphQL, HTTP 200) once a bucket is empty. Reads answered 304 are free, as on GitHub.

export type SimRateResource = "core" | "graphql" | "search";
export interface SimRateBucket {
  limit: number;
  remaining: number;
  /** When the bucket refills (epoch seconds). */
  reset: number;
}

/** Default reset: 2026-11-20T10:00:00Z, one hour after the simulator's clock starts. */
export const DEFAULT_RATE_RESET = Date.UTC(2026, 10, 20, 10, 0, 0) / 1000;
const LIMITS: Record<SimRateResource, number> = { core: 5000, graphql: 5000, search: 30 };
const DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api";

export class SimRateLimits {
  readonly core = bucket("core");
  readonly graphql = bucket("graphql");
  readonly search = bucket("search");

  constructor(private readonly installationId: number) {}

  /** Buckets spent by {@link spendUntilAfterRefusal}: seconds from their first refusal to their reset. */
  private readonly refusalResets = new Map<SimRateResource, number>();
  /** Buckets that refill themselves at their reset, as GitHub's do. */
  private readonly refillAtReset = new Set<SimRateResource>();

  /**
   * Spends a bucket; its reset is set when it first refuses a request, `seconds` later, and it refills itself then (as
   * GitHub's buckets do). A test of waiting for a reset then depends on no clock but the app's own wait: however slow the
   * machine, the first request is refused and the reset is still ahead of it.
   */
  spendUntilAfterRefusal(resource: SimRateResource, seconds: number): void {
    Object.assign(this[resource], { remaining: 0, reset: Math.ceil(Date.now() / 1000) + 3_600 });
    this.refusalResets.set(resource, seconds);
    this.refillAtReset.add(resource);
  }

  /** Refills a bucket set to refill itself at its reset, once that time has come (called before each request is charged). */
  refillIfReset(resource: SimRateResource, now = Date.now()): void {
    const b = this[resource];
    if (!this.refillAtReset.has(resource) || this.refusalResets.has(resource) || b.remaining > 0 || now < b.reset * 1000) return;
    this.refillAtReset.delete(resource);
    this.reset(resource, Math.ceil(now / 1000) + 3_600);
  }

  /** Refills one bucket (or all of them) to its limit, with the default reset unless one is given. */
  reset(resource?: SimRateResource, resetAt = DEFAULT_RATE_RESET): void {
    for (const name of resource ? [resource] : (["core", "graphql", "search"] as const))
      Object.assign(this[name], { remaining: this[name].limit, reset: resetAt });
  }

  /**
   * The bucket a request is charged to: `/rate_limit` is free, and the app's own JWT-authenticated requests
   * (`/app/...`, an org's installation) are not charged to the installation.
   */
  resourceFor(method: string, path: string): SimRateResource | undefined {
    if (path === "/rate_limit" || path.startsWith("/app/") || path === "/app" || /^\/orgs\/[^/]+\/installation$/.test(path))
      return undefined;
    if (method === "POST" && path === "/graphql") return "graphql";
    return path.startsWith("/search/") ? "search" : "core";
  }

  used(resource: SimRateResource): number {
    return Math.max(0, this[resource].limit - this[resource].remaining);
  }

  charge(resource: SimRateResource, points = 1): void {
    this[resource].remaining = Math.max(0, this[resource].remaining - points);
  }

  refund(resource: SimRateResource, points = 1): void {
    this[resource].remaining = Math.min(this[resource].limit, this[resource].remaining + points);
  }

  headers(resource: SimRateResource): Record<string, string> {
    const b = this[resource];
    return {
      "x-ratelimit-limit": String(b.limit),
      "x-ratelimit-remaining": String(b.remaining),
      "x-ratelimit-reset": String(b.reset),
      "x-ratelimit-used": String(this.used(resource)),
      "x-ratelimit-resource": resource,
    };
  }

  /** GitHub's answer to a request whose bucket is empty. */
  exceeded(resource: SimRateResource): SimResponse {
    const afterRefusal = this.refusalResets.get(resource);
    if (afterRefusal !== undefined) {
      this[resource].reset = Math.ceil(Date.now() / 1000) + afterRefusal;
      this.refusalResets.delete(resource);
    }
    const message = `API rate limit exceeded for installation ID ${this.installationId}.`;
    if (resource === "graphql") {
      // GraphQL answers HTTP 200 with a RATE_LIMITED error (what Octokit's throttling plugin looks for).
      return {
        status: 200,
        headers: this.headers(resource),
        body: { errors: [{ type: "RATE_LIMITED", code: "graphql_rate_limit", message }] },
      };
    }
    return { status: 403, headers: this.headers(resource), body: { message, documentation_url: DOCS } };
  }

  /** The `rate-limit-overview` body of `GET /rate_limit`, over GitHub's documented example (other resources as documented). */
  overview(example: Record<string, unknown>): Record<string, unknown> {
    const entry = (resource: SimRateResource) => ({
      limit: this[resource].limit,
      used: this.used(resource),
      remaining: this[resource].remaining,
      reset: this[resource].reset,
    });
    const resources = example.resources as Record<string, unknown>;
    return {
      ...example,
      resources: { ...resources, core: entry("core"), graphql: entry("graphql"), search: entry("search") },
      rate: entry("core"),
    };
  }
}

function bucket(resource: SimRateResource): SimRateBucket {
  return { limit: LIMITS[resource], remaining: LIMITS[resource], reset: DEFAULT_RATE_RESET };
}
