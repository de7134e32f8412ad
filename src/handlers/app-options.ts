import type { EvaluationMemory } from "../evaluation/evaluate-pull-request.js";
import { DEFAULT_CACHE_TTL_MS } from "../evaluation/state-cache.js";
import type { RequestPolicy } from "../github/harden-requests.js";
import { createJiraClient, jiraSettingsFromEnv, type JiraClient } from "../jira/jira-client.js";

export interface AppOptions {
  /** Our GitHub App id: finds our own check run and ignores other apps' runs. */
  appId: number | undefined;
  jira: JiraClient | undefined;
  requestPolicy?: RequestPolicy;
  /** Open PRs re-evaluated at most per repository-wide event (protection change, alert, config push). */
  maxReevaluations: number;
  /** How long cached config, secret-scanning state and team membership live without an invalidating webhook. */
  cacheTtlMs?: number;
  /** Wait before asking GitHub again about pushed commits that showed no merged PR (it links merges a moment later). */
  associationRetryMs?: number;
}

/** What every handler gets: the options, and the memory of this app instance. */
export interface HandlerDeps extends AppOptions {
  memory: EvaluationMemory;
}

export const DEFAULT_ASSOCIATION_RETRY_MS = 3_000;

/** Reads the options; refuses to start without a webhook secret (Probot would fall back to a well-known one). */
export function appOptionsFromEnv(env: NodeJS.ProcessEnv): AppOptions {
  if (!env.WEBHOOK_SECRET) {
    throw new Error("WEBHOOK_SECRET is not set: without it anyone could send webhooks. Set it to the app's webhook secret.");
  }
  const jira = jiraSettingsFromEnv(env);
  const appId = Number(env.APP_ID);
  const max = Number(env.SDLC_GUARD_MAX_REEVALUATIONS ?? 100);
  const ttlSeconds = Number(env.SDLC_GUARD_CACHE_TTL_SECONDS ?? DEFAULT_CACHE_TTL_MS / 1000);
  const retryMs = Number(env.SDLC_GUARD_ASSOCIATION_RETRY_MS ?? DEFAULT_ASSOCIATION_RETRY_MS);
  return {
    associationRetryMs: Number.isInteger(retryMs) && retryMs >= 0 ? retryMs : DEFAULT_ASSOCIATION_RETRY_MS,
    cacheTtlMs: Number.isFinite(ttlSeconds) && ttlSeconds >= 0 ? ttlSeconds * 1000 : DEFAULT_CACHE_TTL_MS,
    appId: Number.isInteger(appId) && appId > 0 ? appId : undefined,
    jira: jira && createJiraClient(jira),
    maxReevaluations: Number.isInteger(max) && max > 0 ? max : 100,
  };
}
