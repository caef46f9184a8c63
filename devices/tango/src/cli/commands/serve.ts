/**
 * `tango serve <Server>/<instance>`: runs a device server registered in the database at TANGO_HOST, or without a
 * database with `--nodb --devices Class::a/b/c ...` (like `-nodb -dlist`). Device classes come from modules: every
 * exported Device subclass (or an exported `deviceClasses` array) of `--module <path|package>` (repeatable), of
 * TANGO_DEVICE_MODULES (comma separated), and of the example packages of this repository when they are installed.
 */
import { pathToFileURL } from "node:url";
import { formatTangoHosts } from "../../client/device-name.ts";
import { DevFailed } from "../../errors/errors.ts";
import type { LogFields, Logger } from "../../iiop/logger.ts";
import { getDeviceClassSpec } from "../../server/decorators.ts";
import { Device } from "../../server/device.ts";
import type { DeviceClass } from "../../server/device-runtime.ts";
import { MemoryStore } from "../../server/memory-store.ts";
import { DeviceServer } from "../../server/server.ts";
import { dbLinkServerDatabase } from "../../server/server-database.ts";
import type { SerialModel } from "../../server/spec.ts";
import type { CliCommand, CliIo } from "../cli-io.ts";
import { ArgReader, UsageError } from "../cli-io.ts";

/** Packages tried by default (missing ones are skipped silently; bin/cli-bundle.mjs keeps the same list). */
export const DEFAULT_MODULES = ["@tango-bdd/counter", "@tango-bdd/tabata"];
const SERIAL_MODELS: readonly SerialModel[] = ["BY_DEVICE", "BY_CLASS", "BY_PROCESS", "NO_SYNC"];

interface ServeArgs {
  server: string;
  instance: string;
  nodb: boolean;
  devices: string[];
  modules: string[];
  port?: number;
  host?: string;
  publishHost?: string;
  heartbeatPort?: number;
  eventPort?: number;
  serialModel?: SerialModel;
  verbose: boolean;
}

function num(flag: string, v: string | undefined): number {
  const n = Number(v);
  if (v === undefined || !Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${flag} needs a port number`);
  return n;
}

function parseArgs(args: readonly string[], env: CliIo["env"]): ServeArgs {
  const positional: string[] = [];
  const out: Omit<ServeArgs, "server" | "instance"> = { nodb: false, devices: [], modules: [], verbose: false };
  const r = new ArgReader(args);
  for (let a = r.next(); a !== undefined; a = r.next()) {
    const flag = r.flag;
    switch (flag) {
      case "--nodb":
        out.nodb = true;
        break;
      case "--devices":
      case "--dlist": {
        // Values until the next flag; commas also separate.
        const first = r.value();
        out.devices.push(...first.split(","));
        for (let more = r.nextPlain(); more !== undefined; more = r.nextPlain()) out.devices.push(...more.split(","));
        break;
      }
      case "--module":
        out.modules.push(r.value());
        break;
      case "--port":
        out.port = num(flag, r.value());
        break;
      case "--host":
        out.host = r.value();
        break;
      case "--publish-host":
        out.publishHost = r.value();
        break;
      case "--heartbeat-port":
        out.heartbeatPort = num(flag, r.value());
        break;
      case "--event-port":
        out.eventPort = num(flag, r.value());
        break;
      case "--serial": {
        const m = r.value().toUpperCase() as SerialModel;
        if (!SERIAL_MODELS.includes(m)) throw new UsageError(`--serial must be one of ${SERIAL_MODELS.join(", ")}`);
        out.serialModel = m;
        break;
      }
      case "--verbose":
      case "-v":
        out.verbose = true;
        break;
      default:
        if (a.startsWith("--")) throw new UsageError(`unknown option ${a}`);
        positional.push(a);
    }
  }
  const id = positional[0];
  const m = id ? /^([^/\s]+)\/([^/\s]+)$/.exec(id) : null;
  if (!m || positional.length > 1) throw new UsageError("usage: serve <Server>/<instance> [options]");
  out.port ??= env.TANGO_SERVER_PORT ? num("TANGO_SERVER_PORT", env.TANGO_SERVER_PORT) : undefined;
  out.publishHost ??= env.TANGO_SERVER_PUBLISH_HOSTNAME || undefined;
  out.heartbeatPort ??= env.TANGO_ZMQ_HEARTBEAT_PORT ? num("TANGO_ZMQ_HEARTBEAT_PORT", env.TANGO_ZMQ_HEARTBEAT_PORT) : undefined;
  out.eventPort ??= env.TANGO_ZMQ_EVENT_PORT ? num("TANGO_ZMQ_EVENT_PORT", env.TANGO_ZMQ_EVENT_PORT) : undefined;
  for (const mod of (env.TANGO_DEVICE_MODULES ?? "").split(",")) if (mod.trim()) out.modules.push(mod.trim());
  return { ...out, server: m[1] as string, instance: m[2] as string };
}

/** Device modules compiled into the CLI bundle (bin/cli-bundle.mjs), by the specifier `import()` would get. */
const bundledModules = new Map<string, Record<string, unknown>>();

/** Called by the CLI bundle's entry: these modules are served from the bundle instead of being imported. */
export function registerBundledModules(mods: Readonly<Record<string, Record<string, unknown>>>): void {
  for (const [spec, mod] of Object.entries(mods)) bundledModules.set(spec, mod);
}

function isDeviceClass(v: unknown): v is DeviceClass {
  return typeof v === "function" && v !== Device && (v as { prototype?: unknown }).prototype instanceof Device;
}

/** Loads device classes from modules; `required` modules must load, default ones may be absent. */
export async function loadDeviceClasses(modules: readonly string[], required: boolean): Promise<Map<string, DeviceClass>> {
  const out = new Map<string, DeviceClass>();
  for (const m of modules) {
    const spec = m.startsWith(".") || m.startsWith("/") ? pathToFileURL(m).href : m;
    let mod: Record<string, unknown>;
    try {
      mod = bundledModules.get(spec) ?? ((await import(spec)) as Record<string, unknown>);
    } catch (e) {
      if (!required) continue;
      throw DevFailed.from(
        "API_ModuleNotFound",
        `cannot load device module ${m}: ${e instanceof Error ? e.message : String(e)}`,
        "tango serve",
      );
    }
    const candidates = [...Object.values(mod), ...(Array.isArray(mod.deviceClasses) ? (mod.deviceClasses as unknown[]) : [])];
    for (const c of candidates) if (isDeviceClass(c)) out.set(getDeviceClassSpec(c).tangoClass.toLowerCase(), c);
  }
  return out;
}

function stderrLogger(io: CliIo, verbose: boolean): Logger {
  const fmt = (level: string, msg: string, f?: LogFields): string =>
    `${new Date().toISOString()} ${level} ${msg}${f ? ` ${JSON.stringify(f, (_k, v) => (typeof v === "bigint" ? String(v) : v))}` : ""}`;
  return {
    debug: (m, f) => verbose && io.err(fmt("DEBUG", m, f)),
    info: (m, f) => io.err(fmt("INFO", m, f)),
    warn: (m, f) => io.err(fmt("WARN", m, f)),
    error: (m, f) => io.err(fmt("ERROR", m, f)),
  };
}

export const command: CliCommand = {
  name: "serve",
  summary: "run a device server (registered in TANGO_HOST, or --nodb)",
  usage: "serve <Server>/<instance> [--nodb --devices Class::a/b/c...] [--port P] [--publish-host H] [--module M]",
  async run(args, io) {
    const a = parseArgs(args, io.env);
    const logger = stderrLogger(io, a.verbose);
    const classes = await loadDeviceClasses(a.modules, true);
    for (const [k, v] of await loadDeviceClasses(DEFAULT_MODULES, false)) if (!classes.has(k)) classes.set(k, v);
    const serverId = `${a.server}/${a.instance}`;
    let database: ReturnType<typeof dbLinkServerDatabase> | undefined;
    let selected: DeviceClass[];
    if (a.nodb) {
      if (a.devices.length === 0) throw new UsageError("--nodb needs --devices Class::a/b/c ...");
      const names = new Set(a.devices.map((d) => (d.includes("::") ? (d.split("::")[0] as string).toLowerCase() : "")));
      names.delete("");
      selected = names.size > 0 ? [...names].map((n) => classOrFail(classes, n)) : [...classes.values()];
      if (names.size === 0 && selected.length !== 1) {
        throw new UsageError(
          `give the class of each device (Class::a/b/c); known classes: ${[...classes.values()].map((c) => getDeviceClassSpec(c).tangoClass).join(", ") || "none"}`,
        );
      }
    } else {
      const ctx = io.context();
      database = dbLinkServerDatabase(ctx.databaseLink());
      const link = ctx.databaseLink();
      const list = await link.command("DbGetDeviceServerClassList", serverId, "DevString", { timeoutMs: 13000 });
      const names = (Array.isArray(list) ? list.map(String) : []).filter((n) => n.toLowerCase() !== "dserver");
      if (names.length === 0) {
        throw DevFailed.from(
          "API_ServerNotDefined",
          `server ${serverId} has no device in the database at ${formatTangoHosts(ctx.tangoHosts)}`,
          "tango serve",
        );
      }
      selected = names.map((n) => classOrFail(classes, n.toLowerCase()));
    }
    const server = new DeviceServer({
      serverName: a.server,
      instance: a.instance,
      classes: selected,
      devices: a.nodb ? a.devices : undefined,
      database,
      store: database ? undefined : new MemoryStore(),
      host: a.host,
      port: a.port,
      publishHost: a.publishHost,
      heartbeatPort: a.heartbeatPort,
      eventPort: a.eventPort,
      serialModel: a.serialModel,
      logger,
    });
    const onSignal = (): void => {
      logger.info("signal received, stopping", { server: serverId });
      void server.close();
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
      await server.start();
      io.out(`${serverId} serving ${server.userDevices.map((d) => d.name).join(", ")} on port ${server.port}`);
      await server.closed;
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      await server.close();
    }
    return 0;
  },
};

function classOrFail(classes: Map<string, DeviceClass>, lname: string): DeviceClass {
  const C = classes.get(lname);
  if (!C) {
    throw DevFailed.from(
      "API_ClassNotFound",
      `device class ${lname} is not known; load its module with --module <path|package> (known: ${[...classes.values()].map((c) => getDeviceClassSpec(c).tangoClass).join(", ") || "none"})`,
      "tango serve",
    );
  }
  return C;
}
