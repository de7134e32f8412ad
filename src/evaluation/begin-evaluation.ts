import { hardenRequests } from "../github/transport/harden-requests.js";
import type { GitHubClient } from "../github/types.js";
import type { RequestPolicy } from "../github/transport/harden-requests.js";
import type { StateCache } from "./state-cache.js";

/** Applies the request policy to the event's Octokit, starts counting this evaluation's requests, and fixes its clock. */
export function beginEvaluation(deps: {
  octokit: GitHubClient;
  requestPolicy?: RequestPolicy;
  memory: { cache: Pick<StateCache, "etags"> };
  now?: () => Date;
}) {
  const counter = hardenRequests(deps.octokit, deps.requestPolicy, deps.memory.cache.etags);
  const start = counter.count;
  const now = deps.now?.() ?? new Date();
  return { requests: () => counter.count - start, evaluatedAt: now.toISOString() };
}
