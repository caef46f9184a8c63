/**
 * PyTango (the real client library, /usr/bin/python3) against our device server: without a database
 * (`tango://127.0.0.1:<port>/dev#dbase=no`) and registered in the reference stack's DataBaseds (imported by name).
 * The client side lives in test-fixtures/pytango_client.py and reports what PyTango saw as JSON.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { TangoContext } from "../client/context.ts";
import { Database } from "../database/database.ts";
import { DevFailed } from "../errors/errors.ts";
import { MultiDeviceTestContext } from "../testing/device-test-context.ts";
import { runServer, type ServerHandle } from "./run-server.ts";
import { AllTypes, Counter } from "./test-fixtures/interop-device.ts";

const SCRIPT = fileURLToPath(new URL("./test-fixtures/pytango_client.py", import.meta.url));
const TANGO_HOST = "127.0.0.1:10000";

type Json = Record<string, unknown>;
interface Outcome {
  ok?: unknown;
  error?: { reason: string; desc: string; origin: string }[];
  pyerror?: string;
}

function pytango(scenario: string, device: string, env: Record<string, string> = {}): Promise<Json> {
  return new Promise((resolve, reject) => {
    execFile(
      "/usr/bin/python3",
      [SCRIPT, scenario, device],
      { timeout: 60_000, env: { ...process.env, ORBclientTransportRule: "* tcp", ...env } },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`pytango_client.py ${scenario} failed: ${err.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as Json);
      },
    );
  });
}

function reasons(o: unknown): string[] {
  return ((o as Outcome).error ?? []).map((e) => e.reason);
}

describe("PyTango client → our server, no database", () => {
  let ctx: MultiDeviceTestContext;
  let name: string;

  before(async () => {
    ctx = await MultiDeviceTestContext.start({
      serverName: "TsTest",
      instance: "nodb",
      devices: [
        { class: AllTypes, devices: [{ name: "tsrt/nodb/1", properties: { Greeting: "bonjour" } }] },
        { class: Counter, devices: [{ name: "tsrt/nodb/2" }] },
      ],
    });
    name = ctx.fullName("tsrt/nodb/1");
  });
  after(async () => {
    await ctx?.close();
  });

  test("every data type and format: read, write, read back (value and set point)", async () => {
    const out = await pytango("types", name);
    assert.equal(out.state, "ON");
    assert.equal(out.status, "Greeting is bonjour");
    assert.equal(out.class, "AllTypes");
    const t = out.types as Record<string, Record<string, unknown>>;
    const expectScalar: Record<string, [unknown, unknown, string]> = {
      boolean: [true, false, "DevBoolean"],
      short: [-12, 31000, "DevShort"],
      long: [123456, -2000000000, "DevLong"],
      float: [1.5, -0.25, "DevFloat"],
      double: [3.25, 1e300, "DevDouble"],
      ushort: [65000, 1, "DevUShort"],
      ulong: [4000000000, 7, "DevULong"],
      uchar: [200, 255, "DevUChar"],
      long64: ["-9007199254740993", "9007199254740993", "DevLong64"],
      ulong64: ["18446744073709551615", "18446744073709551000", "DevULong64"],
      string: ["hello", "wörld", "DevString"],
      state: ["MOVING", "ALARM", "DevState"],
    };
    for (const [k, [initial, written, type]] of Object.entries(expectScalar)) {
      const s = t[`${k}_scalar`] ?? {};
      assert.equal(s.type, type, k);
      assert.deepEqual(s.read, initial, `${k}_scalar read`);
      assert.deepEqual(s.after, written, `${k}_scalar after write`);
      assert.deepEqual(s.w_value, written, `${k}_scalar w_value`);
      const sp = t[`${k}_spectrum`] ?? {};
      assert.equal(sp.format, "SPECTRUM");
      assert.deepEqual(sp.dims, [2, 0], `${k}_spectrum dims`);
      if (k !== "state") {
        assert.deepEqual(sp.after, [written, written], `${k}_spectrum`);
        const im = t[`${k}_image`] ?? {};
        assert.equal(im.format, "IMAGE");
        assert.deepEqual(im.read, [
          [initial, initial],
          [initial, initial],
        ]);
        assert.deepEqual(im.after, [
          [written, written, written],
          [written, written, written],
        ]);
        assert.deepEqual(im.dims, [3, 2], `${k}_image dims`);
      }
    }
    assert.deepEqual(t.mode, { read: 1, after: 2, labels: ["OFF", "SLOW", "FAST"] });
    assert.deepEqual(t.encoded, { format: "raw", data: [1, 2, 3] });
  });

  test("every command argument type round-trips", async () => {
    const out = await pytango("commands", name);
    const c = out.commands as Record<string, Outcome>;
    const expected: Record<string, unknown> = {
      EchoBoolean: true,
      EchoShort: -32768,
      EchoLong: 2147483647,
      EchoFloat: 0.5,
      EchoDouble: -1.25e-10,
      EchoUShort: 65535,
      EchoULong: 4294967295,
      EchoLong64: "-9223372036854775808",
      EchoULong64: "18446744073709551615",
      EchoString: "héllo",
      EchoState: "FAULT",
      EchoEncoded: ["json", [...Buffer.from('{"a":1}')]],
      EchoVarCharArray: [0, 1, 255],
      EchoVarShortArray: [1, -2, 3],
      EchoVarLongArray: [1, -2, 3],
      EchoVarFloatArray: [1.5, -2.5],
      EchoVarDoubleArray: [1.5, -2.5, 1e300],
      EchoVarUShortArray: [1, 65535],
      EchoVarULongArray: [1, 4294967295],
      EchoVarLong64Array: [1, "-9223372036854775808"],
      EchoVarULong64Array: [1, "18446744073709551615"],
      EchoVarStringArray: ["a", "", "ç"],
      EchoVarLongStringArray: [
        [1, 2, 3],
        ["x", "y"],
      ],
      EchoVarDoubleStringArray: [[1.5], ["x", "y", "z"]],
      Void: null,
    };
    for (const [cmd, v] of Object.entries(expected)) assert.deepEqual(c[cmd], { ok: v }, cmd);
    assert.deepEqual(c.query, { in: "DevDouble", out: "DevDouble", in_desc: "any value", out_desc: "the same value" });
    assert.ok((c.list as unknown as string[]).includes("Init"));
  });

  test("attribute configuration: read, set (label, unit, max_value), limits and alarm quality follow", async () => {
    const out = await pytango("config", name);
    const c = out.config as Record<string, Record<string, unknown>>;
    assert.deepEqual(c.before, {
      label: "Limited",
      unit: "mm",
      format: "%5.1f",
      min_value: "-10",
      max_value: "10",
      min_alarm: "-5",
      max_alarm: "5",
      description: "a limited double",
      writable: "READ_WRITE",
      data_type: "5",
    });
    assert.deepEqual(c.after, { label: "New label", unit: "um", max_value: "20" });
    assert.deepEqual(c.write15, { ok: null });
    assert.equal(c.alarm_quality, "ATTR_ALARM");
    const bb = c.black_box as unknown as string[];
    assert.equal(bb.length, 3);
    assert.match(bb[0] ?? "", /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} : Operation black_box requested from 127\.0\.0\.1$/);
    assert.match(bb[1] ?? "", / : Operation \w+ .*requested from 127\.0\.0\.1$/);
  });

  test("Init runs delete/init again", async () => {
    const out = await pytango("init", name);
    assert.deepEqual(out.init, { before: 99, after: 3.25, state_before: "OFF", state_after: "ON", status: "Greeting is bonjour" });
  });

  test("bad input gives DevFailed with our reasons", async () => {
    const out = await pytango("errors", name);
    const e = out.errors as Record<string, Outcome>;
    assert.deepEqual(reasons(e.write_above_max), ["API_WAttrOutsideLimit", "API_AttributeFailed"]);
    assert.equal(
      e.write_above_max?.error?.[0]?.desc,
      "Set value for attribute limited is above the maximum authorized (at least element 0)",
    );
    assert.deepEqual(reasons(e.write_below_min), ["API_WAttrOutsideLimit", "API_AttributeFailed"]);
    assert.deepEqual(reasons(e.enum_out_of_range), ["API_WAttrOutsideLimit", "API_AttributeFailed"]);
    assert.deepEqual(reasons(e.unknown_attribute), ["API_AttrNotFound", "API_AttributeFailed"]);
    assert.deepEqual(reasons(e.unknown_command), ["API_CommandNotFound", "API_CommandFailed"]);
    assert.equal(e.failing_read?.error?.[0]?.desc, "hardware unplugged");
    assert.equal(reasons(e.failing_command)[0], "API_JsError");
    assert.equal(e.failing_command?.error?.[0]?.desc, "boom");
    assert.deepEqual(reasons(e.not_writable), ["API_AttrNotWritable", "API_AttributeFailed"]);
    assert.deepEqual(e.invalid_quality, { ok: "ATTR_INVALID" });
    assert.equal(reasons(e.command_not_allowed)[0], "API_CommandNotAllowed");
    assert.equal(e.command_not_allowed?.error?.[0]?.desc, "Command OnlyWhenOn not allowed when the device is in OFF state");
    assert.equal(reasons(e.attribute_not_allowed)[0], "API_AttrNotAllowed");
    assert.equal(reasons(e.event_without_polling)[0], "API_AttributePollingNotStarted");
    assert.equal(reasons(e.history_not_polled)[0], "API_AttrNotPolled");
  });

  test("change (code-pushed and polled) and periodic events reach PyTango; attribute_history reads the ring", async () => {
    const out = await pytango("events", name);
    const ev = (out.events as { events: { attr: string; event: string; value?: unknown }[]; history: unknown[] }).events;
    const values = (attr: string, kind: string): unknown[] =>
      ev.filter((x) => x.attr.startsWith(attr) && x.event === kind).map((x) => x.value);
    assert.deepEqual(values("pushed_value", "change"), [0, 1, 2, 3]);
    assert.deepEqual(values("polled_value", "change"), [0, 1, 2, 3]);
    assert.ok(values("polled_value", "periodic").length >= 2, JSON.stringify(ev));
    assert.deepEqual((out.events as { history: unknown[] }).history, [3, 3, 3]);
  });
});

describe("PyTango client → our server registered in the reference DataBaseds", () => {
  const SERVER = "TsTest/interop";
  let context: TangoContext;
  let db: Database;
  let handle: ServerHandle | undefined;

  before(async () => {
    context = new TangoContext({ tangoHost: TANGO_HOST });
    db = await Database.connect({ context });
    await db.deleteServer(SERVER).catch(() => undefined);
    await db.command("DbAddServer", [SERVER, "tsrt/test/1", "AllTypes", "tsrt/test/2", "Counter"], "DevVarStringArray");
    await db.putDeviceProperty("tsrt/test/1", { Greeting: "from the database", polled_attr: ["double_scalar", "200"] });
    handle = await runServer({
      serverName: "TsTest",
      instance: "interop",
      classes: [AllTypes, Counter],
      tangoHost: TANGO_HOST,
      host: "127.0.0.1",
    });
  });
  after(async () => {
    await handle?.close();
    await db?.deleteDeviceProperty("tsrt/test/1", ["Greeting", "polled_attr"]).catch(() => undefined);
    await db?.command("DbDeleteAllDeviceAttributeProperty", ["tsrt/test/1", "memo", "limited"], "DevVarStringArray").catch(() => undefined);
    await db?.deleteServer(SERVER).catch(() => undefined);
    await context?.close();
  });

  test("DbExportDevice: the devices and the admin are exported with our IOR, pid and version 5", async () => {
    const info = await db.getDeviceInfo("tsrt/test/1");
    assert.equal(info.exported, true);
    assert.equal(info.version, "5");
    assert.equal(info.server, SERVER);
    assert.equal(info.pid, process.pid);
    assert.ok(info.ior.startsWith("IOR:"));
    assert.equal((await db.getDeviceInfo("dserver/TsTest/interop")).exported, true);
  });

  test("PyTango imports the devices by name: properties from the database, polled_attr polling, types, events", async () => {
    const out = await pytango("events", "tsrt/test/1", { TANGO_HOST });
    assert.equal(out.state, "ON");
    assert.equal(out.status, "Greeting is from the database");
    assert.equal(out.adm_name, "dserver/TsTest/interop");
    const ev = (out.events as { events: { attr: string; event: string; value?: unknown }[] }).events;
    assert.deepEqual(
      ev.filter((x) => x.attr === "pushed_value" && x.event === "change").map((x) => x.value),
      [0, 1, 2, 3],
    );
    assert.ok(handle?.server.device("tsrt/test/1").polled.has("attribute:double_scalar"));
    const cmds = await pytango("commands", "tsrt/test/1", { TANGO_HOST });
    assert.deepEqual((cmds.commands as Record<string, Outcome>).EchoVarLongStringArray, {
      ok: [
        [1, 2, 3],
        ["x", "y"],
      ],
    });
  });

  test("admin polling commands persist polled_attr in the database", async () => {
    const admin = await import("../client/device-proxy.ts").then((m) => m.DeviceProxy.connect("dserver/TsTest/interop", { context }));
    try {
      await admin.command("AddObjPolling", { lvalue: [500], svalue: ["tsrt/test/1", "attribute", "long_scalar"] });
      const props = await db.getDeviceProperty("tsrt/test/1", ["polled_attr"]);
      assert.deepEqual(props.polled_attr, ["double_scalar", "200", "polled_value", "100", "long_scalar", "500"]);
    } finally {
      await admin.close();
    }
  });

  test("shutdown un-exports the server (DbUnExportServer)", async () => {
    await handle?.close();
    handle = undefined;
    const info = await db.getDeviceInfo("tsrt/test/1");
    assert.equal(info.exported, false);
    await assert.rejects(pytango("types", "tsrt/test/1", { TANGO_HOST }));
  });

  test("a second server instance with the same name refuses to start while the first runs", async () => {
    const first = await runServer({
      serverName: "TsTest",
      instance: "interop",
      classes: [AllTypes, Counter],
      tangoHost: TANGO_HOST,
      host: "127.0.0.1",
    });
    try {
      await assert.rejects(
        runServer({ serverName: "TsTest", instance: "interop", classes: [AllTypes, Counter], tangoHost: TANGO_HOST, host: "127.0.0.1" }),
        (e: unknown) => e instanceof DevFailed && e.hasReason("API_ServerAlreadyRunning"),
      );
    } finally {
      await first.close();
    }
  });
});
