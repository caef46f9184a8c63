/**
 * ServerDatabase over the client's DbLink: the DataBase commands a device server uses (tango-protocol.md §6.4),
 * with the flat string-array layouts of DataBase.cpp.
 */
import { type DbLink, parsePropertyReply } from "../client/db-link.ts";
import type { CallOptions } from "../iiop/logger.ts";
import type { ServerDatabase } from "./server.ts";

/** cppTango uses 13 s for database calls during startup (DB_TIMEOUT). */
const DB_TIMEOUT_MS = 13000;

function asStrings(v: unknown): string[] {
  return Array.isArray(v) ? v.map((x) => String(x)) : [];
}

/**
 * `[obj, N_attr, (attr, N_prop, (name, n, v1..vn)×N_prop)×N_attr]` → attr (lower-case) → prop → values. The pipe
 * property commands (DbGetDevicePipeProperty, DbGetClassPipeProperty) answer in the same layout.
 */
export function parseAttributePropertyReply(flat: readonly string[]): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  const nAttr = Number(flat[1] ?? 0);
  let i = 2;
  for (let a = 0; a < nAttr && i < flat.length; a++) {
    const attr = (flat[i++] as string).toLowerCase();
    const nProp = Number(flat[i++] ?? 0);
    const props: Record<string, string[]> = {};
    for (let p = 0; p < nProp && i < flat.length; p++) {
      const name = flat[i++] as string;
      const n = Number(flat[i++] ?? 0);
      props[name] = flat.slice(i, i + n) as string[];
      i += n;
    }
    out[attr] = props;
  }
  return out;
}

export function dbLinkServerDatabase(db: DbLink, opts: CallOptions = { timeoutMs: DB_TIMEOUT_MS }): ServerDatabase {
  const run = (cmd: string, argin: unknown, type: "DevString" | "DevVarStringArray") => db.command(cmd, argin, type, opts);
  return {
    tangoHost: db.tangoHost,
    async deviceList(server, tangoClass) {
      return asStrings(await run("DbGetDeviceList", [server, tangoClass], "DevVarStringArray"));
    },
    async exportDevice(name, ior, host, pid, version) {
      await run("DbExportDevice", [name, ior, host, String(pid), version], "DevVarStringArray");
    },
    async unexportServer(server) {
      await run("DbUnExportServer", server, "DevString");
    },
    async importDevice(name) {
      const i = await db.importDevice(name, opts);
      return { exported: i.exported, ior: i.ior };
    },
    // DbGet*Property does not expand `*` in names: list the names first.
    async deviceProperties(device) {
      const names = asStrings(await run("DbGetDevicePropertyList", [device, "*"], "DevVarStringArray"));
      if (names.length === 0) return {};
      return parsePropertyReply(asStrings(await run("DbGetDeviceProperty", [device, ...names], "DevVarStringArray")));
    },
    async classProperties(tangoClass) {
      const names = asStrings(await run("DbGetClassPropertyList", tangoClass, "DevString"));
      if (names.length === 0) return {};
      return parsePropertyReply(asStrings(await run("DbGetClassProperty", [tangoClass, ...names], "DevVarStringArray")));
    },
    async attributeProperties(device, attrs) {
      if (attrs.length === 0) return {};
      return parseAttributePropertyReply(asStrings(await run("DbGetDeviceAttributeProperty2", [device, ...attrs], "DevVarStringArray")));
    },
    async putAttributeProperties(device, attr, props) {
      const flat = [device, "1", attr, String(Object.keys(props).length)];
      for (const [k, v] of Object.entries(props)) flat.push(k, String(v.length), ...v);
      await run("DbPutDeviceAttributeProperty2", flat, "DevVarStringArray");
    },
    async putDeviceProperty(device, name, values) {
      await run("DbPutDeviceProperty", [device, "1", name, String(values.length), ...values], "DevVarStringArray");
    },
    async pipeProperties(device, pipes) {
      if (pipes.length === 0) return {};
      return parseAttributePropertyReply(asStrings(await run("DbGetDevicePipeProperty", [device, ...pipes], "DevVarStringArray")));
    },
    async classPipeProperties(tangoClass, pipes) {
      if (pipes.length === 0) return {};
      return parseAttributePropertyReply(asStrings(await run("DbGetClassPipeProperty", [tangoClass, ...pipes], "DevVarStringArray")));
    },
    async putPipeProperties(device, pipe, props) {
      const flat = [device, "1", pipe, String(Object.keys(props).length)];
      for (const [k, v] of Object.entries(props)) flat.push(k, String(v.length), ...v);
      await run("DbPutDevicePipeProperty", flat, "DevVarStringArray");
    },
    async deletePipeProperties(device, pipe, names) {
      await run("DbDeleteDevicePipeProperty", [device, pipe, ...names], "DevVarStringArray");
    },
    async deleteDeviceProperty(device, name) {
      await run("DbDeleteDeviceProperty", [device, name], "DevVarStringArray");
    },
  };
}
