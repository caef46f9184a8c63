/**
 * ZMQ event supplier: two PUB sockets (heartbeat + event, created at the first subscription), the
 * ZmqEventSubscriptionChange / EventConfirmSubscription logic, per-topic event counters and the 9 s heartbeat.
 * Frames are built with the shared codecs of src/events/zmq-wire.ts.
 */
import type { Publisher } from "zeromq";
import { DevFailed } from "../errors/errors.ts";
import {
  attributeEventTopic,
  type EventPayload,
  encodeEventMessage,
  encodeHeartbeatMessage,
  encodeSubscriptionReply,
  heartbeatChannel,
  heartbeatTopic,
  IDL5_PREFIX,
  isWireEventName,
  tangoHostPrefix,
  type WireEventName,
} from "../events/zmq-wire.ts";
import { TANGO_DEV_VERSION, TANGO_LIB_RELEASE } from "../idl/constants.ts";
import type { AttributeConfig } from "../idl/structs.ts";
import type { Clock, Logger } from "../iiop/logger.ts";
import { type AttrEventKind, type AttrResult, type EventSink, toAttributeValue5 } from "./device-runtime.ts";

export const HEARTBEAT_PERIOD_MS = 9000;
/** A subscription not confirmed for this long is dropped (cppTango: 600 s). */
export const SUBSCRIPTION_TTL_MS = 600_000;
const SUB_HWM = 1000;
const PGM_RATE = 80 * 1024;
const PGM_IVL = 20000;

/** The parts of DeviceServer the supplier needs. */
export interface SupplierHost {
  readonly adminName: string;
  readonly publishHost: string;
  readonly eventPrefixHost: string;
  readonly database: unknown;
  device(name: string): { checkSubscription(attr: string, event: string): unknown; readonly lname: string };
}

export interface ZmqEventSupplierOptions {
  readonly server: SupplierHost;
  readonly bindHost?: string;
  readonly heartbeatPort?: number;
  readonly eventPort?: number;
  readonly logger: Logger;
  readonly clock: Clock;
}

interface Sockets {
  readonly heartbeat: Publisher;
  readonly event: Publisher;
  readonly heartbeatEndpoint: string;
  readonly eventEndpoint: string;
  readonly zmqRelease: number;
}

/** Strips `tango://host:port/` and `#dbase=no` from a device name, lower-cases it. */
function plainDevice(name: string): string {
  let n = name.trim();
  const m = /^tango:\/\/[^/]+\/(.*)$/i.exec(n);
  if (m) n = m[1] as string;
  const i = n.indexOf("#");
  if (i >= 0) n = n.slice(0, i);
  return n.toLowerCase();
}

const KIND_TO_WIRE: Readonly<Record<AttrEventKind | "attr_conf" | "data_ready", WireEventName>> = {
  change: "change",
  archive: "archive",
  periodic: "periodic",
  user: "user_event",
  attr_conf: "attr_conf",
  data_ready: "data_ready",
};

export class ZmqEventSupplier implements EventSink {
  readonly #opts: ZmqEventSupplierOptions;
  #sockets: Promise<Sockets> | undefined;
  #ready: Sockets | undefined;
  /** `dev/attr.event` → last subscription/confirmation time. */
  readonly #subs = new Map<string, number>();
  /** topic without idl5_ → next counter value. */
  readonly #counters = new Map<string, number>();
  #heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  #sendQueue: Promise<void> = Promise.resolve();
  #closed = false;
  /** Events sent (for tests and stats). */
  sent = 0;

  constructor(opts: ZmqEventSupplierOptions) {
    this.#opts = opts;
  }

  get #noDb(): boolean {
    return !this.#opts.server.database;
  }
  get #prefix(): string {
    const [host, port] = this.#opts.server.eventPrefixHost.split(":");
    return tangoHostPrefix(host ?? "", port ?? "");
  }
  get channel(): string {
    return heartbeatChannel(this.#prefix, this.#opts.server.adminName, { noDb: this.#noDb });
  }
  topic(device: string, attr: string, event: WireEventName): string {
    return attributeEventTopic({ prefix: this.#prefix, device, attribute: attr, event, idl: 5, noDb: this.#noDb });
  }

  #open(): Promise<Sockets> {
    this.#sockets ??= (async () => {
      const zmq = await import("zeromq");
      const bind = this.#opts.bindHost && this.#opts.bindHost !== "::" ? this.#opts.bindHost : "0.0.0.0";
      const mk = async (port: number | undefined): Promise<{ sock: Publisher; endpoint: string }> => {
        const sock = new zmq.Publisher({ linger: 0, sendHighWaterMark: SUB_HWM });
        try {
          await sock.bind(`tcp://${bind}:${port && port > 0 ? port : "*"}`);
        } catch (e) {
          sock.close();
          throw DevFailed.from(
            "API_ZmqFailed",
            `cannot bind a ZMQ PUB socket on ${bind}:${port ?? "*"}: ${String(e)}`,
            "ZmqEventSupplier",
            { cause: e },
          );
        }
        const actual = Number(/:(\d+)$/.exec(sock.lastEndpoint ?? "")?.[1] ?? 0);
        return { sock, endpoint: `tcp://${this.#opts.server.publishHost}:${actual}` };
      };
      const hb = await mk(this.#opts.heartbeatPort);
      const ev = await mk(this.#opts.eventPort);
      const [a = 0, b = 0, c = 0] = zmq.version.split(".").map(Number);
      const s: Sockets = {
        heartbeat: hb.sock,
        event: ev.sock,
        heartbeatEndpoint: hb.endpoint,
        eventEndpoint: ev.endpoint,
        zmqRelease: a * 100 + b * 10 + c,
      };
      this.#ready = s;
      if (this.#closed) {
        s.heartbeat.close();
        s.event.close();
      }
      return s;
    })();
    return this.#sockets;
  }

  /** ZmqEventSubscriptionChange. */
  async subscriptionChange(argin: readonly string[]): Promise<{ lvalue: number[]; svalue: string[] }> {
    if (argin.length === 1 && argin[0]?.toLowerCase() === "info") {
      const s = this.#ready;
      return {
        lvalue: [TANGO_LIB_RELEASE],
        svalue: s ? [`Heartbeat: ${s.heartbeatEndpoint}`, `Event: ${s.eventEndpoint}`] : ["No ZMQ event yet!"],
      };
    }
    if (argin.length < 4) {
      throw DevFailed.from(
        "API_WrongNumberOfArgs",
        `ZmqEventSubscriptionChange needs 4 or 5 strings, got ${argin.length}`,
        "DServer::zmq_event_subscription_change",
      );
    }
    const device = plainDevice(argin[0] as string);
    const attr = (argin[1] as string).toLowerCase();
    let event = (argin[3] as string).toLowerCase();
    if (event.startsWith(IDL5_PREFIX)) event = event.slice(IDL5_PREFIX.length);
    if (!isWireEventName(event) || event === "quality") {
      throw DevFailed.from("API_WrongEventName", `${argin[3]} is not a known event type`, "DServer::zmq_event_subscription_change");
    }
    if (event === "pipe")
      throw DevFailed.from("API_PipeNotFound", `device ${device} has no pipe ${attr}`, "DServer::zmq_event_subscription_change");
    const rt = this.#opts.server.device(device);
    if (event !== "intr_change") rt.checkSubscription(attr, event);
    const s = await this.#open();
    const key = `${device}/${attr}.${event}`;
    const topic =
      event === "intr_change" ? `${this.#prefix}${device}${this.#noDb ? "#dbase=no" : ""}.intr_change` : this.topic(device, attr, event);
    this.#subs.set(key, this.#opts.clock.now());
    const ctrKey = topic.replace(`.${IDL5_PREFIX}`, ".");
    if (!this.#counters.has(ctrKey)) this.#counters.set(ctrKey, 1);
    this.#startHeartbeat();
    return encodeSubscriptionReply({
      tangoRelease: TANGO_LIB_RELEASE,
      deviceIdl: TANGO_DEV_VERSION,
      subHwm: SUB_HWM,
      mcastRate: PGM_RATE,
      mcastIvl: PGM_IVL,
      zmqRelease: s.zmqRelease,
      endpoints: [{ heartbeat: s.heartbeatEndpoint, event: s.eventEndpoint }],
      topic,
      channel: this.channel,
    });
  }

  /** EventConfirmSubscription: triples [device, attribute, event name (idl5_ prefixed or not)]. */
  confirm(argin: readonly string[]): void {
    const now = this.#opts.clock.now();
    for (let i = 0; i + 2 < argin.length; i += 3) {
      let event = (argin[i + 2] as string).toLowerCase();
      if (event.startsWith(IDL5_PREFIX)) event = event.slice(IDL5_PREFIX.length);
      const key = `${plainDevice(argin[i] as string)}/${(argin[i + 1] as string).toLowerCase()}.${event}`;
      if (this.#subs.has(key)) this.#subs.set(key, now);
    }
  }

  /** Number of live subscriptions. */
  get subscriptionCount(): number {
    return this.#subs.size;
  }

  wants(device: string, attr: string, kind: AttrEventKind | "attr_conf" | "data_ready"): boolean {
    const key = `${device}/${attr}.${KIND_TO_WIRE[kind]}`;
    const t = this.#subs.get(key);
    if (t === undefined) return false;
    if (this.#opts.clock.now() - t > SUBSCRIPTION_TTL_MS) {
      this.#subs.delete(key);
      return false;
    }
    return true;
  }

  pushAttr(device: string, attr: string, kind: AttrEventKind, r: AttrResult): void {
    const payload: EventPayload =
      r.errors.length > 0 ? { kind: "errors", errors: r.errors } : { kind: "attr-value", value: toAttributeValue5(r) };
    this.#send(device, attr, KIND_TO_WIRE[kind], payload);
  }

  pushAttrConf(device: string, attr: string, c: AttributeConfig): void {
    if (!this.wants(device, attr, "attr_conf")) return;
    this.#send(device, attr, "attr_conf", { kind: "attr-conf", config: c });
  }

  pushDataReady(device: string, attr: string, dataType: number, ctr: number): void {
    if (!this.wants(device, attr, "data_ready")) return;
    this.#send(device, attr, "data_ready", { kind: "data-ready", dataReady: { name: attr, dataType, ctr } });
  }

  #send(device: string, attr: string, event: WireEventName, payload: EventPayload): void {
    const s = this.#ready;
    if (!s || this.#closed) return;
    const topic = this.topic(device, attr, event);
    const ctrKey = topic.replace(`.${IDL5_PREFIX}`, ".");
    const ctr = this.#counters.get(ctrKey) ?? 1;
    this.#counters.set(ctrKey, ctr + 1);
    const frames = encodeEventMessage({ topic, ctr, payload });
    this.#enqueue(s.event, frames);
  }

  #enqueue(sock: Publisher, frames: Buffer[]): void {
    this.#sendQueue = this.#sendQueue.then(async () => {
      if (this.#closed) return;
      try {
        await sock.send(frames);
        this.sent++;
      } catch (e) {
        this.#opts.logger.warn("ZMQ send failed", { error: String(e) });
      }
    });
  }

  #startHeartbeat(): void {
    if (this.#heartbeatTimer || this.#closed) return;
    const beat = (): void => {
      const s = this.#ready;
      if (s) this.#enqueue(s.heartbeat, encodeHeartbeatMessage(heartbeatTopic(this.channel)));
    };
    beat();
    this.#heartbeatTimer = setInterval(beat, HEARTBEAT_PERIOD_MS);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#heartbeatTimer) clearInterval(this.#heartbeatTimer);
    this.#heartbeatTimer = undefined;
    await this.#sendQueue;
    const s = this.#ready ?? (this.#sockets ? await this.#sockets.catch(() => undefined) : undefined);
    if (s) {
      s.heartbeat.close();
      s.event.close();
    }
  }
}
