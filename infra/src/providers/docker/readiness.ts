/**
 * Readiness probes of the docker target: a Tango ping of each readiness device (through the run's database, from the
 * test runner's side, i.e. over the published addresses), or a plain TCP connect for components that are not Tango
 * servers. `waitUntil` retries a probe until it passes, the deadline passes, or the component died.
 */
import { connect } from "node:net";
import { DeviceProxy, TangoContext } from "@tango-bdd/tango";
import { InfraReason, InfrastructureFailure } from "../../errors.ts";

export interface ProbeOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}
export type Probe = (opts: ProbeOptions) => Promise<void>;

export interface WaitOptions {
  readonly what: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Delay between attempts (default 150 ms, growing to 1 s). */
  readonly intervalMs?: number;
  /** Resolves to a reason when the component is gone (then waiting stops at once), undefined while it runs. */
  readonly gone?: () => Promise<string | undefined>;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Retries `probe` until it passes. Throws InfrastructureFailure BDD_InfraStartTimeout (deadline; the last probe error
 * as cause) or BDD_InfraComponentDied (`gone` said so), or the abort reason.
 */
export async function waitUntil(probe: Probe, opts: WaitOptions): Promise<void> {
  const deadline = performance.now() + opts.timeoutMs;
  let interval = opts.intervalMs ?? 150;
  let last: unknown;
  for (;;) {
    opts.signal?.throwIfAborted();
    const left = deadline - performance.now();
    if (left <= 0) {
      const lastMsg = last instanceof Error ? `; last attempt: ${last.message}` : "";
      throw new InfrastructureFailure(
        InfraReason.StartTimeout,
        `${opts.what} did not answer within ${opts.timeoutMs} ms${lastMsg}`,
        "docker.waitUntil",
        { cause: last },
      );
    }
    try {
      await probe({ timeoutMs: Math.min(left, 3000), ...(opts.signal ? { signal: opts.signal } : {}) });
      return;
    } catch (err) {
      opts.signal?.throwIfAborted();
      last = err;
    }
    const why = await opts.gone?.();
    if (why !== undefined) {
      throw new InfrastructureFailure(InfraReason.ComponentDied, `${opts.what} exited while starting: ${why}`, "docker.waitUntil", {
        cause: last,
      });
    }
    await sleep(Math.min(interval, Math.max(0, deadline - performance.now())), opts.signal);
    interval = Math.min(1000, interval * 1.5);
  }
}

/** Passes when a TCP connection to host:port is accepted. */
export function tcpProbe(host: string, port: number): Probe {
  return ({ timeoutMs = 3000, signal } = {}) =>
    new Promise<void>((resolve, reject) => {
      const socket = connect({ host, port, ...(signal ? { signal } : {}) });
      const timer = setTimeout(() => socket.destroy(new Error(`connect ${host}:${port} timed out`)), timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.destroy();
        resolve();
      });
      socket.once("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
}

/**
 * Passes when every device answers a Tango ping. `tangoHost` is the database as the runner reaches it; a device
 * name may also be a full `tango://host:port/a/b/c#dbase=no` name (the database device itself before it is loaded).
 */
export function tangoPingProbe(tangoHost: string, devices: readonly string[]): Probe {
  return async ({ timeoutMs = 3000, signal } = {}) => {
    const context = new TangoContext({ tangoHost, timeoutMs });
    try {
      for (const name of devices) {
        const io = { timeoutMs, ...(signal ? { signal } : {}) };
        const proxy = await DeviceProxy.connect(name, { context, ...io });
        await proxy.ping(io);
      }
    } finally {
      await context.close();
    }
  };
}
