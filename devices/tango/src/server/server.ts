/**
 * DeviceServer: one Tango device server process worth of devices — the ORB endpoint, the device runtimes, the admin
 * device, polling, the event supplier, and (optionally) the registration in a Tango database.
 */
import { hostname } from "node:os";
import { TangoContext } from "../client/context.ts";
import { DevFailed } from "../errors/errors.ts";
import { closeEventConsumer } from "../events/consumer.ts";
import { TANGO_DEV_VERSION } from "../idl/constants.ts";
import { type Clock, type Logger, silentLogger, systemClock } from "../iiop/logger.ts";
import { createAdminClass } from "./admin.ts";
import { getDeviceClassSpec } from "./decorators.ts";
import { type DeviceClass, DeviceRuntime, type DeviceStore, type RuntimeContext } from "./device-runtime.ts";
import { DeviceServant } from "./device-servant.ts";
import { ZmqEventSupplier } from "./event-supplier.ts";
import { LockTable } from "./locking.ts";
import { Monitor } from "./monitor.ts";
import { OrbServer, type Servant } from "./orb-server.ts";
import { Poller } from "./polling.ts";
import type { SerialModel } from "./spec.ts";

/** What the server needs from a Tango database (implemented over the client's DbLink by `dbLinkServerDatabase`). */
export interface ServerDatabase extends DeviceStore {
  /** `host:port` of the database (prefix of event topics). */
  readonly tangoHost: string;
  deviceList(server: string, tangoClass: string): Promise<string[]>;
  exportDevice(name: string, ior: string, host: string, pid: number, version: string): Promise<void>;
  unexportServer(server: string): Promise<void>;
  /** For the "already running" check: is the admin device exported, with which IOR. */
  importDevice(name: string): Promise<{ exported: boolean; ior: string }>;
}

export interface DeviceEntry {
  readonly name: string;
  /** Tango class (required when the server has several classes). */
  readonly tangoClass?: string;
  /** Extra object keys the device answers to (e.g. `database` for sys/database/2). */
  readonly objectKeys?: readonly string[];
}

export interface ExportedDevice {
  readonly name: string;
  readonly tangoClass: string;
  readonly ior: string;
  readonly host: string;
  readonly pid: number;
}

export interface DeviceServerOptions {
  /** Executable/server name, e.g. `TabataServer` (the part before `/` of `Server/instance`). */
  readonly serverName: string;
  readonly instance: string;
  readonly classes: readonly DeviceClass[];
  /** Devices to serve without a database (like `-nodb -dlist`); `Class::a/b/c` strings are accepted. */
  readonly devices?: readonly (string | DeviceEntry)[];
  /** Register in this database (DbGetDeviceList per class, properties, DbExportDevice...). */
  readonly database?: ServerDatabase;
  /** Property store when there is no database (DeviceTestContext uses an in-memory one). */
  readonly store?: DeviceStore;
  /** Bind address (default 0.0.0.0). */
  readonly host?: string;
  /** GIOP port (default 0 = ephemeral). */
  readonly port?: number;
  /** Host written in IORs and ZMQ endpoints (default: bind host, or 127.0.0.1 when binding 0.0.0.0). */
  readonly publishHost?: string;
  readonly publishPort?: number;
  /** Host name reported by info() and DbExportDevice (default os.hostname()). */
  readonly hostName?: string;
  readonly serialModel?: SerialModel;
  readonly heartbeatPort?: number;
  readonly eventPort?: number;
  readonly pollRingDepth?: number;
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly pid?: number;
  /** Called after the devices were exported (the database server uses it to register itself). */
  readonly onExported?: (devices: readonly ExportedDevice[]) => void | Promise<void>;
  /** Called when a client runs the admin Kill command (after the server stopped). */
  readonly onKill?: () => void;
}

export class DeviceServer implements AsyncDisposable {
  readonly opts: DeviceServerOptions;
  readonly serverId: string;
  readonly adminName: string;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly orb: OrbServer;
  readonly poller: Poller;
  readonly events: ZmqEventSupplier;
  readonly hostName: string;
  readonly pid: number;
  /** Device locks (LockDevice & co.), by device; they outlive DevRestart. */
  readonly locks: LockTable;
  /** Device runtimes by lower-case name (admin included). */
  readonly devices = new Map<string, DeviceRuntime>();
  readonly classes = new Map<string, DeviceClass>();
  readonly #entries = new Map<string, DeviceEntry>();
  readonly #monitors = new Map<string, Monitor>();
  #admin: DeviceRuntime | undefined;
  #client: TangoContext | undefined;
  #started = false;
  #stopped: Promise<void> | undefined;
  #resolveClosed!: () => void;
  /** Resolves when the server stopped (Kill, close(), signal). */
  readonly closed: Promise<void>;

  constructor(opts: DeviceServerOptions) {
    this.opts = opts;
    this.serverId = `${opts.serverName}/${opts.instance}`;
    this.adminName = `dserver/${this.serverId}`;
    this.logger = opts.logger ?? silentLogger;
    this.clock = opts.clock ?? systemClock;
    this.hostName = opts.hostName ?? hostname();
    this.pid = opts.pid ?? process.pid;
    this.locks = new LockTable({ clock: this.clock });
    this.orb = new OrbServer({
      host: opts.host,
      port: opts.port,
      publishHost: opts.publishHost,
      publishPort: opts.publishPort,
      logger: this.logger.child?.("tango:giop") ?? this.logger,
    });
    this.poller = new Poller({ logger: this.logger, clock: this.clock, defaultDepth: opts.pollRingDepth ?? 10 });
    this.events = new ZmqEventSupplier({
      server: this,
      bindHost: opts.host,
      heartbeatPort: opts.heartbeatPort,
      eventPort: opts.eventPort,
      logger: this.logger.child?.("tango:zmq") ?? this.logger,
      clock: this.clock,
    });
    for (const C of opts.classes) this.classes.set(getDeviceClassSpec(C).tangoClass.toLowerCase(), C);
    this.closed = new Promise<void>((resolve) => {
      this.#resolveClosed = resolve;
    });
  }

  get port(): number {
    return this.orb.port;
  }
  get publishHost(): string {
    return this.orb.publishHost;
  }
  get admin(): DeviceRuntime {
    if (!this.#admin) throw DevFailed.from("API_NotStarted", "the server is not started", "DeviceServer.admin");
    return this.#admin;
  }
  get database(): ServerDatabase | undefined {
    return this.opts.database;
  }
  get store(): DeviceStore | undefined {
    return this.opts.database ?? this.opts.store;
  }
  /** `host:port` used as the `tango://` prefix of event topics. */
  get eventPrefixHost(): string {
    return this.opts.database ? (this.opts.database.tangoHost.split(",")[0] as string) : `${this.orb.publishHost}:${this.orb.publishPort}`;
  }

  /**
   * The client context devices use to reach other devices (DeviceProxy, events): TANGO_HOST = this server's
   * database (none without database: `tango://host:port/a/b/c#dbase=no` names). Created on first use, closed by close().
   */
  clientContext(): TangoContext {
    this.#client ??= new TangoContext({
      ...(this.opts.database ? { tangoHost: this.opts.database.tangoHost } : {}),
      logger: this.logger.child?.("tango:client") ?? this.logger,
    });
    return this.#client;
  }

  /** User device runtimes (admin excluded), in start order. */
  get userDevices(): DeviceRuntime[] {
    return [...this.devices.values()].filter((d) => d !== this.#admin);
  }

  device(name: string): DeviceRuntime {
    const rt = this.devices.get(name.toLowerCase());
    if (!rt) throw DevFailed.from("API_DeviceNotFound", `Device ${name} is not served by ${this.serverId}`, "DServer");
    return rt;
  }

  #monitorFor(tangoClass: string, model: SerialModel, name: string): Monitor | undefined {
    switch (model) {
      case "NO_SYNC":
        return undefined;
      case "BY_DEVICE":
        return new Monitor(name);
      case "BY_CLASS":
      case "BY_PROCESS": {
        const key = model === "BY_CLASS" ? `class:${tangoClass}` : "process";
        let m = this.#monitors.get(key);
        if (!m) {
          m = new Monitor(model === "BY_CLASS" ? `class ${tangoClass}` : `process ${this.serverId}`);
          this.#monitors.set(key, m);
        }
        return m;
      }
    }
  }

  #context(tangoClass: string, name: string, model: SerialModel | undefined): RuntimeContext {
    return {
      serverId: this.serverId,
      hostName: this.hostName,
      adminName: this.adminName,
      logger: this.logger,
      clock: this.clock,
      monitor: model === undefined ? undefined : this.#monitorFor(tangoClass, model, name),
      events: this.events,
      store: this.store,
      clientContext: () => this.clientContext(),
    };
  }

  #servant(rt: DeviceRuntime): Servant {
    return new DeviceServant(rt, { serverId: this.serverId, hostName: this.hostName, adminName: this.adminName, locks: this.locks });
  }

  /** Creates, initializes and registers one device runtime (not exported). */
  async #createDevice(entry: DeviceEntry): Promise<DeviceRuntime> {
    const C = this.#classOf(entry);
    const spec = getDeviceClassSpec(C);
    const model = spec.serialModel ?? this.opts.serialModel ?? "BY_DEVICE";
    const rt = new DeviceRuntime(C, entry.name, this.#context(spec.tangoClass, entry.name, model), spec);
    this.devices.set(rt.lname, rt);
    this.#entries.set(rt.lname, entry);
    const servant = this.#servant(rt);
    this.orb.register(rt.lname, servant);
    for (const k of entry.objectKeys ?? []) this.orb.register(k, servant);
    await rt.start();
    return rt;
  }

  #classOf(entry: DeviceEntry): DeviceClass {
    if (entry.tangoClass) {
      const C = this.classes.get(entry.tangoClass.toLowerCase());
      if (!C)
        throw DevFailed.from(
          "API_ClassNotFound",
          `class ${entry.tangoClass} is not in this server (${[...this.classes.keys()].join(", ")})`,
          "DeviceServer",
        );
      return C;
    }
    if (this.classes.size !== 1) {
      throw DevFailed.from(
        "API_ClassNotFound",
        `device ${entry.name}: give its class (Class::${entry.name}) since the server has several classes`,
        "DeviceServer",
      );
    }
    return [...this.classes.values()][0] as DeviceClass;
  }

  async #deviceEntries(): Promise<DeviceEntry[]> {
    const db = this.opts.database;
    if (!db) {
      return (this.opts.devices ?? []).map((d) => {
        if (typeof d !== "string") return d;
        const i = d.indexOf("::");
        return i >= 0 ? { name: d.slice(i + 2), tangoClass: d.slice(0, i) } : { name: d };
      });
    }
    const out: DeviceEntry[] = [];
    for (const C of this.classes.values()) {
      const cls = getDeviceClassSpec(C).tangoClass;
      for (const name of await db.deviceList(this.serverId, cls)) out.push({ name, tangoClass: cls });
    }
    return out;
  }

  /** Binds, creates every device (properties, init), exports them (admin last), starts polling. */
  async start(): Promise<this> {
    if (this.#started) return this;
    this.#started = true;
    await this.orb.listen();
    const db = this.opts.database;
    if (db) await this.#checkNotRunning(db);
    const Admin = createAdminClass(this);
    const adminRt = new DeviceRuntime(Admin, this.adminName, this.#context("DServer", this.adminName, undefined));
    this.#admin = adminRt;
    this.devices.set(adminRt.lname, adminRt);
    this.orb.register(adminRt.lname, this.#servant(adminRt));
    await adminRt.start();
    for (const e of await this.#deviceEntries()) await this.#createDevice(e);
    const exported: ExportedDevice[] = [];
    for (const rt of [...this.userDevices, adminRt]) {
      const ior = this.orb.iorFor(rt.lname);
      if (db) await db.exportDevice(rt.name, ior, this.hostName, this.pid, String(TANGO_DEV_VERSION));
      exported.push({ name: rt.name, tangoClass: rt.className, ior, host: this.hostName, pid: this.pid });
    }
    for (const rt of this.userDevices) await this.poller.configureFromProperties(rt);
    await this.opts.onExported?.(exported);
    this.logger.info("device server started", { server: this.serverId, port: this.port, devices: this.userDevices.map((d) => d.name) });
    return this;
  }

  async #checkNotRunning(db: ServerDatabase): Promise<void> {
    let info: { exported: boolean; ior: string };
    try {
      info = await db.importDevice(this.adminName);
    } catch {
      return; // not defined yet: not running
    }
    if (!info.exported || !info.ior.startsWith("IOR:")) return;
    const { parseIor, iiopProfiles } = await import("../corba/ior.ts");
    const p = iiopProfiles(parseIor(info.ior))[0];
    if (!p || (p.port === this.orb.publishPort && p.host === this.orb.publishHost)) return;
    const { createConnection } = await import("node:net");
    const alive = await new Promise<boolean>((resolve) => {
      const s = createConnection({ host: p.host, port: p.port });
      const done = (v: boolean): void => {
        s.destroy();
        resolve(v);
      };
      s.setTimeout(1000, () => done(false));
      s.once("connect", () => done(true));
      s.once("error", () => done(false));
    });
    if (alive) {
      await this.orb.close();
      throw DevFailed.from(
        "API_ServerAlreadyRunning",
        `This server (${this.serverId}) is already running (admin answers at ${p.host}:${p.port})`,
        "DeviceServer.start",
      );
    }
  }

  /** Restarts one device (admin DevRestart): delete, new instance, init, re-export. */
  async restartDevice(name: string): Promise<void> {
    const old = this.device(name);
    if (old === this.#admin)
      throw DevFailed.from("API_CantDestroyDevice", "the admin device cannot be restarted with DevRestart", "DServer::dev_restart");
    const entry = this.#entries.get(old.lname) ?? { name: old.name, tangoClass: old.className };
    this.poller.removeDevice(old);
    await old.shutdown();
    this.devices.delete(old.lname);
    const rt = await this.#createDevice(entry);
    if (this.opts.database)
      await this.opts.database.exportDevice(rt.name, this.orb.iorFor(rt.lname), this.hostName, this.pid, String(TANGO_DEV_VERSION));
    await this.poller.configureFromProperties(rt);
  }

  /** Admin RestartServer: restarts every device. */
  async restartAll(): Promise<void> {
    for (const rt of this.userDevices) await this.restartDevice(rt.name);
  }

  /** Stops polling and events, deletes devices, un-exports from the database, closes the ORB. Idempotent. */
  close(): Promise<void> {
    this.#stopped ??= this.#close();
    return this.#stopped;
  }

  async #close(): Promise<void> {
    this.poller.stop();
    await this.events.close();
    for (const rt of this.userDevices) await rt.shutdown();
    if (this.#client) {
      await closeEventConsumer(this.#client).catch(() => undefined);
      await this.#client.close();
    }
    if (this.opts.database && this.#started) {
      await this.opts.database.unexportServer(this.serverId).catch((e: unknown) => {
        this.logger.warn("DbUnExportServer failed", { error: String(e) });
      });
    }
    await this.orb.close();
    this.#resolveClosed();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Admin Kill: reply first, then stop. */
  kill(): void {
    setTimeout(() => {
      void this.close().then(() => this.opts.onKill?.());
    }, 10);
  }
}
