import { Writable } from "node:stream";
import { pino, type Logger } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { createSdlcGuardApp } from "../../src/app.js";
import type { AppOptions } from "../../src/handlers/app-options.js";
import type { EvaluationMemory } from "../../src/evaluation/evaluate-pull-request.js";
import { appMemories } from "./app-memories.js";
import { newAppPrivateKey } from "../../sim/app-env.js";
import type { GitHubWorld } from "../../sim/github-world.js";

let privateKey: string | undefined;
/** A real RSA key, so Probot signs real app JWTs (generated once per test file). */
export function testPrivateKey(): string {
  privateKey ??= newAppPrivateKey();
  return privateKey;
}

export const WEBHOOK_SECRET = "test-webhook-secret-value";
// The server verifies bodies on the stream with WEBHOOK_SECRET, as `probot run` reads it, after checking that Probot
// verifies with the same (src/operations/signed-body.ts): the in-process Probots of the tests use this one.
process.env.WEBHOOK_SECRET = WEBHOOK_SECRET;

/** Everything the app logged, as text, to prove what does (and does not) appear in logs. */
export function captureLog(level = "info") {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { log: pino({ level }, stream) as Logger, lines, text: () => lines.join("") };
}

export interface TestAppOptions extends Partial<AppOptions> {
  retry?: boolean;
  log?: Logger;
}

/** A Probot instance running sdlc-guard against api.github.com (nock); retries off unless the test is about them. */
export function createTestApp(world: GitHubWorld, options: TestAppOptions = {}): Probot {
  const { retry, log, ...appOptions } = options;
  const probot = testProbot(world, { retry, log });
  const onMemory = (memory: EvaluationMemory) => {
    appMemories.push(memory);
    appOptions.onMemory?.(memory);
  };
  probot.load(createSdlcGuardApp({ appId: world.appId, jira: undefined, maxReevaluations: 100, ...appOptions, onMemory }));
  return probot;
}

/** The Probot instance alone (nothing loaded), for tests of one handler family. */
export function testProbot(
  world: GitHubWorld,
  { retry = false, log = pino({ level: "silent" }) as Logger }: { retry?: boolean; log?: Logger } = {},
): Probot {
  return new Probot({
    appId: world.appId,
    privateKey: testPrivateKey(),
    secret: WEBHOOK_SECRET,
    log,
    // The function form runs after Probot merged its own throttle options, which would otherwise re-enable
    // the 1-second write pacing that production keeps (GitHub's advice against secondary rate limits).
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
      ...options,
      retry: retry ? { enabled: true, retryAfterBaseValue: 1 } : { enabled: false },
      throttle: { ...(options.throttle as object), enabled: false },
    })),
  });
}
