import { hardenRequests } from "../github/transport/harden-requests.js";
import { checkRunWriteMark } from "../github/writes/check-run.js";
import type { GitHubClient } from "../github/types.js";
import type { RequestPolicy } from "../github/transport/harden-requests.js";
import type { StateCache } from "./state-cache.js";

/**
 * Applies the request policy to the event's Octokit, starts counting this evaluation's requests, fixes its clock, and
 * marks where it stands in this process's check-run writes (`readMark`: a later write of the same commit's run wins).
 */
export function beginEvaluation(deps: {
  octokit: GitHubClient;
  requestPolicy?: RequestPolicy;
  memory: { cache: Pick<StateCache, "etags"> };
  now?: () => Date;
}) {
  const counter = hardenRequests(deps.octokit, deps.requestPolicy, deps.memory.cache.etags);
  const start = counter.count;
  const now = deps.now?.() ?? new Date();
  return { requests: () => counter.count - start, evaluatedAt: now.toISOString(), readMark: checkRunWriteMark() };
}
