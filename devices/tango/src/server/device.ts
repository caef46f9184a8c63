/**
 * Device: base class of user devices. The runtime binds a DeviceHost to each instance before properties are filled
 * and init() runs; user code talks to Tango through the methods below.
 */
import type { TangoContext } from "../client/context.ts";
import { DevFailed } from "../errors/errors.ts";
import type { DevStateName } from "../idl/constants.ts";
import { DevStateNames } from "../idl/constants.ts";
import { type Logger, silentLogger } from "../iiop/logger.ts";

export type Quality = "ATTR_VALID" | "ATTR_INVALID" | "ATTR_ALARM" | "ATTR_CHANGING" | "ATTR_WARNING";
export type PushedEventKind = "change" | "archive" | "user" | "alarm";

export interface PushOptions {
  readonly quality?: Quality;
  /** ms since epoch (default now). */
  readonly time?: number;
}

/** What the runtime provides to a device instance. */
export interface DeviceHost {
  readonly name: string;
  readonly className: string;
  readonly logger: Logger;
  /** `value === undefined` → the runtime reads the attribute; an Error/DevFailed value pushes an error event. */
  push(kind: PushedEventKind, attr: string, value: unknown, opts: PushOptions): void;
  pushDataReady(attr: string, ctr: number): void;
  /** A pipe event: `value` is a blob (as a pipe read handler returns it) or an Error/DevFailed. */
  pushPipe?(pipe: string, value: unknown, opts: PushOptions): void;
  setEventFlags(kind: "change" | "archive" | "alarm" | "dataReady", attr: string, implemented: boolean, detect: boolean): void;
  property(name: string): unknown;
  onStateChange(state: DevStateName): void;
  /** The server's client context (proxies / event subscriptions to other devices), created on first use. */
  clientContext?(): TangoContext;
}

let bind: (dev: Device, host: DeviceHost) => void;

/** Binds the runtime host to a device (runtime use only). */
export function bindDeviceHost(dev: Device, host: DeviceHost): void {
  bind(dev, host);
}

export class Device {
  #host: DeviceHost | undefined;
  #state: DevStateName = "UNKNOWN";
  #status: string | undefined;

  static {
    bind = (dev, host) => {
      dev.#host = host;
    };
  }

  /** Device name (dom/fam/member). */
  get name(): string {
    return this.#host?.name ?? "";
  }
  get className(): string {
    return this.#host?.className ?? this.constructor.name;
  }
  /** Logger of this device (namespace tango:server:<device>). */
  get logger(): Logger {
    return this.#host?.logger ?? silentLogger;
  }

  get state(): DevStateName {
    return this.#state;
  }
  set state(s: DevStateName) {
    this.setState(s);
  }
  setState(s: DevStateName | number): void {
    const name = typeof s === "number" ? DevStateNames[s] : s;
    if (name === undefined || !DevStateNames.includes(name))
      throw DevFailed.from("API_InvalidState", `${String(s)} is not a Tango state`, "Device::set_state");
    this.#state = name;
    this.#host?.onStateChange(name);
  }
  getState(): DevStateName {
    return this.#state;
  }

  /** The status set by setStatus, or "The device is in <STATE> state.". */
  get status(): string {
    return this.#status ?? `The device is in ${this.#state} state.`;
  }
  set status(s: string) {
    this.setStatus(s);
  }
  setStatus(s: string): void {
    this.#status = s;
  }
  getStatus(): string {
    return this.status;
  }

  /** State as read by clients (State command/attribute, _get_state). Override to compute it. */
  devState(): DevStateName | Promise<DevStateName> {
    return this.#state;
  }
  /** Status as read by clients. Override to compute it. */
  devStatus(): string | Promise<string> {
    return this.status;
  }

  /** Called after properties are filled, at startup and by the Init command. */
  init(): void | Promise<void> {}
  /** Called before Init re-runs init() and at shutdown. */
  delete(): void | Promise<void> {}
  /** Called before each command and attribute read/write (Tango's always_executed_hook). */
  alwaysExecutedHook(): void | Promise<void> {}

  /**
   * A client TangoContext owned by the server (TANGO_HOST = the server's database, none without database), for
   * DeviceProxy connections and event subscriptions to other devices. The server closes it (and its event
   * consumer) when it stops.
   */
  get tangoContext(): TangoContext {
    const c = this.#host?.clientContext?.();
    if (!c)
      throw DevFailed.from(
        "API_NoClientContext",
        `device ${this.name} has no client context (not served by a DeviceServer)`,
        "Device.tangoContext",
      );
    return c;
  }

  /** A device property value (converted to its declared dtype), or the raw DB strings if undeclared. */
  property(name: string): unknown {
    return this.#host?.property(name);
  }

  /** Pushes a change event (`value` omitted → the attribute is read). */
  pushChangeEvent(attr: string, value?: unknown, opts: PushOptions = {}): void {
    this.#host?.push("change", attr, value, opts);
  }
  pushArchiveEvent(attr: string, value?: unknown, opts: PushOptions = {}): void {
    this.#host?.push("archive", attr, value, opts);
  }
  /**
   * Pushes a Tango 10 alarm event (`value` omitted → the attribute is read). With `detect` (setAlarmEvent), it is sent
   * only when the quality (from the alarm/warning limits, or `opts.quality`) changes, and the first time.
   */
  pushAlarmEvent(attr: string, value?: unknown, opts: PushOptions = {}): void {
    this.#host?.push("alarm", attr, value, opts);
  }
  /** Pushes a user event. */
  pushEvent(attr: string, value?: unknown, opts: PushOptions = {}): void {
    this.#host?.push("user", attr, value, opts);
  }
  pushDataReady(attr: string, ctr = 0): void {
    this.#host?.pushDataReady(attr, ctr);
  }
  /**
   * Pushes a pipe event (PyTango's `push_pipe_event`): `blob` in the form a pipe read handler returns (`{name,
   * elements}` or `[name, elements]`), or an Error/DevFailed for an error event. Sent only while a client is
   * subscribed; an unknown pipe is API_PipeNotFound, a blob that does not convert throws (nothing is sent).
   */
  pushPipeEvent(pipe: string, blob: unknown, opts: PushOptions = {}): void {
    this.#host?.pushPipe?.(pipe, blob, opts);
  }
  /** Declares that the code pushes change events for `attr` (`detect`: check abs/rel criteria before sending). */
  setChangeEvent(attr: string, implemented = true, detect = true): void {
    this.#host?.setEventFlags("change", attr, implemented, detect);
  }
  setArchiveEvent(attr: string, implemented = true, detect = true): void {
    this.#host?.setEventFlags("archive", attr, implemented, detect);
  }
  /** Declares that the code pushes Tango 10 alarm events for `attr` (`detect`: send only on a quality change). */
  setAlarmEvent(attr: string, implemented = true, detect = true): void {
    this.#host?.setEventFlags("alarm", attr, implemented, detect);
  }
  setDataReadyEvent(attr: string, implemented = true): void {
    this.#host?.setEventFlags("dataReady", attr, implemented, false);
  }
}
