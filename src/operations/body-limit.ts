import type { IncomingMessage, ServerResponse } from "node:http";

/** GitHub caps webhook payloads at 25 MB (it does not deliver bigger ones): anything bigger is not from GitHub. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

/**
 * Refuses a webhook body whose declared `content-length` is over `limit` bytes with 413 before anything reads it, then
 * closes the connection. A body within it, or without a length (chunked), is passed on: `readSignedBody` (signed-body.ts)
 * counts what it reads and stops at the limit (Node's parser never delivers more than a request declares).
 *
 * Resolves `true` when the request may go on, `false` when it was answered.
 */
export async function limitWebhookBody(req: IncomingMessage, res: ServerResponse, limit = MAX_WEBHOOK_BYTES): Promise<boolean> {
  const declared = req.headers["content-length"];
  if (declared === undefined || Number(declared) <= limit) return true;
  refuse(req, res, limit);
  return false;
}

/** How long a refused request's connection stays open after the 413, its body read and dropped (lingering close). */
export const LINGER_MS = 1_000;

/** Answers 413 and closes the connection after a lingering close (see {@link answerThenClose}). */
export function refuse(req: IncomingMessage, res: ServerResponse, limit: number): void {
  answerThenClose(req, res, 413, { error: `Payload too large: webhook bodies are at most ${limit} bytes` });
}

/**
 * Answers `status` with `error` as JSON and closes the connection after a lingering close: the answer is complete at once
 * (its content-length), but for up to {@link LINGER_MS} (or until the client stops sending) the rest of the body is read
 * and dropped, never kept. Closing at once, with unread data in the socket, resets the connection, and a client still
 * sending may then lose the answer it had not read yet.
 */
export function answerThenClose(req: IncomingMessage, res: ServerResponse, status: number, error: { error: string }): void {
  if (res.headersSent) return;
  const body = JSON.stringify(error);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), connection: "close" });
  res.write(body);
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    res.end(); // with `connection: close`, Node closes the socket once this is written
  };
  const timer = setTimeout(end, LINGER_MS);
  timer.unref();
  if (req.readableEnded) return end();
  req.once("end", end);
  req.once("close", end);
  req.once("error", end);
  req.resume(); // no listener: what arrives is dropped
}
