/**
 * Client of the Tango database device (`sys/database/2`, object key `database`, reached with corbaloc on TANGO_HOST;
 * several hosts are tried in order). Property layouts follow DataBase.cpp (tango-protocol.md §6.3).
 */

import type { TangoContext } from "../client/context.ts";
import { type CommandValue, decodeArgout, encodeArgin } from "../client/convert.ts";
import { formatTangoHosts, type TangoHost } from "../client/device-name.ts";
import { RemoteObject } from "../client/remote-object.ts";
import { commandInout4 } from "../client/tango-ops.ts";
import { DevFailed, devError } from "../errors/errors.ts";
import type { CmdArgTypeName } from "../idl/constants.ts";
import type { CallOptions } from "../iiop/logger.ts";

export const DB_OBJECT_KEY = new Uint8Array(Buffer.from("database", "latin1"));
export const DB_DEVICE_NAME = "sys/database/2";

/** DbImportDevice result. */
export interface ImportInfo {
  readonly name: string;
  readonly ior: string;
  readonly version: string;
  readonly server: string;
  readonly host: string;
  readonly className: string;
  readonly exported: boolean;
  readonly pid: number;
}

/** DbGetDeviceInfo result. */
export interface DbDeviceInfo extends ImportInfo {
  readonly started: string;
  readonly stopped: string;
}

/** Property values: one string per element (numbers are given as decimal strings on the wire). */
export type PropertyValue = string | number | boolean | bigint | readonly (string | number | boolean | bigint)[];
export type Properties = Record<string, string[]>;

interface LongString {
  readonly lvalue: readonly number[];
  readonly svalue: readonly string[];
}

function asStrings(v: CommandValue, what: string): string[] {
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v as string[];
  throw new DevFailed(devError("API_IncompatibleCmdArgumentType", `${what}: the database returned an unexpected value`, "Database"));
}

function asLongString(v: CommandValue, what: string): LongString {
  if (v && typeof v === "object" && "lvalue" in v && "svalue" in v) return v as LongString;
  throw new DevFailed(devError("API_IncompatibleCmdArgumentType", `${what}: the database returned an unexpected value`, "Database"));
}

/** `[obj, N, (name, n, v1..vn)×N]` → record. A missing property comes back as `name, "0", " "` and is omitted. */
export function parsePropertyReply(flat: readonly string[]): Properties {
  const out: Properties = {};
  const n = Number(flat[1] ?? 0);
  let i = 2;
  for (let k = 0; k < n && i < flat.length; k++) {
    const name = flat[i++] as string;
    const count = Number(flat[i++] ?? 0);
    if (count === 0) {
      if (flat[i] === " ") i++;
      continue;
    }
    out[name] = flat.slice(i, i + count) as string[];
    i += count;
  }
  return out;
}

/** record → `[obj, N, (name, n, v1..vn)×N]`. */
export function encodePropertyPut(obj: string, props: Readonly<Record<string, PropertyValue>>): string[] {
  const out = [obj, String(Object.keys(props).length)];
  for (const [name, value] of Object.entries(props)) {
    const list = Array.isArray(value) ? (value as readonly unknown[]) : [value];
    out.push(name, String(list.length), ...list.map((x) => String(x)));
  }
  return out;
}

export class Database {
  readonly hosts: readonly TangoHost[];
  private readonly context: TangoContext;
  private readonly obj: RemoteObject;

  /** Use `Database.connect()` or `context.database()`; the constructor does no I/O. */
  constructor(context: TangoContext, hosts: readonly TangoHost[]) {
    this.context = context;
    this.hosts = hosts;
    this.obj = new RemoteObject({
      name: `database ${formatTangoHosts(hosts)}`,
      address: { endpoints: hosts, objectKey: DB_OBJECT_KEY },
      context,
    });
  }

  /** The database of `hosts` (default TANGO_HOST), shared within the context. No I/O happens before the first call. */
  static async connect(opts: { context: TangoContext; hosts?: readonly TangoHost[] } & CallOptions): Promise<Database> {
    return opts.context.database(opts.hosts);
  }

  /** `host:port[,host:port]` of this database. */
  get tangoHost(): string {
    return formatTangoHosts(this.hosts);
  }

  setTimeout(ms: number): void {
    this.obj.timeoutMs = ms;
  }

  /** Runs any DataBase command (`inType` = its argin type; DevVoid when omitted). */
  async command(
    name: string,
    argin?: unknown,
    inType: CmdArgTypeName = argin === undefined ? "DevVoid" : "DevString",
    opts?: CallOptions,
  ): Promise<CommandValue> {
    const any = await commandInout4(this.obj, name, encodeArgin(inType, argin, `${name} argin`), 0, this.context.clientIdent, opts);
    return decodeArgout(any);
  }

  private async strings(cmd: string, argin: string | readonly string[], opts?: CallOptions): Promise<string[]> {
    const v = await this.command(cmd, argin, typeof argin === "string" ? "DevString" : "DevVarStringArray", opts);
    return asStrings(v, cmd);
  }

  // ----------------------------------------------------------------------------------------------- devices

  async importDevice(name: string, opts?: CallOptions): Promise<ImportInfo> {
    const v = asLongString(await this.command("DbImportDevice", name, "DevString", opts), "DbImportDevice");
    const s = v.svalue;
    return {
      name: s[0] ?? name,
      ior: s[1] ?? "",
      version: s[2] ?? "",
      server: s[3] ?? "",
      host: s[4] ?? "",
      className: s[5] ?? "",
      exported: v.lvalue[0] === 1,
      pid: v.lvalue[1] ?? -1,
    };
  }

  async getDeviceInfo(name: string, opts?: CallOptions): Promise<DbDeviceInfo> {
    const v = asLongString(await this.command("DbGetDeviceInfo", name, "DevString", opts), "DbGetDeviceInfo");
    const s = v.svalue;
    return {
      name: s[0] ?? name,
      ior: s[1] ?? "",
      version: s[2] ?? "",
      server: s[3] ?? "",
      host: s[4] ?? "",
      started: s[5] ?? "",
      stopped: s[6] ?? "",
      className: s[7] ?? "",
      exported: v.lvalue[0] === 1,
      pid: v.lvalue[1] ?? -1,
    };
  }

  /** Every device name matching the wildcard (`*` = all). */
  getDeviceList(pattern = "*", opts?: CallOptions): Promise<string[]> {
    return this.strings("DbGetDeviceWideList", pattern, opts);
  }
  /** Devices of a server instance and class (`DbGetDeviceList`). */
  getDeviceNames(server: string, className: string, opts?: CallOptions): Promise<string[]> {
    return this.strings("DbGetDeviceList", [server, className], opts);
  }
  getDeviceExportedList(pattern = "*", opts?: CallOptions): Promise<string[]> {
    return this.strings("DbGetDeviceExportedList", pattern, opts);
  }
  getServerList(pattern = "*", opts?: CallOptions): Promise<string[]> {
    return this.strings("DbGetServerList", pattern, opts);
  }
  getClassList(pattern = "*", opts?: CallOptions): Promise<string[]> {
    return this.strings("DbGetClassList", pattern, opts);
  }
  getDeviceDomainList(pattern = "*", opts?: CallOptions): Promise<string[]> {
    return this.strings("DbGetDeviceDomainList", pattern, opts);
  }
  getDeviceFamilyList(pattern: string, opts?: CallOptions): Promise<string[]> {
    return this.strings("DbGetDeviceFamilyList", pattern, opts);
  }
  getDeviceMemberList(pattern: string, opts?: CallOptions): Promise<string[]> {
    return this.strings("DbGetDeviceMemberList", pattern, opts);
  }
  /** `[device, class, device, class...]` of a server instance → pairs. */
  async getDeviceClassList(server: string, opts?: CallOptions): Promise<{ device: string; className: string }[]> {
    const flat = await this.strings("DbGetDeviceClassList", server, opts);
    const out: { device: string; className: string }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push({ device: flat[i] as string, className: flat[i + 1] as string });
    return out;
  }
  async getClassForDevice(device: string, opts?: CallOptions): Promise<string> {
    return String(await this.command("DbGetClassforDevice", device, "DevString", opts));
  }
  async info(opts?: CallOptions): Promise<string[]> {
    return asStrings(await this.command("DbInfo", undefined, "DevVoid", opts), "DbInfo");
  }

  // ----------------------------------------------------------------------------------------------- registration

  async addDevice(server: string, device: string, className: string, opts?: CallOptions): Promise<void> {
    await this.command("DbAddDevice", [server, device, className], "DevVarStringArray", opts);
  }
  async deleteDevice(device: string, opts?: CallOptions): Promise<void> {
    await this.command("DbDeleteDevice", device, "DevString", opts);
  }
  async deleteServer(server: string, opts?: CallOptions): Promise<void> {
    await this.command("DbDeleteServer", server, "DevString", opts);
  }
  async unexportDevice(device: string, opts?: CallOptions): Promise<void> {
    await this.command("DbUnExportDevice", device, "DevString", opts);
  }

  // ----------------------------------------------------------------------------------------------- aliases

  async getAliasDevice(alias: string, opts?: CallOptions): Promise<string> {
    return String(await this.command("DbGetAliasDevice", alias, "DevString", opts));
  }
  async getDeviceAlias(device: string, opts?: CallOptions): Promise<string> {
    return String(await this.command("DbGetDeviceAlias", device, "DevString", opts));
  }
  async putDeviceAlias(device: string, alias: string, opts?: CallOptions): Promise<void> {
    await this.command("DbPutDeviceAlias", [device, alias], "DevVarStringArray", opts);
  }
  async deleteDeviceAlias(alias: string, opts?: CallOptions): Promise<void> {
    await this.command("DbDeleteDeviceAlias", alias, "DevString", opts);
  }
  getDeviceAliasList(pattern = "*", opts?: CallOptions): Promise<string[]> {
    return this.strings("DbGetDeviceAliasList", pattern, opts);
  }

  // ----------------------------------------------------------------------------------------------- properties

  /** Device properties (names may use `*`); missing ones are absent from the result. */
  async getDeviceProperty(device: string, names: readonly string[], opts?: CallOptions): Promise<Properties> {
    return parsePropertyReply(await this.strings("DbGetDeviceProperty", [device, ...names], opts));
  }
  async putDeviceProperty(device: string, props: Readonly<Record<string, PropertyValue>>, opts?: CallOptions): Promise<void> {
    await this.command("DbPutDeviceProperty", encodePropertyPut(device, props), "DevVarStringArray", opts);
  }
  async deleteDeviceProperty(device: string, names: readonly string[], opts?: CallOptions): Promise<void> {
    await this.command("DbDeleteDeviceProperty", [device, ...names], "DevVarStringArray", opts);
  }
  getDevicePropertyList(device: string, pattern = "*", opts?: CallOptions): Promise<string[]> {
    return this.strings("DbGetDevicePropertyList", [device, pattern], opts);
  }

  async getClassProperty(className: string, names: readonly string[], opts?: CallOptions): Promise<Properties> {
    return parsePropertyReply(await this.strings("DbGetClassProperty", [className, ...names], opts));
  }
  async putClassProperty(className: string, props: Readonly<Record<string, PropertyValue>>, opts?: CallOptions): Promise<void> {
    await this.command("DbPutClassProperty", encodePropertyPut(className, props), "DevVarStringArray", opts);
  }
  async deleteClassProperty(className: string, names: readonly string[], opts?: CallOptions): Promise<void> {
    await this.command("DbDeleteClassProperty", [className, ...names], "DevVarStringArray", opts);
  }

  /** Free (object) properties, e.g. object `CtrlSystem`. */
  async getProperty(object: string, names: readonly string[], opts?: CallOptions): Promise<Properties> {
    return parsePropertyReply(await this.strings("DbGetProperty", [object, ...names], opts));
  }
  async putProperty(object: string, props: Readonly<Record<string, PropertyValue>>, opts?: CallOptions): Promise<void> {
    await this.command("DbPutProperty", encodePropertyPut(object, props), "DevVarStringArray", opts);
  }
  async deleteProperty(object: string, names: readonly string[], opts?: CallOptions): Promise<void> {
    await this.command("DbDeleteProperty", [object, ...names], "DevVarStringArray", opts);
  }
}
