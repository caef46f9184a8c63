/** Provider-neutral readiness probe: wait until every device answers a ping through the database. */
import { InfraReason, InfrastructureFailure } from "../errors.ts";
import type { TangoClient } from "../tango-client.ts";

export interface ReadinessOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Longest pause between attempts (default 100 ms; pauses start at 10 ms and double). */
  readonly maxDelayMs?: number;
  /** Per-ping timeout (default 1000 ms). */
  readonly pingTimeoutMs?: number;
  /** Called between attempts; return a text to abort at once (e.g. "process exited with code 1"). */
  readonly checkAlive?: () => string | undefined;
  /** Who is waiting (error origin). */
  readonly origin?: string;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Resolves when `device` answers; throws InfrastructureFailure on timeout, abort, or when checkAlive reports death. */
export async function waitForDevice(client: TangoClient, device: string, opts: ReadinessOptions): Promise<void> {
  const deadline = performance.now() + opts.timeoutMs;
  const origin = opts.origin ?? "readiness";
  let delay = Math.min(10, opts.maxDelayMs ?? 10);
  let last: unknown;
  for (;;) {
    if (opts.signal?.aborted) throw new InfrastructureFailure(InfraReason.StartFailed, `aborted while waiting for ${device}`, origin);
    const dead = opts.checkAlive?.();
    if (dead !== undefined) throw new InfrastructureFailure(InfraReason.ComponentDied, `${device} will not answer: ${dead}`, origin);
    const left = deadline - performance.now();
    if (left <= 0) {
      const why = last instanceof Error ? last.message : String(last);
      throw new InfrastructureFailure(
        InfraReason.StartTimeout,
        `${device} did not answer within ${opts.timeoutMs} ms (last error: ${why})`,
        origin,
        {
          cause: last,
        },
      );
    }
    try {
      const dev = await client.device(device, { timeoutMs: Math.min(left, opts.pingTimeoutMs ?? 1000) });
      await dev.ping({ timeoutMs: Math.min(left, opts.pingTimeoutMs ?? 1000), ...(opts.signal ? { signal: opts.signal } : {}) });
      return;
    } catch (e) {
      last = e;
    }
    await sleep(Math.min(delay, Math.max(0, deadline - performance.now())), opts.signal);
    delay = Math.min(delay * 2, opts.maxDelayMs ?? 100);
  }
}

/** Waits for all devices concurrently. */
export async function waitForDevices(client: TangoClient, devices: readonly string[], opts: ReadinessOptions): Promise<void> {
  await Promise.all(devices.map((d) => waitForDevice(client, d, opts)));
}
