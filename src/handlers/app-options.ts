import { webUrlFromEnv } from "../common/web-url.js";
import type { EvaluationMemory } from "../evaluation/evaluate-pull-request.js";
import type { SharedState } from "../evaluation/shared-state.js";
import { DEFAULT_CACHE_TTL_MS } from "../evaluation/state-cache.js";
import { defaultRequestPolicy, type RequestPolicy } from "../github/transport/harden-requests.js";
import type { CollectOrgOptions } from "../github/org/org-facts.js";
import type { GitHubClient } from "../github/types.js";
import { createJiraClient, jiraSettingsFromEnv, type JiraClient } from "../jira/jira-client.js";
import type { QueueMode } from "../scale/scale-types.js";
import type { Notifier, NotifierOptions } from "../notify/notifier.js";

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
  /** Refresh each organisation's summary on its schedule (`summary.schedule`); off in tests and with SDLC_GUARD_SUMMARY_SCHEDULE=off. */
  summarySchedule?: boolean;
  /** The web root for links in the summary (GitHub Enterprise Server: https://<GHE_HOST>). */
  webUrl?: string;
  /** AUDIT_LOG_PATH: where every audit record is also appended, hash-chained (`sdlc-guard audit verify` checks it). */
  auditLogPath?: string;
  /** The clock of the org summary and of evaluations (waiver expiry) (tests pin it; default: the system clock). */
  now?: () => Date;
  /** Collection settings of the org summary (batch size, rate budget); tests shorten them. */
  summaryCollect?: Pick<CollectOrgOptions, "reposPerQuery" | "budget">;
  /** What replicas agree on (delivery claims, locks, leases): in memory by default, on Redis with `REDIS_URL`. */
  sharedState?: SharedState;
  /** With `REDIS_URL` (src/scale/scale-out.ts): webhooks are queued on Redis and the handlers run in this queue's workers. */
  queue?: QueueMode;
  /** How long a handled delivery id is remembered: a redelivery of it within this is not handled again (default 1 hour). */
  deliveryTtlMs?: number;
  /**
   * At start-up, complete our check runs left in progress (a crash mid-evaluation, a lost event): on in production
   * (SDLC_GUARD_RECOVER_IN_PROGRESS_AFTER_SECONDS, default 600; `off` disables it), off unless set (tests).
   */
  recoverInProgress?: RecoverInProgressOptions;
  /** Sending findings to the org's `notifications:` channels (SDLC_GUARD_NOTIFY_ALLOW_INTERNAL_URLS: tests and local receivers only). */
  notify?: Pick<NotifierOptions, "allowInternalUrls" | "attempts" | "retryBaseMs" | "env">;
  /** Sends new findings to the org's channels; default: one the app builds from `notify` on `sharedState` (tests pass theirs). */
  notifier?: Notifier;
  /** Called once with this app instance's memory (tests stop its deferred re-evaluations when they end). */
  onMemory?: (memory: EvaluationMemory) => void;
}

/** What every handler gets: the options, and the memory of this app instance. */
export interface HandlerDeps extends AppOptions {
  memory: EvaluationMemory;
  /**
   * The Octokit of an installation, paced by Probot's throttling under the installation's own id (`app.auth`).
   * Absent (tests that build the deps by hand): the event's own Octokit.
   */
  installationOctokit?: (installationId: number) => Promise<GitHubClient>;
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
  const schedule = (env.SDLC_GUARD_SUMMARY_SCHEDULE ?? "on").trim().toLowerCase();
  if (!["on", "off"].includes(schedule)) throw new Error(`SDLC_GUARD_SUMMARY_SCHEDULE must be on or off, not "${schedule.slice(0, 20)}"`);
  const recoverAfter = (env.SDLC_GUARD_RECOVER_IN_PROGRESS_AFTER_SECONDS ?? "600").trim().toLowerCase();
  const deliveryTtl = seconds(env, "SDLC_GUARD_DELIVERY_TTL_SECONDS");
  const rateLimitWait = seconds(env, "SDLC_GUARD_MAX_RATE_LIMIT_WAIT_SECONDS");
  const allowInternal = (env.SDLC_GUARD_NOTIFY_ALLOW_INTERNAL_URLS ?? "false").trim().toLowerCase();
  if (!["true", "false"].includes(allowInternal))
    throw new Error(`SDLC_GUARD_NOTIFY_ALLOW_INTERNAL_URLS must be true or false, not "${allowInternal.slice(0, 20)}"`);
  return {
    ...(allowInternal === "true" ? { notify: { allowInternalUrls: true } } : {}),
    summarySchedule: schedule === "on",
    ...(recoverAfter === "off"
      ? {}
      : { recoverInProgress: { olderThanMs: (seconds(env, "SDLC_GUARD_RECOVER_IN_PROGRESS_AFTER_SECONDS") ?? 600) * 1000 } }),
    ...(deliveryTtl !== undefined ? { deliveryTtlMs: deliveryTtl * 1000 } : {}),
    ...(rateLimitWait !== undefined ? { requestPolicy: { ...defaultRequestPolicy, maxRateLimitWaitSeconds: rateLimitWait } } : {}),
    ...(env.AUDIT_LOG_PATH?.trim() ? { auditLogPath: env.AUDIT_LOG_PATH.trim() } : {}),
    webUrl: webUrlFromEnv(env),
    associationRetryMs: Number.isInteger(retryMs) && retryMs >= 0 ? retryMs : DEFAULT_ASSOCIATION_RETRY_MS,
    cacheTtlMs: Number.isFinite(ttlSeconds) && ttlSeconds >= 0 ? ttlSeconds * 1000 : DEFAULT_CACHE_TTL_MS,
    appId: Number.isInteger(appId) && appId > 0 ? appId : undefined,
    jira: jira && createJiraClient(jira),
    maxReevaluations: Number.isInteger(max) && max > 0 ? max : 100,
  };
}

/** A whole number of seconds from the environment; undefined when unset; a clear error when not a number. */
function seconds(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number of seconds, not "${raw.slice(0, 20)}"`);
  return value;
}

/** Completing our check runs a previous process left in progress (handlers/recover-in-progress.ts). */
export interface RecoverInProgressOptions {
  /** Runs in progress for less than this are left alone (another replica may be writing them). */
  olderThanMs: number;
  /** Closed PRs updated this recently are looked at too (a run may hang on a PR closed meanwhile). Default 7 days. */
  closedWithinMs?: number;
  /** PRs looked at per installation and search, at most (GitHub's search lists 1,000 at most). Default 1,000. */
  maxPullRequests?: number;
  /** Called once the sweep is done (tests wait for it), with its report, or the error that stopped it. */
  onFinished?: (outcome: RecoveryReport | Error) => void;
}

export interface RecoveryReport {
  installations: number;
  /** Our `sdlc-guard` runs found in progress for longer than the bound. */
  found: number;
  /** Completed by evaluating their PR again (or kept in progress by it: a control still waits for other checks). */
  reevaluated: number;
  /** Completed as failed, with the reason: the PR is closed, or the commit is no longer its head. */
  failed: number;
  /** Runs or installations that could not be handled (logged); the next start-up or event tries again. */
  errors: number;
}
