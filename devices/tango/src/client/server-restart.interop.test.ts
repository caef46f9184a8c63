/**
 * Failure modes against REAL TangoTest processes of our own (the shared reference instance is never touched):
 * server down, server hung, server restarted, and a no-database server reached with `#dbase=no`.
 * The instances are registered in the reference database for the test and removed afterwards.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Database } from "../database/database.ts";
import { ConnectionFailed, type DevFailed, DeviceTimeout, NotAllowed } from "../errors/errors.ts";
import { freePort } from "../testing/free-port.ts";
import { TangoContext } from "./context.ts";
import { DeviceProxy } from "./device-proxy.ts";

const TANGO_HOST = "127.0.0.1:10000";
const TANGO_TEST = "/usr/lib/tango/TangoTest";
const INSTANCE = `clientqa${process.pid}`;
const SERVER = `TangoTest/${INSTANCE}`;
const DEVICE = `qa/clientrt/${process.pid}`;
const NODB_DEVICE = `qa/clientnodb/${process.pid}`;

const children = new Set<ChildProcess>();
let context: TangoContext;
let db: Database;
let port = 0;
let server: ChildProcess | undefined;

function startTangoTest(args: string[]): ChildProcess {
  const child = spawn(TANGO_TEST, args, { env: { ...process.env, TANGO_HOST }, stdio: "ignore" });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

async function kill(child: ChildProcess | undefined, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill(signal);
  await exited;
}

/** Waits until a fresh proxy can ping the device (the server exported it and answers). */
async function waitUntilUp(name: string, pid: number | undefined, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    const probe = new TangoContext({ tangoHost: TANGO_HOST, timeoutMs: 1000 });
    try {
      const info = name.includes("#dbase=no") ? undefined : await probe.databaseLink().importDevice(name);
      if (!info || (info.exported && (pid === undefined || info.pid === pid))) {
        await (await DeviceProxy.connect(name, { context: probe })).ping();
        return;
      }
    } catch (e) {
      last = e;
    } finally {
      await probe.close();
    }
    await sleep(200);
  }
  throw new Error(`${name} did not come up: ${last instanceof Error ? last.message : String(last)}`);
}

before(async () => {
  assert.ok(existsSync(TANGO_TEST), `${TANGO_TEST} is needed (Debian package tango-test)`);
  context = new TangoContext({ tangoHost: TANGO_HOST });
  db = await Database.connect({ context });
  await db.addDevice(SERVER, DEVICE, "TangoTest");
  port = await freePort();
  server = startTangoTest([INSTANCE, "-ORBendPoint", `giop:tcp:127.0.0.1:${port}`]);
  await waitUntilUp(DEVICE, server.pid);
});

after(async () => {
  for (const c of [...children]) await kill(c);
  try {
    await db.deleteServer(SERVER);
  } finally {
    await context.close();
  }
});

describe("server failures with our own TangoTest instance", () => {
  test("server restarted: the next call succeeds after reconnect and re-import", async () => {
    const dev = await DeviceProxy.connect(DEVICE, { context });
    assert.equal(await dev.command("DevLong", 1), 1);
    await kill(server);
    server = startTangoTest([INSTANCE, "-ORBendPoint", `giop:tcp:127.0.0.1:${port}`]);
    await waitUntilUp(DEVICE, server.pid);
    // Same proxy, same context: the old socket is dead and the old object key is unknown to the new process.
    assert.equal(await dev.command("DevLong", 2), 2);
    assert.equal((await dev.read("long_scalar_w")).name, "long_scalar_w");
    assert.equal(dev.reimportCount, 1);
  });

  test("server down: ConnectionFailed (API_CantConnectToDevice), not a timeout", async () => {
    const dev = await DeviceProxy.connect(DEVICE, { context });
    await dev.ping();
    await kill(server);
    dev.setTimeout(3000);
    try {
      await dev.command("DevDouble", 1.5);
      assert.fail("the call should fail");
    } catch (e) {
      assert.ok(e instanceof ConnectionFailed, `ConnectionFailed expected, got ${e instanceof Error ? e.name : e}`);
      assert.ok(e.hasReason("API_CantConnectToDevice"), JSON.stringify((e as DevFailed).errors));
      assert.ok(!(e instanceof DeviceTimeout));
    }
    // A new proxy still imports (the database still lists the dead IOR) and fails the same way.
    const again = await DeviceProxy.connect(DEVICE, { context });
    await assert.rejects(again.state(), ConnectionFailed);
    server = startTangoTest([INSTANCE, "-ORBendPoint", `giop:tcp:127.0.0.1:${port}`]);
    await waitUntilUp(DEVICE, server.pid);
    assert.equal(await again.command("DevShort", 5), 5);
  });

  test("server hung (SIGSTOP): DeviceTimeout (API_DeviceTimedOut), then the connection recovers", async () => {
    const dev = await DeviceProxy.connect(DEVICE, { context });
    await dev.ping();
    const child = server as ChildProcess;
    child.kill("SIGSTOP");
    try {
      const err = await dev.command("DevDouble", 1, { timeoutMs: 300 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof DeviceTimeout, `DeviceTimeout expected, got ${String(err)}`);
      assert.ok(err.hasReason("API_DeviceTimedOut"));
      assert.match(err.stack ?? "", /server-restart\.interop\.test\.ts/, "the timeout error keeps the caller's stack");
    } finally {
      child.kill("SIGCONT");
    }
    assert.equal(await dev.command("DevDouble", 2.5), 2.5);
  });

  test("a device defined in the database whose server never ran → ConnectionFailed API_DeviceNotExported", async () => {
    const server = `TangoTest/${INSTANCE}never`;
    const device = `qa/clientnever/${process.pid}`;
    await db.addDevice(server, device, "TangoTest");
    try {
      await assert.rejects(
        DeviceProxy.connect(device, { context }),
        (e: unknown) => e instanceof ConnectionFailed && e.hasReason("API_DeviceNotExported"),
      );
    } finally {
      await db.deleteServer(server);
    }
  });

  test("#dbase=no: a no-database TangoTest reached by host:port, without properties", async () => {
    const nodbPort = await freePort();
    const child = startTangoTest([`${INSTANCE}nodb`, "-nodb", "-dlist", NODB_DEVICE, "-ORBendPoint", `giop:tcp:127.0.0.1:${nodbPort}`]);
    try {
      const name = `tango://127.0.0.1:${nodbPort}/${NODB_DEVICE}#dbase=no`;
      await waitUntilUp(name, undefined);
      const other = new TangoContext(); // no TANGO_HOST at all
      try {
        const dev = await DeviceProxy.connect(name, { context: other });
        assert.equal(dev.fullName, name);
        assert.equal(await dev.command("DevString", "nodb"), "nodb");
        assert.equal((await dev.info()).devClass, "TangoTest");
        await assert.rejects(dev.getProperty("x"), NotAllowed);
        const missing = await DeviceProxy.connect(`tango://127.0.0.1:${nodbPort}/no/such/dev#dbase=no`, { context: other });
        await assert.rejects(missing.ping(), (e: unknown) => e instanceof ConnectionFailed && e.hasReason("API_CantConnectToDevice"));
      } finally {
        await other.close();
      }
    } finally {
      await kill(child);
    }
  });
});
