/**
 * The whole Tango 10 stack on OUR database server: a pytango 10 device server (pyref_device.py under the pytango 10
 * venv) registers and exports itself in `tango db --memory`, and a pytango 10 client imports it by name through it.
 * Our own client then reads the same device through the Device_6 IOR our database stored.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { TangoContext } from "../client/context.ts";
import { DeviceProxy } from "../client/device-proxy.ts";
import { parseIor } from "../corba/ior.ts";
import { Database } from "../database/database.ts";
import { Children, freePort, py10Client, reasons, skipReason, startOurDb, startPy10PyRef, waitFor } from "./harness.ts";

const env0 = { ...process.env, ORBclientTransportRule: "* tcp" };
const skip = skipReason(env0);
const SERVER = "PyRef/t10ours";
const DEVICE = "pyref/t10ours/1";

describe("pytango 10 server ↔ pytango 10 client through our database", { skip }, () => {
  const children = new Children();
  let tangoHost = "";
  let context: TangoContext;
  let db: Database;
  let server: ChildProcess | undefined;

  before(async () => {
    const dbPort = await freePort();
    tangoHost = `127.0.0.1:${dbPort}`;
    const env = { ...env0, TANGO_HOST: tangoHost };
    await startOurDb(children, env, dbPort);
    context = new TangoContext({ tangoHost });
    db = await Database.connect({ context });
    await db.command("DbAddServer", [SERVER, DEVICE, "PyRef"], "DevVarStringArray");
    await db.putDeviceProperty(DEVICE, { Gain: 5 });
    server = await startPy10PyRef(children, env, "t10ours", await freePort());
    await waitFor("the pytango 10 device exported", async () => (await db.getDeviceInfo(DEVICE)).exported);
  });
  after(async () => {
    await context?.close();
    await children.stopAll();
  });

  test("the pytango 10 server registered itself: Device_6 IOR, version 6, pid, class; its admin device too", async () => {
    const info = await db.getDeviceInfo(DEVICE);
    assert.equal(info.exported, true);
    assert.equal(info.version, "6");
    assert.equal(info.className, "PyRef");
    assert.equal(info.server, SERVER);
    assert.equal(info.pid, server?.pid);
    assert.equal(parseIor(info.ior).typeId, "IDL:Tango/Device_6:1.0");
    const admin = await db.getDeviceInfo("dserver/PyRef/t10ours");
    assert.equal(admin.exported, true);
    assert.equal(admin.version, "6");
  });

  test("pytango 10 client: database calls through our database", async () => {
    const out = await py10Client(env0, "db", DEVICE, tangoHost);
    assert.deepEqual(out.gain, ["5"]);
    assert.deepEqual(out.put_get, ["a", "b"]);
    assert.deepEqual(out.device_info, { class: "PyRef", server: SERVER, exported: true, version: "6" });
    assert.deepEqual(out.import, { exported: true, ior_prefix: "IOR:", version: "6" });
    assert.deepEqual(out.exported_list, [DEVICE]);
  });

  test("pytango 10 client → pytango 10 server: IDL 6, attributes, commands (Gain from our database), errors, events", async () => {
    const out = await py10Client(env0, "ref", DEVICE, tangoHost);
    assert.equal(out.state, "ON");
    assert.equal(out.status, "PyRef is ready");
    assert.deepEqual(out.info, { dev_class: "PyRef", server_id: SERVER, server_version: 6 });
    assert.equal(out.idl, 6);
    assert.equal(out.adm_name, "dserver/PyRef/t10ours");
    assert.deepEqual(out.counter, { value: 11, w_value: 11 });
    assert.deepEqual(out.scale, { ok: 25 });
    assert.equal(out.temperature_after, 30);
    const e = out.errors as Record<string, unknown>;
    assert.deepEqual(reasons(e.write_above_max), ["API_WAttrOutsideLimit", "API_AttributeFailed"]);
    assert.deepEqual(reasons(e.unknown_command), ["API_CommandNotFound", "API_CommandFailed"]);
    const ev = out.events as { values: number[]; errors: string[] };
    assert.deepEqual(ev.errors, []);
    assert.deepEqual(ev.values, [30, 42, ...Array.from({ length: 20 }, (_, i) => 43 + i)]);
  });

  test("our client reads the same device through our database (Device_6 IOR)", async () => {
    const dev = await DeviceProxy.connect(DEVICE, { context });
    assert.equal((await dev.info()).serverVersion, 6);
    assert.equal(await dev.command("Scale", 2), 10);
    assert.equal((await dev.read("counter")).value, 12);
  });
});
