import { createHash, createHmac } from "node:crypto";
import type { Logger } from "pino";
import { NOTIFY_ENV_PREFIX, type NotificationChannel, type NotificationsConfig } from "../config/notifications-schema.js";
import { slackMessage, teamsMessage, webhookMessage, type Notification } from "../report/notification-messages.js";
import { checkNotificationUrl } from "./notification-url.js";

/** The header of the generic webhook's signature: `sha256=<hex HMAC-SHA256 of the body>`. */
export const SIGNATURE_HEADER = "x-sdlc-guard-signature-256";

/** Where the claims that de-duplicate notifications live: the app's SharedState (Redis with several replicas). */
export interface NotificationClaims {
  claimDelivery(id: string, ttlMs: number): Promise<boolean>;
  forgetDelivery?(id: string): Promise<void>;
}

/** sent; failed (after its retries, or refused: URL, missing secret); duplicate (already claimed); dropped (queue full). */
export type NotificationOutcome = "sent" | "failed" | "duplicate" | "dropped";
export interface NotificationRecord {
  channel: NotificationChannel["type"];
  event: string;
  outcome: NotificationOutcome;
}

const observers: ((record: NotificationRecord) => void)[] = [];
/** Every notification's outcome (the metrics count them). */
export function onNotificationOutcome(observer: (record: NotificationRecord) => void): void {
  observers.push(observer);
}

export interface NotifierOptions {
  claims: NotificationClaims;
  log: Logger;
  /** Where `url_env` and `secret_env` are read (default: the process's environment). */
  env?: NodeJS.ProcessEnv;
  /** SDLC_GUARD_NOTIFY_ALLOW_INTERNAL_URLS: http and loopback/private addresses allowed (tests, local receivers). */
  allowInternalUrls?: boolean;
  /** Attempts per notification (default 4), waiting retryBaseMs, then twice as long each time (default 2 s). */
  attempts?: number;
  retryBaseMs?: number;
  /** Notifications waiting at most (default 1,000): past it, new ones are dropped, logged and counted. */
  maxQueue?: number;
  timeoutMs?: number;
  /** How long a sent occurrence is remembered (default 7 days). */
  claimTtlMs?: number;
}

interface Job {
  channel: NotificationChannel;
  index: number;
  notification: Notification;
}

const CONCURRENCY = 4;

/**
 * Sends notifications off the request path: `notify` only queues (bounded), workers send with retries and backoff.
 * Each occurrence is sent once per channel, across replicas and redeliveries (a claim in the shared state); a failed
 * one is logged without its URL, counted, and its claim dropped so that a redelivery may try again.
 */
export class Notifier {
  private readonly queue: Job[] = [];
  private running = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly options: NotifierOptions) {
    notifiers.add(new WeakRef(this));
  }

  /** Queues `notification` for every channel of `config` that wants its event; never throws, never waits. */
  notify(config: NotificationsConfig | undefined, notification: Notification): void {
    for (const [index, channel] of (config?.channels ?? []).entries()) {
      if (channel.events.length > 0 && !channel.events.includes(notification.event)) continue;
      if (this.queue.length >= (this.options.maxQueue ?? 1000)) {
        this.options.log.warn({ channel: channel.type, event: notification.event }, "notification dropped: the queue is full");
        emit({ channel: channel.type, event: notification.event, outcome: "dropped" });
        continue;
      }
      this.queue.push({ channel, index, notification });
    }
    this.pump();
  }

  /** Resolves once nothing is queued or being sent (shutdown drains with it). */
  idle(): Promise<void> {
    if (this.queue.length === 0 && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private pump(): void {
    while (this.running < CONCURRENCY && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.running++;
      void this.deliver(job)
        .catch((error: unknown) => this.failed(job, error instanceof Error ? error.name : "error"))
        .finally(() => {
          this.running--;
          this.pump();
          if (this.queue.length === 0 && this.running === 0) this.waiters.splice(0).forEach((resolve) => resolve());
        });
    }
  }

  private async deliver(job: Job): Promise<void> {
    const { channel, notification } = job;
    const claim = claimKey(channel, notification);
    if (!(await this.options.claims.claimDelivery(claim, this.options.claimTtlMs ?? 7 * 24 * 3600_000))) {
      emit({ channel: channel.type, event: notification.event, outcome: "duplicate" });
      return;
    }
    const reason = await this.send(job);
    if (reason === null) {
      emit({ channel: channel.type, event: notification.event, outcome: "sent" });
      return;
    }
    await this.options.claims.forgetDelivery?.(claim).catch(() => undefined);
    this.failed(job, reason);
  }

  /** Sends with retries; null when delivered, else why not (no URL, no secret in the reason). */
  private async send({ channel, notification }: Job): Promise<string | null> {
    const env = this.options.env ?? process.env;
    // The schema already refuses other names; checked again here, where the variables are read (fail closed).
    for (const name of [channel.url_env, channel.secret_env])
      if (name !== undefined && !name.startsWith(NOTIFY_ENV_PREFIX)) return `${name} is refused: not a ${NOTIFY_ENV_PREFIX} variable`;
    const target = env[channel.url_env]?.trim();
    if (!target) return `${channel.url_env} is not set`;
    const checked = await checkNotificationUrl(target, this.options.allowInternalUrls === true);
    if (!checked.ok) return `${channel.url_env} is refused: ${checked.reason}`;
    const body = JSON.stringify(
      channel.type === "slack"
        ? slackMessage(notification)
        : channel.type === "teams"
          ? teamsMessage(notification)
          : webhookMessage(notification),
    );
    const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "sdlc-guard" };
    if (channel.type === "webhook") {
      const secret = channel.secret_env ? env[channel.secret_env] : undefined;
      if (!secret) return `${channel.secret_env ?? "secret_env"} is not set`;
      headers[SIGNATURE_HEADER] = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
      headers["x-sdlc-guard-event"] = notification.event;
      headers["x-sdlc-guard-occurrence"] = occurrenceId(notification);
    }
    const attempts = Math.max(1, this.options.attempts ?? 4);
    let reason = "not sent";
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await sleep((this.options.retryBaseMs ?? 2000) * 2 ** (attempt - 1));
      try {
        // No redirect is followed: a 3xx could lead to an address the check above refused.
        const response = await fetch(checked.url, {
          method: "POST",
          headers,
          body,
          redirect: "manual",
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.status >= 200 && response.status < 300) return null;
        reason = `HTTP ${response.status}`;
        if (response.status < 500 && response.status !== 429 && response.status !== 408) return reason;
      } catch (error) {
        reason = error instanceof Error && error.name === "TimeoutError" ? "timeout" : "no answer";
      }
    }
    return `${reason} after ${attempts} attempt(s)`;
  }

  private failed({ channel, index, notification }: Job, reason: string): void {
    // The host and URL are never logged: a Slack or Teams webhook URL is a credential.
    this.options.log.warn(
      { channel: channel.type, channel_index: index, event: notification.event, repository: notification.repository, reason },
      "notification failed",
    );
    emit({ channel: channel.type, event: notification.event, outcome: "failed" });
  }
}

const notifiers = new Set<WeakRef<Notifier>>();

/** Resolves once every notifier of the process has sent (or given up on) what it queued: shutdown waits for it. */
export async function notificationsSent(): Promise<void> {
  await Promise.all([...notifiers].map((ref) => ref.deref()?.idle()));
}

function emit(record: NotificationRecord): void {
  for (const observer of observers) observer(record);
}

/** A stable id of an occurrence, without its text (which may name a repository a receiver should not learn twice). */
export const occurrenceId = (notification: Notification): string =>
  createHash("sha256").update(`${notification.repository}\0${notification.event}\0${notification.key}`).digest("hex").slice(0, 32);

/** One claim per channel and occurrence; the channel is named by its env variable, never by its URL. */
const claimKey = (channel: NotificationChannel, notification: Notification): string =>
  `notify:${createHash("sha256")
    .update(`${channel.type}\0${channel.url_env}\0${occurrenceId(notification)}`)
    .digest("hex")
    .slice(0, 40)}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
