import { AsyncLocalStorage } from "node:async_hooks";
import { Queue, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Probot } from "probot";
import type { SharedState } from "../evaluation/shared-state.js";
import { coalescingOf } from "./coalescing.js";
import type { QueuedDeliveryTracker } from "./scale-types.js";

/** What a queued job carries: the verified webhook, as Probot received it. */
export interface QueuedDelivery {
  id: string;
  name: string;
  payload: unknown;
  /** When the replica that answered GitHub received it (ms since the epoch). */
  receivedAt: number;
}

export interface WebhookQueueOptions {
  /** The queue's Redis connection (ioredis with `maxRetriesPerRequest: null`, as BullMQ's workers need). */
  connection: Redis;
  /** Locks per repository and leases (the same SharedState the handlers get). */
  sharedState: SharedState;
  /** This replica's name: recorded on every job it processes (`processedBy`). */
  replicaId: string;
  /** Key prefix of the queue's keys in Redis. Default `sdlc-guard`. */
  prefix?: string;
  /** Jobs this replica runs at once (they mostly wait on GitHub). Default 16. */
  concurrency?: number;
  /** Tries of a job whose handlers failed, the first one included. Default 5. */
  attempts?: number;
  /** First retry delay; each next one doubles. Default 2 s. */
  backoffMs?: number;
  /** A job whose replica stopped renewing its lock (it died) for this long is given to another replica. Default 30 s. */
  jobLockMs?: number;
  /** How long a handled delivery id is remembered: a redelivery within it is not handled again. Default 1 h. */
  doneTtlMs?: number;
  /** Completed jobs kept in Redis (for inspection and for de-duplication by job id). Default: 1 h (at most doneTtlMs), at most 5,000. */
  keepCompleted?: { age: number; count: number };
  /**
   * Longest wait to queue a webhook (Redis unreachable: ioredis holds the command until it reconnects). Past it the
   * webhook is answered 503, so GitHub records a failed delivery that can be redelivered; without it Probot would answer
   * 202 after 9 s while the webhook still sat in this process's memory, lost if the process died. Default 5 s.
   */
  enqueueTimeoutMs?: number;
  /** Makes the Probot instance the workers feed (default: a second instance of the server's own Probot class). */
  createWorkerProbot?: (app: Probot) => Probot;
  /** Called with the server's Probot when the queue is attached (its logger becomes everyone's). */
  onAttach?: (app: Probot) => void;
}

export const QUEUE_NAME = "webhooks";
const ENQUEUE_TIMEOUT_MS = 5_000;

/** A verified webhook that could not be queued: answered 503 (Probot's middleware takes the error's status). */
export class WebhookNotQueuedError extends Error {
  override readonly name = "WebhookNotQueuedError";
  readonly status = 503;
  constructor(reason: string) {
    super(`the webhook could not be queued (${reason}): deliver it again once the app is ready`);
  }
}
const CLOSE_GRACE_MS = 25_000;

/**
 * KEYS[1]: the PR's BullMQ deduplication key; ARGV: job key prefix, coalesced-list prefix, delivery id, list TTL (ms).
 * When the key names a job that exists (it has not started: its worker drops the key first), the delivery is added to
 * that job's coalesced list, and the job's id returned; else nothing (false).
 */
const JOIN_WAITING_JOB = `
local host = redis.call('GET', KEYS[1])
if not host or redis.call('EXISTS', ARGV[1] .. host) == 0 then return false end
redis.call('RPUSH', ARGV[2] .. host, ARGV[3])
redis.call('PEXPIRE', ARGV[2] .. host, ARGV[4])
return host
`;

/**
 * Multi-replica mode: the server's Probot verifies each webhook as before, then this queue stores it in Redis (BullMQ,
 * job id = delivery id, so a delivery is queued once however many replicas receive it) and GitHub gets its answer at
 * once. Every replica's workers take jobs and hand them to a second Probot instance that carries the app's handlers
 * (`probot.receive`), so the handlers run exactly as they do in one process. Jobs of one pull request run one at a
 * time across replicas, and so do a repository's jobs that name no pull request (SharedState lock, `orderingKeyOf`); a failed job is retried with exponential backoff; a job whose replica died is
 * taken up again by BullMQ's stalled-job check once its lock expires.
 */
export class WebhookQueue {
  readonly queue: Queue<QueuedDelivery>;
  private worker: Worker<QueuedDelivery> | undefined;
  private handlers: Probot | undefined;
  private readonly current = new AsyncLocalStorage<string>();
  private readonly prefix: string;
  private readonly events = new Set<string>();
  private anyEvent = false;
  private readonly doneTtlMs: number;
  private closing: Promise<void> | undefined;
  private tracker: QueuedDeliveryTracker | undefined;
  private log: Logger | undefined;

  constructor(private readonly options: WebhookQueueOptions) {
    this.prefix = options.prefix ?? "sdlc-guard";
    this.doneTtlMs = options.doneTtlMs ?? 3_600_000;
    this.queue = new Queue<QueuedDelivery>(QUEUE_NAME, {
      connection: options.connection,
      prefix: this.prefix,
      defaultJobOptions: {
        attempts: options.attempts ?? 5,
        backoff: { type: "exponential", delay: options.backoffMs ?? 2_000 },
        removeOnComplete: options.keepCompleted ?? { age: Math.max(1, Math.min(3_600, Math.ceil(this.doneTtlMs / 1000))), count: 5_000 },
        removeOnFail: { age: 7 * 24 * 3_600, count: 1_000 },
      },
    });
    // Connection errors: reported by the connection's own listener (scale-out.ts) and by /ready; adding a job then fails.
    this.queue.on("error", () => undefined);
  }

  /**
   * Wires the queue into Probot: webhooks the server's `app` verified are queued (only events some handler listens
   * to), and the returned Probot, on which the app registers its handlers, is what this replica's workers feed.
   */
  attach(app: Probot, tracker?: QueuedDeliveryTracker): Probot {
    if (this.handlers) throw new Error("the webhook queue is already attached");
    this.tracker = tracker;
    this.log = app.log as unknown as Logger;
    this.options.onAttach?.(app);
    const handlers = (this.options.createWorkerProbot ?? sameProbotClass)(app);
    this.recordListenedEvents(handlers);
    this.handlers = handlers;
    app.onAny(async (context) => {
      const action = (context.payload as { action?: unknown }).action;
      if (!this.anyEvent && !this.events.has(context.name) && !(typeof action === "string" && this.events.has(`${context.name}.${action}`)))
        return;
      await this.enqueue({ id: context.id, name: context.name, payload: context.payload, receivedAt: Date.now() });
    });
    this.worker = new Worker<QueuedDelivery>(QUEUE_NAME, (job) => this.process(job), {
      connection: this.options.connection,
      prefix: this.prefix,
      name: this.options.replicaId,
      concurrency: this.options.concurrency ?? 16,
      lockDuration: this.options.jobLockMs ?? 30_000,
      stalledInterval: this.options.jobLockMs ?? 30_000,
      maxStalledCount: 3,
    });
    this.worker.on("failed", (job, error) => {
      const last = job && job.attemptsMade >= (job.opts.attempts ?? 1);
      (app.log as unknown as Logger)[last ? "error" : "warn"](
        { id: job?.data.id, event: job?.data.name, attempt: job?.attemptsMade, reason: error.message.slice(0, 500) },
        last ? "queued webhook failed for good: see the failed jobs in Redis" : "queued webhook failed: it is retried",
      );
    });
    this.worker.on("error", (error) => (app.log as unknown as Logger).error({ err: error }, "webhook queue worker error"));
    return handlers;
  }

  /**
   * Queues a verified delivery; a delivery id already queued (or kept after completion) is not queued again. A delivery
   * whose job failed for good runs again when it comes again (GitHub's "Redeliver" of a failed delivery).
   */
  async enqueue(delivery: QueuedDelivery): Promise<void> {
    const timeoutMs = this.options.enqueueTimeoutMs ?? ENQUEUE_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new WebhookNotQueuedError(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    // A queueing still under way at the deadline may end later, once Redis is back: the job id keeps that harmless.
    const queued = this.#enqueue(delivery);
    queued.catch(() => undefined);
    try {
      await Promise.race([queued, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #enqueue(delivery: QueuedDelivery): Promise<void> {
    const jobId = jobIdOf(delivery.id);
    const failed = await this.queue.getJob(jobId);
    if (failed && (await failed.isFailed())) {
      await failed.retry("failed");
      return;
    }
    const ordering = orderingKeyOf(delivery.payload);
    const coalescing = coalescingOf(delivery.name, delivery.payload, ordering);
    // A delivery already handled makes a job that does nothing ("duplicate"): it joins nothing and nothing joins it.
    if (coalescing && !(await this.options.connection.exists(this.doneKey(delivery.id)))) {
      // A waiting job of the PR that others may join (its deduplication key is set): join it, atomically with the
      // key's existence; its worker drops the key before it reads anything (`process`), so it reads after this.
      const host = await this.join(coalescing.key, delivery.id);
      if (host !== null) return this.logCoalesced(delivery, host, ordering);
      if (coalescing.role === "hosts") {
        // None: this delivery's job becomes the one to join (BullMQ's deduplication, atomic with its creation; one
        // added by another replica in the meantime is joined instead).
        const job = await this.queue.add(delivery.name, delivery, { jobId, deduplication: { id: coalescing.key } });
        if (job.id !== undefined && job.id !== jobId) await this.recordCoalesced(delivery, job.id, ordering);
        return;
      }
    }
    await this.queue.add(delivery.name, delivery, { jobId });
  }

  /** Records `deliveryId` as joined to the PR's waiting host job, if there is one; returns that job's id, else null. */
  private async join(coalescingKey: string, deliveryId: string): Promise<string | null> {
    const answer = await this.options.connection.eval(
      JOIN_WAITING_JOB,
      1,
      `${this.queue.keys.de}:${coalescingKey}`,
      `${this.queue.qualifiedName}:`,
      `${this.prefix}:coalesced:`,
      deliveryId,
      this.doneTtlMs,
    );
    return typeof answer === "string" ? answer : null;
  }

  /**
   * A delivery that joined the waiting job `hostJobId`: acknowledged, logged, and its id remembered as handled once
   * that job has run (so a redelivery of it is a duplicate, as for any handled delivery).
   */
  private async recordCoalesced(delivery: QueuedDelivery, hostJobId: string, ordering: string | undefined): Promise<void> {
    const listKey = this.coalescedKey(hostJobId);
    await this.options.connection.multi().rpush(listKey, delivery.id).pexpire(listKey, this.doneTtlMs).exec();
    this.logCoalesced(delivery, hostJobId, ordering);
    // The host may have finished between the deduplication and the line above: then nothing else marks this done. If
    // it evaluated, it read after the deduplication (it dropped its key first); if not (a duplicate) or it is gone,
    // this delivery gets a job of its own.
    const host = await this.queue.getJob(hostJobId);
    if (host && !(await host.isCompleted())) return;
    if (host?.returnvalue === "handled") await this.markCoalescedDone(hostJobId);
    else await this.queue.add(delivery.name, delivery, { jobId: jobIdOf(delivery.id) });
  }

  private logCoalesced(delivery: QueuedDelivery, hostJobId: string, ordering: string | undefined): void {
    this.log?.info(
      {
        id: delivery.id,
        event: delivery.name,
        action: (delivery.payload as { action?: unknown }).action,
        pullRequest: ordering,
        into: hostJobId,
      },
      "queued webhook coalesced into the waiting evaluation of its pull request: not evaluated separately",
    );
  }

  /** Marks the deliveries coalesced into a job that ran as handled (same memory as its own delivery id). */
  private async markCoalescedDone(hostJobId: string): Promise<string[]> {
    const listKey = this.coalescedKey(hostJobId);
    const [[, ids]] = (await this.options.connection.multi().lrange(listKey, 0, -1).del(listKey).exec()) as [[unknown, string[]]];
    if (!ids?.length) return [];
    const marking = this.options.connection.multi();
    for (const id of ids) marking.set(this.doneKey(id), "1", "PX", this.doneTtlMs);
    await marking.exec();
    return ids;
  }

  /**
   * Whether deliveries joined a job whose own delivery was already handled (its redelivery raced with its completion):
   * then it evaluates for them. Its key is dropped first, so none joins it after the answer.
   */
  private async joinedAlthoughDuplicate(job: Job<QueuedDelivery>): Promise<boolean> {
    if (!job.deduplicationId) return false;
    await job.removeDeduplicationKey();
    return (await this.options.connection.llen(this.coalescedKey(job.id!))) > 0;
  }

  private doneKey(deliveryId: string): string {
    return `${this.prefix}:delivery-done:${deliveryId}`;
  }

  private coalescedKey(hostJobId: string): string {
    return `${this.prefix}:coalesced:${hostJobId}`;
  }

  /** Jobs waiting, running, waiting for a retry, and failed for good (the `/metrics` queue depth). */
  async depth(): Promise<{ waiting: number; active: number; delayed: number; failed: number }> {
    const counts = await this.queue.getJobCounts("waiting", "active", "delayed", "prioritized", "failed");
    return {
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      failed: counts.failed ?? 0,
    };
  }

  /**
   * The SharedState the handlers get in queue mode: the queue already guarantees one job per delivery and retries that
   * job on failure, so a handler's claim of the delivery being processed always succeeds (a retry must not be
   * mistaken for a duplicate); everything else goes to `inner`.
   */
  handlerState(inner: SharedState): SharedState {
    const current = this.current;
    const ofThisJob = (deliveryId: string) => {
      const processing = current.getStore();
      return processing !== undefined && deliveryId.includes(processing);
    };
    return {
      claimDelivery: (deliveryId, ttlMs) => (ofThisJob(deliveryId) ? Promise.resolve(true) : inner.claimDelivery(deliveryId, ttlMs)),
      forgetDelivery: async (deliveryId) => {
        if (!ofThisJob(deliveryId)) await inner.forgetDelivery?.(deliveryId);
      },
      withLock: (key, task) => inner.withLock(key, task),
      holdsLease: (name, ttlMs) => inner.holdsLease(name, ttlMs),
      close: () => inner.close(),
    };
  }

  /** Stops taking jobs, lets running ones finish (bounded), then closes the queue. Idempotent. */
  close(graceMs = CLOSE_GRACE_MS): Promise<void> {
    this.closing ??= (async () => {
      if (this.worker) {
        const worker = this.worker;
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), graceMs)));
        // Pausing stops taking jobs and waits for the running ones; those still running past the grace are left to
        // BullMQ's stalled-job check, which hands them to another replica once their lock expires.
        await Promise.race([worker.pause(), timeout]);
        clearTimeout(timer);
        await worker.close(true);
      }
      await this.queue.close();
    })();
    return this.closing;
  }

  private async process(job: Job<QueuedDelivery>): Promise<string> {
    const { id, name, payload, receivedAt } = job.data;
    const doneKey = this.doneKey(id);
    if ((await this.options.connection.exists(doneKey)) && !(await this.joinedAlthoughDuplicate(job))) return "duplicate";
    const receive = async () => {
      // From here on a delivery for this PR makes a new job (run after this one): this job reads GitHub only after
      // the key is gone, so every delivery that joined it announced a change that happened before that read.
      if (job.deduplicationId) await job.removeDeduplicationKey();
      return this.current.run(id, () => this.handlers!.receive({ id, name, payload } as Parameters<Probot["receive"]>[0]));
    };
    const ordering = orderingKeyOf(payload);
    const handle = () => (ordering ? this.options.sharedState.withLock(`queue:${ordering}`, receive) : receive());
    // Timed from when the answering replica received it: the queue's wait is part of the webhook-to-result latency.
    await (this.tracker ? this.tracker.handlingQueued(id, receivedAt, handle) : handle());
    await this.options.connection.set(doneKey, "1", "PX", this.doneTtlMs);
    if (job.deduplicationId) {
      const coalesced = await this.markCoalescedDone(job.id!);
      if (coalesced.length)
        this.log?.info({ id, pullRequest: ordering, coalesced }, "evaluated for the deliveries coalesced into this job too");
    }
    return "handled";
  }

  /** Which events the app's handlers listen to: other events are answered and dropped, never queued. */
  private recordListenedEvents(handlers: Probot): void {
    const on = handlers.on;
    const onAny = handlers.onAny;
    handlers.on = ((eventName: string | string[], callback: unknown) => {
      for (const event of Array.isArray(eventName) ? eventName : [eventName]) this.events.add(event);
      return (on as (e: unknown, c: unknown) => void)(eventName, callback);
    }) as Probot["on"];
    handlers.onAny = ((callback) => {
      this.anyEvent = true;
      return onAny(callback);
    }) as Probot["onAny"];
  }
}

/** A second instance of the server's Probot class: `probot run` bakes the app id, key, base URL and Redis into it. */
function sameProbotClass(app: Probot): Probot {
  const ProbotClass = app.constructor as new (options: { log: Probot["log"] }) => Probot;
  return new ProbotClass({ log: app.log });
}

/** `owner/repo` of the event's repository (lower case), when it has one. */
export function repositoryOf(payload: unknown): string | undefined {
  const fullName = (payload as { repository?: { full_name?: unknown } } | null)?.repository?.full_name;
  return typeof fullName === "string" && fullName ? fullName.toLowerCase() : undefined;
}

/**
 * What a job is ordered by: its pull request (`owner/repo#n`) when the event names one (pull_request*, a comment on a
 * PR), else its repository. PRs of one repository are evaluated side by side (docs/scheduling.md).
 */
export function orderingKeyOf(payload: unknown): string | undefined {
  const repository = repositoryOf(payload);
  if (!repository) return undefined;
  const { pull_request: pr, issue } = (payload ?? {}) as {
    pull_request?: { number?: unknown };
    issue?: { number?: unknown; pull_request?: unknown };
  };
  const number = pr?.number ?? (issue?.pull_request ? issue.number : undefined);
  return typeof number === "number" && Number.isSafeInteger(number) ? `${repository}#${number}` : repository;
}

/** BullMQ job ids may not be integers nor contain `:`; GitHub's delivery ids are UUIDs, but nothing is assumed. */
export function jobIdOf(deliveryId: string): string {
  return `delivery-${deliveryId.replaceAll("%", "%25").replaceAll(":", "%3A")}`;
}
