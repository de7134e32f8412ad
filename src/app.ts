import type { Logger } from "pino";
import type { Probot } from "probot";
import { configureAuditFile } from "./audit/audit-log.js";
import { createEvaluationMemory } from "./evaluation/evaluate-pull-request.js";
import type { AppOptions } from "./handlers/app-options.js";
import { registerMergeGroupEvents } from "./handlers/merge-group-events.js";
import { registerPullRequestEvents } from "./handlers/pull-request-events.js";
import { registerRefEvents } from "./handlers/ref-events.js";
import { registerRepositoryPolicyEvents } from "./handlers/repository-policy-events.js";
import { registerRequiredCheckEvents } from "./handlers/required-check-events.js";
import { registerRerunEvents } from "./handlers/rerun-events.js";
import { registerSummaryEvents, scheduleInstallations } from "./handlers/summary-events.js";
import { registerTeamEvents } from "./handlers/team-events.js";
import { registerWaiverEvents } from "./handlers/waiver-events.js";

/** The sdlc-guard Probot app: every event family registers its own handlers. */
export function createSdlcGuardApp(options: AppOptions) {
  return (app: Probot): void => {
    const deps = { ...options, memory: createEvaluationMemory({ ttlMs: options.cacheTtlMs }) };
    if (options.auditLogPath) configureAuditFile(options.auditLogPath, app.log as unknown as Logger);
    registerPullRequestEvents(app, deps);
    registerRerunEvents(app, deps);
    registerRequiredCheckEvents(app, deps);
    registerMergeGroupEvents(app, deps);
    registerRepositoryPolicyEvents(app, deps);
    registerTeamEvents(app, deps);
    registerRefEvents(app, deps);
    registerWaiverEvents(app, deps);
    const summary = registerSummaryEvents(app, deps);
    if (options.summarySchedule) {
      // Start-up must not wait for GitHub: a failure here is logged, and installation events schedule again.
      void scheduleInstallations(app, summary).catch((error: unknown) => app.log.error({ err: error }, "could not schedule the org summaries"));
    }
  };
}
