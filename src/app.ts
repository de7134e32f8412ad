import type { Probot } from "probot";
import { createEvaluationMemory } from "./evaluation/evaluate-pull-request.js";
import type { AppOptions } from "./handlers/app-options.js";
import { registerPullRequestEvents } from "./handlers/pull-request-events.js";
import { registerRepositoryPolicyEvents } from "./handlers/repository-policy-events.js";
import { registerRerunEvents } from "./handlers/rerun-events.js";

/** The sdlc-guard Probot app: every event family registers its own handlers. */
export function createSdlcGuardApp(options: AppOptions) {
  return (app: Probot): void => {
    const deps = { ...options, memory: createEvaluationMemory() };
    registerPullRequestEvents(app, deps);
    registerRerunEvents(app, deps);
    registerRepositoryPolicyEvents(app, deps);
  };
}
