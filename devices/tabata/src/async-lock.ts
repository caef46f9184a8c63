/**
 * A FIFO, non-reentrant async mutex: the `threading.Lock` of the original devices. The worker loop and the event
 * handler take it around "decrement + phase change" pairs, so an event that arrives while the worker is inside a
 * decrement waits until the worker released the lock, exactly as the Python event thread blocks on it.
 */
export class AsyncLock {
  #locked = false;
  readonly #waiters: (() => void)[] = [];

  get locked(): boolean {
    return this.#locked;
  }

  /** Runs `fn` holding the lock (waiters are served in arrival order). */
  async run<T>(fn: () => T | Promise<T>): Promise<T> {
    if (this.#locked) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    else this.#locked = true;
    try {
      return await fn();
    } finally {
      const next = this.#waiters.shift();
      if (next) next();
      else this.#locked = false;
    }
  }
}
