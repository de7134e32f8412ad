import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { onAudit } from "../audit/audit-log.js";
import { observeRequests, type ObservedRequest } from "../github/transport/harden-requests.js";
import type { GitHubClient } from "../github/types.js";
import { routeLabel } from "./github-route.js";
import { onNotificationOutcome, type NotificationRecord } from "../notify/notifier.js";

/**
 * The app's Prometheus metrics (`GET /metrics`), in one registry with Node's default process metrics.
 *
 * They are fed from what the app already emits, so the evaluation code knows nothing of them: every evaluation writes one
 * audit record (`pull_request.evaluated`, `push.evaluated`, ... with `conclusion` and `controls`), seen through
 * {@link onAudit}; every GitHub request passes `hardenRequests`, seen through {@link observeRequests}.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

const registers = [metricsRegistry];

export const evaluationsTotal = new Counter({
  name: "sdlc_guard_evaluations_total",
  help: "Evaluations whose result was written, by kind (pull_request, merge_group, push, tag, release, deployment) and conclusion.",
  labelNames: ["kind", "conclusion"] as const,
  registers,
});

export const controlFailuresTotal = new Counter({
  name: "sdlc_guard_control_failures_total",
  help: "Controls that failed (or could not be evaluated, which counts as failing) in a written evaluation, by control id.",
  labelNames: ["control"] as const,
  registers,
});

export const notificationsTotal = new Counter({
  name: "sdlc_guard_notifications_total",
  help: "Notifications of findings, by channel type (slack, teams, webhook), event and outcome (sent, failed, duplicate, dropped).",
  labelNames: ["channel", "event", "outcome"] as const,
  registers,
});

/** Counts one notification's outcome. */
export function countNotification(record: NotificationRecord): void {
  notificationsTotal.inc({ channel: record.channel, event: labelValue(record.event), outcome: record.outcome });
}

export const githubRequestsTotal = new Counter({
  name: "sdlc_guard_github_requests_total",
  help: "Requests to GitHub (each attempt), by route template and HTTP status (timeout, error: no answer).",
  labelNames: ["route", "status"] as const,
  registers,
});

export const webhooksRefusedTotal = new Counter({
  name: "sdlc_guard_webhooks_refused_total",
  help: "Webhook deliveries refused before reaching the handlers, by HTTP status (400 bad signature, 408 too slow, 413 too big, 503 busy).",
  labelNames: ["status"] as const,
  registers,
});

export const rateLimitRemaining = new Gauge({
  name: "sdlc_guard_rate_limit_remaining",
  help: "What GitHub last reported left of a rate limit (x-ratelimit-remaining), by installation id (app: the app's own JWT requests) and resource.",
  labelNames: ["installation", "resource"] as const,
  registers,
});

export const webhookToResultSeconds = new Histogram({
  name: "sdlc_guard_webhook_to_result_seconds",
  help: "From receiving a webhook to writing the result of an evaluation it caused (check run, deployment review), by kind.",
  labelNames: ["kind"] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
  registers,
});

export const queueDepth = new Gauge({
  name: "sdlc_guard_queue_depth",
  help: "Webhook deliveries waiting in the queue (always 0 when deliveries are handled in-process).",
  registers,
});
queueDepth.set(0);

/** Sets `sdlc_guard_queue_depth` (a shared queue reports its backlog here). */
export function setQueueDepth(depth: number): void {
  if (Number.isFinite(depth) && depth >= 0) queueDepth.set(depth);
}

/** The audit actions that mark a written evaluation result, and the kind each counts as. */
export const EVALUATION_ACTIONS: Readonly<Record<string, string>> = {
  "pull_request.evaluated": "pull_request",
  "merge_group.evaluated": "merge_group",
  "push.evaluated": "push",
  "tag.evaluated": "tag",
  "release.evaluated": "release",
  "deployment.reviewed": "deployment",
};

/** A label value from a record field: a short plain word, `other` for any other text, `missing` when (not a string). */
const LABEL_VALUE = /^[A-Za-z0-9_.:-]{1,40}$/;
const labelValue = (value: unknown, missing = "unknown"): string =>
  typeof value !== "string" ? missing : LABEL_VALUE.test(value) ? value : "other";

/** The kind of evaluation an audit record reports, or undefined when it reports none. */
export function evaluationKind(record: Readonly<Record<string, unknown>>): string | undefined {
  return typeof record.action === "string" ? EVALUATION_ACTIONS[record.action] : undefined;
}

/** Counts one audit record: an evaluation by kind and conclusion, and each failing control (`fail` or `error`). */
export function countAuditRecord(record: Readonly<Record<string, unknown>>): void {
  const kind = evaluationKind(record);
  if (!kind) return;
  const conclusion = kind === "deployment" ? record.decision : record.conclusion;
  evaluationsTotal.inc({ kind, conclusion: labelValue(conclusion) });
  const controls = record.controls;
  if (!controls || typeof controls !== "object") return;
  for (const [control, state] of Object.entries(controls as Record<string, unknown>)) {
    const outcome = typeof state === "string" ? state.slice(state.lastIndexOf(":") + 1) : "";
    if (outcome === "fail" || outcome === "error") controlFailuresTotal.inc({ control: labelValue(control) });
  }
}

/** Counts one GitHub request attempt and keeps the rate limit its answer reported. */
export function countGitHubRequest(request: ObservedRequest): void {
  const status = request.timedOut ? "timeout" : request.status === undefined ? "error" : String(request.status);
  githubRequestsTotal.inc({ route: routeLabel(request.method, request.url), status });
  const headers = request.headers ?? {};
  const remaining = Number(headers["x-ratelimit-remaining"]);
  if (headers["x-ratelimit-remaining"] === undefined || !Number.isFinite(remaining)) return;
  const resource = labelValue(headers["x-ratelimit-resource"], "core");
  void installationOf(request.octokit).then((installation) => rateLimitRemaining.set({ installation, resource }, remaining));
}

const installations = new WeakMap<object, Promise<string>>();

/**
 * The installation an Octokit acts for (Probot builds one per event and does not say which; its auth knows): the id,
 * or `app` for the app's own Octokit. Asked once per Octokit; the token is already cached after a request, so no request.
 */
export function installationOf(octokit: GitHubClient): Promise<string> {
  let known = installations.get(octokit);
  if (!known) {
    const auth = octokit.auth as (options: { type: string }) => Promise<unknown>;
    known = Promise.resolve()
      .then(() => auth({ type: "installation" }))
      .then(
        (result) => {
          const id = (result as { installationId?: unknown } | undefined)?.installationId;
          return typeof id === "number" || (typeof id === "string" && NUMERIC.test(id)) ? String(id) : "app";
        },
        () => "app",
      );
    installations.set(octokit, known);
  }
  return known;
}
const NUMERIC = /^\d{1,20}$/;

let wired = false;

/** Starts counting audit records and GitHub requests (once per process). */
export function wireMetrics(): void {
  if (wired) return;
  wired = true;
  onAudit(countAuditRecord);
  observeRequests(countGitHubRequest);
  onNotificationOutcome(countNotification);
}

/** The metrics in Prometheus' text format, and its content type. */
export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  return { contentType: metricsRegistry.contentType, body: await metricsRegistry.metrics() };
}
