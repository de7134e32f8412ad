/** One piece of webhook work still running: a request being answered, or a delivery being handled. */
export interface RunningWork {
  what: "request" | "delivery";
  deliveryId: string | undefined;
  event: string | undefined;
  /** Epoch milliseconds it started. */
  since: number;
}

/** The webhook work under way, so a shutdown can wait for it (and say what it could not wait for). */
export class InFlight {
  readonly #running = new Map<object, RunningWork>();
  #idle: (() => void)[] = [];

  get size(): number {
    return this.#running.size;
  }

  /** What is running, oldest first. */
  list(): RunningWork[] {
    return [...this.#running.values()];
  }

  /** Runs `work`, counted as running until it settles. */
  async track<T>(what: Omit<RunningWork, "since">, work: () => Promise<T>): Promise<T> {
    const key = {};
    this.#running.set(key, { ...what, since: Date.now() });
    try {
      return await work();
    } finally {
      this.#running.delete(key);
      if (this.#running.size === 0) for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  /** Resolves `true` once nothing runs, or `false` when `timeoutMs` passed first. */
  whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.#running.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(
        () => {
          this.#idle = this.#idle.filter((w) => w !== waiter);
          resolve(false);
        },
        Math.max(0, timeoutMs),
      );
      this.#idle.push(waiter);
    });
  }
}
