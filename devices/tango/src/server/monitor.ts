/**
 * Serialization monitor (Tango's TangoMonitor): an async mutex with an acquisition timeout. A device (BY_DEVICE),
 * a class (BY_CLASS) or the process (BY_PROCESS) shares one; NO_SYNC uses none.
 */
import { DevFailed } from "../errors/errors.ts";

/** cppTango waits this long for the monitor before throwing API_CommandTimedOut. */
export const DEFAULT_MONITOR_TIMEOUT_MS = 3200;

interface Waiter {
  readonly resolve: () => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export class Monitor {
  readonly name: string;
  readonly timeoutMs: number;
  #locked = false;
  readonly #queue: Waiter[] = [];

  constructor(name: string, timeoutMs = DEFAULT_MONITOR_TIMEOUT_MS) {
    this.name = name;
    this.timeoutMs = timeoutMs;
  }

  get locked(): boolean {
    return this.#locked;
  }

  /** Runs `fn` holding the monitor. Throws API_CommandTimedOut if it cannot be taken in time. */
  async run<T>(fn: () => T | Promise<T>): Promise<T> {
    if (this.#locked) await this.#wait();
    else this.#locked = true;
    try {
      return await fn();
    } finally {
      this.#release();
    }
  }

  /**
   * Like run(), but synchronous when it can be: if the monitor is free and `fn` returns a plain value (or throws),
   * the monitor is taken and released in this turn and the value is returned (the error thrown) as is. Otherwise
   * (monitor held, or `fn` returns a promise) it behaves as run() and returns a promise.
   */
  call<T>(fn: () => T | Promise<T>): T | Promise<T> {
    if (this.#locked) return this.run(fn);
    this.#locked = true;
    let r: T | Promise<T>;
    try {
      r = fn();
    } catch (e) {
      this.#release();
      throw e;
    }
    if (!isThenable(r)) {
      this.#release();
      return r;
    }
    return this.#settle(r);
  }

  async #settle<T>(r: PromiseLike<T>): Promise<T> {
    try {
      return await r;
    } finally {
      this.#release();
    }
  }

  #wait(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = { resolve, timer: undefined };
      w.timer = setTimeout(() => {
        const i = this.#queue.indexOf(w);
        if (i >= 0) this.#queue.splice(i, 1);
        reject(
          DevFailed.from(
            "API_CommandTimedOut",
            `Not able to acquire serialization (dev, class or process) monitor of ${this.name} within ${this.timeoutMs} ms`,
            "TangoMonitor::get_monitor",
          ),
        );
      }, this.timeoutMs);
      this.#queue.push(w);
    });
  }

  #release(): void {
    const next = this.#queue.shift();
    if (next) {
      if (next.timer) clearTimeout(next.timer);
      next.resolve(); // ownership passes to the waiter: #locked stays true
    } else {
      this.#locked = false;
    }
  }
}

/** True for promises and other thenables (what `await` waits for). */
export function isThenable<T>(v: T | PromiseLike<T>): v is PromiseLike<T> {
  return ((typeof v === "object" && v !== null) || typeof v === "function") && typeof (v as { then?: unknown }).then === "function";
}

/** Runs fn under the monitor if there is one. */
export function withMonitor<T>(m: Monitor | undefined, fn: () => T | Promise<T>): Promise<T> {
  return m ? m.run(fn) : Promise.resolve().then(fn);
}

/**
 * Runs fn under the monitor if there is one, synchronously when it can be (see Monitor.call): a plain value when the
 * monitor was free and fn returned one, else a promise. Without a monitor fn runs at once.
 */
export function callWithMonitor<T>(m: Monitor | undefined, fn: () => T | Promise<T>): T | Promise<T> {
  return m ? m.call(fn) : fn();
}
