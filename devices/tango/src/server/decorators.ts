/**
 * Authoring API: stage-3 decorators (`@device`, `@attribute`, `@command`, `@pipe`, `@deviceProperty`, `@classProperty`) and the
 * plain-object form `defineDevice`. Decorators only write a DeviceClassSpec into `context.metadata`; the runtime reads
 * the spec with `getDeviceClassSpec`.
 */

import type { PipeBlobInput, PipeBlobValue } from "../client/pipe-blob.ts";
import { InvalidArgumentError } from "../errors/errors.ts";
import type { CmdArgTypeName, DevStateName, DispLevelName } from "../idl/constants.ts";
import { Device } from "./device.ts";
import { type AnyDType, ARRAY_ELEMENT, ATTRIBUTE_DTYPES, type DevVoid, type InOf, type OutOf } from "./dtypes.ts";
import { isThenable } from "./monitor.ts";
import type {
  AttReqType,
  AttrAccess,
  AttributeProperties,
  AttributeSpec,
  CommandSpec,
  DataFormat,
  DeviceClassSpec,
  PipeAccess,
  PipeSpec,
  PropertySpec,
  SerialModel,
} from "./spec.ts";

// Node 20 has no Symbol.metadata: shim it before any decorated class is defined. Symbol.for keeps it identical to the
// fallback esbuild's decorator helpers use, whichever module runs first.
(Symbol as { metadata?: symbol }).metadata ??= Symbol.for("Symbol.metadata");
const METADATA: symbol = (Symbol as unknown as { metadata: symbol }).metadata;

const SPEC_KEY = "tango:deviceClassSpec";

interface MutableSpec {
  tangoClass?: string;
  description?: string;
  docUrl?: string;
  serialModel?: SerialModel;
  attributes: AttributeSpec[];
  commands: CommandSpec[];
  deviceProperties: PropertySpec[];
  classProperties: PropertySpec[];
  pipes: PipeSpec[];
}

function specIn(metadata: DecoratorMetadataObject): MutableSpec {
  const m = metadata as Record<string, unknown>;
  if (Object.hasOwn(m, SPEC_KEY)) return m[SPEC_KEY] as MutableSpec;
  const inherited = m[SPEC_KEY] as MutableSpec | undefined;
  const own: MutableSpec = {
    attributes: [...(inherited?.attributes ?? [])],
    commands: [...(inherited?.commands ?? [])],
    deviceProperties: [...(inherited?.deviceProperties ?? [])],
    classProperties: [...(inherited?.classProperties ?? [])],
    pipes: [...(inherited?.pipes ?? [])],
  };
  m[SPEC_KEY] = own;
  return own;
}

function upsert<T extends { name: string }>(list: T[], item: T): void {
  const i = list.findIndex((x) => x.name.toLowerCase() === item.name.toLowerCase());
  if (i >= 0) list[i] = item;
  else list.push(item);
}

/** The spec of a device class (decorated or produced by defineDevice). */
export function getDeviceClassSpec(ctor: abstract new () => Device): DeviceClassSpec {
  const meta = (ctor as unknown as Record<symbol, DecoratorMetadataObject | undefined>)[METADATA];
  const s = meta ? ((meta as Record<string, unknown>)[SPEC_KEY] as MutableSpec | undefined) : undefined;
  return {
    tangoClass: (s && Object.hasOwn(meta as object, SPEC_KEY) ? s.tangoClass : undefined) ?? ctor.name,
    description: s?.description,
    docUrl: s?.docUrl,
    serialModel: s?.serialModel,
    attributes: s?.attributes ?? [],
    commands: s?.commands ?? [],
    deviceProperties: s?.deviceProperties ?? [],
    classProperties: s?.classProperties ?? [],
    pipes: s?.pipes ?? [],
  };
}

// ------------------------------------------------------------------------------------------------- @device

export interface DeviceOptions {
  /** Tango class name (default: the JS class name). */
  readonly tangoClass?: string;
  readonly description?: string;
  readonly docUrl?: string;
  readonly serialModel?: SerialModel;
}

export function device(opts: DeviceOptions = {}) {
  return <C extends abstract new () => Device>(_target: C, ctx: ClassDecoratorContext<C>): void => {
    const s = specIn(ctx.metadata);
    s.tangoClass = opts.tangoClass ?? String(ctx.name);
    if (opts.description !== undefined) s.description = opts.description;
    if (opts.docUrl !== undefined) s.docUrl = opts.docUrl;
    if (opts.serialModel !== undefined) s.serialModel = opts.serialModel;
  };
}

// ------------------------------------------------------------------------------------------------- @attribute

/** A read value with explicit quality/time: `return reading(v, { quality: "ATTR_ALARM" })`. */
export interface AttrReading<V> {
  readonly __reading: true;
  readonly value: V | undefined;
  readonly quality: "ATTR_VALID" | "ATTR_INVALID" | "ATTR_ALARM" | "ATTR_CHANGING" | "ATTR_WARNING";
  /** ms since epoch. */
  readonly time?: number;
}
export function reading<V>(value: V | undefined, opts: { quality?: AttrReading<V>["quality"]; time?: number } = {}): AttrReading<V> {
  return { __reading: true, value, quality: opts.quality ?? "ATTR_VALID", time: opts.time };
}
export function isReading(v: unknown): v is AttrReading<unknown> {
  return typeof v === "object" && v !== null && (v as { __reading?: unknown }).__reading === true;
}

type FormatOpt = DataFormat | `%${string}`;
type Numeric = number | bigint;
type AttrValue<D, F> = F extends "SPECTRUM"
  ? readonly OutOf<D>[] | (OutOf<D> extends Numeric ? ArrayLike<number> : never)
  : F extends "IMAGE"
    ? readonly (readonly OutOf<D>[])[]
    : OutOf<D>;
type AttrReturn<D, F> = AttrValue<D, F> | AttrReading<AttrValue<D, F>> | Promise<AttrValue<D, F> | AttrReading<AttrValue<D, F>>>;

/** Options `@attribute` and `@pipe` share: the Tango name and the guards. */
export interface MemberOptions {
  /** Tango name (default: the member name). */
  readonly name?: string;
  /** Name of a device method `(req: "READ_REQ" | "WRITE_REQ") => boolean`, or the guard itself. */
  readonly allowed?: string | ((dev: Device, req: AttReqType) => boolean | Promise<boolean>);
  readonly allowedIn?: readonly DevStateName[];
}

export interface AttributeOptions<D extends AnyDType, F extends FormatOpt> extends AttributeProperties, MemberOptions {
  readonly dtype: D;
  /** SCALAR (default), SPECTRUM or IMAGE; a string starting with % is taken as the display format. */
  readonly format?: F;
  readonly maxDimX?: number;
  readonly maxDimY?: number;
  readonly access?: AttrAccess;
  /** Explicit write handler (method name or function) for getter/method attributes; a same-named setter also works. */
  readonly write?: string | ((dev: Device, value: InAttrValue<D, F>) => unknown);
}
type InAttrValue<D, F> = F extends "SPECTRUM" ? InOf<D>[] : F extends "IMAGE" ? InOf<D>[][] : InOf<D>;

/** Normalizes attribute options (decorator or plain form) into an AttributeSpec. */
export function attributeSpecFrom(
  name: string,
  opts: AttributeOptions<AnyDType, FormatOpt>,
  handlers: { read?: AttributeSpec["read"]; write?: AttributeSpec["write"]; member?: string | symbol },
): AttributeSpec {
  let dtype: CmdArgTypeName = opts.dtype.name;
  let dataFormat: DataFormat = "SCALAR";
  let displayFormat = opts.displayFormat;
  if (opts.format !== undefined) {
    if (opts.format.startsWith("%")) displayFormat = opts.format;
    else dataFormat = opts.format as DataFormat;
  }
  const el = ARRAY_ELEMENT[dtype];
  if (el) {
    dtype = el;
    if (dataFormat === "SCALAR") dataFormat = "SPECTRUM";
  }
  if (!ATTRIBUTE_DTYPES.has(dtype)) throw new InvalidArgumentError(`attribute ${name}: ${dtype} is not an attribute data type`);
  const maxDimX = opts.maxDimX ?? (dataFormat === "SCALAR" ? 1 : dataFormat === "SPECTRUM" ? 4096 : 1024);
  const maxDimY = opts.maxDimY ?? (dataFormat === "IMAGE" ? 1024 : 0);
  const write = writeOption(opts.write as ((dev: Device, v: unknown) => unknown) | string | undefined, handlers.write);
  const access = opts.access ?? (write ? "READ_WRITE" : "READ");
  const allowed = allowedOption(opts.allowed);
  return {
    name,
    member: handlers.member,
    dtype,
    dataFormat,
    maxDimX,
    maxDimY,
    access,
    label: opts.label,
    description: opts.description,
    unit: opts.unit,
    standardUnit: opts.standardUnit,
    displayUnit: opts.displayUnit,
    displayFormat,
    minValue: opts.minValue,
    maxValue: opts.maxValue,
    minAlarm: opts.minAlarm,
    maxAlarm: opts.maxAlarm,
    minWarning: opts.minWarning,
    maxWarning: opts.maxWarning,
    deltaT: opts.deltaT,
    deltaVal: opts.deltaVal,
    enumLabels: opts.enumLabels,
    displayLevel: opts.displayLevel,
    memorized: opts.memorized,
    memorizedInit: opts.memorizedInit,
    pollingMs: opts.pollingMs,
    absChange: opts.absChange,
    relChange: opts.relChange,
    eventPeriod: opts.eventPeriod,
    archiveAbsChange: opts.archiveAbsChange,
    archiveRelChange: opts.archiveRelChange,
    archivePeriod: opts.archivePeriod,
    events: opts.events,
    read: handlers.read,
    write,
    allowed,
    allowedIn: opts.allowedIn,
  };
}

function callMethod(dev: Device, name: string, args: unknown[]): unknown {
  const f = (dev as unknown as Record<string, unknown>)[name];
  if (typeof f !== "function") throw new InvalidArgumentError(`device ${dev.name} has no method ${name}`, "Device");
  return (f as (...a: unknown[]) => unknown).apply(dev, args);
}

/** A `write:` option (a function or a device method's name) as a handler; `fallback` (the member's) otherwise. */
function writeOption<V>(
  opt: string | ((dev: Device, v: V) => unknown) | undefined,
  fallback: ((dev: Device, v: V) => unknown) | undefined,
): ((dev: Device, v: V) => unknown) | undefined {
  if (typeof opt === "function") return (dev, v) => opt(dev, v);
  if (typeof opt === "string") return (dev, v) => callMethod(dev, opt, [v]);
  return fallback;
}

/** An `allowed:` option (a guard or a device method's name `(req) => boolean`) as a guard. */
function allowedOption(opt: MemberOptions["allowed"]): Exclude<MemberOptions["allowed"], string> {
  if (typeof opt === "string") return (dev, req) => callMethod(dev, opt, [req]) as boolean | Promise<boolean>;
  return opt;
}

function findSetter(dev: Device, member: string | symbol): ((v: unknown) => void) | undefined {
  let proto: object | null = Object.getPrototypeOf(dev);
  while (proto && proto !== Object.prototype) {
    const d = Object.getOwnPropertyDescriptor(proto, member);
    if (d) return d.set;
    proto = Object.getPrototypeOf(proto);
  }
  return undefined;
}

/** What `@attribute` and `@pipe` decorate: a getter, an accessor or a zero-argument method. */
type MemberContext<This, V> =
  | ClassGetterDecoratorContext<This, V>
  | ClassAccessorDecoratorContext<This, V>
  | ClassMethodDecoratorContext<This, (this: This) => V>;
type AttrContext<This, V> = MemberContext<This, V>;

/**
 * Read and write handlers of a decorated member: an accessor's get (and set when `writes.accessor`), a getter (and
 * its same-named setter when `writes.getter`; `what` names the attribute or pipe in the error when there is none), a
 * zero-argument method (read only).
 */
function memberHandlers<This extends Device, V>(
  ctx: MemberContext<This, V>,
  what: string,
  writes: { readonly accessor: boolean; readonly getter: boolean },
): { read: (dev: Device) => unknown; write: ((dev: Device, v: unknown) => void) | undefined } {
  const member = ctx.name;
  if (ctx.kind === "accessor") {
    const access = ctx.access;
    return {
      read: (dev) => access.get(dev as This),
      write: writes.accessor ? (dev, v) => access.set(dev as This, v as V) : undefined,
    };
  }
  if (ctx.kind === "getter") {
    const access = ctx.access;
    const write = (dev: Device, v: unknown): void => {
      const set = findSetter(dev, member);
      if (!set) throw new InvalidArgumentError(`${what} is writable but has no setter or write handler`, "Device");
      set.call(dev, v);
    };
    return { read: (dev) => access.get(dev as This), write: writes.getter ? write : undefined };
  }
  const access = ctx.access;
  return { read: (dev) => (access.get(dev as This) as (this: This) => V).call(dev as This), write: undefined };
}

export function attribute<const D extends AnyDType, const F extends FormatOpt = "SCALAR">(opts: AttributeOptions<D, F>) {
  return <This extends Device, V extends AttrReturn<D, F>>(
    _target: ((this: This) => V) | ClassAccessorDecoratorTarget<This, V>,
    ctx: AttrContext<This, V>,
  ): void => {
    const member = ctx.name;
    const name = opts.name ?? String(member);
    const writable = opts.access !== undefined && opts.access !== "READ";
    const { read, write } = memberHandlers(ctx, `attribute ${name}`, { accessor: true, getter: writable && opts.write === undefined });
    // An accessor is READ_WRITE by default; a getter without access/write option is READ.
    upsert(
      specIn(ctx.metadata).attributes,
      attributeSpecFrom(name, opts as AttributeOptions<AnyDType, FormatOpt>, { read, write, member }),
    );
  };
}

// ------------------------------------------------------------------------------------------------- @command

type ArgsOf<I> = I extends typeof DevVoid ? [] : [InOf<I>];

export interface CommandOptions<I extends AnyDType, O extends AnyDType> {
  /** Tango name (default: the method name). */
  readonly name?: string;
  readonly in?: I;
  readonly out?: O;
  readonly inDesc?: string;
  readonly outDesc?: string;
  readonly displayLevel?: DispLevelName;
  /** Name of a device method `(arg) => boolean`, or the guard itself. */
  readonly allowed?: string | ((dev: Device, arg: unknown) => boolean | Promise<boolean>);
  readonly allowedIn?: readonly DevStateName[];
  readonly pollingMs?: number;
}

export function commandSpecFrom(
  name: string,
  opts: CommandOptions<AnyDType, AnyDType>,
  execute: CommandSpec["execute"],
  member?: string | symbol,
): CommandSpec {
  let allowed: CommandSpec["allowed"];
  if (typeof opts.allowed === "function") allowed = opts.allowed;
  else if (typeof opts.allowed === "string") {
    const m = opts.allowed;
    allowed = (dev, arg) => callMethod(dev, m, [arg]) as boolean | Promise<boolean>;
  }
  return {
    name,
    member,
    in: opts.in?.name ?? "DevVoid",
    out: opts.out?.name ?? "DevVoid",
    inDesc: opts.inDesc,
    outDesc: opts.outDesc,
    displayLevel: opts.displayLevel,
    execute,
    allowed,
    allowedIn: opts.allowedIn,
    pollingMs: opts.pollingMs,
  };
}

export function command<const I extends AnyDType = typeof DevVoid, const O extends AnyDType = typeof DevVoid>(
  opts: CommandOptions<I, O> = {},
) {
  return <This extends Device>(
    _target: (this: This, ...args: ArgsOf<I>) => OutOf<O> | Promise<OutOf<O>>,
    ctx: ClassMethodDecoratorContext<This>,
  ): void => {
    const access = ctx.access as { get(o: This): (...a: unknown[]) => unknown };
    const name = opts.name ?? String(ctx.name);
    const inVoid = (opts.in?.name ?? "DevVoid") === "DevVoid";
    const execute: CommandSpec["execute"] = (dev, arg) => access.get(dev as This).apply(dev, inVoid ? [] : [arg]);
    upsert(specIn(ctx.metadata).commands, commandSpecFrom(name, opts as CommandOptions<AnyDType, AnyDType>, execute, ctx.name));
  };
}

// ------------------------------------------------------------------------------------------------- @pipe

/**
 * What a pipe read handler returns: a blob `{name, elements}` (the client's PipeBlobInput, so a blob read with
 * DeviceProxy.readPipe can be returned as it is) or PyTango's `[name, elements]`.
 */
export type PipeBlobReturn = PipeBlobInput | readonly [string, PipeBlobInput["elements"]];
type PipeReturn = PipeBlobReturn | Promise<PipeBlobReturn>;

export interface PipeOptions extends MemberOptions {
  readonly label?: string;
  readonly description?: string;
  readonly displayLevel?: DispLevelName;
  /** READ (default for getters and methods) or READ_WRITE (default for accessors and when `write` is given). */
  readonly access?: PipeAccess;
  /** Write handler (method name or function) receiving the decoded blob; a same-named setter also works. */
  readonly write?: string | ((dev: Device, blob: PipeBlobValue) => unknown);
}

/** Normalizes pipe options (decorator or plain form) into a PipeSpec. */
export function pipeSpecFrom(
  name: string,
  opts: PipeOptions,
  handlers: { read?: PipeSpec["read"]; write?: PipeSpec["write"]; member?: string | symbol },
): PipeSpec {
  const write = writeOption(opts.write, handlers.write);
  const access = opts.access ?? (write ? "READ_WRITE" : "READ");
  if (access !== "READ" && access !== "READ_WRITE")
    throw new InvalidArgumentError(`pipe ${name}: access must be READ or READ_WRITE, not ${String(access)}`);
  if (access === "READ_WRITE" && !write) throw new InvalidArgumentError(`pipe ${name} is READ_WRITE but has no write handler`);
  const allowed = allowedOption(opts.allowed);
  return {
    name,
    member: handlers.member,
    label: opts.label,
    description: opts.description,
    displayLevel: opts.displayLevel,
    access,
    read: handlers.read,
    write: access === "READ_WRITE" ? write : undefined,
    allowed,
    allowedIn: opts.allowedIn,
  };
}

type PipeContext<This, V> = MemberContext<This, V>;

/**
 * `@pipe({ label: "ROI", access: "READ_WRITE" })` on a getter (writes go to a same-named setter or `write:`), an
 * accessor (READ_WRITE by default: a write stores the decoded blob, a read returns it) or a zero-argument method.
 */
export function pipe(opts: PipeOptions = {}) {
  return <This extends Device, V extends PipeReturn>(
    _target: ((this: This) => V) | ClassAccessorDecoratorTarget<This, V>,
    ctx: PipeContext<This, V>,
  ): void => {
    const member = ctx.name;
    const name = opts.name ?? String(member);
    const { read, write } = memberHandlers(ctx, `pipe ${name}`, {
      accessor: opts.access !== "READ",
      getter: opts.access === "READ_WRITE" && opts.write === undefined,
    });
    upsert(specIn(ctx.metadata).pipes, pipeSpecFrom(name, opts, { read, write, member }));
  };
}

// ------------------------------------------------------------------------------------------------- properties

export interface PropertyOptions<D extends AnyDType> {
  /** Tango name (default: the member name). */
  readonly name?: string;
  readonly dtype: D;
  readonly default?: InOf<D>;
  readonly description?: string;
  readonly mandatory?: boolean;
}

function propertyDecorator(kind: "deviceProperties" | "classProperties") {
  return <const D extends AnyDType>(opts: PropertyOptions<D>) =>
    <This extends Device, V extends InOf<D>>(
      _target: ClassAccessorDecoratorTarget<This, V> | undefined,
      ctx: ClassAccessorDecoratorContext<This, V> | ClassFieldDecoratorContext<This, V>,
    ): void => {
      const access = ctx.access;
      const spec: PropertySpec = {
        name: opts.name ?? String(ctx.name),
        member: ctx.name,
        dtype: opts.dtype.name,
        default: opts.default,
        description: opts.description,
        mandatory: opts.mandatory,
        set: (dev, v) => access.set(dev as This, v as V),
      };
      upsert(specIn(ctx.metadata)[kind], spec);
    };
}

/** `@deviceProperty({ dtype: DevString, default: "localhost" }) accessor host = ""` — filled before init(). */
export const deviceProperty = propertyDecorator("deviceProperties");
/** Class property (DbGetClassProperty), filled before init() of the first device. */
export const classProperty = propertyDecorator("classProperties");

// ------------------------------------------------------------------------------------------------- defineDevice

export interface PlainAttribute<T extends Device> extends Omit<AttributeOptions<AnyDType, FormatOpt>, "write" | "allowed" | "name"> {
  readonly read?: (dev: T) => unknown;
  readonly write?: (dev: T, value: never) => unknown;
  readonly allowed?: (dev: T, req: AttReqType) => boolean | Promise<boolean>;
}
export interface PlainCommand<T extends Device> extends Omit<CommandOptions<AnyDType, AnyDType>, "allowed" | "name"> {
  readonly execute: (dev: T, arg: never) => unknown;
  readonly allowed?: (dev: T, arg: unknown) => boolean | Promise<boolean>;
}
export type PlainProperty = Omit<PropertyOptions<AnyDType>, "name">;
export interface PlainPipe<T extends Device> extends Omit<PipeOptions, "write" | "allowed" | "name"> {
  readonly read: (dev: T) => PipeReturn;
  readonly write?: (dev: T, blob: PipeBlobValue) => unknown;
  readonly allowed?: (dev: T, req: AttReqType) => boolean | Promise<boolean>;
}

/** Typed helper for one plain attribute: `attr({ dtype: DevDouble, read: (d) => d.x })`. */
export function attr<T extends Device, const D extends AnyDType, const F extends FormatOpt = "SCALAR">(
  o: Omit<AttributeOptions<D, F>, "write" | "allowed" | "name"> & {
    read?: (dev: T) => AttrReturn<D, F>;
    write?: (dev: T, value: InAttrValue<D, F>) => unknown;
    allowed?: (dev: T, req: AttReqType) => boolean | Promise<boolean>;
  },
): PlainAttribute<T> {
  return o as PlainAttribute<T>;
}
/** Typed helper for one plain command: `cmd({ in: DevString, out: DevLong, execute: (d, s) => s.length })`. */
export function cmd<T extends Device, const I extends AnyDType = typeof DevVoid, const O extends AnyDType = typeof DevVoid>(
  o: Omit<CommandOptions<I, O>, "allowed" | "name"> & {
    execute: (dev: T, ...args: ArgsOf<I>) => OutOf<O> | Promise<OutOf<O>>;
    allowed?: (dev: T, arg: unknown) => boolean | Promise<boolean>;
  },
): PlainCommand<T> {
  return o as unknown as PlainCommand<T>;
}

export interface DefineDeviceOptions<T extends Device> {
  readonly tangoClass: string;
  readonly description?: string;
  readonly docUrl?: string;
  readonly serialModel?: SerialModel;
  /** Base class (default Device); its decorated members are inherited. */
  readonly base?: new () => T;
  /** Keyed by Tango name. */
  readonly attributes?: Readonly<Record<string, PlainAttribute<T>>>;
  readonly commands?: Readonly<Record<string, PlainCommand<T>>>;
  readonly deviceProperties?: Readonly<Record<string, PlainProperty>>;
  readonly classProperties?: Readonly<Record<string, PlainProperty>>;
  /** Keyed by Tango name. */
  readonly pipes?: Readonly<Record<string, PlainPipe<T>>>;
  readonly init?: (dev: T) => void | Promise<void>;
  readonly delete?: (dev: T) => void | Promise<void>;
  readonly alwaysExecutedHook?: (dev: T) => void | Promise<void>;
}

/** Plain-object form: builds a device class carrying the same DeviceClassSpec the decorators would produce. */
export function defineDevice<T extends Device = Device>(o: DefineDeviceOptions<T>): new () => T {
  const Base = (o.base ?? Device) as unknown as new () => Device;
  const hooks = { init: o.init, delete: o.delete, alwaysExecutedHook: o.alwaysExecutedHook };
  const Defined = class extends Base {
    override async init(): Promise<void> {
      await super.init();
      await hooks.init?.(this as unknown as T);
    }
    override async delete(): Promise<void> {
      await hooks.delete?.(this as unknown as T);
      await super.delete();
    }
    // Not async: a synchronous hook keeps the read path synchronous (DeviceRuntime.readAttributesNow).
    override alwaysExecutedHook(): void | Promise<void> {
      const done = super.alwaysExecutedHook();
      const hook = hooks.alwaysExecutedHook;
      if (isThenable(done)) return Promise.resolve(done).then(() => hook?.(this as unknown as T));
      return hook?.(this as unknown as T);
    }
  };
  Object.defineProperty(Defined, "name", { value: o.tangoClass });
  const baseMeta = (Base as unknown as Record<symbol, DecoratorMetadataObject | undefined>)[METADATA] ?? null;
  const meta = Object.create(baseMeta) as DecoratorMetadataObject;
  const s = specIn(meta);
  s.tangoClass = o.tangoClass;
  if (o.description !== undefined) s.description = o.description;
  if (o.docUrl !== undefined) s.docUrl = o.docUrl;
  if (o.serialModel !== undefined) s.serialModel = o.serialModel;
  for (const [name, a] of Object.entries(o.attributes ?? {})) {
    const read = a.read as AttributeSpec["read"];
    const write = a.write as AttributeSpec["write"];
    upsert(s.attributes, {
      ...attributeSpecFrom(name, { ...a, allowed: undefined, write: undefined }, { read, write }),
      allowed: a.allowed as AttributeSpec["allowed"],
    });
  }
  for (const [name, c] of Object.entries(o.commands ?? {})) {
    const execute = c.execute as CommandSpec["execute"];
    upsert(s.commands, { ...commandSpecFrom(name, { ...c, allowed: undefined }, execute), allowed: c.allowed as CommandSpec["allowed"] });
  }
  for (const [name, p] of Object.entries(o.deviceProperties ?? {})) {
    upsert(s.deviceProperties, { name, dtype: p.dtype.name, default: p.default, description: p.description, mandatory: p.mandatory });
  }
  for (const [name, p] of Object.entries(o.classProperties ?? {})) {
    upsert(s.classProperties, { name, dtype: p.dtype.name, default: p.default, description: p.description, mandatory: p.mandatory });
  }
  for (const [name, p] of Object.entries(o.pipes ?? {})) {
    const read = p.read as PipeSpec["read"];
    const write = p.write as PipeSpec["write"];
    upsert(s.pipes, { ...pipeSpecFrom(name, { ...p, allowed: undefined, write }, { read }), allowed: p.allowed as PipeSpec["allowed"] });
  }
  Object.defineProperty(Defined, METADATA, { value: meta, configurable: true });
  return Defined as unknown as new () => T;
}

/** Builds a class spec directly (for tools); same normalization as defineDevice. */
export function specOf(ctor: abstract new () => Device): DeviceClassSpec {
  return getDeviceClassSpec(ctor);
}
