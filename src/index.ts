import { createSdlcGuardApp } from "./app.js";
import { closeAuditFile } from "./audit/audit-log.js";
import { appOptionsFromEnv } from "./handlers/app-options.js";

// Probot entry (`probot run ./dist/src/index.js`): options come from the environment, see .env.example.
export default createSdlcGuardApp(appOptionsFromEnv(process.env));

// Queued audit records reach the file before the process ends.
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => void closeAuditFile().finally(() => process.exit(0)));
}
