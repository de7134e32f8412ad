import type { Logger } from "pino";
import type { Operations } from "./operations.js";

/** How long a shutdown waits for webhooks in flight (ms); Kubernetes' default grace period is 30 s. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 25_000;
export const SHUTDOWN_TIMEOUT_ENV = "SDLC_GUARD_SHUTDOWN_TIMEOUT_MS";
/** The longest wait for the audit file's queued records once the webhooks are done. */
const FLUSH_TIMEOUT_MS = 5_000;

/** SDLC_GUARD_SHUTDOWN_TIMEOUT_MS, or the default; anything but a whole number of milliseconds is refused at start-up. */
export function shutdownTimeoutFromEnv(env: NodeJS.ProcessEnv): number {
  const text = env[SHUTDOWN_TIMEOUT_ENV]?.trim();
  if (!text) return DEFAULT_SHUTDOWN_TIMEOUT_MS;
  const ms = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(ms))
    throw new Error(`${SHUTDOWN_TIMEOUT_ENV} must be a whole number of milliseconds, not "${text.slice(0, 20)}"`);
  return ms;
}

export interface ShutdownOptions {
  operations: Operations;
  /** Longest wait for the webhooks in flight. */
  timeoutMs: number;
  /** Other work to finish after the webhooks in flight, within the same bound (the Redis queue's running jobs). */
  drain?: () => Promise<void>;
  /** Writes what is still queued (the audit file); awaited after the webhooks, at most 5 s. */
  flush?: () => Promise<void>;
  /** Ends the process (default `process.exit`); tests pass their own. */
  exit?: (code: number) => void;
  /** Default: the app's logger. */
  log?: Logger;
}

/**
 * The shutdown sequence, run once however often it is asked for: not ready any more (`/ready` 503, new webhooks 503),
 * the servers stop taking connections (idle keep-alive ones are closed), the webhooks in flight and then `drain` finish
 * within `timeoutMs`, the audit file's queue is written, then exit 0 — or 1 when the bound was hit (what was still running
 * is logged, with delivery ids) or the flush failed. Resolves with the exit code.
 */
export function createShutdown(options: ShutdownOptions): (signal: string) => Promise<number> {
  let running: Promise<number> | undefined;
  return (signal) => (running ??= shutDown(options, signal));
}

async function shutDown(
  { operations, timeoutMs, drain, flush, exit = (code) => process.exit(code), log = operations.log }: ShutdownOptions,
  signal: string,
): Promise<number> {
  const started = Date.now();
  const say = log ?? consoleLog;
  say.info(
    { signal, in_flight: operations.inFlight.size, timeout_ms: timeoutMs },
    `${signal}: shutting down; no new webhooks, waiting for those in flight`,
  );
  operations.beginShutdown(`shutting down (${signal})`);
  const closed = operations.closeServers();

  let code = 0;
  const drained = await operations.inFlight.whenIdle(timeoutMs);
  const left = () => Math.max(0, started + timeoutMs - Date.now());
  if (drained && drain) {
    const done = await within(
      drain().then(
        () => "done" as const,
        (error: unknown) => error as Error,
      ),
      left(),
    );
    if (done !== "done") {
      code = 1;
      say.error(
        { reason: done === undefined ? `not done within ${timeoutMs} ms` : (done?.message ?? String(done)) },
        "shutdown: the queue's running work did not finish",
      );
    }
  }
  if (drained) {
    // The answers are written: connections kept alive after them are idle now and closed; the rest end after their answer.
    operations.closeIdleConnections();
    await within(closed, left());
  } else {
    code = 1;
    const now = Date.now();
    const stillRunning = operations.inFlight
      .list()
      .map((w) => ({ what: w.what, id: w.deliveryId ?? null, event: w.event ?? null, running_ms: now - w.since }));
    say.error(
      { still_running: stillRunning },
      `shutdown: ${stillRunning.length} webhook task(s) still running after ${timeoutMs} ms; exiting without them`,
    );
  }

  if (flush) {
    const flushed = await within(
      flush().then(
        () => "done" as const,
        (error: unknown) => error as Error,
      ),
      FLUSH_TIMEOUT_MS,
    );
    if (flushed !== "done") {
      code = 1;
      const reason = flushed === undefined ? `not done within ${FLUSH_TIMEOUT_MS} ms` : (flushed?.message ?? String(flushed));
      say.error({ reason }, "shutdown: queued audit records may not all be in the audit file");
    }
  }
  say[code === 0 ? "info" : "error"](
    { exit_code: code, took_ms: Date.now() - started },
    code === 0 ? "shutdown complete" : "shutdown incomplete",
  );
  await sleep(50); // the logger's stream writes its last lines
  exit(code);
  return code;
}

/**
 * Runs the shutdown on SIGTERM and SIGINT (one handler for both). A second signal while it runs ends the process at once
 * (exit 1) after at most a second of flushing.
 */
export function handleShutdownSignals(options: ShutdownOptions): () => void {
  const shutdown = createShutdown(options);
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!signalled) {
      signalled = true;
      void shutdown(signal);
      return;
    }
    (options.log ?? options.operations.log ?? consoleLog).warn({ signal }, `${signal} again: exiting now, without waiting`);
    void within(options.flush?.().catch(() => undefined) ?? Promise.resolve(), 1_000).then(() => exit(1));
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  return () => {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `work`'s value, or undefined when `ms` passed first (the timer does not outlive it). */
async function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, ms, undefined)));
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const consoleLog = {
  info: (fields: object, message: string) => console.log(JSON.stringify({ level: 30, ...fields, msg: message })),
  warn: (fields: object, message: string) => console.warn(JSON.stringify({ level: 40, ...fields, msg: message })),
  error: (fields: object, message: string) => console.error(JSON.stringify({ level: 50, ...fields, msg: message })),
} as unknown as Logger;
