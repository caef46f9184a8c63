/**
 * Everything a scenario observed, in arrival order and with timestamps: events from subscriptions, attribute
 * values observed by fast client-side reads (for attributes that have no events, such as Tabata's running_state),
 * commands sent and free notes. Steps wait on it ("within 2 s an event…"), count in it ("exactly N events"),
 * measure with it (phase durations) and draw it (the timeline SVG attached to the report).
 */
import type { DeviceClient, EventKind, Subscription, TimelineEntry, TimelineKind } from "@tango-bdd/infra";

export interface Recorded extends TimelineEntry {
  readonly seq: number;
}

/** One attribute (or State) the sampler reads. */
export interface SampleTarget {
  readonly dev: DeviceClient;
  /** An attribute name, or "State" (read with the State command). */
  readonly attribute: string;
}

export type RecordedFilter = (r: Recorded) => boolean;

interface Waiter {
  readonly pred: RecordedFilter;
  readonly resolve: (r: Recorded) => void;
}

function errorText(e: unknown): string {
  if (e && typeof e === "object" && "errors" in e && Array.isArray((e as { errors: unknown }).errors)) {
    const errs = (e as { errors: { reason?: string; desc?: string }[] }).errors;
    const root = errs[0];
    if (root) return `${root.reason ?? ""}: ${root.desc ?? ""}`;
  }
  return e instanceof Error ? e.message : String(e);
}

function sameObserved(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return (
    JSON.stringify(a, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)) ===
    JSON.stringify(b, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))
  );
}

function abortableSleep(ms: number, signal: AbortSignal, wake?: Set<() => void>): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      wake?.delete(done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    wake?.add(done);
  });
}

export class EventRecorder {
  readonly #t0: number;
  readonly #entries: Recorded[] = [];
  readonly #waiters = new Set<Waiter>();
  readonly #subs: { key: string; sub: Subscription; pump: Promise<void> }[] = [];
  readonly #observers = new Map<string, { stop: AbortController; loop: Promise<void> }>();
  readonly #samplers = new Map<string, { stop: AbortController; loop: Promise<void> }>();
  readonly #wakeSamplers = new Set<() => void>();
  #sampleIntervalMs: number | undefined;
  #samples = 0;
  #seq = 0;
  #closed = false;

  constructor(now = performance.now()) {
    this.#t0 = now;
  }

  /** Milliseconds since the recorder started. */
  now(): number {
    return performance.now() - this.#t0;
  }

  get entries(): readonly Recorded[] {
    return this.#entries;
  }

  record(e: Omit<Recorded, "seq" | "t"> & { t?: number }): Recorded {
    const r: Recorded = { ...e, t: e.t ?? this.now(), seq: this.#seq++ };
    this.#entries.push(r);
    for (const w of [...this.#waiters]) {
      if (w.pred(r)) {
        this.#waiters.delete(w);
        w.resolve(r);
      }
    }
    return r;
  }

  note(text: string): Recorded {
    return this.record({ device: "", attribute: text, kind: "note" });
  }

  /** An action on the infrastructure (a server killed, restarted): drawn across the whole timeline. */
  infra(text: string): Recorded {
    return this.record({ device: "", attribute: text, kind: "infra" });
  }

  command(device: string, name: string, argin?: unknown): Recorded {
    return this.record({ device, attribute: name, kind: "command", ...(argin === undefined ? {} : { value: argin }) });
  }

  /** The failed reply of a command or write recorded with `command`. */
  commandFailed(device: string, name: string, error: unknown): Recorded {
    return this.record({ device, attribute: name, kind: "command", error: errorText(error) });
  }

  /** Period of the sampler (undefined when nothing was sampled). */
  get sampleIntervalMs(): number | undefined {
    return this.#sampleIntervalMs;
  }

  /** How many sampling rounds ran (all targets read in parallel in each). */
  get sampleRounds(): number {
    return this.#samples;
  }

  /**
   * Samples attributes for the timeline (not for assertions): every `intervalMs` it reads all `targets` in
   * parallel and records each change of value (kind "sampled", at the midpoint between the read that saw the old
   * value and the one that saw the new) and the first failure of a streak (kind "sampled" with `error`: a gap in
   * the picture). A target that fails is retried only every 4th round, so a dead server costs little. Idempotent per
   * target; stopped by `close()`.
   */
  sample(targets: readonly SampleTarget[], intervalMs: number): void {
    const fresh = targets.filter((tg) => !this.#samplers.has(`${tg.dev.name} ${tg.attribute}`.toLowerCase()));
    if (fresh.length === 0 || this.#closed) return;
    const key = fresh.map((tg) => `${tg.dev.name} ${tg.attribute}`.toLowerCase()).join(",");
    this.#sampleIntervalMs = Math.min(this.#sampleIntervalMs ?? intervalMs, intervalMs);
    const stop = new AbortController();
    const state = fresh.map(() => ({ last: undefined as { value: unknown } | undefined, lastSeenAt: 0, failing: false }));
    const readOne = (tg: SampleTarget): Promise<unknown> =>
      tg.attribute.toLowerCase() === "state" ? tg.dev.state({ timeoutMs: 1000 }) : tg.dev.read(tg.attribute, { timeoutMs: 1000 });
    const loop = (async () => {
      for (let round = 0; !stop.signal.aborted; round++) {
        const started = this.now();
        this.#samples++;
        await Promise.all(
          fresh.map(async (tg, i) => {
            const st = state[i];
            if (!st || (st.failing && round % 4 !== 0)) return;
            const sentAt = this.now();
            try {
              const value = await readOne(tg);
              if (stop.signal.aborted) return;
              const doneAt = this.now();
              if (!st.last || !sameObserved(st.last.value, value)) {
                const t = st.last ? (st.lastSeenAt + doneAt) / 2 : (sentAt + doneAt) / 2;
                this.record({ device: tg.dev.name, attribute: tg.attribute, kind: "sampled", value, t });
                st.last = { value };
              }
              st.lastSeenAt = (sentAt + doneAt) / 2;
              st.failing = false;
            } catch (e) {
              if (stop.signal.aborted) return;
              if (!st.failing)
                this.record({ device: tg.dev.name, attribute: tg.attribute, kind: "sampled", error: errorText(e), t: sentAt });
              st.failing = true;
              st.last = undefined;
            }
          }),
        );
        await abortableSleep(Math.max(0, intervalMs - (this.now() - started)), stop.signal, this.#wakeSamplers);
      }
    })();
    this.#samplers.set(key, { stop, loop });
    for (const tg of fresh) this.#samplers.set(`${tg.dev.name} ${tg.attribute}`.toLowerCase(), { stop, loop });
  }

  /** Makes the samplers read now instead of at their next period (after a command: its effect shows at once). */
  wakeSamplers(): void {
    for (const w of [...this.#wakeSamplers]) w();
  }

  /** Stops every sampler (idempotent). */
  async stopSampling(): Promise<void> {
    const all = [...new Set(this.#samplers.values())];
    for (const s of all) s.stop.abort();
    await Promise.all(all.map((s) => s.loop));
    this.#samplers.clear();
  }

  /** Subscribes and records every item; resolves once the subscription is made. */
  async subscribe(dev: DeviceClient, attribute: string, kind: EventKind = "change", opts: { timeoutMs?: number } = {}): Promise<void> {
    const sub = await dev.subscribe(attribute, kind, opts);
    const key = `${dev.name} ${attribute}`.toLowerCase();
    const tk: TimelineKind = kind === "change" ? "change" : "periodic";
    const pump = (async () => {
      try {
        for await (const item of sub) {
          if (item.kind === "value") {
            this.record({ device: dev.name, attribute, kind: tk, value: item.value, ...(item.synchronous ? { synchronous: true } : {}) });
          } else {
            this.record({ device: dev.name, attribute, kind: "error", error: errorText(item.error) });
          }
        }
      } catch (e) {
        if (!this.#closed) this.record({ device: dev.name, attribute, kind: "error", error: `subscription ended: ${errorText(e)}` });
      }
    })();
    this.#subs.push({ key, sub, pump });
  }

  isSubscribed(device: string, attribute: string): boolean {
    const key = `${device} ${attribute}`.toLowerCase();
    return this.#subs.some((s) => s.key === key);
  }

  /**
   * Observes an attribute by reading it every `intervalMs` and recording each change (kind "observed").
   * The time of a change is estimated as the midpoint between the last read that saw the old value and the
   * read that saw the new one, so the error is at most half a read cycle.
   */
  observe(dev: DeviceClient, attribute: string, intervalMs = 10): void {
    const key = `${dev.name} ${attribute}`.toLowerCase();
    if (this.#observers.has(key)) return;
    const stop = new AbortController();
    const loop = (async () => {
      let last: { value: unknown } | undefined;
      let lastSeenAt = this.now();
      let failing = false;
      while (!stop.signal.aborted) {
        const sentAt = this.now();
        try {
          const value = await dev.read(attribute, { timeoutMs: 2000 });
          const doneAt = this.now();
          if (!last || !sameObserved(last.value, value)) {
            const t = last ? (lastSeenAt + doneAt) / 2 : sentAt;
            this.record({ device: dev.name, attribute, kind: "observed", value, t: Math.min(t, doneAt) });
            last = { value };
          }
          lastSeenAt = (sentAt + doneAt) / 2;
          failing = false;
        } catch (e) {
          if (stop.signal.aborted) break;
          if (!failing) this.record({ device: dev.name, attribute, kind: "error", error: errorText(e) });
          failing = true;
          last = undefined;
        }
        await abortableSleep(failing ? 50 : intervalMs, stop.signal);
      }
    })();
    this.#observers.set(key, { stop, loop });
  }

  async stopObserving(device?: string, attribute?: string): Promise<void> {
    for (const [key, o] of this.#observers) {
      if (device !== undefined && key !== `${device} ${attribute ?? ""}`.toLowerCase()) continue;
      o.stop.abort();
      await o.loop;
      this.#observers.delete(key);
    }
  }

  /** Entries matching `pred` (all kinds). */
  select(pred: RecordedFilter): Recorded[] {
    return this.#entries.filter(pred);
  }

  /** First entry (existing or future) matching `pred`, or undefined after `timeoutMs`. */
  async waitFor(pred: RecordedFilter, timeoutMs: number): Promise<Recorded | undefined> {
    const found = this.#entries.find(pred);
    if (found) return found;
    let timer: NodeJS.Timeout | undefined;
    let waiter: Waiter | undefined;
    const hit = new Promise<Recorded>((resolve) => {
      waiter = { pred, resolve };
      this.#waiters.add(waiter);
    });
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    });
    const r = await Promise.race([hit, timeout]);
    clearTimeout(timer);
    if (waiter) this.#waiters.delete(waiter);
    return r;
  }

  /** Stops observers and closes subscriptions (idempotent). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.stopSampling();
    await this.stopObserving();
    await Promise.all(this.#subs.map((s) => s.sub.close().catch(() => undefined)));
    await Promise.all(this.#subs.map((s) => s.pump));
    this.#subs.length = 0;
    this.#waiters.clear();
  }
}

/** Filters for the usual questions. */
export const on =
  (
    device: string,
    attribute: string,
    opts: { kinds?: readonly TimelineKind[]; since?: number; includeSynchronous?: boolean } = {},
  ): RecordedFilter =>
  (r) =>
    r.device.toLowerCase() === device.toLowerCase() &&
    r.attribute.toLowerCase() === attribute.toLowerCase() &&
    (opts.kinds ?? ["change", "periodic", "archive" as TimelineKind, "user" as TimelineKind]).includes(r.kind) &&
    (opts.since === undefined || r.t >= opts.since) &&
    (opts.includeSynchronous === true || r.synchronous !== true);
