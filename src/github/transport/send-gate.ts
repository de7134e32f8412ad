import { AsyncLocalStorage } from "node:async_hooks";
import { isGraphqlQuery } from "./installation-octokit.js";

/**
 * A say, at the last moment, over the requests an evaluation sends. Requests wait in Probot's pacing queues (one write,
 * and one GraphQL query, per second per installation) before they leave: what was true when a request was queued may
 * no longer be when its turn comes. The gate is called as the request is handed to `fetch`, after the pacing.
 */
export interface SendGate {
  /** Called just before a request leaves for GitHub; `write` for a mutating request. Throwing keeps it unsent. */
  beforeSend(write: boolean): void;
}

const gates = new AsyncLocalStorage<SendGate>();

/** Runs `task` with `gate` over the requests it sends (through Octokits hardened by harden-requests.ts). */
export const withSendGate = <T>(gate: SendGate, task: () => Promise<T>): Promise<T> => gates.run(gate, task);

/**
 * A write not sent because a later event for the same pull request is evaluated next (latest wins). Named `AbortError`
 * so that Octokit passes it through as it is (any other `fetch` error becomes an HTTP 500, which would be retried).
 */
export class SupersededWriteError extends Error {
  override readonly name = "AbortError";
  readonly superseded = true;
  constructor() {
    super("not written: a later event for this pull request is evaluated next, and writes the result");
  }
}

export const isSupersededWrite = (error: unknown): error is SupersededWriteError =>
  error instanceof SupersededWriteError || (error as { cause?: unknown } | null)?.cause instanceof SupersededWriteError;

/** `fetch` under the gate of the calling evaluation (read when the request is made, so pacing cannot mix gates up). */
export function gatedFetch(
  fetch: typeof globalThis.fetch,
  options: { method?: string; url?: string; query?: unknown; body?: unknown },
): typeof globalThis.fetch {
  const gate = gates.getStore();
  if (!gate) return fetch;
  const method = String(options.method ?? "GET").toUpperCase();
  const write = method !== "GET" && method !== "HEAD" && !isGraphqlQuery({ ...options, method });
  return (input, init) => {
    gate.beforeSend(write);
    return fetch(input, init);
  };
}
