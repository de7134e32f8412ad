import { createSdlcGuardApp } from "./app.js";
import { closeAuditFile } from "./audit/audit-log.js";
import { appOptionsFromEnv } from "./handlers/app-options.js";
import { processOperations } from "./operations/operations.js";
import { setQueueDepth } from "./operations/metrics.js";
import { handleShutdownSignals, shutdownTimeoutFromEnv } from "./operations/shutdown.js";
import { withScaleOut } from "./scale/scale-out-settings.js";
import { notificationsSent } from "./notify/notifier.js";

// Probot entry (`probot run ./dist/src/index.js`): options come from the environment, see .env.example.
// With REDIS_URL, replicas share state and a webhook queue on Redis (src/scale/); without it, all runs in this process.
const { appOptions, scaleOut } = await withScaleOut(appOptionsFromEnv(process.env), process.env);
export default createSdlcGuardApp(appOptions);
// In queue mode: /ready fails while Redis is unreachable, and sdlc_guard_queue_depth shows the queue's backlog.
scaleOut?.monitor(processOperations, setQueueDepth);

// SIGTERM / SIGINT (src/operations/shutdown.ts): not ready, no new connections, webhooks in flight finish, then queued
// notifications are sent, then in queue mode the running jobs (all within SDLC_GUARD_SHUTDOWN_TIMEOUT_MS), queued audit records reach the file, exit 0 (1: bound hit).
handleShutdownSignals({
  operations: processOperations,
  timeoutMs: shutdownTimeoutFromEnv(process.env),
  // Queued notifications are sent first (their claims live on Redis), then the queue closes.
  drain: async () => {
    await notificationsSent();
    await scaleOut?.close();
  },
  flush: closeAuditFile,
});
