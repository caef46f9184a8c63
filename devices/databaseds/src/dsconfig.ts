/**
 * Configuration as data: SKA dsconfig JSON (the format ska-tango-util Helm charts carry) loaded into and dumped
 * from a Tango database, through DataBase commands only, so the same code works in-process (DataBaseCommands)
 * and remotely (a DbCommandRunner over TANGO_HOST).
 *
 *   { "servers": { Server: { instance: { Class: { "dev/name": {
 *        "properties": { name: [values] }, "attribute_properties": { attr: { prop: [values] } }, "alias"?: "x" } } } } },
 *     "classes": { Class: { "properties": {…}, "attribute_properties": {…} } } }
 */
import { InvalidArgumentError } from "@tango-bdd/tango";
import type { DbValue } from "./commands.ts";

/** Runs one DataBase command (in-process or over the network). */
export type DbCommandRunner = (command: string, argin: DbValue) => Promise<DbValue> | DbValue;

export type PropertyMap = Record<string, string[]>;
export type AttributePropertyMap = Record<string, PropertyMap>;
export interface DeviceConfig {
  properties?: PropertyMap;
  attribute_properties?: AttributePropertyMap;
  alias?: string;
}
export interface ClassConfig {
  properties?: PropertyMap;
  attribute_properties?: AttributePropertyMap;
}
export interface DsConfig {
  servers?: Record<string, Record<string, Record<string, Record<string, DeviceConfig>>>>;
  classes?: Record<string, ClassConfig>;
}

export interface LoadReport {
  readonly servers: number;
  readonly devices: number;
  readonly properties: number;
  readonly attributeProperties: number;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function values(v: unknown, where: string): string[] {
  if (Array.isArray(v)) return v.map((x) => String(x));
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return [String(v)];
  throw new InvalidArgumentError(`${where}: property value must be a list of strings`, "dsconfig", "DsConfig_BadValue");
}

function propMap(v: unknown, where: string): PropertyMap {
  if (v === undefined) return {};
  if (!isObject(v)) throw new InvalidArgumentError(`${where}: "properties" must be an object`, "dsconfig", "DsConfig_BadValue");
  const out: PropertyMap = {};
  for (const [k, x] of Object.entries(v)) out[k] = values(x, `${where}/${k}`);
  return out;
}

function attrPropMap(v: unknown, where: string): AttributePropertyMap {
  if (v === undefined) return {};
  if (!isObject(v)) throw new InvalidArgumentError(`${where}: "attribute_properties" must be an object`, "dsconfig", "DsConfig_BadValue");
  const out: AttributePropertyMap = {};
  for (const [attr, props] of Object.entries(v)) out[attr] = propMap(props, `${where}/${attr}`);
  return out;
}

/** Validates and normalises parsed JSON into a DsConfig (values always string lists). */
export function parseDsConfig(json: unknown): DsConfig {
  if (!isObject(json)) throw new InvalidArgumentError("dsconfig: the top level must be an object", "dsconfig", "DsConfig_BadValue");
  const out: DsConfig = {};
  if (json.servers !== undefined) {
    if (!isObject(json.servers)) throw new InvalidArgumentError('dsconfig: "servers" must be an object', "dsconfig", "DsConfig_BadValue");
    out.servers = {};
    for (const [server, instances] of Object.entries(json.servers)) {
      if (!isObject(instances))
        throw new InvalidArgumentError(`dsconfig: servers/${server} must be an object`, "dsconfig", "DsConfig_BadValue");
      const insts: Record<string, Record<string, Record<string, DeviceConfig>>> = {};
      for (const [instance, classes] of Object.entries(instances)) {
        if (!isObject(classes))
          throw new InvalidArgumentError(`dsconfig: ${server}/${instance} must be an object`, "dsconfig", "DsConfig_BadValue");
        const cls: Record<string, Record<string, DeviceConfig>> = {};
        for (const [className, devices] of Object.entries(classes)) {
          if (!isObject(devices))
            throw new InvalidArgumentError(
              `dsconfig: ${server}/${instance}/${className} must be an object`,
              "dsconfig",
              "DsConfig_BadValue",
            );
          const devs: Record<string, DeviceConfig> = {};
          for (const [dev, cfg] of Object.entries(devices)) {
            const where = `${server}/${instance}/${className}/${dev}`;
            const c = isObject(cfg) ? cfg : {};
            const d: DeviceConfig = {
              properties: propMap(c.properties, where),
              attribute_properties: attrPropMap(c.attribute_properties, where),
            };
            if (typeof c.alias === "string") d.alias = c.alias;
            devs[dev] = d;
          }
          cls[className] = devs;
        }
        insts[instance] = cls;
      }
      out.servers[server] = insts;
    }
  }
  if (json.classes !== undefined) {
    if (!isObject(json.classes)) throw new InvalidArgumentError('dsconfig: "classes" must be an object', "dsconfig", "DsConfig_BadValue");
    out.classes = {};
    for (const [cls, cfg] of Object.entries(json.classes)) {
      const c = isObject(cfg) ? cfg : {};
      out.classes[cls] = {
        properties: propMap(c.properties, `classes/${cls}`),
        attribute_properties: attrPropMap(c.attribute_properties, `classes/${cls}`),
      };
    }
  }
  return out;
}

function putPropsArg(obj: string, props: PropertyMap): string[] {
  const names = Object.keys(props);
  const out = [obj, String(names.length)];
  for (const n of names) {
    const v = props[n] ?? [];
    out.push(n, String(v.length), ...v);
  }
  return out;
}

function putAttrPropsArg(obj: string, attrs: AttributePropertyMap): string[] {
  const names = Object.keys(attrs);
  const out = [obj, String(names.length)];
  for (const a of names) {
    const props = attrs[a] ?? {};
    const pn = Object.keys(props);
    out.push(a, String(pn.length));
    for (const p of pn) {
      const v = props[p] ?? [];
      out.push(p, String(v.length), ...v);
    }
  }
  return out;
}

/** Writes a dsconfig into the database: servers and devices are (re)defined, listed properties overwritten. */
export async function loadDsConfig(config: DsConfig, run: DbCommandRunner): Promise<LoadReport> {
  let servers = 0;
  let devices = 0;
  let properties = 0;
  let attributeProperties = 0;
  for (const [server, instances] of Object.entries(config.servers ?? {})) {
    for (const [instance, classes] of Object.entries(instances)) {
      const serverName = `${server}/${instance}`;
      const addArg = [serverName];
      for (const [cls, devs] of Object.entries(classes)) for (const dev of Object.keys(devs)) addArg.push(dev, cls);
      if (addArg.length > 1) await run("DbAddServer", addArg);
      servers++;
      for (const devs of Object.values(classes)) {
        for (const [dev, cfg] of Object.entries(devs)) {
          devices++;
          const props = cfg.properties ?? {};
          if (Object.keys(props).length > 0) {
            await run("DbPutDeviceProperty", putPropsArg(dev, props));
            properties += Object.keys(props).length;
          }
          const attrs = cfg.attribute_properties ?? {};
          if (Object.keys(attrs).length > 0) {
            await run("DbPutDeviceAttributeProperty2", putAttrPropsArg(dev, attrs));
            for (const p of Object.values(attrs)) attributeProperties += Object.keys(p).length;
          }
          if (cfg.alias !== undefined) await run("DbPutDeviceAlias", [dev, cfg.alias]);
        }
      }
    }
  }
  for (const [cls, cfg] of Object.entries(config.classes ?? {})) {
    const props = cfg.properties ?? {};
    if (Object.keys(props).length > 0) {
      await run("DbPutClassProperty", putPropsArg(cls, props));
      properties += Object.keys(props).length;
    }
    const attrs = cfg.attribute_properties ?? {};
    if (Object.keys(attrs).length > 0) {
      await run("DbPutClassAttributeProperty2", putAttrPropsArg(cls, attrs));
      for (const p of Object.values(attrs)) attributeProperties += Object.keys(p).length;
    }
  }
  return { servers, devices, properties, attributeProperties };
}

function strings(v: DbValue): readonly string[] {
  return Array.isArray(v) ? (v as readonly string[]) : [];
}

/** Parses a `[obj, N, (name, n, values…)…]` reply into a map. */
function readProps(reply: readonly string[]): PropertyMap {
  const out: PropertyMap = {};
  let i = 2;
  const n = Number(reply[1] ?? 0);
  for (let k = 0; k < n && i < reply.length; k++) {
    const name = reply[i++] ?? "";
    const nv = Number(reply[i++] ?? 0);
    const vals = reply.slice(i, i + nv);
    i += nv;
    if (nv > 0) out[name] = [...vals];
  }
  return out;
}

/** Parses a `[obj, N_attr, (attr, N_prop, (name, n, values…)…)…]` reply. */
function readAttrProps(reply: readonly string[]): AttributePropertyMap {
  const out: AttributePropertyMap = {};
  let i = 2;
  const na = Number(reply[1] ?? 0);
  for (let a = 0; a < na && i < reply.length; a++) {
    const attr = reply[i++] ?? "";
    const np = Number(reply[i++] ?? 0);
    const props: PropertyMap = {};
    for (let p = 0; p < np && i < reply.length; p++) {
      const name = reply[i++] ?? "";
      const nv = Number(reply[i++] ?? 0);
      props[name] = [...reply.slice(i, i + nv)];
      i += nv;
    }
    if (Object.keys(props).length > 0) out[attr] = props;
  }
  return out;
}

export interface DumpOptions {
  /** Server name wildcard (default `*`). */
  readonly servers?: string;
  /** Leave out the database's own servers (DataBaseds/*, default true). */
  readonly skipDatabaseServer?: boolean;
}

/** Reads the database back into dsconfig form (device server admin devices are implicit and left out). */
export async function dumpDsConfig(run: DbCommandRunner, opts: DumpOptions = {}): Promise<DsConfig> {
  const out: Required<DsConfig> = { servers: {}, classes: {} };
  const classesSeen = new Set<string>();
  for (const serverName of strings(await run("DbGetServerList", opts.servers ?? "*"))) {
    const slash = serverName.indexOf("/");
    if (slash < 0) continue;
    const server = serverName.slice(0, slash);
    if ((opts.skipDatabaseServer ?? true) && server.toLowerCase() === "databaseds") continue;
    const instance = serverName.slice(slash + 1);
    const pairs = strings(await run("DbGetDeviceClassList", serverName));
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      const dev = pairs[i] ?? "";
      const cls = pairs[i + 1] ?? "";
      if (cls === "DServer") continue;
      classesSeen.add(cls);
      const cfg: DeviceConfig = {};
      const propNames = strings(await run("DbGetDevicePropertyList", [dev, "*"]));
      if (propNames.length > 0) {
        const props = readProps(strings(await run("DbGetDeviceProperty", [dev, ...propNames])));
        if (Object.keys(props).length > 0) cfg.properties = props;
      }
      const attrNames = strings(await run("DbGetDeviceAttributeList", [dev, "*"]));
      if (attrNames.length > 0) {
        const attrs = readAttrProps(strings(await run("DbGetDeviceAttributeProperty2", [dev, ...attrNames])));
        if (Object.keys(attrs).length > 0) cfg.attribute_properties = attrs;
      }
      const servers = out.servers;
      const inst = ((servers[server] ??= {})[instance] ??= {});
      (inst[cls] ??= {})[dev] = cfg;
    }
  }
  for (const cls of [...classesSeen].sort()) {
    const cfg: ClassConfig = {};
    const propNames = strings(await run("DbGetClassPropertyList", cls));
    if (propNames.length > 0) {
      const props = readProps(strings(await run("DbGetClassProperty", [cls, ...propNames])));
      if (Object.keys(props).length > 0) cfg.properties = props;
    }
    const attrNames = strings(await run("DbGetClassAttributeList", [cls, "*"]));
    if (attrNames.length > 0) {
      const attrs = readAttrProps(strings(await run("DbGetClassAttributeProperty2", [cls, ...attrNames])));
      if (Object.keys(attrs).length > 0) cfg.attribute_properties = attrs;
    }
    if (Object.keys(cfg).length > 0) out.classes[cls] = cfg;
  }
  return out;
}
