import type { EvaluationMemory } from "../../src/evaluation/evaluate-pull-request.js";

/** The memory of every app the tests created (test-app.ts): a re-evaluation deferred past a rate limit must not fire in a later test. */
export const appMemories: EvaluationMemory[] = [];

/** Cancels the re-evaluations that the apps of the test that just ended deferred (test/setup/no-network.ts calls it). */
export function cancelDeferredEvaluations(): void {
  for (const memory of appMemories.splice(0)) {
    for (const timer of memory.deferred.values()) clearTimeout(timer);
    memory.deferred.clear();
  }
}
