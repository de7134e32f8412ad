import { createHmac, randomUUID } from "node:crypto";
import { connect } from "node:net";
import { pino, type Logger } from "pino";
import { Probot, ProbotOctokit, Server } from "probot";
import { createSdlcGuardApp } from "../../src/app.js";
import type { AppOptions } from "../../src/handlers/app-options.js";
import { Operations } from "../../src/operations/operations.js";
import type { GitHubWorld } from "../../sim/github-world.js";
import { testPrivateKey, WEBHOOK_SECRET } from "../support/test-app.js";
import { freePort } from "../../sim/free-port.js";

/**
 * sdlc-guard on Probot's own HTTP server (`Server`, what `probot run` starts: webhook middleware first, then /ping,
 * then 404), in this process on 127.0.0.1, against api.github.com (nock), with its own Operations (so a test can shut it
 * down without touching the process's).
 */
export interface RunningApp {
  base: string;
  webhookUrl: string;
  server: Server;
  operations: Operations;
  stop(): Promise<void>;
}

export async function startApp(
  world: GitHubWorld,
  options: { log?: Logger; operations?: Operations; app?: Partial<AppOptions> } = {},
): Promise<RunningApp> {
  const log = options.log ?? (pino({ level: "silent" }) as Logger);
  const operations = options.operations ?? new Operations();
  const port = await freePort();
  const server = new Server({
    host: "127.0.0.1",
    port,
    log,
    Probot: Probot.defaults({
      appId: world.appId,
      privateKey: testPrivateKey(),
      secret: WEBHOOK_SECRET,
      log,
      Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({
        ...o,
        retry: { enabled: false },
        throttle: { ...(o.throttle as object), enabled: false },
      })),
    }),
  });
  await server.load(createSdlcGuardApp({ appId: world.appId, jira: undefined, maxReevaluations: 100, ...options.app }, operations));
  await server.start();
  const base = `http://127.0.0.1:${port}`;
  return { base, webhookUrl: `${base}/api/github/webhooks`, server, operations, stop: () => server.stop() };
}

export const sign = (body: string | Buffer, secret = WEBHOOK_SECRET) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

/** POSTs `body` as a webhook with the given event name, signed unless `signature` is given (null: none). */
export async function postWebhook(url: string, event: string, body: string, signature: string | null = sign(body)) {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-github-event": event,
    "x-github-delivery": randomUUID(),
  };
  if (signature !== null) headers["x-hub-signature-256"] = signature;
  const response = await fetch(url, { method: "POST", headers, body });
  return { status: response.status, body: await response.text(), deliveryId: headers["x-github-delivery"]! };
}

export interface StreamedPost {
  status: number | undefined;
  /** Bytes written when the answer's headers arrived. */
  sentWhenAnswered: number | undefined;
  sent: number;
  /** The whole answer as received (status line, headers, body). */
  answer: string;
  /** Highest growth of this process's RSS while sending (bytes). */
  rssGrowth: number;
}

/**
 * Streams a `total`-byte body in 64 KiB chunks (one reused buffer: the sender holds almost nothing), with a
 * content-length or chunked, and notes when the answer came; resolves when the server closed the connection.
 * Over a raw socket: nock's interception of `http.request` would buffer the whole body before sending any of it.
 */
export function streamPost(
  url: string,
  total: number,
  { chunked = false, headers = {} }: { chunked?: boolean; headers?: Record<string, string> } = {},
): Promise<StreamedPost> {
  const target = new URL(url);
  const rssStart = process.memoryUsage.rss();
  let rssPeak = rssStart;
  const head = {
    host: target.host,
    "content-type": "application/json",
    "x-github-event": "pull_request",
    "x-github-delivery": randomUUID(),
    "x-hub-signature-256": "sha256=" + "0".repeat(64),
    ...(chunked ? { "transfer-encoding": "chunked" } : { "content-length": String(total) }),
    ...headers,
  };
  return new Promise((resolve) => {
    const socket = connect(Number(target.port), target.hostname);
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const result: StreamedPost = { status: undefined, sentWhenAnswered: undefined, sent: 0, answer: "", rssGrowth: 0 };
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      result.rssGrowth = rssPeak - rssStart;
      socket.destroy();
      resolve(result);
    };
    socket.on("data", (data: Buffer) => {
      if (result.sentWhenAnswered === undefined) result.sentWhenAnswered = result.sent;
      result.answer += data.toString("latin1");
      result.status ??= Number(/^HTTP\/1\.1 (\d{3})/.exec(result.answer)?.[1]) || undefined;
    });
    socket.on("error", finish); // EPIPE / ECONNRESET: the server closed the connection
    socket.on("close", finish);
    socket.on("end", finish);
    const pump = () => {
      while (result.sent < total && !finished) {
        const n = Math.min(chunk.length, total - result.sent);
        result.sent += n;
        if (result.sent % (4 * 1024 * 1024) < chunk.length) rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
        const piece = n === chunk.length ? chunk : chunk.subarray(0, n);
        if (chunked) socket.write(`${n.toString(16)}\r\n`);
        let ok = socket.write(piece);
        if (chunked) ok = socket.write("\r\n");
        if (!ok) {
          socket.once("drain", pump);
          return;
        }
      }
      if (result.sent >= total && chunked && !finished) socket.write("0\r\n\r\n");
    };
    socket.once("connect", () => {
      socket.write(
        `POST ${target.pathname} HTTP/1.1\r\n${Object.entries(head)
          .map(([k, v]) => `${k}: ${v}`)
          .join("\r\n")}\r\n\r\n`,
      );
      pump();
    });
  });
}

/** POSTs `pieces` as a chunked body over a raw socket (each piece one chunk) and returns the answer's status. */
export function postChunked(url: string, headers: Record<string, string>, pieces: string[]): Promise<number | undefined> {
  const target = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(target.port), target.hostname);
    let answer = "";
    socket.on("data", (data: Buffer) => {
      answer += data.toString("latin1");
      if (answer.includes("\r\n\r\n")) {
        socket.destroy();
        resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]) || undefined);
      }
    });
    socket.on("error", () => resolve(undefined));
    socket.once("connect", () => {
      const head = { host: target.host, "transfer-encoding": "chunked", ...headers };
      socket.write(
        `POST ${target.pathname} HTTP/1.1\r\n${Object.entries(head)
          .map(([k, v]) => `${k}: ${v}`)
          .join("\r\n")}\r\n\r\n`,
      );
      for (const piece of pieces) socket.write(`${Buffer.byteLength(piece).toString(16)}\r\n${piece}\r\n`);
      socket.write("0\r\n\r\n");
    });
  });
}
