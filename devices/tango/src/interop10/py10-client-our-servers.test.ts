/**
 * A pytango 10.3.1 / cppTango 10 client against OUR servers: our database server (`tango db --memory`, child process)
 * and our device-server runtime (TsRef, the TypeScript twin of pyref_device.py, in this process), registered in that
 * database and also served without database (`#dbase=no`).
 * Tango 10 narrows to Device_6 first: our servers answer `_is_a("IDL:Tango/Device_6:1.0")` false and Device_5 true,
 * so pytango 10 falls back to IDL 5. The client side is py10_client.py (JSON on stdout).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TangoContext } from "../client/context.ts";
import { iiopProfiles, parseIor } from "../corba/ior.ts";
import { readAny, tc } from "../corba/typecode.ts";
import { Database } from "../database/database.ts";
import { TANGO_OPERATIONS } from "../idl/operations.ts";
import type { ClntIdent } from "../idl/structs.ts";
import { runServer, type ServerHandle } from "../server/run-server.ts";
import { MultiDeviceTestContext } from "../testing/device-test-context.ts";
import { Children, freePort, giopCall, isA, type Json, py10Client, reasons, skipReason, startOurDb } from "./harness.ts";
import { TsRef } from "./ts-ref-device.ts";

const env = { ...process.env, ORBclientTransportRule: "* tcp" };
const skip = skipReason(env);
const SERVER = "TsRef/t10";
const DEVICE = "tsref/t10/1";

/** The pytango 10 `ref` scenario's expectations, common to the database and no-database routes. */
function assertRefScenario(out: Json, serverId: string, gain: number): void {
  assert.equal(out.pytango, "10.3.1");
  assert.equal(out.state, "ON");
  assert.equal(out.status, "TsRef is ready");
  assert.deepEqual(out.info, { dev_class: "TsRef", server_id: serverId, server_version: 5 });
  assert.equal(out.idl, 5, "pytango 10 fell back to IDL 5");
  assert.deepEqual(out.commands, ["BurstDone", "Init", "PushBurst", "Scale", "SetTemperature", "State", "Status"]);
  assert.deepEqual(out.attributes, ["State", "Status", "counter", "temperature"]);
  assert.deepEqual(out.temperature, { value: 21.5, quality: "ATTR_VALID", type: "DevDouble" });
  assert.deepEqual(out.temperature_config, { unit: "degC", label: "Temperature", format: "%6.2f" });
  assert.deepEqual(out.counter, { value: 11, w_value: 11 });
  assert.deepEqual(out.scale, { ok: Math.round(5 * gain) });
  assert.deepEqual(out.set_temperature, { ok: null });
  assert.equal(out.temperature_after, 30);
  assert.deepEqual(out.write_read, { ok: 12 });
  const e = out.errors as Record<string, unknown>;
  assert.deepEqual(reasons(e.write_above_max), ["API_WAttrOutsideLimit", "API_AttributeFailed"]);
  assert.deepEqual(reasons(e.unknown_command), ["API_CommandNotFound", "API_CommandFailed"]);
  assert.deepEqual(reasons(e.unknown_attribute), ["API_AttrNotFound", "API_AttributeFailed"]);
  assert.deepEqual(reasons(e.not_writable), ["API_AttrNotWritable", "API_AttributeFailed"]);
  assert.match(String((e.bad_argin as { pyerror?: string }).pyerror), /TypeError/);
  const ev = out.events as { values: number[]; errors: string[] };
  assert.deepEqual(ev.errors, []);
  // synchronous read (30), SetTemperature(42), then PushBurst(20): 43..62
  assert.deepEqual(ev.values, [30, 42, ...Array.from({ length: 20 }, (_, i) => 43 + i)]);
}

describe("pytango 10 client → our database server and our device server", { skip }, () => {
  const children = new Children();
  let dbPort = 0;
  let tangoHost = "";
  let context: TangoContext;
  let db: Database;
  let handle: ServerHandle | undefined;

  before(async () => {
    dbPort = await freePort();
    tangoHost = `127.0.0.1:${dbPort}`;
    await startOurDb(children, env, dbPort);
    context = new TangoContext({ tangoHost });
    db = await Database.connect({ context });
    await db.command("DbAddServer", [SERVER, DEVICE, "TsRef"], "DevVarStringArray");
    await db.putDeviceProperty(DEVICE, { Gain: 4 });
    handle = await runServer({ serverName: "TsRef", instance: "t10", classes: [TsRef], tangoHost, host: "127.0.0.1" });
  });
  after(async () => {
    await handle?.close();
    await context?.close();
    await children.stopAll();
  });

  test("_is_a: our database and our device answer Device_6 false, Device_5 (and older) true", async () => {
    assert.equal(await isA(dbPort, "database", "IDL:Tango/Device_6:1.0"), false);
    assert.equal(await isA(dbPort, "database", "IDL:Tango/Device_5:1.0"), true);
    const imp = await db.importDevice(DEVICE);
    assert.equal(parseIor(imp.ior).typeId, "IDL:Tango/Device_5:1.0");
    const p = iiopProfiles(parseIor(imp.ior))[0];
    assert.ok(p);
    assert.equal(await isA(p.port, p.objectKey, "IDL:Tango/Device_6:1.0"), false);
    assert.equal(await isA(p.port, p.objectKey, "IDL:Tango/Device_5:1.0"), true);
    assert.equal(await isA(p.port, p.objectKey, "IDL:Tango/Device:1.0"), true);
  });

  test("our device server accepts a Tango 10 ClntIdent (CPP_6 with a W3C trace context)", async () => {
    const imp = await db.importDevice(DEVICE);
    const p = iiopProfiles(parseIor(imp.ior))[0];
    assert.ok(p);
    const client: ClntIdent = {
      lang: "CPP_6",
      pid: 4242,
      traceContext: { traceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", traceState: "vendor=x" },
    };
    const result = await giopCall(
      p.port,
      p.objectKey,
      "command_inout_4",
      (w) =>
        TANGO_OPERATIONS.command_inout_4.args.write(w, {
          command: "Scale",
          argin: { type: tc.simple("long"), value: 7 },
          source: 0,
          client,
        }),
      (r) => readAny(r).value,
    );
    assert.equal(result, 28);
    const values = await giopCall(
      p.port,
      p.objectKey,
      "read_attributes_5",
      (w) => TANGO_OPERATIONS.read_attributes_5.args.write(w, { names: ["temperature"], source: 0, client: { ...client, lang: "CPP_6" } }),
      (r) => TANGO_OPERATIONS.read_attributes_5.result.read(r),
    );
    assert.equal(values[0]?.name, "temperature");
  });

  test("pytango 10 Database client through our database: properties, device info, import, lists", async () => {
    const out = await py10Client(env, "db", DEVICE, tangoHost);
    assert.equal(out.db_name, tangoHost);
    assert.equal(out.info_head, "TANGO Database sys/database/2");
    assert.deepEqual(out.gain, ["4"]);
    assert.deepEqual(out.put_get, ["a", "b"]);
    assert.deepEqual(out.deleted, []);
    assert.deepEqual(out.device_info, { class: "TsRef", server: SERVER, exported: true, version: "5" });
    assert.deepEqual(out.import, { exported: true, ior_prefix: "IOR:", version: "5" });
    assert.equal(out.class, "TsRef");
    assert.deepEqual(out.exported_list, [DEVICE]);
    assert.deepEqual(out.db_device, { state: "ON", idl: 5 });
  });

  test("pytango 10 imports our device through our database: attributes, commands, errors, change events", async () => {
    const out = await py10Client(env, "ref", DEVICE, tangoHost);
    assertRefScenario(out, SERVER, 4);
    assert.equal(out.adm_name, "dserver/TsRef/t10");
  });
});

describe("pytango 10 client → our device server without database (#dbase=no)", { skip }, () => {
  let ctx: MultiDeviceTestContext;

  before(async () => {
    ctx = await MultiDeviceTestContext.start({
      serverName: "TsRef",
      instance: "t10nodb",
      devices: [{ class: TsRef, devices: [{ name: "tsref/t10nodb/1", properties: { Gain: 3 } }] }],
    });
  });
  after(async () => {
    await ctx?.close();
  });

  test("the same scenario with tango://127.0.0.1:<port>/tsref/t10nodb/1#dbase=no", async () => {
    const out = await py10Client(env, "ref", ctx.fullName("tsref/t10nodb/1"));
    assertRefScenario(out, "TsRef/t10nodb", 3);
  });
});
