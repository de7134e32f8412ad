/**
 * What forged webhooks may cost the process, whatever their number: the bytes of bodies not yet verified that are held in
 * memory at once (a body is kept until its signature can be checked, at its end), and the log lines their refusals write.
 */

export const BUFFER_BYTES_ENV = "SDLC_GUARD_WEBHOOK_BUFFER_BYTES";
/** 64 MiB: two bodies at GitHub's 25 MB cap, or thousands of ordinary deliveries (a few KB each) at once. */
export const DEFAULT_BUFFER_BYTES = 64 * 1024 * 1024;

/** SDLC_GUARD_WEBHOOK_BUFFER_BYTES (default 64 MiB); at least one body at GitHub's 25 MB cap must fit. */
export function bufferBytesFromEnv(env: NodeJS.ProcessEnv, minimum: number): number {
  const text = env[BUFFER_BYTES_ENV]?.trim();
  if (!text) return Math.max(DEFAULT_BUFFER_BYTES, minimum);
  const bytes = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(bytes) || bytes < minimum)
    throw new Error(
      `${BUFFER_BYTES_ENV} must be a whole number of bytes of at least ${minimum} (one body at the size limit), not "${text.slice(0, 20)}"`,
    );
  return bytes;
}

/**
 * The bytes of unverified webhook bodies held at once, shared by every request of the process. A request takes its bytes
 * as they arrive and gives them all back when its body is settled (verified and handed on, or refused); a chunk that would
 * take the total past `max` is refused instead (HTTP 503: deliver again later), so that many large forged bodies sent at
 * once are refused rather than held until the process runs out of memory.
 */
export class UnverifiedBytes {
  #used = 0;
  constructor(readonly max: number) {}

  get used(): number {
    return this.#used;
  }

  /** Takes `bytes` if they fit; false (nothing taken) if they do not. */
  take(bytes: number): boolean {
    if (this.#used + bytes > this.max) return false;
    this.#used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.#used = Math.max(0, this.#used - bytes);
  }
}

/** A body that declares at most this many bytes is small: GitHub's deliveries are a few KB, rarely more than 1 MiB. */
export const SMALL_BODY_BYTES = 1024 * 1024;
/** The bytes small bodies may hold at once, apart from the large ones: a flood of large forged bodies never blocks them. */
export const SMALL_BODIES_BYTES = 16 * 1024 * 1024;

/**
 * Two budgets of unverified bytes: one for small bodies (declared length up to {@link SMALL_BODY_BYTES}), one for the
 * rest (large or chunked). Large forged bodies fill only the second, so the deliveries GitHub actually sends, a few KB
 * each, are still taken while a flood of them lasts.
 */
export class BodyBudgets {
  readonly small = new UnverifiedBytes(SMALL_BODIES_BYTES);
  readonly large: UnverifiedBytes;
  constructor(largeMax: number) {
    this.large = new UnverifiedBytes(largeMax);
  }

  /** The budget a body with this declared length (undefined: chunked) draws from. */
  for(declared: number | undefined): UnverifiedBytes {
    return declared !== undefined && declared <= SMALL_BODY_BYTES ? this.small : this.large;
  }

  get used(): number {
    return this.small.used + this.large.used;
  }
}

/**
 * At most `perWindow` refusal lines per `windowMs`; past that, refusals are counted, and the first line after the window
 * says how many were not logged one by one. `now` is injected (ms), so the policy is a pure function of time.
 */
export class RefusalLogLimit {
  #windowStart = -Infinity;
  #logged = 0;
  #suppressed = 0;
  constructor(
    readonly perWindow: number,
    readonly windowMs: number,
  ) {}

  /** Whether this refusal gets its own line, and how many earlier refusals went unlogged (to say so in that line). */
  admit(now: number): { log: boolean; suppressedBefore: number } {
    if (now - this.#windowStart >= this.windowMs) {
      const suppressedBefore = this.#suppressed;
      this.#windowStart = now;
      this.#logged = 1;
      this.#suppressed = 0;
      return { log: true, suppressedBefore };
    }
    if (this.#logged < this.perWindow) {
      this.#logged++;
      return { log: true, suppressedBefore: 0 };
    }
    this.#suppressed++;
    return { log: false, suppressedBefore: 0 };
  }
}
