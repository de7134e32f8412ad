import { createHash, timingSafeEqual } from "node:crypto";
import { subscribe } from "node:diagnostics_channel";
import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import type { Logger } from "pino";
import type { Probot } from "probot";
import { onAudit } from "../audit/audit-log.js";
import { answerThenClose, limitWebhookBody, MAX_WEBHOOK_BYTES, refuse } from "./body-limit.js";
import { InFlight } from "./in-flight.js";
import { evaluationKind, renderMetrics, webhookToResultSeconds, webhooksRefusedTotal, wireMetrics } from "./metrics.js";
import { BodyBudgets, bufferBytesFromEnv, RefusalLogLimit } from "./refusal-budget.js";
import { confirmWebhookSecret, readSignedBody, webhookReceiveTimeoutFromEnv } from "./signed-body.js";

/**
 * The operational side of the app's HTTP server: `GET /health`, `GET /ready`, `GET /metrics`, the 25 MB webhook body limit,
 * the webhook work in flight, and the state a graceful shutdown needs (see `shutdown.ts`).
 *
 * Probot 14 has no Express router any more (`getRouter` is gone); an app function gets `addHandler`, but Probot's server
 * runs its webhook middleware (which reads and buffers the whole body) before any added handler, and `addHandler` throws
 * outside Probot's server. What runs first everywhere is the middleware Probot builds with `app.getNodeMiddleware()`,
 * which its server asks for when it starts: {@link Operations.install} wraps that method on the app instance, so the
 * wrapper sees every request first (endpoints, body limit, shutdown), in `probot run` and wherever the middleware is used.
 */

export type Readiness = { ready: true } | { ready: false; reason: string };

/** A check the app must pass to take webhooks (e.g. its queue is reachable): a reason when it does not, else undefined. */
export type ReadinessCheck = () => string | undefined;

export interface OperationsOptions {
  /** When set, `GET /metrics` wants `Authorization: Bearer <token>` (default: SDLC_GUARD_METRICS_TOKEN). */
  metricsToken?: string;
  /** Largest webhook body taken (default: GitHub's 25 MB cap). */
  maxWebhookBytes?: number;
  /** Longest time a webhook body may take to arrive (default: SDLC_GUARD_WEBHOOK_RECEIVE_TIMEOUT_MS, else 10 s). */
  webhookReceiveTimeoutMs?: number;
  /** The webhook secret (default: WEBHOOK_SECRET, as `probot run` reads it); checked against Probot's own at start. */
  webhookSecret?: string;
  /** Bytes of webhook bodies awaiting their signature check held at once (default: SDLC_GUARD_WEBHOOK_BUFFER_BYTES, else 64 MiB). */
  webhookBufferBytes?: number;
  /** Refused deliveries logged one by one per minute (default 60); the others are counted in the next line. */
  refusalLinesPerMinute?: number;
}

type WebhookMiddleware = Awaited<ReturnType<Probot["getNodeMiddleware"]>>;

/** The HTTP server each request arrived on (Node publishes it on this channel; Probot's server does not expose its own). */
const serverOfRequest = new WeakMap<IncomingMessage, HttpServer>();
subscribe("http.server.request.start", (message) => {
  const { request, server } = message as { request: IncomingMessage; server: HttpServer };
  serverOfRequest.set(request, server);
});

const DELIVERY_ID = /^[A-Za-z0-9._:-]{1,100}$/;
const headerValue = (value: string | string[] | undefined): string | undefined => {
  const text = Array.isArray(value) ? value[0] : value;
  return text !== undefined && DELIVERY_ID.test(text) ? text : undefined;
};

export class Operations {
  readonly inFlight = new InFlight();
  /** The logger of the first app installed (shutdown messages). */
  log: Logger | undefined;
  #state: "starting" | "ready" | "stopping" = "starting";
  #stopReason = "";
  readonly #checks = new Map<string, ReadinessCheck>();
  readonly #servers = new Set<HttpServer>();
  /** When each delivery under way arrived (monotonic ms), for the webhook-to-result histogram. */
  readonly #arrivals = new Map<string, { at: number; refs: number }>();
  readonly #installed = new WeakSet<Probot>();
  #observingAudit = false;
  #unverified: BodyBudgets | undefined;
  readonly #refusalLines: RefusalLogLimit;

  constructor(private readonly options: OperationsOptions = {}) {
    this.#refusalLines = new RefusalLogLimit(options.refusalLinesPerMinute ?? 60, 60_000);
  }

  /** Adds the endpoints, the body limit and the in-flight tracking to this Probot app; then it is ready. Idempotent. */
  install(app: Probot): void {
    if (this.#installed.has(app)) return;
    this.#installed.add(app);
    wireMetrics();
    this.log ??= app.log as unknown as Logger;
    if (!this.#observingAudit) {
      this.#observingAudit = true;
      onAudit((record) => this.#observeResult(record));
    }

    const buildMiddleware = app.getNodeMiddleware.bind(app);
    app.getNodeMiddleware = async (options = {}) => {
      const webhooks = await buildMiddleware(options);
      const webhookPath = pathOf(options.path ?? app.webhookPath);
      // Bodies are verified on the stream (signed-body.ts) with Probot's own secret; the server does not start without it.
      const secret = await confirmWebhookSecret(app.webhooks, [this.options.webhookSecret, process.env.WEBHOOK_SECRET]);
      const receiveTimeoutMs = this.options.webhookReceiveTimeoutMs ?? webhookReceiveTimeoutFromEnv(process.env);
      const limit = this.options.maxWebhookBytes ?? MAX_WEBHOOK_BYTES;
      this.#unverified ??= new BodyBudgets(this.options.webhookBufferBytes ?? bufferBytesFromEnv(process.env, limit));
      const middleware = (req: IncomingMessage, res: ServerResponse, next?: () => void) =>
        this.#serve(req, res, next, webhooks, webhookPath, { secret, receiveTimeoutMs });
      return middleware as WebhookMiddleware;
    };

    // Every delivery that reaches Probot's handlers (signature checked, JSON parsed, all handlers run), however the
    // middleware answered (it answers 202 after 9 s and the handling goes on).
    const webhooks = app.webhooks; // set once Probot is initialized, which it is when it loads an app
    if (!webhooks)
      throw new Error("installOperations: the Probot instance is not initialized yet (load the app with probot.load or Probot's server)");
    const verifyAndReceive = webhooks.verifyAndReceive;
    webhooks.verifyAndReceive = (event) =>
      this.#arrived(event.id, () =>
        this.inFlight.track({ what: "delivery", deliveryId: event.id, event: event.name }, () => verifyAndReceive(event)),
      );

    if (this.#state === "starting") this.#state = "ready";
  }

  /** Ready to take webhooks: installed, not shutting down, and every readiness check passes. */
  readiness(): Readiness {
    if (this.#state === "stopping") return { ready: false, reason: this.#stopReason };
    if (this.#state === "starting") return { ready: false, reason: "starting" };
    const failing = this.#failingCheck();
    return failing ? { ready: false, reason: failing } : { ready: true };
  }

  /** The first readiness check that fails, as `<name>: <problem>`; undefined when all pass. */
  #failingCheck(): string | undefined {
    for (const [name, check] of this.#checks) {
      let problem: string | undefined;
      try {
        problem = check();
      } catch (error) {
        problem = (error as Error)?.message ?? String(error);
      }
      if (problem) return `${name}: ${problem}`;
    }
    return undefined;
  }

  /** Adds a readiness check (e.g. a shared queue's connection); returns a function that removes it. */
  addReadinessCheck(name: string, check: ReadinessCheck): () => void {
    this.#checks.set(name, check);
    return () => this.#checks.delete(name);
  }

  /** Bytes of webhook bodies held now while their signature is not checked yet (see {@link UnverifiedBytes}). */
  get unverifiedBytesHeld(): number {
    return this.#unverified?.used ?? 0;
  }

  get shuttingDown(): boolean {
    return this.#state === "stopping";
  }

  /** Not ready any more; new webhooks are refused (503) and connections close after their answer. */
  beginShutdown(reason: string): void {
    this.#state = "stopping";
    this.#stopReason = reason;
  }

  /** A server whose requests this app answers (found by itself from the first request; in-process callers may say it). */
  attachServer(server: HttpServer): void {
    this.#servers.add(server);
    server.once("close", () => this.#servers.delete(server));
  }

  /** Stops the servers taking connections and closes their idle ones; resolves when every connection has ended. */
  closeServers(): Promise<void> {
    const closing = [...this.#servers].map(
      (server) =>
        new Promise<void>((resolve) => {
          if (!server.listening) return resolve();
          server.close(() => resolve());
          server.closeIdleConnections();
        }),
    );
    return Promise.all(closing).then(() => undefined);
  }

  /** Closes the servers' connections that wait for no answer (kept alive after one); after a drain, that is all of them. */
  closeIdleConnections(): void {
    for (const server of this.#servers) server.closeIdleConnections();
  }

  /** Answers `GET /health`, `/ready` and `/metrics`; false for anything else. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const path = pathOf(req.url ?? "/");
    if (path === "/health") {
      json(res, 200, { status: "ok" });
      return true;
    }
    if (path === "/ready") {
      const readiness = this.readiness();
      json(
        res,
        readiness.ready ? 200 : 503,
        readiness.ready
          ? { status: "ready", in_flight: this.inFlight.size }
          : { status: "not ready", reason: readiness.reason, in_flight: this.inFlight.size },
      );
      return true;
    }
    if (path === "/metrics") {
      if (!this.#metricsAllowed(req)) {
        res
          .writeHead(401, { "content-type": "text/plain", "www-authenticate": "Bearer", "cache-control": "no-store" })
          .end("metrics need the bearer token (SDLC_GUARD_METRICS_TOKEN)\n");
        return true;
      }
      const { contentType, body } = await renderMetrics();
      res.writeHead(200, { "content-type": contentType, "cache-control": "no-store" }).end(req.method === "HEAD" ? undefined : body);
      return true;
    }
    return false;
  }

  async #serve(
    req: IncomingMessage,
    res: ServerResponse,
    next: (() => void) | undefined,
    webhooks: WebhookMiddleware,
    webhookPath: string,
    verify: { secret: string; receiveTimeoutMs: number },
  ): Promise<boolean> {
    const server = serverOfRequest.get(req);
    if (server && !this.#servers.has(server)) this.attachServer(server);
    if (this.#state === "stopping") res.setHeader("connection", "close");
    if (req.method !== "POST" || pathOf(req.url ?? "/") !== webhookPath) {
      if (await this.handle(req, res)) return true;
      return (await webhooks(req, res, next)) as boolean;
    }
    const deliveryId = headerValue(req.headers["x-github-delivery"]);
    const event = headerValue(req.headers["x-github-event"]);
    if (this.#state === "stopping") {
      this.#logRefusal({ id: deliveryId, event, status: 503 }, "webhook refused: shutting down");
      json(res, 503, { error: "shutting down: deliver again to another instance or later" }, { "retry-after": "30" });
      return true;
    }
    // A check that fails means the webhook cannot be taken now (with REDIS_URL: it cannot be queued). Refused at once,
    // so GitHub records a failed delivery to redeliver, rather than answered and then lost.
    const failing = this.#failingCheck();
    if (failing) {
      this.#logRefusal({ id: deliveryId, event, status: 503, reason: failing }, "webhook refused: not ready");
      json(res, 503, { error: `not ready (${failing}): deliver again later` }, { "retry-after": "30" });
      return true;
    }
    return this.inFlight.track({ what: "request", deliveryId, event }, () =>
      this.#arrived(deliveryId, async () => {
        const limit = this.options.maxWebhookBytes ?? MAX_WEBHOOK_BYTES;
        if (!(await limitWebhookBody(req, res, limit))) {
          silenceAccessLine(res); // one line per refused delivery, as for the other refusals
          this.#logRefusal(
            { id: deliveryId, event, status: 413, content_length: req.headers["content-length"] ?? null },
            "webhook refused: body over the 25 MB limit (HTTP 413)",
          );
          return true;
        }
        // Not shaped like a delivery (no JSON content type, a header missing): Probot's middleware answers 415 / 400 unread.
        if (!looksLikeDelivery(req)) return (await webhooks(req, res, next)) as boolean;
        const started = performance.now();
        const received = await readSignedBody(req, {
          secret: verify.secret,
          limit,
          timeoutMs: verify.receiveTimeoutMs,
          budget: this.#unverified,
        });
        if (!received.verified) {
          const { status, reason, bytes } = received;
          if (status === 413) refuse(req, res, limit);
          else if (status === 503) {
            res.setHeader("retry-after", "10");
            answerThenClose(req, res, status, { error: `busy: ${reason}; deliver again later` });
          } else answerThenClose(req, res, status, { error: reason });
          // One line per refused delivery, never its body: this one stands for Probot's access line too.
          silenceAccessLine(res);
          const ms = Math.round(performance.now() - started);
          this.#logRefusal({ id: deliveryId, event, status, reason, bytes_read: bytes, ms }, `webhook refused: ${reason} (HTTP ${status})`);
          return true;
        }
        // Verified: Probot's middleware takes the text as the body (it verifies again, parses and hands it to the handlers).
        (req as IncomingMessage & { body?: string }).body = decoder.decode(received.body);
        return (await webhooks(req, res, next)) as boolean;
      }),
    );
  }

  /**
   * One warn line per refused delivery, up to the per-minute allowance: a flood of forged deliveries cannot fill the logs.
   * Every refusal is counted in `sdlc_guard_webhooks_refused_total`; the first line after a flood says how many went unlogged.
   */
  #logRefusal(fields: Record<string, unknown> & { status: number }, message: string): void {
    webhooksRefusedTotal.inc({ status: String(fields.status) });
    const { log, suppressedBefore } = this.#refusalLines.admit(performance.now());
    if (!log) return;
    this.log?.warn(suppressedBefore ? { ...fields, refusals_not_logged: suppressedBefore } : fields, message);
  }

  /**
   * Handles a delivery taken from the queue (multi-replica mode) with the time the answering replica received it, so
   * that the webhook-to-result histogram covers queued deliveries too (`receivedAt`: ms since the epoch).
   */
  handlingQueued<T>(deliveryId: string, receivedAt: number, work: () => Promise<T>): Promise<T> {
    return this.#arrived(deliveryId, work, performance.now() - Math.max(0, Date.now() - receivedAt));
  }

  /** Runs `work` with the delivery's arrival time known (the first of concurrent copies of one delivery). */
  async #arrived<T>(deliveryId: string | undefined, work: () => Promise<T>, at = performance.now()): Promise<T> {
    if (!deliveryId) return work();
    const known = this.#arrivals.get(deliveryId);
    if (known) known.refs++;
    else this.#arrivals.set(deliveryId, { at, refs: 1 });
    try {
      return await work();
    } finally {
      const entry = this.#arrivals.get(deliveryId);
      if (entry && --entry.refs === 0) this.#arrivals.delete(deliveryId);
    }
  }

  #observeResult(record: Readonly<Record<string, unknown>>): void {
    const kind = evaluationKind(record);
    if (!kind || typeof record.delivery_id !== "string") return;
    const arrival = this.#arrivals.get(record.delivery_id);
    if (arrival) webhookToResultSeconds.observe({ kind }, (performance.now() - arrival.at) / 1000);
  }

  #metricsAllowed(req: IncomingMessage): boolean {
    const token = this.options.metricsToken ?? process.env.SDLC_GUARD_METRICS_TOKEN;
    if (!token) return true;
    const given = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1] ?? "";
    const digest = (text: string) => createHash("sha256").update(text).digest();
    return timingSafeEqual(digest(given), digest(token));
  }
}

/** The process's operations (what `src/index.ts` shuts down). */
export const processOperations = new Operations();

/** Installs `operations` (default: the process's) on a Probot app; see {@link Operations.install}. */
export function installOperations(app: Probot, operations: Operations = processOperations): Operations {
  operations.install(app);
  return operations;
}

const decoder = new TextDecoder("utf-8", { fatal: false });
const JSON_CONTENT_TYPE = /^\s*application\/json\s*(?:;|$)/; // the test @octokit/webhooks makes

/** What Probot's middleware checks before it reads a body: a JSON content type and GitHub's three webhook headers. */
function looksLikeDelivery(req: IncomingMessage): boolean {
  const type = req.headers["content-type"];
  return (
    typeof type === "string" &&
    JSON_CONTENT_TYPE.test(type) &&
    ["x-github-event", "x-hub-signature-256", "x-github-delivery"].every((h) => req.headers[h] !== undefined)
  );
}

/** Probot's access line (pino-http) logs through `res.log`, a child logger of its own: silent for this response only. */
function silenceAccessLine(res: ServerResponse): void {
  const log = (res as ServerResponse & { log?: { level: string } }).log;
  if (log) log.level = "silent";
}

/**
 * The request's path as Probot's webhook middleware reads it (WHATWG URL: `./`, `../`, `%2e`, backslashes and `#`
 * resolved), so every spelling it accepts as the webhook path is also hardened here; trailing slashes do not count.
 */
function pathOf(url: string): string {
  let path: string;
  try {
    path = new URL(url.replace(/\/+$/, "") || "/", "http://localhost").pathname;
  } catch {
    path = url.split("?")[0]!; // Probot's middleware answers 422 to a URL it cannot parse, unread
  }
  path = path.replace(/\/+$/, "");
  return path === "" ? "/" : path;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = `${JSON.stringify(body)}\n`;
  res
    .writeHead(status, {
      "content-type": "application/json",
      "cache-control": "no-store",
      "content-length": Buffer.byteLength(text),
      ...headers,
    })
    .end(text);
}
