/**
 * A real PyTango device server for interop tests: registers the server's devices in a Tango database, starts the
 * script with /usr/bin/python3 on a free loopback port (TCP for omniORB clients), waits until one device answers a
 * ping, and on `stop()` kills the process, deletes the server from the database again and closes its context.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { TangoContext } from "../client/context.ts";
import { DeviceProxy } from "../client/device-proxy.ts";
import { Database } from "../database/database.ts";

export interface PyTangoServerOptions {
  /** The database the server registers in (also the server's TANGO_HOST). */
  readonly tangoHost: string;
  /** The device server script (`run()`s its classes with `<instance> -ORBendPoint …`). */
  readonly script: string;
  /** `<ServerName>/<instance>`. */
  readonly server: string;
  /** [device name, Tango class] pairs to register; the first one is pinged until it answers. */
  readonly devices: readonly (readonly [string, string])[];
  /** Extra environment of the server process. */
  readonly env?: NodeJS.ProcessEnv;
  readonly startTimeoutMs?: number;
}

export interface PyTangoServer {
  readonly child: ChildProcess;
  /** The client context of the proxy and database (closed by `stop()`). */
  readonly context: TangoContext;
  readonly db: Database;
  /** A proxy of the first device, already answering. */
  readonly proxy: DeviceProxy;
  stop(): Promise<void>;
}

export async function startPyTangoServer(o: PyTangoServerOptions): Promise<PyTangoServer> {
  const first = o.devices[0];
  if (!first) throw new Error("startPyTangoServer: no device to register");
  const context = new TangoContext({ tangoHost: o.tangoHost });
  const db = await Database.connect({ context });
  for (const [name, cls] of o.devices) await db.addDevice(o.server, name, cls);
  const instance = o.server.slice(o.server.indexOf("/") + 1);
  const child = spawn("/usr/bin/python3", [o.script, instance, "-ORBendPoint", "giop:tcp:127.0.0.1:0"], {
    env: { ...process.env, ...o.env, TANGO_HOST: o.tangoHost, ORBclientTransportRule: "* tcp" },
    stdio: "ignore",
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await exited;
    }
    try {
      await db.deleteServer(o.server);
    } finally {
      await context.close();
    }
  };
  const deadline = Date.now() + (o.startTimeoutMs ?? 30_000);
  for (;;) {
    try {
      const proxy = await DeviceProxy.connect(first[0], { context });
      await proxy.ping();
      return { child, context, db, proxy, stop };
    } catch (e) {
      if (Date.now() > deadline || child.exitCode !== null) {
        await stop().catch(() => undefined);
        throw e;
      }
      await sleep(250);
    }
  }
}
