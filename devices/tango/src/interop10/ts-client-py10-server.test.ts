/**
 * Our TypeScript client (DeviceProxy, Database client, events consumer) against a pytango 10.3.1 / cppTango 10
 * device server: pyref_device.py run with the pytango 10 venv, registered as PyRef/t10 (pyref/t10/1) in the reference
 * DataBaseds (TANGO_HOST 127.0.0.1:10000), and a second instance without database (`-nodb -dlist`, `#dbase=no`).
 * The server is IDL 6: its IOR says `IDL:Tango/Device_6:1.0`, DbImportDevice's version is "6", info().serverVersion 6.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { TangoContext } from "../client/context.ts";
import { DeviceProxy } from "../client/device-proxy.ts";
import { parseIor } from "../corba/ior.ts";
import { Database } from "../database/database.ts";
import { DevFailed } from "../errors/errors.ts";
import { type EventItem, subscribe } from "../events/consumer.ts";
import { Children, freePort, REFERENCE_DB, run, skipReason, startPy10PyRef, waitFor } from "./harness.ts";

const env = { ...process.env, TANGO_HOST: REFERENCE_DB, ORBclientTransportRule: "* tcp" };
const skip = skipReason(env, { tangoAdmin: true });
const SERVER = "PyRef/t10";
const DEVICE = "pyref/t10/1";

type ValueItem = Extract<EventItem, { kind: "value" }>;

/**
 * Collects the next `n` value items (error reasons are kept apart) from a subscription's iterator. The iterator is
 * used directly: `for await … break` would call return() and close the subscription.
 */
async function collect(sub: AsyncIterable<EventItem>, n: number, errors: string[]): Promise<ValueItem[]> {
  const it = sub[Symbol.asyncIterator]();
  const out: ValueItem[] = [];
  while (out.length < n) {
    const r = await it.next();
    if (r.done) break;
    if (r.value.kind === "value") out.push(r.value);
    else if (r.value.kind === "error") errors.push(r.value.error.reason);
  }
  return out;
}

describe("our client → pytango 10 device server (through the reference database)", { skip }, () => {
  const children = new Children();
  let server: ChildProcess | undefined;
  let context: TangoContext;
  let dev: DeviceProxy;

  before(async () => {
    await run("tango_admin", ["--delete-server", SERVER], env);
    const add = await run("tango_admin", ["--add-server", SERVER, "PyRef", DEVICE], env);
    assert.equal(add.code, 0, add.stdout + add.stderr);
    assert.equal((await run("tango_admin", ["--add-property", DEVICE, "Gain", "3"], env)).code, 0);
    server = await startPy10PyRef(children, env, "t10", await freePort());
    context = new TangoContext({ tangoHost: REFERENCE_DB });
    // The port opens before the server exports its device to the database (a wider gap on a loaded machine).
    await waitFor(`${DEVICE} exported`, async () => {
      try {
        dev = await DeviceProxy.connect(DEVICE, { context, timeoutMs: 5000 });
        return true;
      } catch (e) {
        if (e instanceof DevFailed && e.errors[0]?.reason === "API_DeviceNotExported") return false;
        throw e;
      }
    });
  });
  after(async () => {
    await context?.close();
    await children.stopAll();
    await run("tango_admin", ["--delete-server", SERVER], env);
  });

  test("import through the database: IDL 6 IOR (Device_6 type id) and version 6 are accepted", async () => {
    const db = await Database.connect({ context });
    const imp = await db.importDevice(DEVICE);
    assert.equal(imp.exported, true);
    assert.equal(imp.version, "6");
    assert.equal(parseIor(imp.ior).typeId, "IDL:Tango/Device_6:1.0");
    const info = await db.getDeviceInfo(DEVICE);
    assert.equal(info.server, SERVER);
    assert.equal(info.pid, server?.pid);
    assert.deepEqual(await db.getDeviceProperty(DEVICE, ["Gain"]), { Gain: ["3"] });
  });

  test("state, status, info (server version 6), admin name, command and attribute lists", async () => {
    assert.equal(await dev.state(), "ON");
    assert.equal(await dev.status(), "PyRef is ready");
    const info = await dev.info();
    assert.equal(info.devClass, "PyRef");
    assert.equal(info.serverId, SERVER);
    assert.equal(info.serverVersion, 6);
    assert.equal(await dev.adminName(), "dserver/PyRef/t10");
    assert.ok((await dev.ping()) >= 0);
    const cmds = (await dev.commandList()).map((c) => c.name).sort();
    assert.deepEqual(cmds, ["BurstDone", "Init", "PushBurst", "Scale", "SetTemperature", "State", "Status"]);
    assert.deepEqual((await dev.attributeList()).sort(), ["State", "Status", "counter", "temperature"]);
  });

  test("read/write every attribute; attribute configuration", async () => {
    await dev.command("SetTemperature", 21.5);
    const t = await dev.read("temperature");
    assert.equal(t.value, 21.5);
    assert.equal(t.quality, "ATTR_VALID");
    assert.equal(t.dataType, "DevDouble");
    const cfg = await dev.attributeQuery("temperature");
    assert.equal(cfg.unit, "degC");
    assert.equal(cfg.label, "Temperature");
    await dev.write("counter", 42);
    const c = await dev.read("counter");
    assert.equal(c.value, 42);
    assert.equal(c.wValue, 42);
    assert.equal((await dev.writeRead("counter", -7)).value, -7);
    const many = await dev.readMany(["temperature", "counter", "State", "Status"]);
    assert.deepEqual(
      many.map((m) => ("error" in m ? m.error : m.value)),
      [21.5, -7, "ON", "PyRef is ready"],
    );
  });

  test("commands: Scale uses the Gain property from the database, SetTemperature changes the attribute", async () => {
    assert.equal(await dev.command("Scale", 5), 15);
    assert.equal(await dev.command("Scale", -2), -6);
    assert.equal(await dev.command("SetTemperature", 33.25), undefined);
    assert.equal((await dev.read("temperature")).value, 33.25);
    assert.equal(await dev.command("BurstDone"), true);
  });

  test("DevFailed from the Tango 10 server on bad input", async () => {
    await assert.rejects(dev.write("counter", 5_000_000), (e: unknown) => e instanceof DevFailed && e.hasReason("API_WAttrOutsideLimit"));
    await assert.rejects(dev.command("NoSuchCommand"), (e: unknown) => e instanceof DevFailed && e.hasReason("API_CommandNotFound"));
    await assert.rejects(dev.read("no_such_attribute"), (e: unknown) => e instanceof DevFailed && e.hasReason("API_AttrNotFound"));
    await assert.rejects(dev.write("temperature", 1), (e: unknown) => e instanceof DevFailed && e.hasReason("API_AttrNotWritable"));
    const items = await dev.readMany(["temperature", "nope"]);
    assert.equal("error" in (items[1] ?? {}), true);
  });

  test("change events on temperature: synchronous read, code-pushed event, PushBurst(200) in order", async () => {
    await dev.command("SetTemperature", 10);
    const errors: string[] = [];
    const sub = await subscribe(dev, "temperature", "change", { queueSize: 1000 });
    try {
      const first = await collect(sub, 1, errors);
      assert.equal(first[0]?.value, 10);
      assert.equal(first[0]?.synchronous, true);
      await dev.command("SetTemperature", 40);
      const pushed = await collect(sub, 1, errors);
      assert.equal(pushed[0]?.value, 40);
      assert.equal(pushed[0]?.synchronous, undefined);
      assert.equal(await dev.command("PushBurst", 200), 200);
      const burst = await collect(sub, 200, errors);
      assert.deepEqual(
        burst.map((b) => b.value),
        Array.from({ length: 200 }, (_, i) => 41 + i),
      );
      assert.deepEqual(errors, []);
      assert.equal(sub.missed, 0);
      assert.equal(sub.dropped, 0);
    } finally {
      await sub.close();
    }
  });

  test("change events on counter pushed on write", async () => {
    const errors: string[] = [];
    const sub = await subscribe(dev, "counter", "change");
    try {
      await collect(sub, 1, errors);
      await dev.write("counter", 1234);
      const [ev] = await collect(sub, 1, errors);
      assert.equal(ev?.value, 1234);
    } finally {
      await sub.close();
    }
  });
});

describe("our client → pytango 10 device server without database (#dbase=no)", { skip }, () => {
  const children = new Children();
  let context: TangoContext;
  let port = 0;

  before(async () => {
    port = await freePort();
    await startPy10PyRef(children, env, "t10nodb", port, ["-nodb", "-dlist", "pyref/t10nodb/1"]);
    context = new TangoContext({});
  });
  after(async () => {
    await context?.close();
    await children.stopAll();
  });

  test("state, info, attributes, commands, errors and change events", async () => {
    const dev = await DeviceProxy.connect(`tango://127.0.0.1:${port}/pyref/t10nodb/1#dbase=no`, { context, timeoutMs: 5000 });
    assert.equal(await dev.state(), "ON");
    assert.equal((await dev.info()).serverVersion, 6);
    assert.equal(await dev.adminName(), "dserver/PyRef/t10nodb");
    assert.equal(await dev.command("Scale", 5), 10, "default Gain 2.0 without a database");
    await dev.write("counter", 9);
    assert.equal((await dev.read("counter")).value, 9);
    await assert.rejects(dev.write("counter", -5_000_000), (e: unknown) => e instanceof DevFailed && e.hasReason("API_WAttrOutsideLimit"));
    await dev.command("SetTemperature", 1.5);
    const errors: string[] = [];
    const sub = await subscribe(dev, "temperature", "change");
    try {
      assert.equal((await collect(sub, 1, errors))[0]?.value, 1.5);
      await dev.command("PushBurst", 10);
      assert.deepEqual(
        (await collect(sub, 10, errors)).map((x) => x.value),
        [2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 10.5, 11.5],
      );
      assert.deepEqual(errors, []);
    } finally {
      await sub.close();
    }
  });
});
