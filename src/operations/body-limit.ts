import type { IncomingMessage, ServerResponse } from "node:http";

/** GitHub caps webhook payloads at 25 MB (it does not deliver bigger ones): anything bigger is not from GitHub. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

const decoder = new TextDecoder("utf-8", { fatal: false });

/**
 * Refuses a webhook body over `limit` bytes with 413 before anything parses or buffers it, then closes the connection.
 *
 * - A declared `content-length` over the limit: answered at once, nothing of the body is read.
 * - A declared `content-length` within the limit: passed on untouched (Node's parser never delivers more than it declares).
 * - No length (chunked): read here, counting; past the limit it is answered 413 and reading stops; within it, the text is
 *   handed on as `req.body`, which Probot's webhook middleware (@octokit/webhooks) takes instead of reading the stream.
 *
 * Resolves `true` when the request may go on to the webhook middleware, `false` when it was answered.
 */
export async function limitWebhookBody(req: IncomingMessage, res: ServerResponse, limit = MAX_WEBHOOK_BYTES): Promise<boolean> {
  const declared = req.headers["content-length"];
  if (declared !== undefined) {
    if (Number(declared) <= limit) return true;
    refuse(req, res, limit);
    return false;
  }
  if (req.headers["transfer-encoding"] === undefined) return true; // no body at all
  const body = await readAtMost(req, limit);
  if (body === undefined) {
    refuse(req, res, limit);
    return false;
  }
  (req as IncomingMessage & { body?: string }).body = decoder.decode(body);
  return true;
}

/** How long a refused request's connection stays open after the 413, its body read and dropped (lingering close). */
export const LINGER_MS = 1_000;

/**
 * Answers 413 and closes the connection after a lingering close: the answer is complete at once (its content-length),
 * but for up to {@link LINGER_MS} (or until the client stops sending) the rest of the body is read and dropped, never
 * kept. Closing at once, with unread data in the socket, resets the connection, and a client still sending may then lose
 * the 413 it had not read yet.
 */
function refuse(req: IncomingMessage, res: ServerResponse, limit: number): void {
  if (res.headersSent) return;
  const body = JSON.stringify({ error: `Payload too large: webhook bodies are at most ${limit} bytes` });
  res.writeHead(413, { "content-type": "application/json", "content-length": Buffer.byteLength(body), connection: "close" });
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
  req.once("end", end);
  req.once("close", end);
  req.once("error", end);
  req.resume(); // no listener: what arrives is dropped
}

/** The whole body, or undefined as soon as it grows past `limit` (reading stops there). */
function readAtMost(req: IncomingMessage, limit: number): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        done();
        chunks.length = 0;
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      done();
      reject(error);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}
