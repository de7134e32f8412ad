import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { BodyBudgets, UnverifiedBytes } from "./refusal-budget.js";

/**
 * A webhook's body read from the stream into the HMAC as it arrives, so that a forged delivery is known as such before
 * anything decodes, parses or logs it. Probot's middleware (@octokit/webhooks) would buffer the whole body into a string,
 * then, on a bad signature, log the error with the event attached, payload included (a forged 24 MB body became tens of
 * MB of log and of heap); here the body reaches it only once its signature matched.
 */

export const RECEIVE_TIMEOUT_ENV = "SDLC_GUARD_WEBHOOK_RECEIVE_TIMEOUT_MS";
/** GitHub gives up on a delivery after 10 s: a body still arriving after that is not GitHub's. */
export const DEFAULT_RECEIVE_TIMEOUT_MS = 10_000;

/** The longest time a webhook body may take to arrive (SDLC_GUARD_WEBHOOK_RECEIVE_TIMEOUT_MS, default 10 s). */
export function webhookReceiveTimeoutFromEnv(env: NodeJS.ProcessEnv): number {
  const text = env[RECEIVE_TIMEOUT_ENV]?.trim();
  if (!text) return DEFAULT_RECEIVE_TIMEOUT_MS;
  const ms = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(ms) || ms === 0)
    throw new Error(`${RECEIVE_TIMEOUT_ENV} must be a positive whole number of milliseconds, not "${text.slice(0, 20)}"`);
  return ms;
}

export type SignedBody = { verified: true; body: Buffer } | { verified: false; status: RefusalStatus; reason: string; bytes: number };
/** 503: the bytes of unverified bodies held at once would pass their budget (deliver again later). */
export type RefusalStatus = 400 | 408 | 413 | 503;

export interface SignedBodyOptions {
  /** The webhook secret (the one Probot verifies with: see {@link confirmWebhookSecret}). */
  secret: string;
  /** Largest body taken, in bytes (413 past it, as it crosses it). */
  limit: number;
  /** Longest time from the start of reading to the body's end (408 past it). */
  timeoutMs: number;
  /** The bytes of unverified bodies the whole process may hold at once (503 past it); unbounded without one. */
  budget?: UnverifiedBytes | BodyBudgets;
}

/** The only shape GitHub sends: `sha256=` and 64 lower-case hex digits (what @octokit/webhooks compares against). */
const SIGNATURE = /^sha256=[0-9a-f]{64}$/;

/**
 * Reads the request's body into the HMAC of `secret`, at most `limit` bytes and for at most `timeoutMs`. A body whose
 * signature matches is returned whole; otherwise the reason, and nothing of the body is kept: a malformed signature is
 * refused before a byte is read, a body past the limit or the deadline as it crosses it (reading stops there, the
 * request is left paused for the caller's answer), a wrong signature once the body ended.
 */
export function readSignedBody(
  req: IncomingMessage,
  { secret, limit, timeoutMs, budget: budgets }: SignedBodyOptions,
): Promise<SignedBody> {
  const signature = req.headers["x-hub-signature-256"];
  if (typeof signature !== "string" || !SIGNATURE.test(signature)) {
    return Promise.resolve({
      verified: false,
      status: 400,
      reason: "no well-formed x-hub-signature-256 (sha256=<64 hex digits>)",
      bytes: 0,
    });
  }
  // The declared length is taken from the budget before a byte is read (Node never delivers more than it); a chunked body
  // takes its bytes as they come.
  const length = Number(req.headers["content-length"]);
  const declared = req.headers["content-length"] !== undefined && Number.isSafeInteger(length) ? length : undefined;
  const budget = budgets && "for" in budgets ? budgets.for(declared) : budgets;
  let held = 0;
  if (budget && declared !== undefined && declared > 0) {
    if (!budget.take(declared)) return Promise.resolve(overBudget(budget, 0));
    held = declared;
  }
  return new Promise((resolve) => {
    const hmac = createHmac("sha256", secret);
    let chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: SignedBody) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      budget?.give(held);
      held = 0;
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onAborted);
      req.off("close", onClose);
      if (!result.verified) {
        chunks = [];
        if (!req.readableEnded) req.pause();
      }
      resolve(result);
    };
    const refuse = (status: RefusalStatus, reason: string) => settle({ verified: false, status, reason, bytes: size });
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return refuse(413, `body over the ${limit}-byte limit`);
      if (budget && size > held) {
        if (!budget.take(size - held)) return settle(overBudget(budget, size));
        held = size;
      }
      hmac.update(chunk);
      chunks.push(chunk);
    };
    const onEnd = () => {
      const expected = Buffer.from(`sha256=${hmac.digest("hex")}`);
      if (!timingSafeEqual(expected, Buffer.from(signature)))
        return refuse(400, "signature does not match the body and the webhook secret");
      settle({ verified: true, body: Buffer.concat(chunks, size) });
    };
    const onAborted = () => refuse(400, "the request body could not be read");
    const onClose = () => {
      if (!req.complete) onAborted();
    };
    const timer = setTimeout(() => refuse(408, `body not received within ${timeoutMs} ms`), timeoutMs);
    timer.unref();
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onAborted);
    req.on("close", onClose);
  });
}

function overBudget(budget: UnverifiedBytes, bytes: number): SignedBody {
  return {
    verified: false,
    status: 503,
    reason: `more than ${budget.max} bytes of webhook bodies awaiting their signature check at once`,
    bytes,
  };
}

/** What @octokit/webhooks' `sign` answers: the Webhooks instance Probot verifies with. */
export interface WebhookSigner {
  sign(payload: string): Promise<string>;
}

/**
 * The first of `candidates` that is the secret Probot verifies signatures with, checked by asking Probot's own `sign`
 * for the signature of a probe (Probot does not expose its secret); throws when none is, since reading bodies with
 * another secret would refuse every genuine delivery.
 */
export async function confirmWebhookSecret(webhooks: WebhookSigner, candidates: readonly (string | undefined)[]): Promise<string> {
  const probe = "sdlc-guard: which secret does Probot verify webhooks with?";
  const expected = await webhooks.sign(probe);
  for (const candidate of candidates) {
    if (candidate && `sha256=${createHmac("sha256", candidate).update(probe).digest("hex")}` === expected) return candidate;
  }
  throw new Error("the webhook secret Probot verifies with is not WEBHOOK_SECRET: set WEBHOOK_SECRET to the app's webhook secret");
}
