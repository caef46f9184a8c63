/**
 * DeviceProxy: the client view of one Tango device (IDL 5 operations, GIOP 1.2, shared connections).
 *
 *   const ctx = TangoContext.fromEnv(process.env);
 *   const dev = await DeviceProxy.connect("sys/tg_test/1", { context: ctx });
 *   await dev.command("DevDouble", 3.14);          // 3.14
 *   (await dev.read("double_scalar")).value;       // number
 *   await dev.write("double_scalar", 1.5);
 */
import { type CdrReader, CdrWriter } from "../cdr/cdr.ts";
import { iiopProfiles, parseIor, profileEndpoints } from "../corba/ior.ts";
import { ConnectionFailed, DevFailed, devError, InvalidArgumentError, NotAllowed } from "../errors/errors.ts";
import {
  type AttrDataFormatName,
  type AttrQualityName,
  type AttrWriteTypeName,
  AttrWriteTypeNames,
  type CmdArgTypeName,
  CmdArgTypeNames,
  DevSource,
  type DevSourceName,
  type DevStateName,
  DevStateNames,
  type DispLevelName,
  DispLevelNames,
} from "../idl/constants.ts";
import {
  ALL_PIPES,
  type DevPipeData,
  type PipeConfig,
  type PipeWriteTypeName,
  PipeWriteTypeNames,
  readDevPipeData,
  readPipeConfigList,
} from "../idl/pipe.ts";
import {
  type AttributeConfig,
  type AttributeDim,
  type AttributeValue5,
  type DevInfo,
  readAttributeConfig,
  readAttributeValue5,
  readDevCmdInfo,
  readDevInfo,
  timeValNow,
  writeAttributeConfig,
  writeAttributeValue5,
  writeClntIdent,
} from "../idl/structs.ts";
import type { RequestBody } from "../iiop/connection.ts";
import type { CallOptions } from "../iiop/logger.ts";
import type { TangoContext } from "./context.ts";
import {
  type AttrValue,
  type CommandValue,
  decodeArgout,
  encodeArgin,
  formatName,
  makeWriteValue,
  qualityName,
  shapeValue,
} from "./convert.ts";
import type { DbLink, Properties, PropertyValue } from "./db-link.ts";
import { formatTangoHosts, parseDeviceName, type TangoHost } from "./device-name.ts";
import {
  DEFAULT_LOCK_VALIDITY,
  identPid,
  type LockInfo,
  type LockStatusReply,
  lockInfoOf,
  MAX_LOCK_VALIDITY,
  MIN_LOCK_VALIDITY,
} from "./locking.ts";
import { fromDevPipeBlob, type PipeBlobInput, type PipeBlobValue, toDevPipeBlob } from "./pipe-blob.ts";
import { type ObjectAddress, RemoteObject } from "./remote-object.ts";
import {
  commandInout4,
  writeReadAttributes5Args,
  writeReadPipe5Args,
  writeSetPipeConfig5Args,
  writeWriteAttributes4Args,
  writeWritePipe5Args,
} from "./tango-ops.ts";

export type { LockInfo } from "./locking.ts";
export type { PipeBlobInput, PipeBlobValue, PipeDataType, PipeElementInput, PipeReadElement, PipeReadValue } from "./pipe-blob.ts";

export interface ConnectOptions extends CallOptions {
  readonly context: TangoContext;
  /** Source of attribute reads and commands (default DEV). */
  readonly source?: DevSourceName;
}

export interface CommandInfo {
  readonly name: string;
  readonly inType: CmdArgTypeName;
  readonly outType: CmdArgTypeName;
  readonly inTypeDesc: string;
  readonly outTypeDesc: string;
  readonly level: DispLevelName;
  readonly tag: number;
}

/** One attribute read. `value` is null when the attribute has no data (e.g. quality ATTR_INVALID). */
export interface AttributeReading {
  readonly name: string;
  readonly value: AttrValue;
  /** Set point of READ_WRITE / READ_WITH_WRITE attributes (undefined for the others). */
  readonly wValue?: AttrValue | undefined;
  readonly quality: AttrQualityName;
  readonly time: Date;
  /** Read time in microseconds since the epoch. */
  readonly timeUs: number;
  readonly dims: AttributeDim;
  readonly wDims: AttributeDim;
  readonly dataFormat: AttrDataFormatName;
  readonly dataType: CmdArgTypeName;
  readonly error?: undefined;
}

/** A per-attribute failure in `readMany` (a value, not a throw). */
export interface AttributeReadError {
  readonly name: string;
  readonly error: DevFailed;
  readonly quality: AttrQualityName;
  readonly value?: undefined;
}

export type AttributeResult = AttributeReading | AttributeReadError;

/** AttributeConfig_5 plus readable names of its enumerated fields. */
export interface AttributeInfo extends AttributeConfig {
  readonly writableName: AttrWriteTypeName;
  readonly dataFormatName: AttrDataFormatName;
  readonly dataTypeName: CmdArgTypeName;
  readonly levelName: DispLevelName;
}

/** PipeConfig with readable names of its enumerated fields. */
export interface PipeInfo {
  readonly name: string;
  readonly description: string;
  readonly label: string;
  readonly level: DispLevelName;
  readonly writable: PipeWriteTypeName;
  readonly extensions: readonly string[];
}

/** One pipe read: the pipe name, the server's time stamp and the blob. */
export interface PipeReading {
  readonly name: string;
  readonly time: Date;
  /** Read time in microseconds since the epoch. */
  readonly timeUs: number;
  readonly blob: PipeBlobValue;
}

const ALL_ATTRIBUTES = "All attributes_3";

function pipeInfo(c: PipeConfig): PipeInfo {
  return {
    name: c.name,
    description: c.description,
    label: c.label,
    level: DispLevelNames[c.level] ?? "DL_UNKNOWN",
    writable: PipeWriteTypeNames[c.writable] ?? "PIPE_WT_UNKNOWN",
    extensions: c.extensions,
  };
}

/** A DevPipeData (read_pipe_5 reply, pipe event payload) → PipeReading. */
export function pipeReading(d: DevPipeData): PipeReading {
  const { sec, usec } = d.time;
  return {
    name: d.name,
    time: new Date(sec * 1000 + Math.floor(usec / 1000)),
    timeUs: sec * 1_000_000 + usec,
    blob: fromDevPipeBlob(d.blob),
  };
}

function toAddress(ior: string, device: string): ObjectAddress {
  const profiles = iiopProfiles(parseIor(ior));
  const p = profiles[0];
  if (!p)
    throw new ConnectionFailed(devError("API_CantConnectToDevice", `the IOR of ${device} has no IIOP profile`, "DeviceProxy.connect"));
  // Main address first, then TAG_ALTERNATE_IIOP_ADDRESS ones (tried in order when a connect fails).
  return { endpoints: profileEndpoints(p), objectKey: p.objectKey };
}

function attributeInfo(c: AttributeConfig): AttributeInfo {
  return {
    ...c,
    writableName: AttrWriteTypeNames[c.writable] ?? "WT_UNKNOWN",
    dataFormatName: formatName(c.dataFormat),
    dataTypeName: CmdArgTypeNames[c.dataType] ?? "DevVoid",
    levelName: DispLevelNames[c.level] ?? "DL_UNKNOWN",
  };
}

function toReading(a: AttributeValue5, device: string): AttributeResult {
  if (a.errors.length > 0) {
    const error = DevFailed.rethrow(
      new DevFailed(a.errors),
      "API_AttributeFailed",
      `Failed to read_attribute on device ${device}, attribute ${a.name}`,
      "DeviceProxy.read",
    );
    return { name: a.name, error, quality: qualityName(a.quality) };
  }
  const shaped = shapeValue(a.value, a.dataFormat, a.rDim, a.wDim);
  const { sec, usec } = a.time;
  // One object literal of a fixed shape (no spreads: this is on every read's path).
  return {
    name: a.name,
    value: shaped.value,
    wValue: shaped.wValue,
    quality: qualityName(a.quality),
    time: new Date(sec * 1000 + Math.floor(usec / 1000)),
    timeUs: sec * 1_000_000 + usec,
    dims: a.rDim,
    wDims: a.wDim,
    dataFormat: formatName(a.dataFormat),
    dataType: CmdArgTypeNames[a.dataType] ?? "DevVoid",
  };
}

/** Attribute names whose read arguments a proxy keeps marshalled (the cache starts over when full). */
const READ_ARGS_CACHE_SIZE = 256;

function readValue5(r: CdrReader): AttributeValue5 {
  return readAttributeValue5(r, true);
}

function readValues5(r: CdrReader): AttributeValue5[] {
  return r.sequence(40, readValue5, "AttributeValueList_5");
}

export class DeviceProxy {
  /** Device name as the database knows it (`a/b/c`). */
  readonly name: string;
  readonly context: TangoContext;
  private readonly obj: RemoteObject;
  private readonly db: DbLink | undefined;
  private readonly hosts: readonly TangoHost[];
  private readonly cmdCache = new Map<string, CommandInfo>();
  private readonly cfgCache = new Map<string, AttributeInfo>();
  private adm: string | undefined;
  private admProxy: DeviceProxy | undefined;
  /** Nested lock() calls held (cppTango's lock_ctr) and their validity. */
  private lockCtr = 0;
  private lockValidity = 0;
  private closed = false;
  /** See readArgs(). */
  private readonly readArgsCache = new Map<string, Uint8Array>();
  private readArgsSource = -1;
  source: number;

  private constructor(
    name: string,
    context: TangoContext,
    obj: RemoteObject,
    db: DbLink | undefined,
    hosts: readonly TangoHost[],
    source: number,
  ) {
    this.name = name;
    this.context = context;
    this.obj = obj;
    this.db = db;
    this.hosts = hosts;
    this.source = source;
  }

  /**
   * Resolves `name` (device name, FQDN, `#dbase=no` or alias) and returns a proxy. Through the database this is one
   * DbImportDevice (plus DbGetAliasDevice for an alias); with `#dbase=no` there is no I/O.
   */
  static async connect(name: string, opts: ConnectOptions): Promise<DeviceProxy> {
    const { context } = opts;
    const parsed = parseDeviceName(name);
    const source = DevSource[opts.source ?? "DEV"];
    if (!parsed.useDatabase) {
      const hosts = parsed.hosts as readonly TangoHost[];
      const device = parsed.device as string;
      const obj = new RemoteObject({
        name: `tango://${formatTangoHosts(hosts)}/${device}#dbase=no`,
        address: { endpoints: hosts, objectKey: new Uint8Array(Buffer.from(device.toLowerCase(), "latin1")) },
        context,
        ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      });
      return new DeviceProxy(device, context, obj, undefined, hosts, source);
    }
    const db = context.databaseLink(parsed.hosts);
    const device = parsed.device ?? (await db.getAliasDevice(parsed.alias as string, opts));
    const imp = await db.importDevice(device, opts);
    const importAddress = async (o: CallOptions): Promise<ObjectAddress> => {
      const i = await db.importDevice(device, o);
      if (!i.exported || !i.ior.startsWith("IOR:")) {
        throw new ConnectionFailed(
          devError("API_DeviceNotExported", `device ${device} is not exported (its server is not running)`, "DeviceProxy.connect"),
        );
      }
      return toAddress(i.ior, device);
    };
    if (!imp.exported || !imp.ior.startsWith("IOR:")) {
      throw new ConnectionFailed(
        devError(
          "API_DeviceNotExported",
          `device ${imp.name} is defined in the database but not exported (its server ${imp.server} is not running)`,
          "DeviceProxy.connect",
        ),
      );
    }
    const obj = new RemoteObject({
      name: imp.name,
      address: toAddress(imp.ior, imp.name),
      context,
      resolver: importAddress,
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    });
    return new DeviceProxy(imp.name, context, obj, db, db.hosts, source);
  }

  /** `tango://host:port/a/b/c` (database host, or the server itself for #dbase=no). */
  get fullName(): string {
    return `tango://${formatTangoHosts(this.hosts)}/${this.name}${this.db ? "" : "#dbase=no"}`;
  }

  /** The server endpoint currently used. */
  get endpoint(): TangoHost {
    return this.obj.endpoint;
  }

  /** Re-imports done after server restarts (for diagnostics). */
  get reimportCount(): number {
    return this.obj.reimports;
  }

  setTimeout(ms: number): void {
    if (!(ms > 0)) throw new InvalidArgumentError(`timeout must be a positive number of ms, got ${ms}`, "DeviceProxy.setTimeout");
    this.obj.timeoutMs = ms;
  }

  getTimeout(): number {
    return this.obj.timeoutMs;
  }

  /**
   * Idempotent; the shared connections stay open for the other proxies of the context. A lock this proxy still holds
   * is released first (forced UnLockDevice, as cppTango's ~DeviceProxy does; failures are logged).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.lockCtr > 0) {
      try {
        await this.unlock(true);
      } catch (e) {
        this.context.logger.warn("unlock on close failed", { device: this.name, error: String(e) });
      }
    }
    this.closed = true;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private closedError(): NotAllowed {
    return new NotAllowed(devError("API_ProxyClosed", `the proxy of ${this.name} was closed`, "DeviceProxy"));
  }

  /** Only called at the start of async methods (so that it rejects, never throws synchronously). */
  private check(): void {
    if (this.closed) throw this.closedError();
  }

  private invoke<T>(op: string, write: RequestBody, read: (r: CdrReader) => T, opts?: CallOptions): Promise<T> {
    if (this.closed) return Promise.reject(this.closedError());
    return this.obj.invoke(op, write, read, opts);
  }

  // ----------------------------------------------------------------------------------------------- basics

  /** Round-trip time of a `ping`, in microseconds. */
  async ping(opts?: CallOptions): Promise<number> {
    const t0 = this.context.clock.monotonic();
    await this.invoke("ping", undefined, () => undefined, opts);
    return Math.round((this.context.clock.monotonic() - t0) * 1000);
  }

  state(opts?: CallOptions): Promise<DevStateName> {
    return this.invoke("_get_state", undefined, (r) => DevStateNames[r.ulong()] ?? "UNKNOWN", opts);
  }

  status(opts?: CallOptions): Promise<string> {
    return this.invoke("_get_status", undefined, (r) => r.string(), opts);
  }

  description(opts?: CallOptions): Promise<string> {
    return this.invoke("_get_description", undefined, (r) => r.string(), opts);
  }

  info(opts?: CallOptions): Promise<DevInfo> {
    return this.invoke("info_3", undefined, (r) => readDevInfo(r, true), opts);
  }

  /** Name of the admin device (`dserver/<exec>/<instance>`). */
  async adminName(opts?: CallOptions): Promise<string> {
    if (this.adm === undefined) this.adm = await this.invoke("_get_adm_name", undefined, (r) => r.string(), opts);
    return this.adm;
  }

  // ----------------------------------------------------------------------------------------------- commands

  private static cmdInfo(c: ReturnType<typeof readDevCmdInfo>): CommandInfo {
    return {
      name: c.name,
      inType: CmdArgTypeNames[c.inType] ?? "DevVoid",
      outType: CmdArgTypeNames[c.outType] ?? "DevVoid",
      inTypeDesc: c.inTypeDesc,
      outTypeDesc: c.outTypeDesc,
      level: DispLevelNames[c.level] ?? "DL_UNKNOWN",
      tag: c.tag,
    };
  }

  async commandList(opts?: CallOptions): Promise<CommandInfo[]> {
    const list = await this.invoke(
      "command_list_query_2",
      undefined,
      (r) => r.sequence(28, (x) => readDevCmdInfo(x, true), "DevCmdInfoList_2"),
      opts,
    );
    const out = list.map(DeviceProxy.cmdInfo);
    for (const c of out) this.cmdCache.set(c.name.toLowerCase(), c);
    return out;
  }

  async commandQuery(command: string, opts?: CallOptions): Promise<CommandInfo> {
    const c = DeviceProxy.cmdInfo(
      await this.invoke(
        "command_query_2",
        (w) => w.string(command),
        (r) => readDevCmdInfo(r, true),
        opts,
      ),
    );
    this.cmdCache.set(command.toLowerCase(), c);
    return c;
  }

  /**
   * Executes a command. Its argument types are fetched once (command_query_2) and cached; `argin` is converted to the
   * command's input type (InvalidArgumentError when it does not fit) and the result converted back.
   */
  async command(command: string, argin?: unknown, opts?: CallOptions): Promise<CommandValue> {
    this.check();
    try {
      let info = this.cmdCache.get(command) ?? this.cmdCache.get(command.toLowerCase());
      if (!info) {
        info = await this.commandQuery(command, opts);
        this.cmdCache.set(command, info);
      }
      const any = encodeArgin(info.inType, argin, `command ${info.name} argin (${info.inType})`);
      const out = await commandInout4(this.obj, info.name, any, this.source, this.context.clientIdent, opts);
      return decodeArgout(out, info.outType);
    } catch (e) {
      // The server's errors get cppTango's frame on top (Connection::command_inout), as PyTango shows them; the root
      // cause stays errors[0]. Argument errors found here, connection failures and timeouts pass through unchanged.
      if (e instanceof DevFailed && e.constructor === DevFailed) {
        throw DevFailed.rethrow(
          e,
          "API_CommandFailed",
          `Failed to execute command_inout on device ${this.name.toLowerCase()}, command ${command}`,
          "Connection::command_inout()",
        );
      }
      throw e;
    }
  }

  // ----------------------------------------------------------------------------------------------- attributes

  private writeReadArgs(names: readonly string[]): (w: CdrWriter) => void {
    const source = this.source;
    const ident = this.context.clientIdent;
    return (w) => writeReadAttributes5Args(w, names, source, ident);
  }

  /**
   * The marshalled read_attributes_5 arguments of a one-attribute read (names, source, client identity), cached per
   * attribute name for the current source: a repeated read copies them instead of marshalling them again.
   */
  private readArgs(attribute: string): Uint8Array {
    if (this.readArgsSource !== this.source) {
      this.readArgsCache.clear();
      this.readArgsSource = this.source;
    }
    let args = this.readArgsCache.get(attribute);
    if (args === undefined) {
      // Origin 0: the body of a GIOP 1.2 request starts 8-aligned, so the bytes do not depend on where they go.
      const w = new CdrWriter({ littleEndian: true, origin: 0, initialSize: 64 + 2 * attribute.length });
      writeReadAttributes5Args(w, [attribute], this.source, this.context.clientIdent);
      args = new Uint8Array(w.finish());
      if (this.readArgsCache.size >= READ_ARGS_CACHE_SIZE) this.readArgsCache.clear();
      this.readArgsCache.set(attribute, args);
    }
    return args;
  }

  /** Reads one attribute; a read failure throws (DevFailed with the server's reasons, e.g. API_AttrNotFound). */
  async read(attribute: string, opts?: CallOptions): Promise<AttributeReading> {
    const list = await this.invoke("read_attributes_5", this.readArgs(attribute), readValues5, opts);
    const a = list[0];
    if (!a) throw new DevFailed(devError("API_AttrNotFound", `no value returned for ${attribute}`, "DeviceProxy.read"));
    const res = toReading(a, this.name);
    if (res.error) throw res.error;
    return res;
  }

  /** Reads several attributes in one call; per-attribute failures are returned as `{name, error}` items. */
  async readMany(attributes: readonly string[], opts?: CallOptions): Promise<AttributeResult[]> {
    const list = await this.invoke("read_attributes_5", this.writeReadArgs(attributes), readValues5, opts);
    return list.map((a) => toReading(a, this.name));
  }

  /** Attribute configurations (AttributeConfig_5), cached for writes. */
  async getAttributeConfig(names: readonly string[], opts?: CallOptions): Promise<AttributeInfo[]> {
    const list = await this.invoke(
      "get_attribute_config_5",
      (w) => w.stringSeq(names),
      (r) => r.sequence(64, (x) => readAttributeConfig(x, 5), "AttributeConfigList_5"),
      opts,
    );
    const out = list.map(attributeInfo);
    for (const c of out) this.cfgCache.set(c.name.toLowerCase(), c);
    return out;
  }

  async attributeQuery(name: string, opts?: CallOptions): Promise<AttributeInfo> {
    const [c] = await this.getAttributeConfig([name], opts);
    if (!c) throw new DevFailed(devError("API_AttrNotFound", `attribute ${name} not found on ${this.name}`, "DeviceProxy.attributeQuery"));
    return c;
  }

  /** Every attribute's configuration. */
  attributeListQuery(opts?: CallOptions): Promise<AttributeInfo[]> {
    return this.getAttributeConfig([ALL_ATTRIBUTES], opts);
  }

  async attributeList(opts?: CallOptions): Promise<string[]> {
    return (await this.attributeListQuery(opts)).map((c) => c.name);
  }

  /** set_attribute_config_5 with complete configurations (e.g. from getAttributeConfig, modified). */
  async setAttributeConfig(configs: readonly AttributeConfig[], opts?: CallOptions): Promise<void> {
    const ident = this.context.clientIdent;
    await this.invoke(
      "set_attribute_config_5",
      (w) => {
        w.sequence(configs, (x, c) => writeAttributeConfig(x, c, 5));
        writeClntIdent(w, ident);
      },
      () => undefined,
      opts,
    );
    for (const c of configs) this.cfgCache.delete(c.name.toLowerCase());
  }

  /** Reads the configuration, applies `patch`, writes it back; returns the new configuration as sent. */
  async updateAttributeConfig(name: string, patch: Partial<AttributeConfig>, opts?: CallOptions): Promise<AttributeConfig> {
    const cur = await this.attributeQuery(name, opts);
    const next: AttributeConfig = { ...cur, ...patch, name: cur.name };
    await this.setAttributeConfig([next], opts);
    return next;
  }

  private async writeInfo(name: string, opts?: CallOptions): Promise<AttributeInfo> {
    return this.cfgCache.get(name.toLowerCase()) ?? (await this.attributeQuery(name, opts));
  }

  private async encodeWrites(values: readonly (readonly [string, unknown])[], opts?: CallOptions): Promise<AttributeValue5[]> {
    const out: AttributeValue5[] = [];
    for (const [name, value] of values) {
      const info = await this.writeInfo(name, opts);
      if (info.writable === 0) {
        throw new InvalidArgumentError(
          `attribute ${info.name} of ${this.name} is not writable (READ)`,
          "DeviceProxy.write",
          "API_AttrNotWritable",
        );
      }
      out.push(makeWriteValue(info, value));
    }
    return out;
  }

  /** Writes one attribute (its type/format come from the cached configuration). Out-of-range → MultiDevFailed. */
  async write(attribute: string, value: unknown, opts?: CallOptions): Promise<void> {
    await this.writeMany([[attribute, value]], opts);
  }

  /** Writes several attributes in one write_attributes_4 call. */
  async writeMany(values: Readonly<Record<string, unknown>> | readonly (readonly [string, unknown])[], opts?: CallOptions): Promise<void> {
    this.check();
    const entries = Array.isArray(values) ? (values as readonly (readonly [string, unknown])[]) : Object.entries(values);
    const list = await this.encodeWrites(entries, opts);
    const ident = this.context.clientIdent;
    await this.invoke(
      "write_attributes_4",
      (w) => writeWriteAttributes4Args(w, list, ident),
      () => undefined,
      opts,
    );
  }

  /** Writes then reads back the attribute in one call (write_read_attributes_5). */
  async writeRead(attribute: string, value: unknown, opts?: CallOptions): Promise<AttributeReading> {
    this.check();
    const list = await this.encodeWrites([[attribute, value]], opts);
    const ident = this.context.clientIdent;
    const res = await this.invoke(
      "write_read_attributes_5",
      (w) => {
        w.sequence(list, (x, a) => writeAttributeValue5(x, a, false));
        w.stringSeq([attribute]);
        writeClntIdent(w, ident);
      },
      readValues5,
      opts,
    );
    const a = res[0];
    if (!a) throw new DevFailed(devError("API_AttrNotFound", `no value returned for ${attribute}`, "DeviceProxy.writeRead"));
    const r = toReading(a, this.name);
    if (r.error) throw r.error;
    return r;
  }

  // ----------------------------------------------------------------------------------------------- pipes

  /** Configuration of every pipe of the device (get_pipe_config_5 with "All pipes"). */
  async pipeListQuery(opts?: CallOptions): Promise<PipeInfo[]> {
    return (await this.invoke("get_pipe_config_5", (w) => w.stringSeq([ALL_PIPES]), readPipeConfigList, opts)).map(pipeInfo);
  }

  /** Names of the device's pipes. */
  async pipeList(opts?: CallOptions): Promise<string[]> {
    return (await this.pipeListQuery(opts)).map((p) => p.name);
  }

  /** One pipe's configuration; the server answers API_PipeNotFound for an unknown pipe. */
  async pipeQuery(pipe: string, opts?: CallOptions): Promise<PipeInfo> {
    const [c] = await this.invoke("get_pipe_config_5", (w) => w.stringSeq([pipe]), readPipeConfigList, opts);
    if (!c) throw new DevFailed(devError("API_PipeNotFound", `pipe ${pipe} not found on ${this.name}`, "DeviceProxy.pipeQuery"));
    return pipeInfo(c);
  }

  /**
   * Changes pipe configurations (set_pipe_config_5): label and description are what a server applies (cppTango stores
   * them as pipe properties in the database); name, level and access identify the pipe. Give complete configurations,
   * e.g. from `pipeQuery`, modified; `updatePipeConfig` does that for one pipe.
   */
  async setPipeConfig(configs: readonly PipeInfo[], opts?: CallOptions): Promise<void> {
    this.check();
    const wire: PipeConfig[] = configs.map((c) => {
      const level = DispLevelNames.indexOf(c.level);
      const writable = PipeWriteTypeNames.indexOf(c.writable);
      if (level < 0 || writable < 0)
        throw new InvalidArgumentError(`pipe ${c.name}: unknown level ${c.level} or access ${c.writable}`, "DeviceProxy.setPipeConfig");
      return { name: c.name, description: c.description, label: c.label, level, writable, extensions: [...c.extensions] };
    });
    const ident = this.context.clientIdent;
    await this.invoke(
      "set_pipe_config_5",
      (w) => writeSetPipeConfig5Args(w, wire, ident),
      () => undefined,
      opts,
    );
  }

  /** Reads one pipe's configuration, applies `patch` (label, description), writes it back; returns it as sent. */
  async updatePipeConfig(pipe: string, patch: { label?: string; description?: string }, opts?: CallOptions): Promise<PipeInfo> {
    const next: PipeInfo = { ...(await this.pipeQuery(pipe, opts)), ...patch };
    await this.setPipeConfig([next], opts);
    return next;
  }

  /**
   * Server errors of a pipe call get cppTango's frame on top: API_PipeFailed "Failed to <op> on device D, pipe P"
   * (the root cause stays errors[0]: API_PipeNotFound, API_PipeNotWritable, API_PipeNotAllowed or the device's own).
   * Connection failures, timeouts and closed proxies pass through unchanged.
   */
  private async pipeCall<T>(op: string, pipe: string, origin: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      if (e instanceof DevFailed && e.constructor === DevFailed) {
        throw DevFailed.rethrow(e, "API_PipeFailed", `Failed to ${op} on device ${this.name}, pipe ${pipe}`, origin);
      }
      throw e;
    }
  }

  /** Reads a pipe (read_pipe_5): its blob with each element's name, Tango type and value. */
  readPipe(pipe: string, opts?: CallOptions): Promise<PipeReading> {
    const ident = this.context.clientIdent;
    return this.pipeCall("read_pipe", pipe, "DeviceProxy.readPipe", async () =>
      pipeReading(await this.invoke("read_pipe_5", (w) => writeReadPipe5Args(w, pipe, ident), readDevPipeData, opts)),
    );
  }

  private pipeArgs(pipe: string, blob: PipeBlobInput): (w: CdrWriter) => void {
    const data: DevPipeData = { name: pipe, time: timeValNow(this.context.clock.now()), blob: toDevPipeBlob(blob, `pipe ${pipe} blob`) };
    const ident = this.context.clientIdent;
    return (w) => writeWritePipe5Args(w, data, ident);
  }

  /**
   * Writes a pipe (write_pipe_5). `blob` is `{name, elements}`, elements typed by `dtype` or inferred as PyTango does
   * (see pipe-blob.ts); a value that does not fit gives InvalidArgumentError before anything is sent.
   */
  async writePipe(pipe: string, blob: PipeBlobInput, opts?: CallOptions): Promise<void> {
    this.check();
    const args = this.pipeArgs(pipe, blob);
    await this.pipeCall("write_pipe", pipe, "DeviceProxy.writePipe", () => this.invoke("write_pipe_5", args, () => undefined, opts));
  }

  /** Writes then reads back a pipe in one call (write_read_pipe_5). */
  async writeReadPipe(pipe: string, blob: PipeBlobInput, opts?: CallOptions): Promise<PipeReading> {
    this.check();
    const args = this.pipeArgs(pipe, blob);
    return this.pipeCall("write_read_pipe", pipe, "DeviceProxy.writeReadPipe", async () =>
      pipeReading(await this.invoke("write_read_pipe_5", args, readDevPipeData, opts)),
    );
  }

  // ----------------------------------------------------------------------------------------------- locking

  private nonDatabase(origin: string): NotAllowed {
    return new NotAllowed(
      devError("API_NonDatabaseDevice", `Feature not available for device ${this.name} which is a non database device`, origin),
    );
  }

  /**
   * The proxy of this device's admin device, created once through the same database. The admin device lives in the
   * same server process, so its calls share this proxy's connection: the server sees the same client (pid + address).
   */
  private async adminProxy(origin: string, opts?: CallOptions): Promise<DeviceProxy> {
    this.check();
    if (!this.db) throw this.nonDatabase(origin);
    if (!this.admProxy) {
      const adm = await this.adminName(opts);
      this.admProxy = await DeviceProxy.connect(`tango://${formatTangoHosts(this.hosts)}/${adm}`, {
        context: this.context,
        timeoutMs: this.obj.timeoutMs,
        ...(opts?.signal ? { signal: opts.signal } : {}),
      });
    }
    return this.admProxy;
  }

  /**
   * Locks the device for this client (cppTango `DeviceProxy::lock`): `LockDevice` on the admin device. Other clients
   * then get `API_DeviceLocked` on writes, commands (except the class's allowed ones, e.g. State/Status) and
   * configuration changes. Nested calls increment a counter; each needs its `unlock()`. While held, the context
   * re-locks the device every `validitySeconds - 0.5 s`, so the lock outlives its validity until it is released.
   * `validitySeconds`: integer ≥ 2 (API_MethodArgument otherwise, and when the proxy already holds the lock with
   * another validity); API_DeviceLocked when another client holds the lock; NotAllowed API_NonDatabaseDevice for a
   * `#dbase=no` device.
   */
  async lock(validitySeconds: number = DEFAULT_LOCK_VALIDITY, opts?: CallOptions): Promise<void> {
    this.check();
    if (!this.db) throw this.nonDatabase("DeviceProxy.lock");
    if (typeof validitySeconds !== "number" || validitySeconds < MIN_LOCK_VALIDITY) {
      throw new InvalidArgumentError(
        `Lock validity can not be lower than ${MIN_LOCK_VALIDITY} seconds (got ${validitySeconds})`,
        "DeviceProxy.lock",
        "API_MethodArgument",
      );
    }
    if (!Number.isInteger(validitySeconds) || validitySeconds > MAX_LOCK_VALIDITY) {
      throw new InvalidArgumentError(
        `Lock validity must be a whole number of seconds from ${MIN_LOCK_VALIDITY} to ${MAX_LOCK_VALIDITY} (got ${validitySeconds})`,
        "DeviceProxy.lock",
        "API_MethodArgument",
      );
    }
    if (this.lockCtr > 0 && validitySeconds !== this.lockValidity) {
      throw new InvalidArgumentError(
        `Device ${this.name} is already locked with another lock validity (${this.lockValidity} sec)`,
        "DeviceProxy.lock",
        "API_MethodArgument",
      );
    }
    const admin = await this.adminProxy("DeviceProxy.lock", opts);
    await admin.command("LockDevice", { lvalue: [validitySeconds], svalue: [this.name] }, opts);
    this.lockCtr++;
    this.lockValidity = validitySeconds;
    this.context.locks.add(admin.fullName, admin, this.fullName, this.name, validitySeconds);
  }

  /**
   * Releases one level of this client's lock (`UnLockDevice`); the device is unlocked when the counter reaches 0.
   * `force` unlocks it whoever holds it, whatever the counter (the former locker's next call then gets
   * `API_DeviceUnlocked`). Unlocking a device that is not locked does nothing. API_DeviceLocked when another client
   * holds the lock and `force` is false. Returns the lock counter the server has left (0 = unlocked).
   */
  async unlock(force = false, opts?: CallOptions): Promise<number> {
    const admin = await this.adminProxy("DeviceProxy.unlock", opts);
    const left = await admin.command("UnLockDevice", { lvalue: [force ? 1 : 0], svalue: [this.name] }, opts);
    // cppTango: the proxy's counter becomes the server's (another proxy of the same client may hold levels too).
    this.lockCtr = typeof left === "number" && left > 0 ? left : 0;
    if (this.lockCtr === 0 || force) {
      this.lockCtr = 0;
      this.context.locks.remove(admin.fullName, this.fullName);
    }
    return this.lockCtr;
  }

  /** DevLockStatus; when the server says this client no longer holds the lock, the proxy stops holding it too. */
  private async lockStatus(origin: string, opts?: CallOptions): Promise<LockStatusReply> {
    const admin = await this.adminProxy(origin, opts);
    const r = await admin.command("DevLockStatus", this.name, opts);
    if (typeof r !== "object" || r === null || !("lvalue" in r) || !("svalue" in r)) {
      throw new DevFailed(devError("API_WrongLockingStatus", `DevLockStatus of ${this.name} returned no DevVarLongStringArray`, origin));
    }
    if (this.lockCtr > 0 && (r.lvalue[0] === 0 || r.lvalue[1] !== identPid(this.context.clientIdent))) {
      this.lockCtr = 0;
      this.context.locks.remove(admin.fullName, this.fullName);
    }
    return r;
  }

  /** The server's locking sentence, e.g. `Device sys/tg_test/1 is not locked` (cppTango `locking_status`). */
  async lockingStatus(opts?: CallOptions): Promise<string> {
    return (await this.lockStatus("DeviceProxy.lockingStatus", opts)).svalue[0] ?? "";
  }

  /** Is the device locked, by any client? */
  async isLocked(opts?: CallOptions): Promise<boolean> {
    return ((await this.lockStatus("DeviceProxy.isLocked", opts)).lvalue[0] ?? 0) !== 0;
  }

  /** Is the device locked by this client (same ClntIdent pid, from this host)? cppTango `is_locked_by_me`. */
  async isLockedByMe(opts?: CallOptions): Promise<boolean> {
    return (await this.lockInfo(opts)).lockedByMe;
  }

  /** DevLockStatus, structured: locked, the locker (pid or Java UUID and class, address, host), this proxy's counter. */
  async lockInfo(opts?: CallOptions): Promise<LockInfo> {
    const r = await this.lockStatus("DeviceProxy.lockInfo", opts);
    return lockInfoOf(r, this.context.clientIdent, this.lockCtr, this.lockValidity);
  }

  // ----------------------------------------------------------------------------------------------- properties

  private database(): DbLink {
    if (!this.db) {
      throw new NotAllowed(
        devError("API_NonDatabaseDevice", `${this.fullName} is used without a database: it has no properties`, "DeviceProxy"),
      );
    }
    return this.db;
  }

  async getProperty(names: string | readonly string[], opts?: CallOptions): Promise<Properties> {
    return this.database().getDeviceProperty(this.name, typeof names === "string" ? [names] : names, opts);
  }

  async putProperty(props: Readonly<Record<string, PropertyValue>>, opts?: CallOptions): Promise<void> {
    return this.database().putDeviceProperty(this.name, props, opts);
  }

  async deleteProperty(names: string | readonly string[], opts?: CallOptions): Promise<void> {
    return this.database().deleteDeviceProperty(this.name, typeof names === "string" ? [names] : names, opts);
  }

  async getPropertyList(pattern = "*", opts?: CallOptions): Promise<string[]> {
    return this.database().getDevicePropertyList(this.name, pattern, opts);
  }
}
