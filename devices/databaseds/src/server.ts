/**
 * The database server process: device `sys/database/2` of class `DataBase`, served by the library's DeviceServer
 * as server `DataBaseds/2`, reachable as `corbaloc:iiop:host:port/database` (extra object key) and registered in
 * its own storage once exported, as the C++ DataBaseds does.
 */

import type { Logger } from "@tango-bdd/tango";
import {
  type Device,
  DeviceServer,
  type DeviceStore,
  DevString,
  DevVarLongStringArray,
  DevVarStringArray,
  DevVoid,
  defineDevice,
  type ExportedDevice,
} from "@tango-bdd/tango/server";
import { DataBaseCommands, type DbArgType, type DbValue } from "./commands.ts";
import { Storage } from "./storage.ts";

export interface DataBaseServerOptions {
  /** SQLite file (default `tango.sqlite`), or `:memory:`. */
  readonly file?: string;
  /** GIOP port (10000 by convention; 0 = ephemeral). */
  readonly port?: number;
  /** Bind address (default 0.0.0.0). */
  readonly host?: string;
  /** Host written in IORs (default: bind host, or 127.0.0.1 when binding 0.0.0.0). */
  readonly publishHost?: string;
  /** Host name stored by DbExportDevice for the database's own devices (default os.hostname()). */
  readonly hostName?: string;
  /** Instance of the DataBaseds server (default `2`, device `sys/database/2`). */
  readonly instance?: string;
  readonly logger?: Logger;
}

const DTYPE = {
  DevVoid,
  DevString,
  DevVarStringArray,
  DevVarLongStringArray,
} as const satisfies Record<DbArgType, unknown>;

/** The `DataBase` Tango class: one command per DataBase command, executing against `commands`. */
export function dataBaseClass(commands: DataBaseCommands): new () => Device {
  const cmds: Record<
    string,
    {
      in: (typeof DTYPE)[DbArgType];
      out: (typeof DTYPE)[DbArgType];
      inDesc: string;
      outDesc: string;
      execute: (dev: Device, arg: never) => unknown;
    }
  > = {};
  for (const c of commands.commands.values()) {
    cmds[c.name] = {
      in: DTYPE[c.in],
      out: DTYPE[c.out],
      inDesc: c.inDesc,
      outDesc: c.outDesc,
      execute: (_dev: Device, arg: never) => c.run(arg as DbValue),
    };
  }
  return defineDevice({
    tangoClass: "DataBase",
    description: "This class manage the TANGO database.",
    serialModel: "NO_SYNC",
    commands: cmds,
    init: (dev) => {
      dev.setState("ON");
      dev.setStatus("Device is OK");
    },
  });
}

function parseProps(flat: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let i = 2;
  const n = Number(flat[1] ?? 0);
  for (let k = 0; k < n && i < flat.length; k++) {
    const name = flat[i++] ?? "";
    const nv = Number(flat[i++] ?? 0);
    const vals = flat.slice(i, i + nv);
    i += nv;
    if (nv > 0) out[name] = [...vals];
  }
  return out;
}

/** DeviceStore for the database's own devices, straight on the command layer (no network round trip). */
export function localDeviceStore(db: DataBaseCommands): DeviceStore {
  const arr = (v: DbValue): readonly string[] => (Array.isArray(v) ? (v as readonly string[]) : []);
  return {
    async deviceProperties(device) {
      const names = arr(db.execute("DbGetDevicePropertyList", [device, "*"]));
      return names.length === 0 ? {} : parseProps(arr(db.execute("DbGetDeviceProperty", [device, ...names])));
    },
    async classProperties(tangoClass) {
      const names = arr(db.execute("DbGetClassPropertyList", tangoClass));
      return names.length === 0 ? {} : parseProps(arr(db.execute("DbGetClassProperty", [tangoClass, ...names])));
    },
    async attributeProperties(device, attrs) {
      const out: Record<string, Record<string, string[]>> = {};
      if (attrs.length === 0) return out;
      const flat = arr(db.execute("DbGetDeviceAttributeProperty2", [device, ...attrs]));
      let i = 2;
      for (let a = 0; a < Number(flat[1] ?? 0) && i < flat.length; a++) {
        const attr = (flat[i++] ?? "").toLowerCase();
        const np = Number(flat[i++] ?? 0);
        const props: Record<string, string[]> = {};
        for (let p = 0; p < np && i < flat.length; p++) {
          const name = flat[i++] ?? "";
          const nv = Number(flat[i++] ?? 0);
          props[name] = [...flat.slice(i, i + nv)];
          i += nv;
        }
        if (np > 0) out[attr] = props;
      }
      return out;
    },
    async putAttributeProperties(device, attr, props) {
      const names = Object.keys(props);
      const argin = [device, "1", attr, String(names.length)];
      for (const n of names) argin.push(n, String(props[n]?.length ?? 0), ...(props[n] ?? []));
      db.execute("DbPutDeviceAttributeProperty2", argin);
    },
    async putDeviceProperty(device, name, values) {
      db.execute("DbPutDeviceProperty", [device, "1", name, String(values.length), ...values]);
    },
    async deleteDeviceProperty(device, name) {
      db.execute("DbDeleteDeviceProperty", [device, name]);
    },
  };
}

export class DataBaseServer implements AsyncDisposable {
  readonly storage: Storage;
  readonly commands: DataBaseCommands;
  readonly server: DeviceServer;
  readonly deviceName: string;
  readonly serverId: string;
  #closed: Promise<void> | undefined;

  private constructor(storage: Storage, commands: DataBaseCommands, server: DeviceServer, deviceName: string, serverId: string) {
    this.storage = storage;
    this.commands = commands;
    this.server = server;
    this.deviceName = deviceName;
    this.serverId = serverId;
  }

  /** Opens the storage, binds the port, serves sys/database/2 and registers it in itself. */
  static async start(opts: DataBaseServerOptions = {}): Promise<DataBaseServer> {
    const instance = opts.instance ?? "2";
    const deviceName = `sys/database/${instance}`;
    const serverId = `DataBaseds/${instance}`;
    const storage = Storage.open({ file: opts.file ?? "tango.sqlite" });
    const commands = new DataBaseCommands(storage, { deviceName });
    const register = (devices: readonly ExportedDevice[]): void => {
      commands.execute("DbAddServer", [serverId, deviceName, "DataBase"]);
      for (const d of devices) commands.execute("DbExportDevice", [d.name, d.ior, d.host, String(d.pid), "5"]);
    };
    const server = new DeviceServer({
      serverName: "DataBaseds",
      instance,
      classes: [dataBaseClass(commands)],
      devices: [{ name: deviceName, tangoClass: "DataBase", objectKeys: ["database"] }],
      store: localDeviceStore(commands),
      ...(opts.host !== undefined ? { host: opts.host } : {}),
      ...(opts.port !== undefined ? { port: opts.port } : {}),
      ...(opts.publishHost !== undefined ? { publishHost: opts.publishHost } : {}),
      ...(opts.hostName !== undefined ? { hostName: opts.hostName } : {}),
      ...(opts.logger !== undefined ? { logger: opts.logger } : {}),
      onExported: register,
    });
    try {
      await server.start();
    } catch (err) {
      await server.close().catch(() => undefined);
      storage.close();
      throw err;
    }
    return new DataBaseServer(storage, commands, server, deviceName, serverId);
  }

  get port(): number {
    return this.server.port;
  }

  /** `host:port` clients put in TANGO_HOST. */
  get tangoHost(): string {
    return `${this.server.publishHost}:${this.server.port}`;
  }

  /** Resolves when the server stopped (close() or a Kill on its admin device). */
  get closed(): Promise<void> {
    return this.server.closed;
  }

  /** Un-exports the database's own devices, stops serving and closes the file. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      try {
        this.commands.execute("DbUnExportServer", this.serverId);
      } catch {
        // storage already unusable: nothing to record
      }
      await this.server.close();
      this.storage.close();
    })();
    return this.#closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
