import type { Logger } from "pino";
import type { Probot } from "probot";
import { configureAuditFile } from "./audit/audit-log.js";
import { createEvaluationMemory } from "./evaluation/evaluate-pull-request.js";
import type { AppOptions, HandlerDeps } from "./handlers/app-options.js";
import { installationOctokit } from "./github/transport/installation-octokit.js";
import { registerMergeEvents } from "./handlers/merge-events.js";
import { registerMergeGroupEvents } from "./handlers/merge-group-events.js";
import { registerPullRequestEvents } from "./handlers/pull-request-events.js";
import { registerRefEvents } from "./handlers/ref-events.js";
import { registerRepositoryPolicyEvents } from "./handlers/repository-policy-events.js";
import { registerRequiredCheckEvents } from "./handlers/required-check-events.js";
import { registerRerunEvents } from "./handlers/rerun-events.js";
import { registerSummaryEvents, scheduleInstallations } from "./handlers/summary-events.js";
import { registerTeamEvents } from "./handlers/team-events.js";
import { registerWaiverEvents } from "./handlers/waiver-events.js";
import { handleEachDeliveryOnce } from "./handlers/deliveries.js";
import { recoverInProgressRuns } from "./handlers/recover-in-progress.js";
import { installOperations, type Operations } from "./operations/operations.js";
import { Notifier } from "./notify/notifier.js";

/** The sdlc-guard Probot app: every event family registers its own handlers. */
export function createSdlcGuardApp(options: AppOptions, operations?: Operations) {
  return (server: Probot): void => {
    // /health, /ready, /metrics, the 25 MB webhook body limit and the webhooks in flight (src/operations/; default: the process's).
    const ops = installOperations(server, operations);
    // With REDIS_URL the server's Probot only queues verified webhooks; the handlers live on the Probot the queue's
    // workers feed (src/scale/webhook-queue.ts). Without it, they are the server's own, as always.
    const deps: HandlerDeps = { ...options, memory: createEvaluationMemory({ ttlMs: options.cacheTtlMs }, options.sharedState) };
    options.onMemory?.(deps.memory);
    // Findings reach the org's channels off the request path, once per occurrence across replicas (src/notify/).
    deps.notifier ??= new Notifier({ ...options.notify, claims: deps.memory.shared, log: server.log as unknown as Logger });
    // With REDIS_URL, a cache entry dropped by a webhook on one replica is dropped on every replica (src/scale/shared-invalidation.ts).
    options.queue?.shareCaches(deps.memory.cache);
    // Every handler runs once per delivery id, however often GitHub (or a replica) delivers it (handlers/deliveries.ts).
    const app = handleEachDeliveryOnce(
      options.queue ? options.queue.attach(server, ops) : server,
      deps.memory.shared,
      options.deliveryTtlMs,
    );
    // Each installation's writes, and its GraphQL queries, are paced in their own throttling queues (github/transport/installation-octokit.ts).
    deps.installationOctokit = (installationId) => installationOctokit(app, installationId);
    if (options.auditLogPath) configureAuditFile(options.auditLogPath, app.log as unknown as Logger);
    registerPullRequestEvents(app, deps);
    registerRerunEvents(app, deps);
    registerRequiredCheckEvents(app, deps);
    registerMergeGroupEvents(app, deps);
    registerRepositoryPolicyEvents(app, deps);
    registerTeamEvents(app, deps);
    registerRefEvents(app, deps);
    registerMergeEvents(app, deps);
    registerWaiverEvents(app, deps);
    const summary = registerSummaryEvents(app, deps);
    if (options.summarySchedule) {
      // Start-up must not wait for GitHub: a failure here is logged, and installation events schedule again.
      void scheduleInstallations(app, summary).catch((error: unknown) =>
        app.log.error({ err: error }, "could not schedule the org summaries"),
      );
    }
    const recovery = options.recoverInProgress;
    if (recovery) {
      // Our check runs left in progress by a previous process are completed, in the background (handlers/recover-in-progress.ts).
      void recoverInProgressRuns(app, deps, recovery).then(
        (report) => recovery.onFinished?.(report),
        (error: unknown) => {
          app.log.error({ err: error }, "could not look for check runs left in progress");
          recovery.onFinished?.(error instanceof Error ? error : new Error(String(error)));
        },
      );
    }
  };
}
