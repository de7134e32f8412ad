import { createSdlcGuardApp } from "./app.js";
import { appOptionsFromEnv } from "./handlers/app-options.js";

// Probot entry (`probot run ./dist/src/index.js`): options come from the environment, see .env.example.
export default createSdlcGuardApp(appOptionsFromEnv(process.env));
