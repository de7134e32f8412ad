/**
 * At most one summary refresh per organisation at a time: a request while one runs is folded into a single follow-up
 * run (which reads fresh state after the running one wrote), so a burst of triggers costs at most two runs and two
 * refreshes can never race to create the issue in this process.
 */
export class SummaryRefresher<T> {
  private readonly states = new Map<string, { running: Promise<T>; next?: { promise: Promise<T>; task: () => Promise<T> } }>();

  /** Runs `task` for `org` now, or once after the running refresh (the latest task asked for wins). */
  request(org: string, task: () => Promise<T>): Promise<T> {
    const key = org.toLowerCase();
    const state = this.states.get(key);
    if (!state) {
      const running = this.start(key, task);
      return running;
    }
    if (state.next) {
      state.next.task = task;
      return state.next.promise;
    }
    const next = { task, promise: undefined as unknown as Promise<T> };
    next.promise = state.running.then(
      () => this.runNext(key),
      () => this.runNext(key),
    );
    state.next = next;
    return next.promise;
  }

  /** Organisations with a refresh running or queued. */
  get busy(): number {
    return this.states.size;
  }

  private start(key: string, task: () => Promise<T>): Promise<T> {
    const running = Promise.resolve().then(task);
    this.states.set(key, { running });
    void running.then(
      () => this.finish(key, running),
      () => this.finish(key, running),
    );
    return running;
  }

  private runNext(key: string): Promise<T> {
    const state = this.states.get(key)!;
    const task = state.next!.task;
    state.next = undefined;
    const running = Promise.resolve().then(task);
    state.running = running;
    void running.then(
      () => this.finish(key, running),
      () => this.finish(key, running),
    );
    return running;
  }

  private finish(key: string, running: Promise<T>): void {
    const state = this.states.get(key);
    if (state && state.running === running && !state.next) this.states.delete(key);
  }
}
