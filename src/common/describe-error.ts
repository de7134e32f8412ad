import { networkFailure } from "./network-error.js";

/** A short, secret-free sentence for a failed GitHub request, fit for a check run. */
export function describeGitHubError(error: unknown): string {
  const e = error as { status?: number; message?: string; name?: string; errors?: { message?: string }[] };
  if (e.name === "GraphqlResponseError" && e.errors?.length) {
    return `GitHub GraphQL error: ${e.errors.map((x) => x.message).join("; ")}`;
  }
  // Its message is the reason itself ("GitHub's rate limit is exhausted until 15:42 UTC (REST API)").
  if (e.name === "PrimaryRateLimitError" && e.message) return e.message;
  // Octokit reports a request that got no answer as HTTP 500 with the system error's message: name it as what it is.
  const network = networkFailure(error);
  if (network) return `network error, no answer from GitHub: ${network.sentence}`;
  if (e.name === "TimeoutError" || e.name === "AbortError") return `GitHub did not answer in time (${e.message ?? "aborted"})`;
  if (typeof e.status === "number" && e.status > 0) {
    const detail = (e.message ?? "").split(" - ")[0]!.replace(/\s+/g, " ").slice(0, 200);
    return `GitHub answered HTTP ${e.status}${detail ? ` (${detail})` : ""}`;
  }
  return `GitHub request failed (${(e.message ?? String(error)).replace(/\s+/g, " ").slice(0, 200)})`;
}

/** Errors that come from talking to GitHub, besides those with an HTTP status. */
const GITHUB_ERROR_NAMES = new Set(["GraphqlResponseError", "PrimaryRateLimitError", "TimeoutError", "AbortError"]);

/**
 * {@link describeGitHubError} for a failure that came from GitHub (an HTTP status, a GraphQL error, a deadline, a spent
 * rate limit); any other error in its own words, not dressed up as a GitHub request.
 */
export function describeFailure(error: unknown): string {
  const e = error as { status?: unknown; name?: unknown };
  if (typeof e?.status === "number" || (typeof e?.name === "string" && GITHUB_ERROR_NAMES.has(e.name)) || networkFailure(error))
    return describeGitHubError(error);
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").slice(0, 300);
}

export function httpStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown }).status;
  return typeof status === "number" ? status : undefined;
}
