/**
 * runServer: the programmatic entry of a device server (what a device package's main.ts calls).
 *
 * ```ts
 * await runServer({ serverName: "CounterServer", instance: "test", classes: [Counter], tangoHost: process.env.TANGO_HOST });
 * ```
 */
import { TangoContext } from "../client/context.ts";
import { DevFailed } from "../errors/errors.ts";
import type { Clock, Logger } from "../iiop/logger.ts";
import type { DeviceClass } from "./device-runtime.ts";
import { MemoryStore, type MemoryStoreInit } from "./memory-store.ts";
import { type DeviceEntry, DeviceServer, type ServerDatabase } from "./server.ts";
import { dbLinkServerDatabase } from "./server-database.ts";
import type { SerialModel } from "./spec.ts";

export interface RunServerOptions {
  readonly serverName: string;
  readonly instance: string;
  readonly classes: readonly DeviceClass[];
  /** `host:port` of the database. Required unless `nodb`. */
  readonly tangoHost?: string;
  /** Serve `devices` without a database (like `-nodb -dlist`). */
  readonly nodb?: boolean;
  readonly devices?: readonly (string | DeviceEntry)[];
  /** Properties for no-DB servers. */
  readonly properties?: MemoryStoreInit;
  /** A ready database (overrides tangoHost), e.g. for tests. */
  readonly database?: ServerDatabase;
  readonly host?: string;
  readonly port?: number;
  readonly publishHost?: string;
  readonly hostName?: string;
  readonly heartbeatPort?: number;
  readonly eventPort?: number;
  readonly serialModel?: SerialModel;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Stop cleanly (DbUnExportServer) on SIGINT/SIGTERM. For process entry points only. */
  readonly handleSignals?: boolean;
  readonly onExported?: DeviceServer["opts"]["onExported"];
}

export interface ServerHandle extends AsyncDisposable {
  readonly server: DeviceServer;
  readonly port: number;
  /** Resolves when the server stopped (Kill command, signal, close()). */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

export async function runServer(o: RunServerOptions): Promise<ServerHandle> {
  let context: TangoContext | undefined;
  let database = o.database;
  if (!database && !o.nodb) {
    if (!o.tangoHost) {
      throw DevFailed.from(
        "API_TangoHostNotSet",
        "TANGO_HOST is not set: give tangoHost (host:port), or run with nodb and a device list",
        "runServer",
      );
    }
    context = new TangoContext({ tangoHost: o.tangoHost, ...(o.logger ? { logger: o.logger } : {}) });
    database = dbLinkServerDatabase(context.databaseLink());
  }
  const server = new DeviceServer({
    serverName: o.serverName,
    instance: o.instance,
    classes: o.classes,
    devices: o.devices,
    database,
    store: database ? undefined : new MemoryStore(o.properties),
    host: o.host,
    port: o.port,
    publishHost: o.publishHost,
    hostName: o.hostName,
    heartbeatPort: o.heartbeatPort,
    eventPort: o.eventPort,
    serialModel: o.serialModel,
    logger: o.logger,
    clock: o.clock,
    onExported: o.onExported,
  });
  const closeAll = async (): Promise<void> => {
    await server.close();
    await context?.close();
  };
  try {
    await server.start();
  } catch (e) {
    await closeAll();
    throw e;
  }
  void server.closed.then(() => context?.close());
  if (o.handleSignals) {
    const onSignal = (): void => {
      void closeAll();
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    void server.closed.then(() => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    });
  }
  return {
    server,
    port: server.port,
    closed: server.closed,
    close: closeAll,
    [Symbol.asyncDispose]: closeAll,
  };
}
