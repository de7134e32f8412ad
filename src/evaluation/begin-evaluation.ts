import { hardenRequests } from "../github/harden-requests.js";
import type { EvaluationDeps } from "./evaluate-pull-request.js";

/** Applies the request policy to the event's Octokit, starts counting this evaluation's requests, and fixes its clock. */
export function beginEvaluation(deps: Pick<EvaluationDeps, "octokit" | "requestPolicy" | "memory" | "now">) {
  const counter = hardenRequests(deps.octokit, deps.requestPolicy, deps.memory.cache.etags);
  const start = counter.count;
  const now = deps.now?.() ?? new Date();
  return { requests: () => counter.count - start, evaluatedAt: now.toISOString() };
}
