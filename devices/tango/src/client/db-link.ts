/**
 * The client layer's link to the Tango database device (`sys/database/2`, object key `database`, reached with
 * corbaloc on TANGO_HOST; several hosts are tried in order): generic command execution plus what DeviceProxy needs
 * (import, aliases, device properties). The full Database API (database/database.ts) extends it.
 * Property layouts follow DataBase.cpp (tango-protocol.md §6.3).
 */

import { DevFailed, devError } from "../errors/errors.ts";
import type { CmdArgTypeName } from "../idl/constants.ts";
import type { CallOptions } from "../iiop/logger.ts";
import type { TangoContext } from "./context.ts";
import { type CommandValue, decodeArgout, encodeArgin } from "./convert.ts";
import { formatTangoHosts, type TangoHost } from "./device-name.ts";
import { RemoteObject } from "./remote-object.ts";
import { commandInout4 } from "./tango-ops.ts";

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

export interface LongString {
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

function inferDbType(argin: unknown): CmdArgTypeName {
  if (argin === undefined || argin === null) return "DevVoid";
  if (Array.isArray(argin)) return "DevVarStringArray";
  if (typeof argin === "object" && "lvalue" in argin) return "DevVarLongStringArray";
  return "DevString";
}

export class DbLink {
  readonly hosts: readonly TangoHost[];
  protected readonly context: TangoContext;
  protected readonly obj: RemoteObject;

  /** The constructor does no I/O. */
  constructor(context: TangoContext, hosts: readonly TangoHost[]) {
    this.context = context;
    this.hosts = hosts;
    this.obj = new RemoteObject({
      name: `database ${formatTangoHosts(hosts)}`,
      address: { endpoints: hosts, objectKey: DB_OBJECT_KEY },
      context,
    });
  }

  /** `host:port[,host:port]` of this database. */
  get tangoHost(): string {
    return formatTangoHosts(this.hosts);
  }

  setTimeout(ms: number): void {
    this.obj.timeoutMs = ms;
  }

  /**
   * Runs any DataBase command. Without `inType` the argin type is inferred: none → DevVoid, string → DevString,
   * string[] → DevVarStringArray, {lvalue, svalue} → DevVarLongStringArray.
   */
  async command(name: string, argin?: unknown, inType: CmdArgTypeName = inferDbType(argin), opts?: CallOptions): Promise<CommandValue> {
    const any = await commandInout4(this.obj, name, encodeArgin(inType, argin, `${name} argin`), 0, this.context.clientIdent, opts);
    return decodeArgout(any);
  }

  protected async strings(cmd: string, argin: string | readonly string[], opts?: CallOptions): Promise<string[]> {
    const v = await this.command(cmd, argin, typeof argin === "string" ? "DevString" : "DevVarStringArray", opts);
    return asStrings(v, cmd);
  }

  protected async longStrings(cmd: string, argin: string, opts?: CallOptions): Promise<LongString> {
    return asLongString(await this.command(cmd, argin, "DevString", opts), cmd);
  }

  async importDevice(name: string, opts?: CallOptions): Promise<ImportInfo> {
    const v = await this.longStrings("DbImportDevice", name, opts);
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

  async getAliasDevice(alias: string, opts?: CallOptions): Promise<string> {
    return String(await this.command("DbGetAliasDevice", alias, "DevString", opts));
  }

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
}
