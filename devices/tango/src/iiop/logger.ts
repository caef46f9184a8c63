/** Injected logging: silent by default; namespaces (`tango:giop`, `tango:client`...) are chosen by the caller. */

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  trace?(msg: string, fields?: LogFields | (() => LogFields)): void;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger for a sub-namespace (e.g. `tango:giop`). */
  child?(namespace: string): Logger;
}

const noop = (): void => {};
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

export interface Clock {
  /** Wall-clock milliseconds since the epoch. */
  now(): number;
  /** Monotonic milliseconds (fractional), for durations. */
  monotonic(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
};

/** Options every I/O call accepts. */
export interface CallOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}
