/**
 * DeviceRuntime: one served device. Owns the Device instance, its attributes and commands, the serialization
 * monitor, the black box, polled objects and event detection state. The CORBA servant (device-servant.ts) and the
 * admin device call into it; it knows nothing about sockets.
 */
import type { TangoContext } from "../client/context.ts";
import type { AnyValue } from "../corba/typecode.ts";
import { type DevError, DevFailed, devError, type NamedDevError } from "../errors/errors.ts";
import {
  AttrDataFormatNames,
  AttrQualityNames,
  CmdArgType,
  type CmdArgTypeName,
  type DevStateName,
  DevStateNames,
  DispLevelNames,
} from "../idl/constants.ts";
import type { DevPipeData, PipeConfig } from "../idl/pipe.ts";
import type { AttributeConfig, AttributeDim, AttributeValue5, AttrValUnion, DevCmdInfo, TimeVal } from "../idl/structs.ts";
import { NO_DATA, timeValNow } from "../idl/structs.ts";
import type { Clock, Logger } from "../iiop/logger.ts";
import { AttrRuntime } from "./attribute.ts";
import { getDeviceClassSpec, isReading } from "./decorators.ts";
import { bindDeviceHost, type Device, type DeviceHost, type PushedEventKind, type PushOptions } from "./device.ts";
import { isAlarmChange, isChange, parseCriteria, type Snapshot } from "./event-detect.ts";
import { isThenable, type Monitor } from "./monitor.ts";
import { blobValueOf, type PipeDbProps, PipeRuntime, pipeNotAllowed, pipeNotFound, pipeNotWritable, wireBlobOf } from "./pipe.ts";
import type { CommandSpec, DeviceClassSpec, PropertySpec } from "./spec.ts";
import { anyOfItems, flatten, fromAny, parseLimit, shapeWritten, toAny, unionOf } from "./values.ts";

export type DeviceClass = new () => Device;

/** Persistent configuration store (the Tango database, or memory for test contexts / no-DB servers). */
export interface DeviceStore {
  deviceProperties(device: string): Promise<Record<string, string[]>>;
  classProperties(tangoClass: string): Promise<Record<string, string[]>>;
  /** attr (lower-case) → prop → values. */
  attributeProperties(device: string, attrs: readonly string[]): Promise<Record<string, Record<string, string[]>>>;
  putAttributeProperties(device: string, attr: string, props: Readonly<Record<string, readonly string[]>>): Promise<void>;
  putDeviceProperty(device: string, name: string, values: readonly string[]): Promise<void>;
  deleteDeviceProperty(device: string, name: string): Promise<void>;
  /** pipe (lower-case) → prop → values (DbGetDevicePipeProperty). Optional: without it pipes keep their code defaults. */
  pipeProperties?(device: string, pipes: readonly string[]): Promise<Record<string, Record<string, string[]>>>;
  /** pipe (lower-case) → prop → values (DbGetClassPipeProperty). */
  classPipeProperties?(tangoClass: string, pipes: readonly string[]): Promise<Record<string, Record<string, string[]>>>;
  putPipeProperties?(device: string, pipe: string, props: Readonly<Record<string, readonly string[]>>): Promise<void>;
  deletePipeProperties?(device: string, pipe: string, names: readonly string[]): Promise<void>;
}

/** `alarm`: Tango 10 alarm events (sent on quality changes). */
export type AttrEventKind = "change" | "archive" | "periodic" | "user" | "alarm";

/** Where events go (the ZMQ supplier). */
export interface EventSink {
  /** `attr` is the pipe name for kind "pipe". */
  wants(device: string, attr: string, kind: AttrEventKind | "attr_conf" | "data_ready" | "pipe"): boolean;
  pushAttr(device: string, attr: string, kind: AttrEventKind, r: AttrResult): void;
  pushAttrConf(device: string, attr: string, c: AttributeConfig): void;
  pushDataReady(device: string, attr: string, dataType: number, ctr: number): void;
  /** A pipe event: the pipe data, or the error list pushed instead. */
  pushPipe?(device: string, pipe: string, payload: DevPipeData | readonly DevError[]): void;
}

export interface RuntimeContext {
  readonly serverId: string;
  readonly hostName: string;
  readonly adminName: string;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly monitor: Monitor | undefined;
  readonly events: EventSink | undefined;
  readonly store: DeviceStore | undefined;
  /** The server's client context, for devices that talk to other devices (created on first use). */
  readonly clientContext?: () => TangoContext;
}

/** A read attribute, in a form every IDL version can be produced from. */
export interface AttrResult {
  readonly name: string;
  readonly dtype: CmdArgTypeName;
  readonly dataFormat: number;
  readonly dataType: number;
  readonly union: AttrValUnion;
  readonly quality: number;
  readonly time: TimeVal;
  readonly rDim: AttributeDim;
  readonly wDim: AttributeDim;
  readonly errors: readonly DevError[];
  /** Read part (for events and history). */
  readonly readItems: readonly unknown[];
  /** Read part + set point (for IDL 1-3 Any values). */
  readonly allItems: readonly unknown[];
}

/** A valid scalar reading of the built-in State or Status attribute. */
function builtinReading(name: string, dtype: "DevState" | "DevString", union: AttrValUnion, item: string, time: TimeVal): AttrResult {
  return {
    name,
    dtype,
    dataFormat: 0,
    dataType: CmdArgType[dtype],
    union,
    quality: 0,
    time,
    rDim: { x: 1, y: 0 },
    wDim: { x: 0, y: 0 },
    errors: [],
    readItems: [item],
    allItems: [item],
  };
}

export function toAttributeValue5(r: AttrResult): AttributeValue5 {
  return {
    value: r.union,
    quality: r.quality,
    dataFormat: r.dataFormat,
    dataType: r.dataType,
    time: r.time,
    name: r.name,
    rDim: r.rDim,
    wDim: r.wDim,
    errors: r.errors,
  };
}

/** IDL 1-3 Any form of a read attribute. */
export function attrResultAny(r: AttrResult): AnyValue {
  if (r.dtype === "DevState" && r.union.d === 12) return toAny("DevState", r.union.v);
  if (r.errors.length > 0 || r.union.d === 14) return { type: { kind: "null" }, value: null };
  return anyOfItems({ name: r.name, dtype: r.dtype, dataFormat: "SCALAR" }, r.allItems);
}

const NO_OVERRIDE: PushOptions = Object.freeze({});

const QUALITY = (q: string): number => AttrQualityNames.indexOf(q as (typeof AttrQualityNames)[number]);

export const BUILTIN_COMMANDS: readonly CommandSpec[] = [
  { name: "Init", in: "DevVoid", out: "DevVoid" },
  { name: "State", in: "DevVoid", out: "DevState", outDesc: "Device state" },
  { name: "Status", in: "DevVoid", out: "DevString", outDesc: "Device status" },
];

function propValue(p: PropertySpec, values: readonly string[] | undefined): unknown {
  if (!values || values.length === 0) return p.default;
  const first = values[0] as string;
  switch (p.dtype) {
    case "DevString":
    case "ConstDevString":
      return values.join("\n");
    case "DevBoolean":
      return /^(true|1|yes|on)$/i.test(first.trim());
    case "DevLong64":
    case "DevULong64":
      return BigInt(first.trim());
    case "DevVarStringArray":
      return [...values];
    case "DevVarBooleanArray":
      return values.map((v) => /^(true|1|yes|on)$/i.test(v.trim()));
    case "DevVarLong64Array":
    case "DevVarULong64Array":
      return values.map((v) => BigInt(v.trim()));
    case "DevVarShortArray":
    case "DevVarLongArray":
    case "DevVarFloatArray":
    case "DevVarDoubleArray":
    case "DevVarUShortArray":
    case "DevVarULongArray":
      return values.map((v) => Number(v));
    default:
      return Number(first);
  }
}

function notAllowed(a: AttrRuntime, req: "READ_REQ" | "WRITE_REQ"): DevFailed {
  return DevFailed.from(
    "API_AttrNotAllowed",
    `It is currently not allowed to ${req === "READ_REQ" ? "read" : "write"} attribute ${a.name}`,
    req === "READ_REQ" ? "Device_3Impl::read_attributes_no_except" : "Device_3Impl::write_attributes",
  );
}

function stateReading(s: DevStateName, time: TimeVal): AttrResult {
  return builtinReading("State", "DevState", { d: 12, v: DevStateNames.indexOf(s) }, s, time);
}

function statusReading(s: string, time: TimeVal): AttrResult {
  return builtinReading("Status", "DevString", { d: 10, v: [s] }, s, time);
}

function jsError(e: unknown, reason: string, desc: string, origin: string): DevFailed {
  if (e instanceof DevFailed) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new DevFailed([devError("API_JsError", msg, origin), devError(reason, desc, origin)], { cause: e });
}

export interface PollRecord {
  /** ms since epoch. */
  readonly time: number;
  readonly attr?: AttrResult;
  readonly cmd?: AnyValue;
  readonly errors?: readonly DevError[];
  readonly durationMs: number;
}

export interface PolledObject {
  readonly type: "attribute" | "command";
  /** Name as declared (server spelling). */
  readonly name: string;
  period: number;
  readonly depth: number;
  readonly ring: PollRecord[];
  timer: ReturnType<typeof setTimeout> | undefined;
}

export class DeviceRuntime {
  readonly name: string;
  readonly lname: string;
  readonly spec: DeviceClassSpec;
  readonly className: string;
  readonly device: Device;
  readonly ctx: RuntimeContext;
  readonly logger: Logger;
  readonly attrs = new Map<string, AttrRuntime>();
  readonly attrList: AttrRuntime[] = [];
  readonly commands = new Map<string, CommandSpec>();
  readonly pipes = new Map<string, PipeRuntime>();
  /** Pipes in declaration order (get_pipe_config_5 "All pipes"). */
  readonly pipeList: PipeRuntime[] = [];
  readonly blackBoxDepth = 50;
  /**
   * The black box: a ring of blackBoxDepth slots (#bbNext is the next one to write). A slot holds its time and either
   * a whole entry, or (#bbAttrs set) the operation, attribute names and peer of an attribute read.
   */
  readonly #bbTime = new Float64Array(this.blackBoxDepth);
  readonly #bbEntry: (string | undefined)[] = new Array(this.blackBoxDepth).fill(undefined);
  readonly #bbAttrs: (readonly string[] | undefined)[] = new Array(this.blackBoxDepth).fill(undefined);
  readonly #bbPeer: (string | undefined)[] = new Array(this.blackBoxDepth).fill(undefined);
  #bbNext = 0;
  #bbCount = 0;
  readonly polled = new Map<string, PolledObject>();
  /** Raw device properties as last loaded (name lower-case → values). */
  rawProps: Record<string, string[]> = {};
  /**
   * Commands other clients may run while the device is locked (lower-case), from the class property
   * AllowedAccessCmd as in cppTango; State and Status are always allowed.
   */
  allowedAccessCmds: ReadonlySet<string> = new Set();
  readonly #propValues = new Map<string, unknown>();
  readonly #snapshots = new Map<string, Snapshot>();
  readonly #lastPeriodic = new Map<string, number>();
  readonly #lastArchive = new Map<string, number>();
  #initError: DevFailed | undefined;
  readonly #builtin = new Map<string, AttrRuntime>([
    ["state", new AttrRuntime({ name: "State", dtype: "DevState", dataFormat: "SCALAR", maxDimX: 1, maxDimY: 0, access: "READ" })],
    ["status", new AttrRuntime({ name: "Status", dtype: "DevString", dataFormat: "SCALAR", maxDimX: 1, maxDimY: 0, access: "READ" })],
  ]);

  constructor(Ctor: DeviceClass, name: string, ctx: RuntimeContext, spec = getDeviceClassSpec(Ctor)) {
    this.name = name;
    this.lname = name.toLowerCase();
    this.spec = spec;
    this.className = spec.tangoClass;
    this.ctx = ctx;
    this.logger = ctx.logger.child?.(`tango:server:${this.lname}`) ?? ctx.logger;
    for (const a of spec.attributes) {
      const rt = new AttrRuntime(a);
      if (rt.lname === "state" || rt.lname === "status") continue;
      this.attrs.set(rt.lname, rt);
      this.attrList.push(rt);
    }
    for (const c of BUILTIN_COMMANDS) this.commands.set(c.name.toLowerCase(), c);
    for (const c of spec.commands) this.commands.set(c.name.toLowerCase(), c);
    for (const p of spec.pipes ?? []) {
      const pr = new PipeRuntime(p);
      if (this.pipes.has(pr.lname)) continue;
      this.pipes.set(pr.lname, pr);
      this.pipeList.push(pr);
    }
    this.device = new Ctor();
    bindDeviceHost(this.device, this.#host());
  }

  #host(): DeviceHost {
    return {
      name: this.name,
      className: this.className,
      logger: this.logger,
      push: (kind, attr, value, opts) => this.#push(kind, attr, value, opts),
      pushPipe: (pipe, value, opts) => this.#pushPipe(pipe, value, opts),
      pushDataReady: (attr, ctr) => {
        const a = this.attr(attr);
        this.ctx.events?.pushDataReady(this.lname, a.lname, a.dataType, ctr);
      },
      setEventFlags: (kind, attr, implemented, detect) => {
        const a = this.attr(attr);
        if (kind === "dataReady") a.dataReady = implemented;
        else a[kind] = { implemented, detect };
      },
      property: (name) =>
        this.#propValues.has(name.toLowerCase()) ? this.#propValues.get(name.toLowerCase()) : this.rawProps[name.toLowerCase()],
      onStateChange: () => {},
      clientContext: () => {
        if (!this.ctx.clientContext)
          throw DevFailed.from("API_NoClientContext", `${this.name}: this server gives devices no client context`, "DeviceRuntime");
        return this.ctx.clientContext();
      },
    };
  }

  /** The attribute (case-insensitive) or DevFailed API_AttrNotFound. */
  attr(name: string): AttrRuntime {
    const a = this.attrs.get(name.toLowerCase());
    if (!a) throw DevFailed.from("API_AttrNotFound", `${name} attribute not found`, "MultiAttribute::get_attr_ind_by_name");
    return a;
  }

  /** Like attr(), also returning the State/Status pseudo attributes. */
  attrOrBuiltin(name: string): AttrRuntime {
    return this.#builtin.get(name.toLowerCase()) ?? this.attr(name);
  }

  /** The pipe (case-insensitive) or DevFailed API_PipeNotFound (cppTango's text). */
  pipe(name: string): PipeRuntime {
    const p = this.pipes.get(name.toLowerCase());
    if (!p) throw pipeNotFound(name);
    return p;
  }

  command(name: string): CommandSpec {
    const c = this.commands.get(name.toLowerCase());
    if (!c) throw DevFailed.from("API_CommandNotFound", `Command ${name} not found`, "DeviceClass::command_handler");
    return c;
  }

  get initError(): DevFailed | undefined {
    return this.#initError;
  }

  // ----------------------------------------------------------------------------------------------- lifecycle

  async #loadProperties(): Promise<void> {
    const store = this.ctx.store;
    const classRaw = store ? lowerKeys(await store.classProperties(this.className)) : {};
    const devRaw = store ? lowerKeys(await store.deviceProperties(this.name)) : {};
    this.rawProps = devRaw;
    this.allowedAccessCmds = new Set((classRaw.allowedaccesscmd ?? []).map((c) => c.toLowerCase()));
    this.#propValues.clear();
    const missing: string[] = [];
    const apply = (specs: readonly PropertySpec[], raw: Record<string, string[]>, fallback?: Record<string, string[]>): void => {
      for (const p of specs) {
        const values = raw[p.name.toLowerCase()] ?? fallback?.[p.name.toLowerCase()];
        if ((!values || values.length === 0) && p.mandatory && p.default === undefined) missing.push(p.name);
        const v = propValue(p, values);
        this.#propValues.set(p.name.toLowerCase(), v);
        if (v !== undefined) p.set?.(this.device, v);
      }
    };
    apply(this.spec.classProperties, classRaw);
    // A device property falls back on the class property of the same name (Tango convention).
    apply(this.spec.deviceProperties, devRaw, classRaw);
    if (store && this.attrList.length > 0) {
      const ap = await store.attributeProperties(
        this.name,
        this.attrList.map((a) => a.name),
      );
      for (const a of this.attrList) {
        const props = ap[a.lname];
        if (props) a.applyDbProps(props);
      }
    }
    if (store && this.pipeList.length > 0) await this.#loadPipeProperties(store);
    if (missing.length > 0) {
      throw DevFailed.from(
        "API_PropertyNotFound",
        `Mandatory device property ${missing.join(", ")} not defined for ${this.name}`,
        "DeviceRuntime::init",
      );
    }
  }

  async #loadPipeProperties(store: DeviceStore): Promise<void> {
    const names = this.pipeList.map((p) => p.name);
    const cls = (await store.classPipeProperties?.(this.className, names)) ?? {};
    const dev = (await store.pipeProperties?.(this.name, names)) ?? {};
    const props = (m: Record<string, string[]> | undefined): PipeDbProps => {
      const out: { label?: string; description?: string } = {};
      for (const [k, v] of Object.entries(m ?? {})) {
        const key = k.toLowerCase();
        if ((key === "label" || key === "description") && v.length > 0) out[key] = v.join("\n");
      }
      return out;
    };
    for (const p of this.pipeList) p.applyDbProps(props(cls[p.lname]), props(dev[p.lname]));
  }

  /** Startup: properties, init(), memorized values. Init failures put the device in FAULT instead of throwing. */
  async start(): Promise<void> {
    this.device.setState("UNKNOWN");
    try {
      await this.#loadProperties();
      await this.device.init();
      await this.#applyMemorized();
      this.#initError = undefined;
    } catch (e) {
      const df = jsError(e, "API_InitFailed", `init of ${this.name} failed`, "DeviceRuntime::start");
      this.#initError = df;
      this.logger.error("device init failed", { device: this.name, error: df.message });
      this.device.setState("FAULT");
      this.device.setStatus(`Init failed: ${df.errors[0]?.desc ?? df.message}`);
    }
  }

  /** The Init command: delete(), reload properties, init(). */
  async reinit(): Promise<void> {
    try {
      await this.device.delete();
    } catch (e) {
      this.logger.warn("device delete failed", { device: this.name, error: String(e) });
    }
    try {
      await this.#loadProperties();
      await this.device.init();
      this.#initError = undefined;
    } catch (e) {
      const df = jsError(e, "API_InitFailed", `Init of ${this.name} failed`, "DeviceRuntime::reinit");
      this.#initError = df;
      this.device.setState("FAULT");
      this.device.setStatus(`Init failed: ${df.errors[0]?.desc ?? df.message}`);
      throw df;
    }
  }

  async shutdown(): Promise<void> {
    for (const p of this.polled.values()) if (p.timer) clearTimeout(p.timer);
    this.polled.clear();
    try {
      await this.device.delete();
    } catch (e) {
      this.logger.warn("device delete failed", { device: this.name, error: String(e) });
    }
  }

  async #applyMemorized(): Promise<void> {
    const store = this.ctx.store;
    const mem = this.attrList.filter((a) => a.spec.memorized && a.writable);
    if (!store || mem.length === 0) return;
    const ap = await store.attributeProperties(
      this.name,
      mem.map((a) => a.name),
    );
    for (const a of mem) {
      const v = ap[a.lname]?.__value;
      if (!v || v.length === 0) continue;
      const items = v.map((s) => memorizedItem(a.spec.dtype, s));
      const value = shapeWritten(a.spec, items, { x: items.length, y: 0 });
      try {
        if (a.spec.memorizedInit !== false && a.spec.write) await a.spec.write(this.device, value);
        a.setPoint = value;
        a.hasSetPoint = true;
        a.writeTime = this.ctx.clock.now();
      } catch (e) {
        this.logger.warn("memorized value could not be written", { attr: a.name, error: String(e) });
      }
    }
  }

  // ----------------------------------------------------------------------------------------------- black box

  /** Records an operation in the black box (formatted lazily by blackBoxLines). */
  record(entry: string): void {
    const i = this.#bbSlot();
    this.#bbEntry[i] = entry;
    this.#bbAttrs[i] = undefined;
  }

  /** Records `Operation <op> (attr = <names, ...>) requested from <peer>`, joining the names only when it is read. */
  recordAttrs(op: string, names: readonly string[], peer: string): void {
    const i = this.#bbSlot();
    this.#bbEntry[i] = op;
    this.#bbAttrs[i] = names;
    this.#bbPeer[i] = peer;
  }

  /** Takes the next ring slot (overwriting the oldest when full) and stamps it with the time. */
  #bbSlot(): number {
    const i = this.#bbNext;
    this.#bbNext = i + 1 === this.blackBoxDepth ? 0 : i + 1;
    if (this.#bbCount < this.blackBoxDepth) this.#bbCount++;
    this.#bbTime[i] = this.ctx.clock.now();
    return i;
  }

  /** The last `n` black-box entries, newest first (cppTango layout: `<date> : <operation> ...`). */
  blackBoxLines(n: number): string[] {
    const out: string[] = [];
    const depth = this.blackBoxDepth;
    for (let k = 1; k <= this.#bbCount && out.length < n; k++) {
      const i = (this.#bbNext - k + depth) % depth;
      const d = new Date(this.#bbTime[i] as number);
      const names = this.#bbAttrs[i];
      const entry = names
        ? `Operation ${this.#bbEntry[i] as string} (attr = ${names.join(", ")}) requested from ${this.#bbPeer[i] as string}`
        : (this.#bbEntry[i] as string);
      out.push(`${d.toISOString().replace("T", " ").replace("Z", "")} : ${entry}`);
    }
    return out;
  }

  // ----------------------------------------------------------------------------------------------- state / status

  async readState(hook = true): Promise<DevStateName> {
    if (hook) await this.#hook();
    return await this.device.devState();
  }
  async readStatus(hook = true): Promise<string> {
    if (hook) await this.#hook();
    return await this.device.devStatus();
  }

  async #hook(): Promise<void> {
    await this.#hookNow();
  }

  /** Runs always_executed_hook: undefined when it completed synchronously, else a promise of its completion. */
  #hookNow(): Promise<void> | undefined {
    let r: void | Promise<void>;
    try {
      r = this.device.alwaysExecutedHook();
    } catch (e) {
      throw this.#hookFailed(e);
    }
    if (!isThenable(r)) return undefined;
    return Promise.resolve(r).then(
      () => undefined,
      (e: unknown) => {
        throw this.#hookFailed(e);
      },
    );
  }

  #hookFailed(e: unknown): DevFailed {
    return jsError(e, "API_AlwaysExecutedHookFailed", "always_executed_hook failed", `${this.className}::always_executed_hook`);
  }

  // ----------------------------------------------------------------------------------------------- commands

  commandInfo(c: CommandSpec): DevCmdInfo {
    return {
      name: c.name,
      level: DispLevelNames.indexOf(c.displayLevel ?? "OPERATOR"),
      tag: 0,
      inType: CmdArgType[c.in],
      outType: CmdArgType[c.out],
      inTypeDesc: c.inDesc ?? "Uninitialised",
      outTypeDesc: c.outDesc ?? "Uninitialised",
    };
  }

  commandInfoList(): DevCmdInfo[] {
    return [...this.commands.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((c) => this.commandInfo(c));
  }

  /** command_inout: hook, guard, argin check, execute, argout. Caller holds the monitor. */
  async executeCommand(name: string, argin: AnyValue): Promise<AnyValue> {
    const c = this.command(name);
    await this.#hook();
    const arg = fromAny(c.in, argin);
    return toAny(c.out, await this.#execute(c, arg));
  }

  async #execute(c: CommandSpec, arg: unknown): Promise<unknown> {
    const lname = c.name.toLowerCase();
    if (c.allowedIn && !c.allowedIn.includes(this.device.state)) throw this.#notAllowed(c.name);
    if (c.allowed) {
      let ok: boolean;
      try {
        // A synchronous guard is not awaited: guard and execution then run in the same turn, so with NO_SYNC two
        // concurrent requests cannot both pass a state guard before either changes the state.
        const r = c.allowed(this.device, arg);
        ok = r instanceof Promise ? await r : r;
      } catch (e) {
        throw jsError(e, "API_CommandFailed", `is_allowed of ${c.name} failed`, `${this.className}::is_${c.name}_allowed`);
      }
      if (!ok) throw this.#notAllowed(c.name);
    }
    if (!c.execute) {
      if (lname === "state") return await this.device.devState();
      if (lname === "status") return await this.device.devStatus();
      if (lname === "init") return await this.reinit();
      return undefined;
    }
    try {
      return await c.execute(this.device, arg);
    } catch (e) {
      throw jsError(e, "API_CommandFailed", `Command ${c.name} failed on ${this.name}`, `${this.className}::${c.name}`);
    }
  }

  #notAllowed(cmd: string): DevFailed {
    return DevFailed.from(
      "API_CommandNotAllowed",
      `Command ${cmd} not allowed when the device is in ${this.device.state} state`,
      "DeviceClass::command_handler",
    );
  }

  // ----------------------------------------------------------------------------------------------- attribute reads

  /** read_attributes*: one hook call, then each attribute; per-attribute errors are values. */
  async readAttributes(names: readonly string[], opts: { hook?: boolean } = {}): Promise<AttrResult[]> {
    return await this.readAttributesNow(names, opts.hook !== false);
  }

  /**
   * readAttributes, synchronous when it can be: the results themselves when the hook and every read completed in
   * this turn, else a promise of them (the rest then runs as readAttributes would). Throws (or rejects) only when the
   * hook fails.
   */
  readAttributesNow(names: readonly string[], hook = true): AttrResult[] | Promise<AttrResult[]> {
    const h = hook ? this.#hookNow() : undefined;
    if (h) return h.then(() => this.#readFrom(names, 0, []));
    return this.#readFrom(names, 0, []);
  }

  #readFrom(names: readonly string[], from: number, out: AttrResult[]): AttrResult[] | Promise<AttrResult[]> {
    for (let i = from; i < names.length; i++) {
      const r = this.readOneNow(names[i] as string);
      if (isThenable(r)) return this.#readRest(r, names, i + 1, out);
      out.push(r);
    }
    return out;
  }

  async #readRest(pending: Promise<AttrResult>, names: readonly string[], from: number, out: AttrResult[]): Promise<AttrResult[]> {
    out.push(await pending);
    for (let i = from; i < names.length; i++) out.push(await this.readOneNow(names[i] as string));
    return out;
  }

  async readOne(name: string): Promise<AttrResult> {
    return await this.readOneNow(name);
  }

  /** readOne, synchronous when the device's state/status, allowed() and read handler are: never throws or rejects. */
  readOneNow(name: string): AttrResult | Promise<AttrResult> {
    const lname = name.toLowerCase();
    const now = this.ctx.clock.now(); // the time of State/Status readings and of a failed reading
    let r: AttrResult | Promise<AttrResult>;
    try {
      r = this.#readValid(name, lname, now);
    } catch (e) {
      return this.#readFailed(e, name, lname, now);
    }
    if (!isThenable(r)) return r;
    return r.then(undefined, (e: unknown) => this.#readFailed(e, name, lname, now));
  }

  #readFailed(e: unknown, name: string, lname: string, now: number): AttrResult {
    const df = e instanceof DevFailed ? e : jsError(e, "API_AttributeFailed", `read of ${name} failed`, "DeviceRuntime::readOne");
    return this.errorResult(this.attrs.get(lname), name, df.errors, timeValNow(now));
  }

  /** The reading, or a promise of it; throws (rejects) on any failure. */
  #readValid(name: string, lname: string, now: number): AttrResult | Promise<AttrResult> {
    if (lname === "state") {
      const s = this.device.devState();
      return isThenable(s) ? Promise.resolve(s).then((v) => stateReading(v, timeValNow(now))) : stateReading(s, timeValNow(now));
    }
    if (lname === "status") {
      const s = this.device.devStatus();
      return isThenable(s) ? Promise.resolve(s).then((v) => statusReading(v, timeValNow(now))) : statusReading(s, timeValNow(now));
    }
    const a = this.attr(name);
    const allowed = this.#checkAllowed(a, "READ_REQ");
    if (allowed) return allowed.then(() => this.#readAttr(a));
    return this.#readAttr(a);
  }

  #readAttr(a: AttrRuntime): AttrResult | Promise<AttrResult> {
    if (!a.readable) return this.resultOf(a, a.setPoint);
    if (!a.spec.read) {
      throw DevFailed.from(
        "API_AttrValueNotSet",
        `Value for attribute ${a.name} has not been updated`,
        "Device_3Impl::read_attributes_no_except",
      );
    }
    let raw: unknown;
    try {
      raw = a.spec.read(this.device);
    } catch (e) {
      throw this.#readHandlerFailed(a, e);
    }
    if (!isThenable(raw)) return this.resultOf(a, raw);
    return Promise.resolve(raw).then(
      (v) => this.resultOf(a, v),
      (e: unknown) => {
        throw this.#readHandlerFailed(a, e);
      },
    );
  }

  #readHandlerFailed(a: AttrRuntime, e: unknown): DevFailed {
    return jsError(e, "API_AttributeFailed", `read of attribute ${a.name} failed`, `${this.className}::read_${a.name}`);
  }

  /** Builds a result from a read value (or an AttrReading), adding the set point and the alarm quality. */
  resultOf(a: AttrRuntime, raw: unknown, override: PushOptions = NO_OVERRIDE): AttrResult {
    let value = raw;
    let qualityName: string = "ATTR_VALID";
    let timeMs = this.ctx.clock.now();
    if (isReading(raw)) {
      value = raw.value;
      qualityName = raw.quality;
      if (raw.time !== undefined) timeMs = raw.time;
    }
    if (override.quality) qualityName = override.quality;
    if (override.time !== undefined) timeMs = override.time;
    const time = timeValNow(timeMs);
    if (qualityName === "ATTR_INVALID") {
      return { ...this.errorResult(a, a.name, [], time), quality: 1 };
    }
    if (value === undefined || value === null) {
      throw DevFailed.from(
        "API_AttrValueNotSet",
        `Value for attribute ${a.name} has not been updated`,
        "Device_3Impl::read_attributes_no_except",
      );
    }
    const shape = { name: a.name, dtype: a.spec.dtype, dataFormat: a.spec.dataFormat, enumLabels: a.props.enumLabels };
    const r = flatten(a.spec.dataFormat, value);
    // A scalar's items are a fresh one-element array already; spectra and images may be the device's own arrays.
    const readItems = a.spec.dataFormat === "SCALAR" ? (r.items as unknown[]) : Array.from(r.items);
    let allItems = readItems;
    let wDim: AttributeDim = { x: 0, y: 0 };
    if (a.spec.access === "READ_WRITE" || a.spec.access === "READ_WITH_WRITE" || a.spec.access === "WRITE") {
      const sp = a.hasSetPoint ? a.setPoint : a.spec.access === "WRITE" ? value : value;
      const w = flatten(a.spec.dataFormat, sp);
      wDim = w.dim;
      allItems = readItems.concat(Array.from(w.items));
    }
    if (qualityName === "ATTR_VALID" && a.spec.dataFormat === "SCALAR" && a.isNumeric) qualityName = this.#alarmQuality(a, readItems[0]);
    return {
      name: a.name,
      dtype: a.spec.dtype,
      dataFormat: AttrDataFormatNames.indexOf(a.spec.dataFormat),
      dataType: a.dataType,
      union: unionOf(shape, allItems),
      quality: QUALITY(qualityName),
      time,
      rDim: r.dim,
      wDim,
      errors: [],
      readItems,
      allItems,
    };
  }

  #alarmQuality(a: AttrRuntime, v: unknown): string {
    const x = Number(v);
    if (Number.isNaN(x)) return "ATTR_VALID";
    const minA = parseLimit(a.props.minAlarm);
    const maxA = parseLimit(a.props.maxAlarm);
    if ((minA !== undefined && x < minA) || (maxA !== undefined && x > maxA)) return "ATTR_ALARM";
    const minW = parseLimit(a.props.minWarning);
    const maxW = parseLimit(a.props.maxWarning);
    if ((minW !== undefined && x < minW) || (maxW !== undefined && x > maxW)) return "ATTR_WARNING";
    return "ATTR_VALID";
  }

  errorResult(a: AttrRuntime | undefined, name: string, errors: readonly DevError[], time: TimeVal): AttrResult {
    return {
      name: a?.name ?? name,
      dtype: a?.spec.dtype ?? "DevVoid",
      dataFormat: a ? AttrDataFormatNames.indexOf(a.spec.dataFormat) : 3,
      dataType: a ? a.dataType : 100,
      union: NO_DATA,
      quality: 1,
      time,
      rDim: { x: 0, y: 0 },
      wDim: { x: 0, y: 0 },
      errors,
      readItems: [],
      allItems: [],
    };
  }

  /** Throws API_AttrNotAllowed; returns a promise only when the attribute's allowed() guard returned one. */
  #checkAllowed(a: AttrRuntime, req: "READ_REQ" | "WRITE_REQ"): Promise<void> | undefined {
    if (a.spec.allowedIn && !a.spec.allowedIn.includes(this.device.state)) throw notAllowed(a, req);
    if (!a.spec.allowed) return undefined;
    const ok = a.spec.allowed(this.device, req);
    if (isThenable(ok)) {
      return Promise.resolve(ok).then((yes) => {
        if (!yes) throw notAllowed(a, req);
      });
    }
    if (!ok) throw notAllowed(a, req);
    return undefined;
  }

  // ----------------------------------------------------------------------------------------------- attribute writes

  /**
   * Writes attributes whose values were already decoded to elements (type-checked by the caller). Returns the
   * per-attribute errors (empty = all written), like cppTango's MultiDevFailed content.
   */
  async writeAttributes(
    items: readonly { name: string; decode: (a: AttrRuntime) => unknown[]; dim: AttributeDim }[],
    opts: { hook?: boolean } = {},
  ): Promise<NamedDevError[]> {
    if (opts.hook !== false) await this.#hook();
    const failed: NamedDevError[] = [];
    for (let i = 0; i < items.length; i++) {
      const it = items[i] as (typeof items)[number];
      try {
        const a = this.attr(it.name);
        await this.writeOne(a, it.decode(a), it.dim);
      } catch (e) {
        const df =
          e instanceof DevFailed ? e : jsError(e, "API_AttributeFailed", `write of ${it.name} failed`, "DeviceRuntime::writeAttributes");
        failed.push({ name: it.name, indexInCall: i, errors: df.errors });
      }
    }
    return failed;
  }

  async writeOne(a: AttrRuntime, items: unknown[], dim: AttributeDim): Promise<void> {
    if (!a.writable) throw DevFailed.from("API_AttrNotWritable", `Attribute ${a.name} is not writable`, "Device_3Impl::write_attributes");
    await this.#checkAllowed(a, "WRITE_REQ");
    this.#checkLimits(a, items);
    const value = shapeWritten(a.spec, items, dim);
    if (!a.spec.write)
      throw DevFailed.from("API_AttrNotWritable", `Attribute ${a.name} has no write handler`, "Device_3Impl::write_attributes");
    try {
      await a.spec.write(this.device, value);
    } catch (e) {
      throw jsError(e, "API_AttributeFailed", `write of attribute ${a.name} failed`, `${this.className}::write_${a.name}`);
    }
    a.setPoint = value;
    a.hasSetPoint = true;
    a.writeTime = this.ctx.clock.now();
    if (a.spec.memorized && this.ctx.store && a.spec.dataFormat === "SCALAR") {
      const s = memorizedString(a.spec.dtype, items[0]);
      await this.ctx.store.putAttributeProperties(this.name, a.name, { __value: [s] }).catch((e: unknown) => {
        this.logger.warn("cannot store memorized value", { attr: a.name, error: String(e) });
      });
    }
  }

  #checkLimits(a: AttrRuntime, items: unknown[]): void {
    if (a.spec.dtype === "DevEnum") {
      const n = a.props.enumLabels.length;
      items.forEach((v, i) => {
        const x = Number(v);
        if (x < 0 || (n > 0 && x >= n)) {
          throw DevFailed.from(
            "API_WAttrOutsideLimit",
            `Set value for attribute ${a.name} is ${x < 0 ? "negative" : "above the maximum authorized"} (at least element ${i})`,
            "WAttribute::check_written_value()",
          );
        }
      });
      return;
    }
    if (!a.isNumeric) return;
    const min = a.minValue;
    const max = a.maxValue;
    if (min === undefined && max === undefined) return;
    items.forEach((v, i) => {
      const x = Number(v);
      if (min !== undefined && x < min) {
        throw DevFailed.from(
          "API_WAttrOutsideLimit",
          `Set value for attribute ${a.name} is below the minimum authorized (at least element ${i})`,
          "WAttribute::check_written_value()",
        );
      }
      if (max !== undefined && x > max) {
        throw DevFailed.from(
          "API_WAttrOutsideLimit",
          `Set value for attribute ${a.name} is above the maximum authorized (at least element ${i})`,
          "WAttribute::check_written_value()",
        );
      }
    });
  }

  // ----------------------------------------------------------------------------------------------- attribute config

  attributeConfigs(names: readonly string[]): AttributeConfig[] {
    const all = names.length === 1 && /^All attributes(_3)?$/.test(names[0] as string);
    if (all) return [...this.attrList.map((a) => a.config()), stateConfig(), statusConfig()];
    return names.map((n) => {
      const l = n.toLowerCase();
      if (l === "state") return stateConfig();
      if (l === "status") return statusConfig();
      return this.attr(n).config();
    });
  }

  async setAttributeConfigs(list: readonly AttributeConfig[], version: 1 | 2 | 3 | 5): Promise<void> {
    await this.#hook();
    for (const c of list) {
      const l = c.name.toLowerCase();
      if (l === "state" || l === "status") continue;
      const a = this.attr(c.name);
      const changed = a.applyConfig(c, version);
      if (Object.keys(changed).length === 0) continue;
      if (this.ctx.store) {
        const props: Record<string, string[]> = {};
        for (const [k, v] of Object.entries(changed)) props[k] = k === "enum_labels" ? a.props.enumLabels : [v];
        await this.ctx.store.putAttributeProperties(this.name, a.name, props).catch((e: unknown) => {
          this.logger.warn("cannot store attribute properties", { attr: a.name, error: String(e) });
        });
      }
      this.ctx.events?.pushAttrConf(this.lname, a.lname, a.config());
    }
  }

  // ----------------------------------------------------------------------------------------------- pipes

  /** get_pipe_config_5: "All pipes" or the named ones (API_PipeNotFound for an unknown name). */
  pipeConfigs(names: readonly string[]): PipeConfig[] {
    if (names.length === 1 && names[0] === "All pipes") return this.pipeList.map((p) => p.config());
    return names.map((n) => this.pipe(n).config());
  }

  /**
   * set_pipe_config_5 (caller holds the monitor): label/description of each pipe, stored as device pipe properties.
   * As cppTango, a failure names what was updated in its reason.
   */
  async setPipeConfigs(list: readonly PipeConfig[]): Promise<void> {
    if (this.pipeList.length === 0)
      throw DevFailed.from("API_PipeNotFound", "The device does not have any pipe", "Device_5Impl::set_pipe_config_5");
    for (let i = 0; i < list.length; i++) {
      const c = list[i] as PipeConfig;
      let p: PipeRuntime;
      let change: ReturnType<PipeRuntime["applyConfig"]>;
      try {
        p = this.pipe(c.name);
        change = p.applyConfig(c);
      } catch (e) {
        if (!(e instanceof DevFailed)) throw e;
        let reason = e.errors[0]?.reason ?? "";
        if (i !== 0) reason += "\nAll previous pipe(s) have been successfully updated";
        if (i !== list.length - 1) reason += "\nAll remaining pipe(s) have not been updated";
        throw new DevFailed([{ ...(e.errors[0] as DevError), reason }, ...e.errors.slice(1)], { cause: e });
      }
      const store = this.ctx.store;
      if (!store) continue;
      try {
        if (Object.keys(change.put).length > 0) await store.putPipeProperties?.(this.name, p.name, change.put);
        if (change.del.length > 0) await store.deletePipeProperties?.(this.name, p.name, change.del);
      } catch (e) {
        this.logger.warn("cannot store pipe properties", { pipe: p.name, error: String(e) });
      }
    }
  }

  /** Throws API_PipeNotAllowed; a promise only when the pipe's allowed() guard returned one. */
  #checkPipeAllowed(p: PipeRuntime, req: "READ_REQ" | "WRITE_REQ"): Promise<void> | undefined {
    if (p.spec.allowedIn && !p.spec.allowedIn.includes(this.device.state)) throw pipeNotAllowed(p.name, req);
    if (!p.spec.allowed) return undefined;
    let ok: boolean | Promise<boolean>;
    try {
      ok = p.spec.allowed(this.device, req);
    } catch (e) {
      throw jsError(e, "API_PipeFailed", `is_allowed of pipe ${p.name} failed`, `${this.className}::is_${p.name}_allowed`);
    }
    if (isThenable(ok)) {
      return Promise.resolve(ok).then((yes) => {
        if (!yes) throw pipeNotAllowed(p.name, req);
      });
    }
    if (!ok) throw pipeNotAllowed(p.name, req);
    return undefined;
  }

  /** read_pipe_5 (caller holds the monitor): pipe, always_executed_hook, is_allowed, read handler, blob. */
  async readPipe(name: string): Promise<DevPipeData> {
    const p = this.pipe(name);
    await this.#hook();
    await this.#checkPipeAllowed(p, "READ_REQ");
    const origin = `${this.className}::read_${p.name}`;
    const time = timeValNow(this.ctx.clock.now());
    let raw: unknown;
    try {
      raw = p.spec.read ? await p.spec.read(this.device) : undefined;
    } catch (e) {
      throw jsError(e, "API_PipeFailed", `read of pipe ${p.name} failed`, origin);
    }
    return { name: p.name, time, blob: wireBlobOf(raw, p.name, origin) };
  }

  /** write_pipe_5 (caller holds the monitor and checked the lock): pipe, writable, hook, is_allowed, write handler. */
  async writePipe(data: DevPipeData): Promise<void> {
    const p = this.pipe(data.name);
    if (!p.writable || !p.spec.write) throw pipeNotWritable(data.name);
    await this.#hook();
    await this.#checkPipeAllowed(p, "WRITE_REQ");
    const blob = blobValueOf(data.blob);
    try {
      await p.spec.write(this.device, blob);
    } catch (e) {
      throw jsError(e, "API_PipeFailed", `write of pipe ${p.name} failed`, `${this.className}::write_${p.name}`);
    }
  }

  /** Pipe event subscription check (cppTango: the pipe must exist). */
  checkPipeSubscription(name: string): PipeRuntime {
    return this.pipe(name);
  }

  #pushPipe(name: string, value: unknown, opts: PushOptions): void {
    const p = this.pipe(name);
    const sink = this.ctx.events;
    if (!sink?.pushPipe || !sink.wants(this.lname, p.lname, "pipe")) return;
    if (value instanceof Error) {
      const df = value instanceof DevFailed ? value : jsError(value, "API_PipeFailed", `error pushed for pipe ${p.name}`, this.className);
      sink.pushPipe(this.lname, p.lname, df.errors);
      return;
    }
    const blob = wireBlobOf(value, p.name, `${this.className}::push_pipe_event`);
    sink.pushPipe(this.lname, p.lname, { name: p.name, time: timeValNow(opts.time ?? this.ctx.clock.now()), blob });
  }

  // ----------------------------------------------------------------------------------------------- events

  #push(kind: PushedEventKind, attrName: string, value: unknown, opts: PushOptions): void {
    const a = this.attrOrBuiltin(attrName);
    const sink = this.ctx.events;
    if (!sink?.wants(this.lname, a.lname, kind)) {
      // Keep detection state current so the first event after a subscription compares with the right value.
      if (value !== undefined && !(value instanceof Error)) this.#rememberOnly(kind, a, value, opts);
      return;
    }
    if (value === undefined) {
      void this.readOne(a.name).then(
        (r) => this.emit(kind, a, r, detectOf(a, kind)),
        (e: unknown) => this.logger.warn("event read failed", { attr: a.name, error: String(e) }),
      );
      return;
    }
    let r: AttrResult;
    if (value instanceof Error) {
      const df = value instanceof DevFailed ? value : jsError(value, "API_AttributeFailed", `error pushed for ${a.name}`, this.className);
      r = this.errorResult(a, a.name, df.errors, timeValNow(opts.time ?? this.ctx.clock.now()));
    } else {
      try {
        r = this.resultOf(a, value, opts);
      } catch (e) {
        const df = e instanceof DevFailed ? e : jsError(e, "API_AttributeFailed", `bad value pushed for ${a.name}`, this.className);
        r = this.errorResult(a, a.name, df.errors, timeValNow());
      }
    }
    this.emit(kind, a, r, detectOf(a, kind));
  }

  #rememberOnly(kind: PushedEventKind, a: AttrRuntime, value: unknown, opts: PushOptions): void {
    if (kind === "user") return;
    if (kind === "alarm") {
      this.#snapshots.delete(`alarm:${a.lname}`);
      return;
    }
    try {
      const r = this.resultOf(a, value, opts);
      this.#snapshots.set(`${kind}:${a.lname}`, snap(r));
    } catch {
      // ignore: nothing to remember
    }
  }

  /** Sends an attribute event through the sink, applying change/archive/alarm detection when `detect` is set. */
  emit(kind: AttrEventKind, a: AttrRuntime, r: AttrResult, detect: boolean): void {
    const sink = this.ctx.events;
    if (!sink) return;
    if (kind === "alarm") {
      const key = `alarm:${a.lname}`;
      // As cppTango 10: the first alarm event after a new subscription is always sent, so nothing is remembered
      // while nobody listens.
      if (!sink.wants(this.lname, a.lname, kind)) {
        this.#snapshots.delete(key);
        return;
      }
      const cur = snap(r);
      if (detect && !isAlarmChange(this.#snapshots.get(key), cur)) return;
      this.#snapshots.set(key, cur);
    } else if (kind === "change" || kind === "archive") {
      const key = `${kind}:${a.lname}`;
      const cur = snap(r);
      if (detect) {
        const abs = parseCriteria(kind === "change" ? a.props.absChange : a.props.archiveAbsChange);
        const rel = parseCriteria(kind === "change" ? a.props.relChange : a.props.archiveRelChange);
        const prev = this.#snapshots.get(key);
        let send = isChange(prev, cur, a.isNumeric, abs, rel);
        if (!send && kind === "archive") {
          const period = parseLimit(a.props.archivePeriod);
          const last = this.#lastArchive.get(a.lname) ?? 0;
          if (period !== undefined && period > 0 && this.ctx.clock.now() - last >= period) send = true;
        }
        if (!send) return;
      }
      this.#snapshots.set(key, cur);
      if (kind === "archive") this.#lastArchive.set(a.lname, this.ctx.clock.now());
    }
    if (sink.wants(this.lname, a.lname, kind)) sink.pushAttr(this.lname, a.lname, kind, r);
  }

  /** Called by the poller after each attribute poll: change, archive, periodic detection (cppTango order). */
  afterPoll(a: AttrRuntime, r: AttrResult): void {
    const sink = this.ctx.events;
    if (!sink) return;
    if (!a.change.implemented || a.change.detect) this.emit("change", a, r, true);
    if (!a.archive.implemented || a.archive.detect) this.emit("archive", a, r, true);
    if (!a.alarm.implemented || a.alarm.detect) this.emit("alarm", a, r, true);
    const period = parseLimit(a.props.eventPeriod) ?? 1000;
    const last = this.#lastPeriodic.get(a.lname) ?? 0;
    const now = this.ctx.clock.now();
    const due = period < 5000 ? period * 0.98 : period - 100;
    if (now - last >= due) {
      this.#lastPeriodic.set(a.lname, now);
      if (sink.wants(this.lname, a.lname, "periodic")) sink.pushAttr(this.lname, a.lname, "periodic", r);
    }
  }

  /** cppTango's subscription preconditions (API_AttributePollingNotStarted, API_EventPropertiesNotSet...). */
  checkSubscription(attrName: string, event: string): AttrRuntime {
    const a = this.attrOrBuiltin(attrName);
    const polled = this.polled.has(`attribute:${a.lname}`);
    if (event === "change" || event === "archive") {
      const flags = event === "change" ? a.change : a.archive;
      if (!polled && !flags.implemented) throw pollingNotStarted(this.name, a.name);
      if ((polled || flags.detect) && a.isNumeric) {
        const abs = event === "change" ? a.props.absChange : a.props.archiveAbsChange;
        const rel = event === "change" ? a.props.relChange : a.props.archiveRelChange;
        const per = event === "archive" ? parseLimit(a.props.archivePeriod) : undefined;
        if (!parseCriteria(abs) && !parseCriteria(rel) && per === undefined) {
          throw DevFailed.from(
            "API_EventPropertiesNotSet",
            `Event properties (abs_change or rel_change) for attribute ${a.name} are not set`,
            "EventSupplier::verify_event_subscription",
          );
        }
      }
    } else if (event === "alarm") {
      if (!polled && !a.alarm.implemented) throw pollingNotStarted(this.name, a.name);
    } else if (event === "periodic") {
      if (!polled) throw pollingNotStarted(this.name, a.name);
    } else if (event === "data_ready") {
      if (!a.dataReady) {
        throw DevFailed.from(
          "API_AttributeNotDataReadyEnabled",
          `The attribute ${a.name} is not data ready event enabled`,
          "DServer::event_subscription",
        );
      }
    }
    return a;
  }
}

/** The `detect` flag of a code-pushed event kind (periodic and user events are never filtered). */
function detectOf(a: AttrRuntime, kind: PushedEventKind): boolean {
  if (kind === "change") return a.change.detect;
  if (kind === "archive") return a.archive.detect;
  if (kind === "alarm") return a.alarm.detect;
  return false;
}

function pollingNotStarted(dev: string, attr: string): DevFailed {
  return DevFailed.from(
    "API_AttributePollingNotStarted",
    `The polling (necessary to send events) for the attribute ${attr.toLowerCase()} is not started`,
    `DServer::event_subscription (${dev})`,
  );
}

function snap(r: AttrResult): Snapshot {
  return { items: r.readItems, quality: r.quality, error: r.errors.length > 0 ? (r.errors[0]?.reason ?? "error") : undefined };
}

function lowerKeys(o: Record<string, string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(o)) out[k.toLowerCase()] = v;
  return out;
}

function memorizedString(dtype: CmdArgTypeName, v: unknown): string {
  if (dtype === "DevBoolean") return v ? "true" : "false";
  return String(v);
}
function memorizedItem(dtype: CmdArgTypeName, s: string): unknown {
  switch (dtype) {
    case "DevString":
      return s;
    case "DevBoolean":
      return /^(true|1)$/i.test(s.trim());
    case "DevLong64":
    case "DevULong64":
      return BigInt(s.trim());
    case "DevState":
      return s.trim();
    default:
      return Number(s);
  }
}

const baseConfig = (name: string, dataType: number, format: string): AttributeConfig => ({
  name,
  writable: 0,
  dataFormat: 0,
  dataType,
  memorized: false,
  memInit: true,
  maxDimX: 1,
  maxDimY: 0,
  description: "No description",
  label: name,
  unit: "",
  standardUnit: "No standard unit",
  displayUnit: "No display unit",
  format,
  minValue: "Not specified",
  maxValue: "Not specified",
  writableAttrName: "None",
  level: 0,
  rootAttrName: "Not specified",
  enumLabels: [],
  alarms: {
    minAlarm: "Not specified",
    maxAlarm: "Not specified",
    minWarning: "Not specified",
    maxWarning: "Not specified",
    deltaT: "Not specified",
    deltaVal: "Not specified",
    extensions: [],
  },
  events: {
    change: { relChange: "Not specified", absChange: "Not specified", extensions: [] },
    periodic: { period: "1000", extensions: [] },
    archive: { relChange: "Not specified", absChange: "Not specified", period: "Not specified", extensions: [] },
  },
  extensions: [],
  sysExtensions: [],
});
const stateConfig = (): AttributeConfig => baseConfig("State", CmdArgType.DevState, "Not specified");
const statusConfig = (): AttributeConfig => baseConfig("Status", CmdArgType.DevString, "%s");
