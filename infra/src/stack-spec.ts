/**
 * Building StackSpecs from SKA dsconfig JSON: the example stack (the ska-tango-examples layout in
 * infra/config/examples.json), device lists per server, and property overrides such as the scaled Tabata tick.
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { DsConfig, DsDevice, ServerSpec, StackSpec } from "./harness.ts";

/** infra/config/examples.json: servers `tabata` and `asynctabata`, as in ska-tango-examples. */
export const EXAMPLES_CONFIG_PATH = new URL("../config/examples.json", import.meta.url).pathname;

/** The module exporting Counter, Tabata, AsyncCounter and AsyncTabata. */
export const EXAMPLES_MODULE = "@tango-bdd/tabata";

/** A short, unique, label-safe run id: `bdd-<time36>-<random>`. */
export function newRunId(prefix = "bdd"): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
}

export async function loadDsConfig(path: string): Promise<DsConfig> {
  const parsed: unknown = JSON.parse(await readFile(path, "utf8"));
  assertDsConfig(parsed, path);
  return parsed;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Structural check of a dsconfig document; throws a TypeError naming the first bad path. */
export function assertDsConfig(v: unknown, source = "dsconfig"): asserts v is DsConfig {
  const fail = (path: string, what: string): never => {
    throw new TypeError(`${source}: ${path} ${what}`);
  };
  if (!isRecord(v)) fail("(root)", "must be an object");
  const root = v as Record<string, unknown>;
  if (!isRecord(root.servers)) fail("servers", "must be an object");
  for (const [server, instances] of Object.entries(root.servers as Record<string, unknown>)) {
    if (!isRecord(instances)) fail(`servers.${server}`, "must be an object of instances");
    for (const [instance, classes] of Object.entries(instances as Record<string, unknown>)) {
      if (!isRecord(classes)) fail(`servers.${server}.${instance}`, "must be an object of classes");
      for (const [cls, devices] of Object.entries(classes as Record<string, unknown>)) {
        if (!isRecord(devices)) fail(`servers.${server}.${instance}.${cls}`, "must be an object of devices");
        for (const [dev, body] of Object.entries(devices as Record<string, unknown>)) {
          const at = `servers.${server}.${instance}.${cls}.${dev}`;
          if (dev.split("/").length !== 3) fail(at, "is not a domain/family/member device name");
          if (!isRecord(body)) fail(at, "must be an object");
          const props = (body as Record<string, unknown>).properties;
          if (props !== undefined) {
            if (!isRecord(props)) fail(`${at}.properties`, "must be an object");
            for (const [p, values] of Object.entries(props as Record<string, unknown>)) {
              if (!Array.isArray(values) || values.some((x) => typeof x !== "string"))
                fail(`${at}.properties.${p}`, "must be a string list");
            }
          }
        }
      }
    }
  }
}

export interface DeviceEntry {
  readonly server: string;
  readonly instance: string;
  readonly tangoClass: string;
  readonly name: string;
  readonly body: DsDevice;
}

/** Every device of the config, in document order. */
export function devicesOf(config: DsConfig, filter?: { server?: string; instance?: string }): DeviceEntry[] {
  const out: DeviceEntry[] = [];
  for (const [server, instances] of Object.entries(config.servers)) {
    if (filter?.server !== undefined && filter.server !== server) continue;
    for (const [instance, classes] of Object.entries(instances)) {
      if (filter?.instance !== undefined && filter.instance !== instance) continue;
      for (const [tangoClass, devices] of Object.entries(classes)) {
        for (const [name, body] of Object.entries(devices)) out.push({ server, instance, tangoClass, name, body });
      }
    }
  }
  return out;
}

/** A copy of `config` with device property `property` of `device` set to `values` (device names compare case-insensitively). */
export function withDeviceProperty(config: DsConfig, device: string, property: string, values: readonly string[]): DsConfig {
  let found = false;
  const servers: DsConfig["servers"] = {};
  for (const [server, instances] of Object.entries(config.servers)) {
    const outInstances: DsConfig["servers"][string] = {};
    for (const [instance, classes] of Object.entries(instances)) {
      const outClasses: DsConfig["servers"][string][string] = {};
      for (const [cls, devices] of Object.entries(classes)) {
        const outDevices: Record<string, DsDevice> = {};
        for (const [name, body] of Object.entries(devices)) {
          if (name.toLowerCase() === device.toLowerCase()) {
            found = true;
            outDevices[name] = { ...body, properties: { ...(body.properties ?? {}), [property]: [...values] } };
          } else outDevices[name] = body;
        }
        outClasses[cls] = outDevices;
      }
      outInstances[instance] = outClasses;
    }
    servers[server] = outInstances;
  }
  if (!found) throw new TypeError(`withDeviceProperty: no device ${device} in the config`);
  return config.classes ? { servers, classes: config.classes } : { servers };
}

/** One ServerSpec per `<server>/<instance>` of the config; every device of the instance must answer for readiness. */
export function serversOf(config: DsConfig, module: string, env?: Readonly<Record<string, string>>): ServerSpec[] {
  const out: ServerSpec[] = [];
  for (const [server, instances] of Object.entries(config.servers)) {
    for (const instance of Object.keys(instances)) {
      const readinessDevices = devicesOf(config, { server, instance }).map((d) => d.name);
      out.push(env ? { server, instance, module, readinessDevices, env } : { server, instance, module, readinessDevices });
    }
  }
  return out;
}

export interface ExampleStackOptions {
  readonly runId?: string;
  /** Tabata `sleep_time` in seconds (the tick). The upstream default is 1 s; the suite scales it down. */
  readonly tabataTick?: number;
  /** Keep only these servers (e.g. ["tabata"]). */
  readonly onlyServers?: readonly string[];
  readonly module?: string;
  readonly startTimeoutMs?: number;
  readonly configPath?: string;
}

/** The ska-tango-examples stack: database + tabata/{counters,tabata} + asynctabata/{asyncounters,tabata}. */
export async function exampleStackSpec(opts: ExampleStackOptions = {}): Promise<StackSpec> {
  let config = await loadDsConfig(opts.configPath ?? EXAMPLES_CONFIG_PATH);
  if (opts.onlyServers) {
    const keep = new Set(opts.onlyServers);
    config = { servers: Object.fromEntries(Object.entries(config.servers).filter(([s]) => keep.has(s))) };
  }
  if (opts.tabataTick !== undefined && devicesOf(config).some((d) => d.name === "test/tabata/1")) {
    config = withDeviceProperty(config, "test/tabata/1", "sleep_time", [String(opts.tabataTick)]);
  }
  return {
    runId: opts.runId ?? newRunId(),
    config,
    servers: serversOf(config, opts.module ?? EXAMPLES_MODULE),
    startTimeoutMs: opts.startTimeoutMs ?? 30_000,
  };
}
