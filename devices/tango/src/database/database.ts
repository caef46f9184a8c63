/**
 * Client of the Tango database device (`sys/database/2`): device/server/class lists, device info, exported devices,
 * device/class/free properties, aliases, registration. Built on the client layer's DbLink (import, device properties).
 */

import type { TangoContext } from "../client/context.ts";
import type { DbDeviceInfo, Properties, PropertyValue } from "../client/db-link.ts";
import { DbLink, encodePropertyPut, parsePropertyReply } from "../client/db-link.ts";
import type { TangoHost } from "../client/device-name.ts";
import type { CallOptions } from "../iiop/logger.ts";

export {
  DB_DEVICE_NAME,
  DB_OBJECT_KEY,
  type DbDeviceInfo,
  encodePropertyPut,
  type ImportInfo,
  type Properties,
  type PropertyValue,
  parsePropertyReply,
} from "../client/db-link.ts";

export class Database extends DbLink {
  /** The database of `hosts` (default: the context's TANGO_HOST). No I/O happens before the first call. */
  static async connect(opts: { context: TangoContext; hosts?: readonly TangoHost[] } & CallOptions): Promise<Database> {
    const hosts = opts.hosts ?? opts.context.databaseLink().hosts;
    return new Database(opts.context, hosts);
  }

  // ----------------------------------------------------------------------------------------------- devices

  async getDeviceInfo(name: string, opts?: CallOptions): Promise<DbDeviceInfo> {
    const v = await this.longStrings("DbGetDeviceInfo", name, opts);
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
    const v = await this.command("DbInfo", undefined, "DevVoid", opts);
    return Array.isArray(v) ? v.map(String) : [];
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
