/**
 * Client side of the Tango ZMQ event system (cppTango ZmqEventConsumer + EventConsumerKeepAliveThread behaviour):
 *
 * - one heartbeat SUB and one event SUB socket per consumer (one consumer per TangoContext), each connected once per
 *   server endpoint; topics subscribed exactly as returned by the admin device's ZmqEventSubscriptionChange;
 * - the synchronous read delivered as the first item of every (re)subscription;
 * - event counters: the first repeat of a counter is dropped (cppTango's double send), gaps yield an
 *   API_MissedEvents error item carrying the number of lost events;
 * - keep-alive: EventConfirmSubscription for every live event of a server every `confirmPeriodMs` (cppTango 200 s),
 *   API_EventTimeout error items when a server's heartbeat is missing for `heartbeatTimeoutMs`, then re-subscription
 *   every `retryPeriodMs` until the server is back (new endpoints are followed);
 * - subscriptions made while the server is down stay pending and become live when it appears.
 *
 * Sockets and the keep-alive timer exist only while at least one subscription is open.
 */
import * as zmq from "zeromq";
import type { TangoContext } from "../client/context.ts";
import { DeviceProxy, pipeReading } from "../client/device-proxy.ts";
import {
  CommunicationFailed,
  ConnectionFailed,
  CorbaSystemException,
  DevFailed,
  DeviceTimeout,
  devError,
  EventSystemFailed,
  InvalidArgumentError,
  ProtocolError,
} from "../errors/errors.ts";
import type { CallOptions, Logger } from "../iiop/logger.ts";
import {
  configItem,
  dataReadyItem,
  type ErrorEventItem,
  type EventItem,
  type EventItemBase,
  errorItem,
  errorsItem,
  pipeItem,
  readingItem,
  scalarItem,
  valueItem,
} from "./event-item.ts";
import { BoundedQueue } from "./event-queue.ts";
import {
  type CallInfoPeek,
  decodeMessage,
  decodePayload,
  type EventPayload,
  type EventType,
  heartbeatTopic,
  isEventType,
  type PayloadKind,
  parseSubscriptionReply,
  payloadKindOf,
  peekCallInfo,
  readScalarAttrEvent,
  ScalarAttrEvent,
  type SubscriptionReply,
  subscriptionArgin,
  subscriptionClientIdl,
  topicEventName,
  wireEventName,
} from "./zmq-wire.ts";

const ORIGIN = "EventConsumer";
/**
 * A counter this far behind the last one seen (or equal) is a repeat, dropped silently, but only during the replay
 * period that follows a (re)subscription: our servers replay at most 16 events to a late subscriber, right after it
 * subscribed. Outside that period a step back means the server restarted and counts again: a new baseline, delivered.
 */
const REPEAT_WINDOW = 16;
const REPLAY_PERIOD_MS = 3000;

export interface EventConsumerOptions {
  /** How often the keep-alive work runs (ms). Default 1000. */
  readonly keepAliveTickMs?: number;
  /** A server whose heartbeat is missing for longer than this is declared dead (ms). Servers beat every 9 s. Default 12000. */
  readonly heartbeatTimeoutMs?: number;
  /** Re-confirm live subscriptions (EventConfirmSubscription) this often (ms). Default 200000 (cppTango: 600 s / 3). */
  readonly confirmPeriodMs?: number;
  /** Retry pending subscriptions / dead servers this often (ms). Default 10000. */
  readonly retryPeriodMs?: number;
  /**
   * ZMQ_RCVHWM of the event socket (messages queued per server connection; 0 = unlimited). Default: what the server
   * advises in its ZmqEventSubscriptionChange reply (lvalue[2], 1000 for cppTango/PyTango servers), as cppTango
   * clients do unless the user set an event buffer HWM.
   */
  readonly receiveHighWaterMark?: number;
  /** ZMQ_RCVBUF of the event socket (kernel receive buffer, bytes). Default: the OS default (-1). */
  readonly receiveBufferSize?: number;
  readonly logger?: Logger;
}

export interface SubscribeOptions extends CallOptions {
  /** Items kept when the reader is slower than the events (oldest dropped and counted). Default 1000. */
  readonly queueSize?: number;
  /**
   * Stay pending on any subscription failure (cppTango "stateless" mode). By default only connection failures
   * (server down) leave the subscription pending; other failures (no such attribute, polling not started...) throw.
   */
  readonly stateless?: boolean;
}

export type SubscriptionState = "pending" | "live" | "lost" | "closed";

interface Channel {
  readonly name: string;
  readonly admin: DeviceProxy;
  endpoints: { heartbeat: string; event: string };
  lastHeartbeat: number;
  lastConfirm: number;
  alive: boolean;
  busy: boolean;
  nextRetry: number;
  readonly subs: Set<EventSubscription>;
}

/** An event topic the event socket is subscribed to, and its subscriptions. */
interface Topic {
  readonly name: string;
  readonly bytes: Buffer;
  /** What the payload of a non-error event carries (from the topic's event name). */
  readonly kind: PayloadKind;
  readonly subs: Set<EventSubscription>;
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  const n = a.length;
  if (b.length !== n) return false;
  for (let i = n - 1; i >= 0; i--) if (a[i] !== b[i]) return false;
  return true;
}

/** Messages taken from the event socket before the receive loop lets the event loop run (timers, other sockets). */
const DRAIN_BUDGET = 256;

function isEagain(err: unknown): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === "EAGAIN";
}

function isConnectionError(err: unknown): boolean {
  if (err instanceof ConnectionFailed || err instanceof CommunicationFailed || err instanceof DeviceTimeout) return true;
  if (err instanceof CorbaSystemException) return true;
  if (err instanceof DevFailed) {
    return err.errors.some((e) =>
      ["API_DeviceNotExported", "API_CantConnectToDevice", "API_CorbaException", "API_ServerNotRunning", "API_DeviceTimedOut"].includes(
        e.reason,
      ),
    );
  }
  return false;
}

function asDevFailed(err: unknown, reason: string, desc: string): DevFailed {
  if (err instanceof DevFailed) return err;
  return DevFailed.rethrow(err, reason, desc, ORIGIN);
}

/** One subscription: an async iterable of EventItem with a bounded queue, and an AsyncDisposable. */
export class EventSubscription implements AsyncIterable<EventItem>, AsyncDisposable {
  readonly device: string;
  readonly attribute: string;
  readonly event: EventType;
  /** @internal */ proxy: DeviceProxy | undefined;
  /** @internal */ readonly queue: BoundedQueue<EventItem>;
  /** @internal */ topic: string | undefined;
  /** @internal */ channel: Channel | undefined;
  /** @internal */ ctr = 0;
  /** @internal Wall-clock ms until which counters behind the last one are replays (set at each (re)subscription). */
  replayUntil = 0;
  /** @internal */ discarded = false;
  /** @internal */ buffer: EventItem[] | undefined;
  /** @internal */ busy = false;
  /** @internal */ nextRetry = 0;
  /** @internal */ lastError: string | undefined;
  private st: SubscriptionState = "pending";
  private readonly consumer: EventConsumer;
  private readonly onAbort: (() => void) | undefined;
  private readonly signal: AbortSignal | undefined;
  /** Events lost on the way (counter gaps). */
  missed = 0;
  /** Items received from the server (duplicates excluded). */
  received = 0;
  /** Duplicate events dropped (same counter repeated). */
  duplicates = 0;

  /** @internal */
  constructor(consumer: EventConsumer, device: string, attribute: string, event: EventType, queueSize: number, signal?: AbortSignal) {
    this.consumer = consumer;
    this.device = device;
    this.attribute = attribute;
    this.event = event;
    this.queue = new BoundedQueue(queueSize);
    this.signal = signal;
    if (signal) {
      this.onAbort = () => void this.close();
      signal.addEventListener("abort", this.onAbort, { once: true });
    }
  }

  get state(): SubscriptionState {
    return this.st;
  }
  get isClosed(): boolean {
    return this.st === "closed";
  }
  /** @internal */
  setState(s: SubscriptionState): void {
    if (this.st !== "closed") this.st = s;
  }

  /** Items dropped because the queue was full. */
  get dropped(): number {
    return this.queue.dropped;
  }

  /** @internal */
  base(counter?: number, synchronous?: boolean): Omit<EventItemBase, "receivedAt"> {
    const b = { device: this.device, attribute: this.attribute, event: this.event };
    if (counter === undefined) return synchronous ? { ...b, synchronous } : b;
    return { ...b, counter };
  }

  /** @internal Delivers an item (held back while the synchronous read of a (re)subscription is in flight). */
  deliver(item: EventItem): void {
    if (this.buffer) this.buffer.push(item);
    else this.queue.push(item);
  }

  /**
   * @internal Applies the counter rules: false for a dropped duplicate; a gap delivers an API_MissedEvents error item
   * first. The common case (next counter, no duplicate) is two comparisons.
   */
  accept(ctr: number, now: number): boolean {
    const prev = this.ctr;
    if (ctr === (prev + 1) >>> 0 && prev !== 0) {
      this.ctr = ctr;
      this.discarded = false;
      this.received++;
      return true;
    }
    if (ctr !== 1 && prev === 0) this.ctr = (ctr - 1) >>> 0;
    // A counter already seen (the last one or a little older): a repeat (cppTango's double send, or our server's
    // replay to a late subscriber, which existing subscribers get too). Dropped, never a gap. A larger step back
    // is a restarted server's new count: accepted below as a new baseline.
    if (prev !== 0 && (ctr === prev || (now <= this.replayUntil && (prev - ctr) >>> 0 < REPEAT_WINDOW))) {
      this.duplicates++;
      return false;
    }
    const delta = (ctr - this.ctr) >>> 0;
    if (delta === 0) {
      if (!this.discarded) {
        this.discarded = true;
        this.duplicates++;
        return false;
      }
      this.discarded = false;
    } else this.discarded = false;
    this.ctr = ctr;
    if (delta >= 2 && delta < 0x80000000) {
      const lost = delta - 1;
      this.missed += lost;
      const err = new DevFailed(
        devError("API_MissedEvents", `Missed ${lost} event(s) (counter jumped to ${ctr}): ZMQ queue reached its high water mark?`, ORIGIN),
      );
      this.deliver(errorItem(this.base(ctr), err, now, lost));
    }
    this.received++;
    return true;
  }

  /** @internal The common attribute event, read in place by `readScalarAttrEvent`. */
  onScalar(ctr: number, s: ScalarAttrEvent, now: number): void {
    if (this.st === "closed" || !this.accept(ctr, now)) return;
    this.deliver(scalarItem(this.device, this.attribute, this.event, ctr, s, now));
  }

  /** @internal Applies the counter rules then delivers. */
  onWire(ctr: number, payload: EventPayload, now: number): void {
    if (this.st === "closed" || !this.accept(ctr, now)) return;
    const base = this.base(ctr);
    switch (payload.kind) {
      case "attr-value":
        this.deliver(valueItem(base, payload.value, now));
        return;
      case "attr-conf":
        this.deliver(configItem(base, payload.config, now));
        return;
      case "data-ready":
        this.deliver(dataReadyItem(base, payload.dataReady, now));
        return;
      case "errors":
        this.deliver(errorsItem(base, payload.errors, now));
        return;
      case "pipe":
        this.deliver(pipeItem(base, pipeReading(payload.data), now));
        return;
      default:
        return;
    }
  }

  /** Waits for the next item; `done` once the subscription is closed and the queue drained. */
  next(): Promise<IteratorResult<EventItem, undefined>> {
    return this.queue.next();
  }

  [Symbol.asyncIterator](): AsyncIterator<EventItem, undefined> {
    return {
      next: () => this.queue.next(),
      return: async () => {
        await this.close();
        return { value: undefined, done: true };
      },
    };
  }

  /** Stops the subscription (local ZMQ unsubscribe; the server forgets it after 600 s, as with cppTango). Idempotent. */
  async close(): Promise<void> {
    if (this.st === "closed") return;
    this.st = "closed";
    if (this.signal && this.onAbort) this.signal.removeEventListener("abort", this.onAbort);
    this.buffer = undefined;
    this.queue.end();
    await this.consumer.remove(this);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Subscribes to events; owned by a TangoContext (see `eventConsumer(context)`). */
export class EventConsumer {
  readonly context: TangoContext;
  private readonly logger: Logger;
  private readonly tickMs: number;
  private readonly hbTimeoutMs: number;
  private readonly confirmMs: number;
  private readonly retryMs: number;
  private readonly hwm: number | undefined;
  private readonly rcvbuf: number;
  private hb: zmq.Subscriber | undefined;
  private ev: zmq.Subscriber | undefined;
  private readonly loops: Promise<void>[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly subs = new Set<EventSubscription>();
  private readonly topics = new Map<string, Topic>();
  /** The topic of the last event received (the next one is most likely the same): compared bytewise. */
  private lastTopic: Topic | undefined;
  private readonly scratch = new ScalarAttrEvent();
  private readonly channels = new Map<string, Channel>();
  private readonly admins = new Map<string, DeviceProxy>();
  private readonly connected = { hb: new Map<string, number>(), ev: new Map<string, number>() };
  /** Event endpoints whose ZMTP handshake is done (subscriptions sent), and who waits for one. */
  private readonly handshaken = new Set<string>();
  private readonly handshakeWaiters = new Map<string, (() => void)[]>();
  private closed = false;

  constructor(context: TangoContext, opts: EventConsumerOptions = {}) {
    this.context = context;
    const base = opts.logger ?? context.logger;
    this.logger = base.child?.("tango:events") ?? base;
    this.tickMs = opts.keepAliveTickMs ?? 1000;
    this.hbTimeoutMs = opts.heartbeatTimeoutMs ?? 12_000;
    this.confirmMs = opts.confirmPeriodMs ?? 200_000;
    this.retryMs = opts.retryPeriodMs ?? 10_000;
    this.hwm = opts.receiveHighWaterMark;
    this.rcvbuf = opts.receiveBufferSize ?? -1;
  }

  private now(): number {
    return this.context.clock.monotonic();
  }

  /** Open subscriptions. */
  get size(): number {
    return this.subs.size;
  }

  /**
   * Subscribes to `event` of `attribute`. `target` is a DeviceProxy or a device name (a name allows subscribing
   * while the server is down). Resolves once the subscription is live (first item = synchronous read) or pending
   * (server unreachable: an error item is queued and the subscription is retried every `retryPeriodMs`).
   * Rejects with the server's DevFailed (root reason as PyTango reports it, e.g. API_AttributePollingNotStarted)
   * on any other failure.
   */
  async subscribe(
    target: DeviceProxy | string,
    attribute: string,
    event: EventType,
    opts: SubscribeOptions = {},
  ): Promise<EventSubscription> {
    if (this.closed)
      throw new EventSystemFailed(devError("API_EventConsumerClosed", "the event consumer of this context was closed", ORIGIN));
    if (!isEventType(event)) throw new InvalidArgumentError(`unknown event type ${JSON.stringify(event)}`, ORIGIN, "API_InvalidArgs");
    opts.signal?.throwIfAborted();
    const device = typeof target === "string" ? target : target.name;
    const sub = new EventSubscription(this, device, attribute, event, opts.queueSize ?? 1000, opts.signal);
    if (typeof target !== "string") sub.proxy = target;
    this.subs.add(sub);
    this.start();
    try {
      await this.connect(sub, opts);
    } catch (err) {
      if (!opts.stateless && !isConnectionError(err)) {
        await sub.close();
        throw err;
      }
      this.pend(sub, err);
    }
    return sub;
  }

  private pend(sub: EventSubscription, err: unknown): void {
    if (sub.state === "closed") return;
    sub.setState("pending");
    sub.nextRetry = this.now() + this.retryMs;
    const df = asDevFailed(err, "API_EventSubscriptionFailed", `cannot subscribe to ${sub.device}/${sub.attribute}`);
    const key = df.errors.map((e) => e.reason).join(",");
    // One error item per distinct failure, not one per retry.
    if (sub.lastError !== key) {
      sub.lastError = key;
      sub.deliver(errorItem(sub.base(), df, Date.now()));
    }
    this.logger.debug("subscription pending", { device: sub.device, attribute: sub.attribute, reason: df.reason });
  }

  /** ZmqEventSubscriptionChange + sockets + synchronous read. Throws on failure. */
  private async connect(sub: EventSubscription, opts: CallOptions = {}): Promise<void> {
    sub.busy = true;
    try {
      const proxy = sub.proxy ?? (await DeviceProxy.connect(sub.device, { context: this.context, ...opts }));
      sub.proxy = proxy;
      const adminName = await proxy.adminName(opts);
      // Reach the admin device the way the device was reached (same host:port; #dbase=no devices have no database).
      const admin = await this.admin(proxy.fullName.replace(`/${proxy.name}`, `/${adminName}`), opts);
      const wire = wireEventName(sub.event);
      let reply: SubscriptionReply;
      try {
        const argin = subscriptionArgin(proxy.name, sub.attribute, wire, subscriptionClientIdl(sub.event));
        const out = await admin.command("ZmqEventSubscriptionChange", argin, opts);
        const v = out as { lvalue?: readonly number[]; svalue?: readonly string[] };
        if (!v.lvalue || !v.svalue) throw new ProtocolError("ZmqEventSubscriptionChange did not return a DevVarLongStringArray");
        reply = parseSubscriptionReply(v.lvalue, v.svalue);
      } catch (err) {
        if (isConnectionError(err) || !(err instanceof DevFailed)) throw err;
        throw new EventSystemFailed(
          [
            ...err.errors,
            devError(
              "API_DSFailedRegisteringEvent",
              "Device server send exception while trying to register event",
              `${ORIGIN}.connectEvent`,
            ),
          ],
          { cause: err },
        );
      }
      if (sub.isClosed) return;
      this.attach(sub, reply, admin);
      // ZMQ slow joiner: a new connection must be up (our subscriptions sent) before events can reach us.
      await this.handshake(reply.endpoints[0]?.event ?? "", 2000);
      await this.synchronousRead(sub, proxy, opts);
      if (!sub.isClosed) {
        sub.setState("live");
        sub.lastError = undefined;
      }
    } finally {
      sub.busy = false;
    }
  }

  private async admin(name: string, opts: CallOptions): Promise<DeviceProxy> {
    const key = name.toLowerCase();
    let a = this.admins.get(key);
    if (!a) {
      a = await DeviceProxy.connect(name, { context: this.context, ...opts });
      this.admins.set(key, a);
    }
    return a;
  }

  /** Binds the subscription to its channel and topic; connects sockets to (new) endpoints. */
  private attach(sub: EventSubscription, reply: SubscriptionReply, admin: DeviceProxy): void {
    const { hb, ev } = this.sockets();
    const ep = reply.endpoints[0];
    if (!ep) throw new ProtocolError("ZmqEventSubscriptionChange returned no endpoint");
    let ch = this.channels.get(reply.channel);
    if (!ch) {
      ch = {
        name: reply.channel,
        admin,
        endpoints: ep,
        lastHeartbeat: this.now(),
        lastConfirm: this.now(),
        alive: true,
        busy: false,
        nextRetry: 0,
        subs: new Set(),
      };
      this.channels.set(reply.channel, ch);
      this.connectEndpoint("hb", hb, ep.heartbeat);
      this.setReceiveHwm(ev, reply.subHwm);
      this.connectEndpoint("ev", ev, ep.event);
      hb.subscribe(heartbeatTopic(reply.channel));
    } else if (ch.endpoints.heartbeat !== ep.heartbeat || ch.endpoints.event !== ep.event) {
      // The server restarted on other ports: follow it.
      this.disconnectEndpoint("hb", hb, ch.endpoints.heartbeat);
      this.disconnectEndpoint("ev", ev, ch.endpoints.event);
      ch.endpoints = ep;
      this.connectEndpoint("hb", hb, ep.heartbeat);
      this.setReceiveHwm(ev, reply.subHwm);
      this.connectEndpoint("ev", ev, ep.event);
    }
    if (sub.channel && sub.channel !== ch) this.detachChannel(sub);
    sub.channel = ch;
    ch.subs.add(sub);
    if (sub.topic !== reply.topic) {
      this.unbindTopic(sub);
      sub.topic = reply.topic;
      let entry = this.topics.get(reply.topic);
      if (!entry) {
        const dot = reply.topic.lastIndexOf(".");
        entry = {
          name: reply.topic,
          bytes: Buffer.from(reply.topic, "latin1"),
          kind: payloadKindOf(reply.topic.slice(dot + 1)),
          subs: new Set(),
        };
        this.topics.set(reply.topic, entry);
        ev.subscribe(reply.topic);
      }
      entry.subs.add(sub);
    }
    sub.ctr = 0;
    sub.replayUntil = Date.now() + REPLAY_PERIOD_MS;
    sub.discarded = false;
  }

  private handshake(endpoint: string, ms: number): Promise<void> {
    if (this.handshaken.has(endpoint)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      const list = this.handshakeWaiters.get(endpoint) ?? [];
      list.push(done);
      this.handshakeWaiters.set(endpoint, list);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  private async synchronousRead(sub: EventSubscription, proxy: DeviceProxy, opts: CallOptions): Promise<void> {
    if (sub.event === "data-ready") {
      // No synchronous read for data-ready (as cppTango). A ZMQ SUBSCRIBE on an already connected socket travels
      // asynchronously and a plain PUB drops what it publishes before it has processed it (Tango has no ack): one
      // round trip to the server process narrows that window as the other kinds' synchronous read does; it cannot
      // close it on a saturated machine. A failure is left to the heartbeat watchdog.
      await proxy.ping(opts).catch(() => undefined);
      return;
    }
    sub.buffer = [];
    let first: EventItem;
    try {
      if (sub.event === "attr-conf") {
        first = configItem(sub.base(undefined, true), await proxy.attributeQuery(sub.attribute, opts), Date.now());
      } else if (sub.event === "pipe") {
        first = pipeItem(sub.base(undefined, true), await proxy.readPipe(sub.attribute, opts), Date.now());
      } else {
        const [r] = await proxy.readMany([sub.attribute], opts);
        first = r
          ? readingItem(sub.base(undefined, true), r, Date.now())
          : errorItem(sub.base(undefined, true), DevFailed.from("API_AttrNotFound", `no value for ${sub.attribute}`, ORIGIN), Date.now());
      }
    } catch (err) {
      first = errorItem(sub.base(undefined, true), asDevFailed(err, "API_EventError", "synchronous read failed"), Date.now());
    }
    const held = sub.buffer ?? [];
    sub.buffer = undefined;
    if (sub.isClosed) return;
    sub.queue.push(first);
    for (const item of held) sub.queue.push(item);
  }

  // --------------------------------------------------------------------------------------------- sockets

  private sockets(): { hb: zmq.Subscriber; ev: zmq.Subscriber } {
    if (!this.hb || !this.ev) {
      this.hb = new zmq.Subscriber({ linger: 0 });
      this.ev = new zmq.Subscriber({ linger: 0, receiveHighWaterMark: this.hwm ?? 1000, receiveBufferSize: this.rcvbuf });
      this.ev.events.on("handshake", ({ address }) => {
        this.handshaken.add(address);
        const ws = this.handshakeWaiters.get(address);
        this.handshakeWaiters.delete(address);
        for (const w of ws ?? []) w();
      });
      this.ev.events.on("disconnect", ({ address }) => this.handshaken.delete(address));
      this.loops.push(this.receiveLoop(this.hb, false), this.receiveLoop(this.ev, true));
    }
    return { hb: this.hb, ev: this.ev };
  }

  /** ZMQ_RCVHWM for the next connection (libzmq applies it to pipes created afterwards): the user's or the server's. */
  private setReceiveHwm(ev: zmq.Subscriber, serverHwm: number): void {
    const hwm = this.hwm ?? (Number.isInteger(serverHwm) && serverHwm >= 0 ? serverHwm : 1000);
    if (ev.receiveHighWaterMark !== hwm) ev.receiveHighWaterMark = hwm;
  }

  private connectEndpoint(kind: "hb" | "ev", s: zmq.Subscriber, ep: string): void {
    const m = this.connected[kind];
    const n = m.get(ep) ?? 0;
    if (n === 0) s.connect(ep);
    m.set(ep, n + 1);
  }

  private disconnectEndpoint(kind: "hb" | "ev", s: zmq.Subscriber, ep: string): void {
    const m = this.connected[kind];
    const n = m.get(ep) ?? 0;
    if (n <= 1) {
      m.delete(ep);
      try {
        if (!s.closed) s.disconnect(ep);
      } catch (err) {
        this.logger.debug("zmq disconnect failed", { endpoint: ep, error: String(err) });
      }
    } else m.set(ep, n - 1);
  }

  /**
   * Receives until the socket is closed. A message that arrives on an idle socket is taken with ZMQ_RCVTIMEO -1
   * (libuv poll of the socket's fd, no timer). When more are queued behind it (`readable`), the event socket drains
   * them with ZMQ_RCVTIMEO 0: each comes in a promise resolved at once, without the binding's readiness probe per
   * message (getsockopt(ZMQ_EVENTS), i.e. a poll() and a getpid() system call); EAGAIN ends the batch. The loop yields
   * to the event loop every DRAIN_BUDGET messages so that a flood of events cannot starve timers and other sockets.
   */
  private async receiveLoop(s: zmq.Subscriber, drain: boolean): Promise<void> {
    let budget = DRAIN_BUDGET;
    let draining = false;
    while (!s.closed) {
      let frames: Buffer[];
      try {
        frames = await s.receive();
      } catch (err) {
        if (s.closed) return;
        if (!draining || !isEagain(err)) {
          this.logger.error("event socket receive failed", { error: String(err) });
          return;
        }
        // Batch drained: wait for the next message.
        s.receiveTimeout = -1;
        draining = false;
        continue;
      }
      this.onMessage(frames);
      if (drain && !draining && !s.closed && s.readable) {
        s.receiveTimeout = 0;
        draining = true;
      }
      if (--budget === 0) {
        budget = DRAIN_BUDGET;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }

  private onMessage(frames: Buffer[]): void {
    const n = frames.length;
    if (n === 4) {
      this.onEvent(frames[0] as Buffer, frames[1] as Buffer, frames[2] as Buffer, frames[3] as Buffer);
      return;
    }
    if (n !== 3) return;
    let msg: ReturnType<typeof decodeMessage>;
    try {
      msg = decodeMessage(frames);
    } catch (err) {
      this.logger.warn("malformed heartbeat", { error: String(err) });
      return;
    }
    if (msg.kind !== "heartbeat") return;
    const ch = this.channels.get(msg.channel);
    if (ch) ch.lastHeartbeat = this.now();
  }

  private topicOf(t: Buffer): Topic | undefined {
    const last = this.lastTopic;
    if (last !== undefined && sameBytes(last.bytes, t)) return last;
    const entry = this.topics.get(t.toString("latin1"));
    if (entry) this.lastTopic = entry;
    return entry;
  }

  /** One event message: envelope read in place, then the scalar fast path or the general decoder. */
  private onEvent(t: Buffer, e: Buffer, c: Buffer, d: Buffer): void {
    const topic = this.topicOf(t);
    if (topic === undefined || topic.subs.size === 0) return;
    const now = Date.now();
    let info: CallInfoPeek;
    let le: boolean;
    try {
      if (e.length !== 1 || (e[0] as number) > 1) throw new ProtocolError(`ZMQ event endianness frame is invalid (${e.toString("hex")})`);
      le = e[0] === 1;
      info = peekCallInfo(c, le);
    } catch (err) {
      this.logger.warn("malformed event message", { topic: topic.name, error: String(err) });
      return;
    }
    const ctr = info.ctr;
    if (!info.callIsExcept && topic.kind === "attr-value" && readScalarAttrEvent(d, le, this.scratch)) {
      for (const sub of topic.subs) sub.onScalar(ctr, this.scratch, now);
      return;
    }
    let payload: EventPayload;
    try {
      // An error on a pipe topic has the pipe payload's 8 dummy bytes too (zmq-wire.ts).
      payload = decodePayload(d, info.callIsExcept ? "errors" : topic.kind, le, topic.kind === "pipe");
    } catch (err) {
      payload = {
        kind: "errors",
        errors: [devError("API_WrongEventData", `Received malformed data for event ${topic.name}: ${String(err)}`, ORIGIN)],
      };
    }
    for (const sub of topic.subs) sub.onWire(ctr, payload, now);
  }

  // --------------------------------------------------------------------------------------------- keep-alive

  private start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.tickMs);
  }

  private tick(): void {
    const now = this.now();
    for (const ch of this.channels.values()) {
      if (ch.busy) continue;
      if (ch.alive && now - ch.lastHeartbeat > this.hbTimeoutMs) {
        ch.alive = false;
        ch.nextRetry = now;
        this.logger.info("event channel lost (no heartbeat)", { channel: ch.name });
        for (const sub of ch.subs) {
          if (sub.state === "closed") continue;
          sub.setState("lost");
          sub.ctr = 0; // the server may come back with new counters before the re-subscription
          sub.discarded = false;
          const err = new DevFailed(
            devError(
              "API_EventTimeout",
              `Event channel is not responding anymore, maybe the server or event system is down (${ch.name})`,
              ORIGIN,
            ),
          );
          sub.deliver(errorItem(sub.base(), err, Date.now()));
        }
      }
      if (!ch.alive && now >= ch.nextRetry) {
        ch.nextRetry = now + this.retryMs;
        void this.reconnectChannel(ch);
      } else if (ch.alive && now - ch.lastConfirm > this.confirmMs) {
        ch.lastConfirm = now;
        void this.confirm(ch);
      }
    }
    for (const sub of this.subs) {
      if (sub.state === "pending" && !sub.busy && now >= sub.nextRetry) {
        sub.nextRetry = now + this.retryMs;
        this.connect(sub).catch((err: unknown) => this.pend(sub, err));
      }
    }
  }

  private async reconnectChannel(ch: Channel): Promise<void> {
    ch.busy = true;
    try {
      for (const sub of [...ch.subs]) {
        if (sub.state === "closed") continue;
        await this.connect(sub);
        ch.alive = true;
        ch.lastHeartbeat = this.now();
        ch.lastConfirm = this.now();
      }
      this.logger.info("event channel back", { channel: ch.name });
    } catch (err) {
      this.logger.debug("event channel still down", { channel: ch.name, error: String(err) });
    } finally {
      ch.busy = false;
    }
  }

  private async confirm(ch: Channel): Promise<void> {
    const argin: string[] = [];
    for (const sub of ch.subs) {
      if (sub.state !== "live" || !sub.proxy) continue;
      argin.push(sub.proxy.name, sub.attribute.toLowerCase(), topicEventName(wireEventName(sub.event), 5));
    }
    if (argin.length === 0) return;
    try {
      await ch.admin.command("EventConfirmSubscription", argin);
    } catch (err) {
      this.logger.warn("EventConfirmSubscription failed", { channel: ch.name, error: String(err) });
    }
  }

  // --------------------------------------------------------------------------------------------- removal

  private unbindTopic(sub: EventSubscription): void {
    const t = sub.topic;
    if (t === undefined) return;
    sub.topic = undefined;
    const entry = this.topics.get(t);
    if (!entry) return;
    entry.subs.delete(sub);
    if (entry.subs.size === 0) {
      this.topics.delete(t);
      if (this.lastTopic === entry) this.lastTopic = undefined;
      if (this.ev && !this.ev.closed) this.ev.unsubscribe(t);
    }
  }

  private detachChannel(sub: EventSubscription): void {
    const ch = sub.channel;
    if (!ch) return;
    sub.channel = undefined;
    ch.subs.delete(sub);
    if (ch.subs.size > 0) return;
    this.channels.delete(ch.name);
    if (this.hb && !this.hb.closed) {
      this.hb.unsubscribe(heartbeatTopic(ch.name));
      this.disconnectEndpoint("hb", this.hb, ch.endpoints.heartbeat);
    }
    if (this.ev && !this.ev.closed) this.disconnectEndpoint("ev", this.ev, ch.endpoints.event);
  }

  /** @internal Called by EventSubscription.close(). */
  async remove(sub: EventSubscription): Promise<void> {
    this.unbindTopic(sub);
    this.detachChannel(sub);
    this.subs.delete(sub);
    if (this.subs.size === 0) await this.idle();
  }

  /** No subscription left: release sockets and timers (they are re-created on the next subscribe). */
  private async idle(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const socks = [this.hb, this.ev];
    this.hb = undefined;
    this.ev = undefined;
    this.connected.hb.clear();
    this.connected.ev.clear();
    this.handshaken.clear();
    for (const ws of this.handshakeWaiters.values()) for (const w of ws) w();
    this.handshakeWaiters.clear();
    for (const s of socks) if (s && !s.closed) s.close();
    const loops = this.loops.splice(0);
    await Promise.all(loops);
  }

  /** Closes every subscription and the sockets. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    for (const sub of [...this.subs]) await sub.close();
    await this.idle();
    this.admins.clear();
  }
}

// ------------------------------------------------------------------------------------------------- per-context access

const consumers = new WeakMap<TangoContext, EventConsumer>();

/**
 * The event consumer of a context (created on first use; `opts` apply only at creation). It owns sockets only
 * while subscriptions are open, so a context whose subscriptions are all closed leaves nothing running.
 */
export function eventConsumer(context: TangoContext, opts?: EventConsumerOptions): EventConsumer {
  let c = consumers.get(context);
  if (!c) {
    c = new EventConsumer(context, opts);
    consumers.set(context, c);
  }
  return c;
}

/** Closes the context's event consumer if it has one (call before/with `context.close()`). */
export async function closeEventConsumer(context: TangoContext): Promise<void> {
  const c = consumers.get(context);
  consumers.delete(context);
  await c?.close();
}

/** `await using sub = await subscribe(proxy, "temperature", "change"); for await (const item of sub) ...` */
export function subscribe(proxy: DeviceProxy, attribute: string, event: EventType, opts?: SubscribeOptions): Promise<EventSubscription> {
  return eventConsumer(proxy.context).subscribe(proxy, attribute, event, opts);
}

/** Subscribes by device name: works while the server is down (the subscription stays pending until it appears). */
export function subscribeByName(
  context: TangoContext,
  device: string,
  attribute: string,
  event: EventType,
  opts?: SubscribeOptions,
): Promise<EventSubscription> {
  return eventConsumer(context).subscribe(device, attribute, event, opts);
}

/**
 * Callback form: `cb` is called for every item (errors included) until the returned subscription is closed.
 * A throwing callback is logged and does not stop the subscription.
 */
export async function subscribeEvent(
  proxy: DeviceProxy,
  attribute: string,
  event: EventType,
  cb: (item: EventItem) => void | Promise<void>,
  opts?: SubscribeOptions,
): Promise<EventSubscription> {
  const sub = await subscribe(proxy, attribute, event, opts);
  const logger = proxy.context.logger;
  void (async () => {
    for (;;) {
      const r = await sub.next();
      if (r.done) return;
      try {
        await cb(r.value);
      } catch (err) {
        logger.error("event callback threw", { device: sub.device, attribute: sub.attribute, error: String(err) });
      }
    }
  })();
  return sub;
}

export type { ErrorEventItem, EventItem };
