import { createHash } from "node:crypto";
import { Cron } from "croner";
import type { Logger } from "pino";

export interface ScheduledOrg {
  org: string;
  installationId: number;
  cron: string;
  /** Delay after each cron time, the same for this organisation on every run and replica (ms). */
  jitterMs: number;
}

/** A stable delay in [0, jitterMinutes) for the organisation, so that many organisations do not refresh at once. */
export function jitterFor(org: string, jitterMinutes: number): number {
  const windowMs = jitterMinutes * 60_000;
  if (windowMs <= 0) return 0;
  const hash = createHash("sha256").update(org.toLowerCase()).digest().readUInt32BE(0);
  return hash % windowMs;
}

/**
 * The daily (or configured) summary refresh of each organisation the app is installed on: one croner job per
 * organisation; each run waits for the organisation's jitter, then calls `refresh`.
 */
export class SummaryScheduler {
  private readonly jobs = new Map<string, { job: Cron; entry: ScheduledOrg; timer?: NodeJS.Timeout }>();

  constructor(
    private readonly refresh: (org: string, installationId: number) => Promise<unknown>,
    private readonly log: Logger,
  ) {}

  /** (Re)schedules the organisation; an invalid cron keeps no job and is logged (the config schema already rejects most). */
  schedule(org: string, installationId: number, cron: string, jitterMinutes: number): ScheduledOrg | undefined {
    this.unschedule(org);
    const entry: ScheduledOrg = { org, installationId, cron, jitterMs: jitterFor(org, jitterMinutes) };
    let job: Cron;
    try {
      job = new Cron(
        cron,
        {
          timezone: "UTC",
          protect: true,
          unref: true,
          catch: (error) => this.log.error({ org, err: error }, "scheduled org summary failed"),
        },
        () => this.fire(org),
      );
    } catch (error) {
      this.log.error({ org, cron, reason: (error as Error).message }, "org summary not scheduled: invalid `summary.schedule`");
      return undefined;
    }
    this.jobs.set(org.toLowerCase(), { job, entry });
    this.log.info({ org, cron, jitter_ms: entry.jitterMs, next_run: this.nextRun(org)?.toISOString() }, "org summary scheduled");
    return entry;
  }

  unschedule(org: string): void {
    const current = this.jobs.get(org.toLowerCase());
    if (!current) return;
    current.job.stop();
    if (current.timer) clearTimeout(current.timer);
    this.jobs.delete(org.toLowerCase());
  }

  /** When the organisation's next refresh starts (cron time plus its jitter). */
  nextRun(org: string, after?: Date): Date | undefined {
    const current = this.jobs.get(org.toLowerCase());
    const next = current?.job.nextRun(after);
    return next && current ? new Date(next.getTime() + current.entry.jitterMs) : undefined;
  }

  scheduled(): ScheduledOrg[] {
    return [...this.jobs.values()].map((j) => j.entry);
  }

  stopAll(): void {
    for (const org of [...this.jobs.keys()]) this.unschedule(org);
  }

  /** A cron tick: wait for the jitter, then refresh (the job may have been rescheduled or removed meanwhile). */
  private fire(org: string): void {
    const current = this.jobs.get(org.toLowerCase());
    if (!current) return;
    current.timer = setTimeout(() => {
      current.timer = undefined;
      if (this.jobs.get(org.toLowerCase()) !== current) return;
      this.refresh(current.entry.org, current.entry.installationId).catch((error: unknown) =>
        this.log.error({ org, err: error }, "scheduled org summary failed"),
      );
    }, current.entry.jitterMs);
    current.timer.unref?.();
  }

  /** Runs the tick now (tests, and an operator's manual trigger), jitter included. */
  trigger(org: string): void {
    this.fire(org);
  }
}
