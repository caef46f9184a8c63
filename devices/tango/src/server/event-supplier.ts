/**
 * ZMQ event supplier: a PUB socket for heartbeats and an XPUB socket for events (both created at the first
 * subscription), the ZmqEventSubscriptionChange / EventConfirmSubscription logic, per-topic event counters and the
 * 9 s heartbeat. Frames are built with the shared codecs of src/events/zmq-wire.ts.
 *
 * Slow joiner: a client subscribes its SUB socket after ZmqEventSubscriptionChange, and the SUBSCRIBE reaches the
 * publisher asynchronously; an event sent before that is dropped by ZMQ, and as the first event of the new
 * subscription no counter gap reveals it. The XPUB socket (verbose: repeated SUBSCRIBEs are reported too) lets the
 * supplier see each SUBSCRIBE: the events of a topic sent since a recent ZmqEventSubscriptionChange for it (at most
 * REPLAY_MAX_EVENTS, within REPLAY_WINDOW_MS) are sent again with their original counters, before any newer event.
 * A topic nobody else subscribes to gets all of them; a topic with other subscribers only its latest event, once
 * (cppTango clients drop one repeat of the last counter, but report an older counter as missed events and deliver it).
 */
import type { Publisher, XPublisher } from "zeromq";
import { type DevError, DevFailed } from "../errors/errors.ts";
import {
  ALARM_EVENT_MIN_CLIENT_IDL,
  ALARM_EVENT_NAME,
  attributeEventTopic,
  type ClientWireEventName,
  type EventPayload,
  encodeEventMessage,
  encodeHeartbeatMessage,
  encodeSubscriptionReply,
  heartbeatChannel,
  heartbeatTopic,
  IDL5_PREFIX,
  isWireEventName,
  tangoHostPrefix,
} from "../events/zmq-wire.ts";
import { TANGO_DEV_VERSION, TANGO_LIB_RELEASE } from "../idl/constants.ts";
import type { DevPipeData } from "../idl/pipe.ts";
import type { AttributeConfig } from "../idl/structs.ts";
import type { Clock, Logger } from "../iiop/logger.ts";
import { type AttrEventKind, type AttrResult, type EventSink, toAttributeValue5 } from "./device-runtime.ts";

export const HEARTBEAT_PERIOD_MS = 9000;
/** A subscription not confirmed for this long is dropped (cppTango: 600 s). */
export const SUBSCRIPTION_TTL_MS = 600_000;
const SUB_HWM = 1000;
const PGM_RATE = 80 * 1024;
const PGM_IVL = 20000;
/** Events kept per topic for the replay to a subscriber that joins late. */
export const REPLAY_MAX_EVENTS = 16;
/** How long after ZmqEventSubscriptionChange its SUBSCRIBE may arrive and get the events it missed (ms). */
export const REPLAY_WINDOW_MS = 2000;
/** The longest the sender waits for a pending SUBSCRIBE to be handled before a live event (ms). */
const SUBSCRIBE_WAIT_MS = 100;
/** Sent on the XPUB to wake its receive: an empty topic, matched only by a subscription to everything (none in Tango). */
const WAKE: readonly Buffer[] = [Buffer.alloc(0)];

/** The parts of DeviceServer the supplier needs. */
export interface SupplierHost {
  readonly adminName: string;
  readonly publishHost: string;
  readonly eventPrefixHost: string;
  readonly database: unknown;
  device(name: string): {
    checkSubscription(attr: string, event: string): unknown;
    checkPipeSubscription(pipe: string): unknown;
    readonly lname: string;
  };
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
  readonly event: XPublisher;
  readonly heartbeatEndpoint: string;
  readonly eventEndpoint: string;
  readonly zmqRelease: number;
}

/** A message waiting to be sent; `topic`/`ctr` mark an event (recorded for replays unless it is one). */
interface Outgoing {
  readonly socket: "heartbeat" | "event";
  readonly frames: readonly Buffer[];
  readonly topic?: string;
  readonly ctr?: number;
  readonly replay?: boolean;
}

interface SentEvent {
  readonly ctr: number;
  readonly frames: readonly Buffer[];
  readonly at: number;
}

/** Replay state of a topic with a recent ZmqEventSubscriptionChange. */
interface ReplayWindow {
  /** Per recent ZmqEventSubscriptionChange: the first counter its subscriber may miss, and when. */
  pending: { since: number; at: number }[];
  /** Events sent since the oldest pending change (at most REPLAY_MAX_EVENTS). */
  sent: SentEvent[];
  /** Counter of the latest event once it has been replayed to a topic with other subscribers. */
  replayedCtr: number | undefined;
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

const KIND_TO_WIRE: Readonly<Record<AttrEventKind | "attr_conf" | "data_ready" | "pipe", ClientWireEventName>> = {
  change: "change",
  archive: "archive",
  periodic: "periodic",
  user: "user_event",
  alarm: ALARM_EVENT_NAME,
  attr_conf: "attr_conf",
  data_ready: "data_ready",
  pipe: "pipe",
};

/**
 * Alarm events need a Tango 10 client (ZmqEventSubscriptionChange argin[4] ≥ 6): an older one (or none given) is
 * refused with cppTango 10's API_ClientTooOld.
 */
function checkAlarmClient(clientIdl: string | undefined): void {
  const v = clientIdl === undefined || clientIdl.trim() === "" ? 0 : Number(clientIdl);
  if (Number.isInteger(v) && v >= ALARM_EVENT_MIN_CLIENT_IDL) return;
  throw DevFailed.from(
    "API_ClientTooOld",
    `Client library version ${clientIdl ?? "(none)"} is too old to subscribe to ${ALARM_EVENT_NAME}. A client library version of at least ${ALARM_EVENT_MIN_CLIENT_IDL} is required`,
    "DServer::zmq_event_subscription_change",
  );
}

export class ZmqEventSupplier implements EventSink {
  readonly #opts: ZmqEventSupplierOptions;
  #sockets: Promise<Sockets> | undefined;
  #ready: Sockets | undefined;
  /** `dev/attr.event` → last subscription/confirmation time. */
  readonly #subs = new Map<string, number>();
  /** topic without idl5_ → next counter value. */
  readonly #counters = new Map<string, number>();
  #heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  /** Messages to send, in order (replays are put in front); one pump sends them. */
  readonly #queue: Outgoing[] = [];
  #pump: Promise<void> | undefined;
  /** Topics some peer of the XPUB is subscribed to (its first SUBSCRIBE and last UNSUBSCRIBE). */
  readonly #peerTopics = new Set<string>();
  /** topic → replay window, while a ZmqEventSubscriptionChange for it is recent. */
  readonly #windows = new Map<string, ReplayWindow>();
  #subscriptionHandled: (() => void) | undefined;
  #closed = false;
  /** Messages sent (events and heartbeats; for tests and stats). */
  sent = 0;
  /** Events sent again to late subscribers (included in `sent`). */
  replayed = 0;

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
  /** The topic of an attribute event: `….idl5_change`, `….alarm` (Tango 10 alarm events are never idl5_ prefixed). */
  topic(device: string, attr: string, event: ClientWireEventName): string {
    return attributeEventTopic({ prefix: this.#prefix, device, attribute: attr, event, idl: 5, noDb: this.#noDb });
  }

  #open(): Promise<Sockets> {
    this.#sockets ??= (async () => {
      const zmq = await import("zeromq");
      const bind = this.#opts.bindHost && this.#opts.bindHost !== "::" ? this.#opts.bindHost : "0.0.0.0";
      const mk = async <S extends Publisher | XPublisher>(sock: S, port: number | undefined): Promise<{ sock: S; endpoint: string }> => {
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
      const hb = await mk(new zmq.Publisher({ linger: 0, sendHighWaterMark: SUB_HWM }), this.#opts.heartbeatPort);
      let ev: { sock: XPublisher; endpoint: string };
      try {
        ev = await mk(new zmq.XPublisher({ linger: 0, sendHighWaterMark: SUB_HWM, verbosity: "allSubs" }), this.#opts.eventPort);
      } catch (e) {
        hb.sock.close();
        throw e;
      }
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
      } else void this.#subscriptionLoop(s.event);
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
    if (event !== ALARM_EVENT_NAME && (!isWireEventName(event) || event === "quality")) {
      throw DevFailed.from("API_WrongEventName", `${argin[3]} is not a known event type`, "DServer::zmq_event_subscription_change");
    }
    if (event === ALARM_EVENT_NAME) checkAlarmClient(argin[4]);
    const rt = this.#opts.server.device(device);
    if (event === "pipe") rt.checkPipeSubscription(attr);
    else if (event !== "intr_change") rt.checkSubscription(attr, event);
    const s = await this.#open();
    const key = `${device}/${attr}.${event}`;
    const topic =
      event === "intr_change" ? `${this.#prefix}${device}${this.#noDb ? "#dbase=no" : ""}.intr_change` : this.topic(device, attr, event);
    this.#subs.set(key, this.#opts.clock.now());
    const ctrKey = topic.replace(`.${IDL5_PREFIX}`, ".");
    if (!this.#counters.has(ctrKey)) this.#counters.set(ctrKey, 1);
    this.#openWindow(topic, this.#counters.get(ctrKey) ?? 1);
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
      // cppTango 10: `idl5_alarm` is refused here (a client that prefixes alarm is an IDL 5 one), failing the call.
      if (event === `${IDL5_PREFIX}${ALARM_EVENT_NAME}`) checkAlarmClient("5");
      if (event.startsWith(IDL5_PREFIX)) event = event.slice(IDL5_PREFIX.length);
      const key = `${plainDevice(argin[i] as string)}/${(argin[i + 1] as string).toLowerCase()}.${event}`;
      if (this.#subs.has(key)) this.#subs.set(key, now);
    }
  }

  /** Number of live subscriptions. */
  get subscriptionCount(): number {
    return this.#subs.size;
  }

  wants(device: string, attr: string, kind: AttrEventKind | "attr_conf" | "data_ready" | "pipe"): boolean {
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

  /** A pipe event (topic `….pipe`): DevPipeData, or an error list, after the 8 dummy bytes of pipe payloads. */
  pushPipe(device: string, pipe: string, payload: DevPipeData | readonly DevError[]): void {
    if (!this.wants(device, pipe, "pipe")) return;
    this.#send(
      device,
      pipe,
      "pipe",
      Array.isArray(payload) ? { kind: "errors", errors: payload } : { kind: "pipe", data: payload as DevPipeData },
    );
  }

  #send(device: string, attr: string, event: ClientWireEventName, payload: EventPayload): void {
    const s = this.#ready;
    if (!s || this.#closed) return;
    const topic = this.topic(device, attr, event);
    const ctrKey = topic.replace(`.${IDL5_PREFIX}`, ".");
    const ctr = this.#counters.get(ctrKey) ?? 1;
    this.#counters.set(ctrKey, ctr + 1);
    const frames = encodeEventMessage({ topic, ctr, payload });
    this.#enqueue({ socket: "event", frames, topic, ctr });
  }

  #enqueue(o: Outgoing, front = false): void {
    if (front) this.#queue.unshift(o);
    else this.#queue.push(o);
    const s = this.#ready;
    // Started from a microtask, so that its synchronous end (`#pump = undefined`) cannot precede this assignment.
    if (!this.#pump && s) this.#pump = Promise.resolve(s).then((r) => this.#runPump(r));
  }

  /** Sends the queue in order; before a live event while a replay window is open, lets pending SUBSCRIBEs in first. */
  async #runPump(s: Sockets): Promise<void> {
    let waited = false;
    for (;;) {
      const o = this.#queue[0];
      if (o === undefined || this.#closed) {
        this.#pump = undefined;
        return;
      }
      if (o.socket === "event" && !o.replay && !waited && this.#windows.size > 0 && !s.event.closed && s.event.readable) {
        // A (un)subscription is pending: the peer is already attached, so this event would reach it before the
        // replay of the older ones. Handle the message first (it may put replays in front of the queue).
        waited = true;
        await this.#letSubscriptionIn(s.event);
        continue;
      }
      waited = false;
      this.#queue.shift();
      const sock = o.socket === "event" ? s.event : s.heartbeat;
      try {
        await sock.send(o.frames as Buffer[]);
        this.sent++;
        if (o.replay) this.replayed++;
        else if (o.topic !== undefined && o.ctr !== undefined) this.#recordSent(o.topic, o.ctr, o.frames);
      } catch (e) {
        if (!this.#closed) this.#opts.logger.warn("ZMQ send failed", { error: String(e) });
      }
    }
  }

  /** Wakes the XPUB receive (a send triggers it) and waits until one subscription message has been handled. */
  async #letSubscriptionIn(sock: XPublisher): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const handled = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, SUBSCRIBE_WAIT_MS);
      this.#subscriptionHandled = resolve;
    });
    try {
      await sock.send(WAKE as Buffer[]);
    } catch (e) {
      this.#opts.logger.debug("ZMQ wake send failed", { error: String(e) });
    }
    await handled;
    clearTimeout(timer);
    this.#subscriptionHandled = undefined;
  }

  /** Receives the (un)subscriptions of the XPUB socket until it is closed. */
  async #subscriptionLoop(sock: XPublisher): Promise<void> {
    while (!sock.closed) {
      let msg: Buffer[];
      try {
        msg = await sock.receive();
      } catch (e) {
        if (!sock.closed && !this.#closed) this.#opts.logger.warn("ZMQ XPUB receive failed", { error: String(e) });
        return;
      }
      const f = msg[0];
      if (f !== undefined && f.length > 0 && (f[0] === 0 || f[0] === 1)) {
        this.#onSubscription(f[0] === 1, f.subarray(1).toString("latin1"));
      }
      const done = this.#subscriptionHandled;
      this.#subscriptionHandled = undefined;
      done?.();
    }
  }

  /** A SUBSCRIBE (every one, verbose XPUB) or the last UNSUBSCRIBE of a topic. */
  #onSubscription(subscribe: boolean, topic: string): void {
    if (!subscribe) {
      this.#peerTopics.delete(topic);
      return;
    }
    const alone = !this.#peerTopics.has(topic);
    this.#peerTopics.add(topic);
    const w = this.#windows.get(topic);
    if (!w || !this.#prune(topic, w, this.#opts.clock.monotonic())) return;
    // The SUBSCRIBE answers the oldest pending ZmqEventSubscriptionChange: what was sent since then is what it missed.
    const since = (w.pending.shift() as { since: number }).since;
    const missed = w.sent.filter((e) => e.ctr >= since);
    if (w.pending.length === 0) this.#windows.delete(topic);
    const last = missed.at(-1);
    if (last === undefined) return;
    // Alone: nobody else gets the replay, all of it is new to the subscriber. Otherwise only the latest event, once:
    // the others drop it as a repeat of their last counter.
    let events: readonly SentEvent[];
    if (alone) events = missed;
    else if (w.replayedCtr !== last.ctr) events = [last];
    else events = [];
    if (events.length === 0) return;
    w.replayedCtr = last.ctr;
    this.#opts.logger.debug("replaying events to a late subscriber", { topic, count: events.length, alone });
    for (let i = events.length - 1; i >= 0; i--) {
      const e = events[i] as SentEvent;
      this.#enqueue({ socket: "event", frames: e.frames, topic, ctr: e.ctr, replay: true }, true);
    }
  }

  #openWindow(topic: string, since: number): void {
    const now = this.#opts.clock.monotonic();
    let w = this.#windows.get(topic);
    if (!w) {
      w = { pending: [], sent: [], replayedCtr: undefined };
      this.#windows.set(topic, w);
    }
    w.pending.push({ since, at: now });
  }

  #recordSent(topic: string, ctr: number, frames: readonly Buffer[]): void {
    const w = this.#windows.get(topic);
    if (!w) return;
    const now = this.#opts.clock.monotonic();
    if (!this.#prune(topic, w, now)) return;
    w.sent.push({ ctr, frames, at: now });
    if (w.sent.length > REPLAY_MAX_EVENTS) w.sent.shift();
  }

  /** Drops what is older than the window; false (and the window removed) when no subscription change is recent. */
  #prune(topic: string, w: ReplayWindow, now: number): boolean {
    w.pending = w.pending.filter((p) => now - p.at <= REPLAY_WINDOW_MS);
    if (w.pending.length === 0) {
      this.#windows.delete(topic);
      return false;
    }
    let since = Number.POSITIVE_INFINITY;
    for (const p of w.pending) since = Math.min(since, p.since);
    w.sent = w.sent.filter((e) => e.ctr >= since && now - e.at <= REPLAY_WINDOW_MS);
    return true;
  }

  #startHeartbeat(): void {
    if (this.#heartbeatTimer || this.#closed) return;
    const beat = (): void => {
      if (this.#ready) this.#enqueue({ socket: "heartbeat", frames: encodeHeartbeatMessage(heartbeatTopic(this.channel)) });
      const now = this.#opts.clock.monotonic();
      for (const [topic, w] of [...this.#windows]) this.#prune(topic, w, now);
    };
    beat();
    this.#heartbeatTimer = setInterval(beat, HEARTBEAT_PERIOD_MS);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#heartbeatTimer) clearInterval(this.#heartbeatTimer);
    this.#heartbeatTimer = undefined;
    this.#subscriptionHandled?.();
    await this.#pump;
    this.#queue.length = 0;
    this.#windows.clear();
    const s = this.#ready ?? (this.#sockets ? await this.#sockets.catch(() => undefined) : undefined);
    if (s) {
      s.heartbeat.close();
      s.event.close();
    }
  }
}
