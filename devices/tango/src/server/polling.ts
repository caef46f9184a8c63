/**
 * Polling: per-object timers filling a ring buffer (depth 10 by default), feeding CACHE reads, history operations and
 * the change/archive/periodic event detection. Configured from the `polled_attr`/`polled_cmd` device properties,
 * from `pollingMs` in the class spec, and by the admin polling commands.
 */
import { DevFailed } from "../errors/errors.ts";
import type { Clock, Logger } from "../iiop/logger.ts";
import type { DeviceRuntime, PolledObject, PollRecord } from "./device-runtime.ts";
import { withMonitor } from "./monitor.ts";

export const MIN_POLL_PERIOD_MS = 5;
export type PollType = "attribute" | "command";

export interface PollerOptions {
  readonly logger: Logger;
  readonly clock: Clock;
  readonly defaultDepth: number;
}

const EMPTY_ANY = { type: { kind: "null" as const }, value: null };

export class Poller {
  readonly #opts: PollerOptions;
  readonly #devices = new Set<DeviceRuntime>();
  #running = true;

  constructor(opts: PollerOptions) {
    this.#opts = opts;
  }

  get running(): boolean {
    return this.#running;
  }

  #key(type: PollType, name: string): string {
    return `${type}:${name.toLowerCase()}`;
  }

  #declaredName(rt: DeviceRuntime, type: PollType, name: string): string {
    if (type === "command") {
      const c = rt.command(name);
      if (c.in !== "DevVoid") {
        throw DevFailed.from(
          "API_IncompatibleCmdArgumentType",
          `Command ${c.name} takes an argument: it cannot be polled`,
          "DServer::add_obj_polling",
        );
      }
      return c.name;
    }
    const l = name.toLowerCase();
    if (l === "state") return "State";
    if (l === "status") return "Status";
    return rt.attr(name).name;
  }

  #depth(rt: DeviceRuntime, type: PollType, name: string): number {
    const specific = rt.rawProps[type === "attribute" ? "attr_poll_ring_depth" : "cmd_poll_ring_depth"] ?? [];
    for (let i = 0; i + 1 < specific.length; i += 2) {
      if ((specific[i] as string).toLowerCase() === name.toLowerCase())
        return Math.max(1, Number(specific[i + 1]) || this.#opts.defaultDepth);
    }
    const d = Number(rt.rawProps.poll_ring_depth?.[0]);
    return d > 0 ? d : this.#opts.defaultDepth;
  }

  /** AddObjPolling. Throws if already polled or the period is too small. */
  async add(rt: DeviceRuntime, type: PollType, name: string, period: number, opts: { persist?: boolean } = {}): Promise<void> {
    const declared = this.#declaredName(rt, type, name);
    const key = this.#key(type, declared);
    if (rt.polled.has(key)) {
      throw DevFailed.from(
        "API_AlreadyPolled",
        `${type === "attribute" ? "Attribute" : "Command"} ${declared} already polled`,
        "DServer::add_obj_polling",
      );
    }
    checkPeriod(period);
    const p: PolledObject = { type, name: declared, period, depth: this.#depth(rt, type, declared), ring: [], timer: undefined };
    rt.polled.set(key, p);
    this.#devices.add(rt);
    if (type === "attribute") {
      const a = rt.attrs.get(declared.toLowerCase());
      if (a) a.pollPeriod = period;
    }
    this.#schedule(rt, p, 0);
    if (opts.persist) await this.#persist(rt);
  }

  async update(rt: DeviceRuntime, type: PollType, name: string, period: number, opts: { persist?: boolean } = {}): Promise<void> {
    const p = rt.polled.get(this.#key(type, name));
    if (!p) throw notPolled(type, name);
    checkPeriod(period);
    p.period = period;
    if (p.timer) clearTimeout(p.timer);
    p.timer = undefined;
    this.#schedule(rt, p, 0);
    if (opts.persist) await this.#persist(rt);
  }

  async remove(rt: DeviceRuntime, type: PollType, name: string, opts: { persist?: boolean } = {}): Promise<void> {
    const key = this.#key(type, name);
    const p = rt.polled.get(key);
    if (!p) throw notPolled(type, name);
    if (p.timer) clearTimeout(p.timer);
    rt.polled.delete(key);
    const a = rt.attrs.get(name.toLowerCase());
    if (type === "attribute" && a) a.pollPeriod = undefined;
    if (rt.polled.size === 0) this.#devices.delete(rt);
    if (opts.persist) await this.#persist(rt);
  }

  removeDevice(rt: DeviceRuntime): void {
    for (const p of rt.polled.values()) if (p.timer) clearTimeout(p.timer);
    rt.polled.clear();
    this.#devices.delete(rt);
  }

  /** StopPolling: timers stop, buffers are kept. */
  stop(): void {
    this.#running = false;
    for (const rt of this.#devices) for (const p of rt.polled.values()) if (p.timer) clearTimeout(p.timer);
  }

  /** StartPolling. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    for (const rt of this.#devices) for (const p of rt.polled.values()) this.#schedule(rt, p, 0);
  }

  polledDevices(): string[] {
    return [...this.#devices].filter((d) => d.polled.size > 0).map((d) => d.name);
  }

  /** Startup configuration: polled_attr / polled_cmd properties, then code defaults (pollingMs). */
  async configureFromProperties(rt: DeviceRuntime): Promise<void> {
    const pairs = (v: readonly string[] | undefined): [string, number][] => {
      const out: [string, number][] = [];
      for (let i = 0; v && i + 1 < v.length; i += 2) out.push([v[i] as string, Number(v[i + 1])]);
      return out;
    };
    const tryAdd = async (type: PollType, name: string, period: number): Promise<void> => {
      if (rt.polled.has(this.#key(type, name))) return;
      try {
        await this.add(rt, type, name, period);
      } catch (e) {
        this.#opts.logger.warn("cannot start polling", { device: rt.name, type, name, error: e instanceof Error ? e.message : String(e) });
      }
    };
    for (const [n, p] of pairs(rt.rawProps.polled_attr)) await tryAdd("attribute", n, p);
    for (const [n, p] of pairs(rt.rawProps.polled_cmd)) await tryAdd("command", n, p);
    for (const a of rt.attrList) if (a.spec.pollingMs !== undefined) await tryAdd("attribute", a.name, a.spec.pollingMs);
    for (const c of rt.spec.commands) if (c.pollingMs !== undefined) await tryAdd("command", c.name, c.pollingMs);
  }

  async #persist(rt: DeviceRuntime): Promise<void> {
    const store = rt.ctx.store;
    if (!store) return;
    const attrs: string[] = [];
    const cmds: string[] = [];
    for (const p of rt.polled.values()) (p.type === "attribute" ? attrs : cmds).push(p.name.toLowerCase(), String(p.period));
    try {
      if (attrs.length > 0) await store.putDeviceProperty(rt.name, "polled_attr", attrs);
      else await store.deleteDeviceProperty(rt.name, "polled_attr");
      if (cmds.length > 0) await store.putDeviceProperty(rt.name, "polled_cmd", cmds);
      else await store.deleteDeviceProperty(rt.name, "polled_cmd");
    } catch (e) {
      this.#opts.logger.warn("cannot store the polling configuration", { device: rt.name, error: String(e) });
    }
  }

  #schedule(rt: DeviceRuntime, p: PolledObject, delay: number): void {
    if (!this.#running || p.period === 0) return;
    if (p.timer) clearTimeout(p.timer);
    p.timer = setTimeout(() => {
      p.timer = undefined;
      void this.pollOnce(rt, p).finally(() => {
        if (rt.polled.get(this.#key(p.type, p.name)) === p) this.#schedule(rt, p, p.period);
      });
    }, delay);
  }

  /** Polls one object now and records the result (also used for externally triggered polling). */
  async pollOnce(rt: DeviceRuntime, p: PolledObject): Promise<void> {
    const t0 = performance.now();
    let rec: PollRecord;
    const time = this.#opts.clock.now();
    try {
      if (p.type === "attribute") {
        const [r] = await withMonitor(rt.ctx.monitor, () => rt.readAttributes([p.name]));
        rec = { time, attr: r, durationMs: performance.now() - t0 };
        if (r) rt.afterPoll(rt.attrOrBuiltin(p.name), r);
      } else {
        const v = await withMonitor(rt.ctx.monitor, () => rt.executeCommand(p.name, EMPTY_ANY));
        rec = { time, cmd: v, durationMs: performance.now() - t0 };
      }
    } catch (e) {
      const errors = e instanceof DevFailed ? e.errors : DevFailed.from("API_PollingFailed", String(e), "PollThread").errors;
      rec = { time, errors, durationMs: performance.now() - t0 };
      if (p.type === "attribute")
        rt.afterPoll(
          rt.attrOrBuiltin(p.name),
          rt.errorResult(rt.attrs.get(p.name.toLowerCase()), p.name, errors, {
            sec: Math.floor(time / 1000),
            usec: (time % 1000) * 1000,
            nsec: 0,
          }),
        );
    }
    p.ring.push(rec);
    while (p.ring.length > p.depth) p.ring.shift();
  }

  /** DevPollStatus lines for one device (cppTango layout). */
  status(rt: DeviceRuntime): string[] {
    const now = this.#opts.clock.now();
    return [...rt.polled.values()].map((p) => {
      const lines = [`Polled ${p.type} name = ${p.name}`];
      lines.push(p.period === 0 ? "Polling externally triggered" : `Polling period (mS) = ${p.period}`);
      lines.push(`Polling ring buffer depth = ${p.depth}`);
      const last = p.ring[p.ring.length - 1];
      if (!last) {
        lines.push("No data recorded yet");
        return lines.join("\n");
      }
      lines.push(
        `Time needed for the last ${p.type} ${p.type === "attribute" ? "reading" : "execution"} (mS) = ${last.durationMs.toFixed(3)}`,
      );
      lines.push(`Data not updated since ${Math.max(0, now - last.time)} mS`);
      const deltas: number[] = [];
      for (let i = p.ring.length - 1; i > 0 && deltas.length < 4; i--)
        deltas.push((p.ring[i] as PollRecord).time - (p.ring[i - 1] as PollRecord).time);
      if (deltas.length > 0) lines.push(`Delta between last records (in mS) = ${deltas.join(", ")}`);
      const errs = last.errors ?? (last.attr && last.attr.errors.length > 0 ? last.attr.errors : undefined);
      if (errs && errs.length > 0) {
        const e = errs[errs.length - 1];
        lines.push(
          `Last ${p.type} ${p.type === "attribute" ? "read" : "execution"} FAILED :\n\tReason = ${e?.reason}\n\tDesc = ${e?.desc}\n\tOrigin = ${e?.origin}`,
        );
      }
      return lines.join("\n");
    });
  }
}

function checkPeriod(period: number): void {
  if (!Number.isInteger(period) || period < 0 || (period > 0 && period < MIN_POLL_PERIOD_MS)) {
    throw DevFailed.from(
      "API_NotSupported",
      `The polling period ${period} ms is not supported (0 = externally triggered, or at least ${MIN_POLL_PERIOD_MS} ms)`,
      "DServer::add_obj_polling",
    );
  }
}

function notPolled(type: PollType, name: string): DevFailed {
  return type === "attribute"
    ? DevFailed.from("API_AttrNotPolled", `Attribute ${name} not polled`, "DServer::rem_obj_polling")
    : DevFailed.from("API_CmdNotPolled", `Command ${name} not polled`, "DServer::rem_obj_polling");
}
