/**
 * Interop suite against the real reference stack (cppTango 9.3.4 DataBaseds + TangoTest sys/tg_test/1 + PyTango
 * pyref/test/1, TANGO_HOST 127.0.0.1:10000). Nothing is mocked: every call goes over TCP to the real servers.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { DevFailed, InvalidArgumentError, MultiDevFailed, NotAllowed } from "../errors/errors.ts";
import { TangoContext } from "./context.ts";
import { DeviceProxy } from "./device-proxy.ts";

const TANGO_HOST = "127.0.0.1:10000";
const TT = "sys/tg_test/1";

let context: TangoContext;
let dev: DeviceProxy;

before(async () => {
  context = new TangoContext({ tangoHost: TANGO_HOST });
  dev = await DeviceProxy.connect(TT, { context });
});
/** TCP connections this process holds open, seen by the OS (unref'd sockets do not show in Node's own resource list). */
function ourTcpConnections(): string[] {
  const out = execFileSync("ss", ["-tnpH", "state", "established"], { encoding: "utf8" });
  return out.split("\n").filter((l) => l.includes(`pid=${process.pid},`));
}

after(async () => {
  await context.close();
  await new Promise((r) => setImmediate(r));
  // Leak check: every socket of every context used by this suite is closed, and no call timer is left behind.
  assert.deepEqual(ourTcpConnections(), []);
  assert.deepEqual(
    process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap" || r === "TCPWRAP"),
    [],
  );
});

async function rejectsWith(p: Promise<unknown>, reason: string, cls: new (...a: never[]) => DevFailed = DevFailed): Promise<DevFailed> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    assert.ok(e.hasReason(reason), `expected reason ${reason} in ${JSON.stringify(e.errors)}`);
    return e;
  }
  assert.fail(`expected a ${cls.name} with reason ${reason}, but the call succeeded`);
}

describe("device basics", () => {
  test("connect imports through the database and names the device", () => {
    assert.equal(dev.name, TT);
    assert.equal(dev.fullName, `tango://${TANGO_HOST}/${TT}`);
    assert.equal(dev.endpoint.port, 10001);
  });

  test("ping, state, status, info, adminName, description", async () => {
    assert.ok((await dev.ping()) > 0);
    const state = await dev.state();
    assert.ok(["RUNNING", "ON", "FAULT", "ALARM", "UNKNOWN", "STANDBY", "OFF"].includes(state), state);
    assert.match(await dev.status(), /state/i);
    const info = await dev.info();
    assert.equal(info.devClass, "TangoTest");
    assert.equal(info.serverId, "TangoTest/test");
    assert.equal(info.serverVersion, 5);
    assert.equal(await dev.adminName(), "dserver/TangoTest/test");
    assert.equal(typeof (await dev.description()), "string");
  });

  test("the State and Status attributes agree with _get_state/_get_status", async () => {
    const [s, st] = await dev.readMany(["State", "Status"]);
    assert.ok(s && !s.error && st && !st.error);
    assert.equal(s.dataType, "DevState");
    assert.equal(s.value, await dev.state());
    assert.equal(st.dataType, "DevString");
    assert.equal(typeof st.value, "string");
  });

  test("command list and query give typed command descriptions", async () => {
    const list = await dev.commandList();
    const byName = new Map(list.map((c) => [c.name, c]));
    assert.equal(byName.get("DevVarLongStringArray")?.inType, "DevVarLongStringArray");
    assert.equal(byName.get("State")?.outType, "DevState");
    assert.equal(byName.get("DevVoid")?.inType, "DevVoid");
    const q = await dev.commandQuery("DevULong64");
    assert.deepEqual([q.inType, q.outType], ["DevULong64", "DevULong64"]);
  });

  test("attribute list and configuration", async () => {
    const names = await dev.attributeList();
    for (const n of ["double_scalar", "long_spectrum_ro", "ushort_image", "State", "Status"]) assert.ok(names.includes(n), n);
    const [c] = await dev.getAttributeConfig(["uchar_spectrum"]);
    assert.ok(c);
    assert.equal(c.dataTypeName, "DevUChar");
    assert.equal(c.dataFormatName, "SPECTRUM");
    assert.equal(c.writableName, "READ_WRITE");
    assert.equal(c.maxDimX, 4096);
  });
});

describe("commands: every Dev* echo command of TangoTest", () => {
  const cases: [string, unknown, unknown?][] = [
    ["DevBoolean", true],
    ["DevBoolean", false],
    ["DevShort", -12345],
    ["DevUShort", 65535],
    ["DevLong", -2147483648],
    ["DevULong", 4294967295],
    ["DevLong64", -(2n ** 62n) - 5n],
    ["DevULong64", 2n ** 64n - 1n],
    ["DevFloat", 1.5],
    ["DevDouble", 3.14],
    ["DevString", "héllo Tango ✓"],
    ["DevVarCharArray", [0, 1, 128, 255], new Uint8Array([0, 1, 128, 255])],
    ["DevVarShortArray", [-1, 0, 32767]],
    ["DevVarUShortArray", [0, 65535]],
    ["DevVarLongArray", [-5, 5, 2147483647]],
    ["DevVarULongArray", [0, 4294967295]],
    ["DevVarLong64Array", [-1n, 2n ** 62n]],
    ["DevVarULong64Array", [0n, 2n ** 64n - 1n]],
    ["DevVarFloatArray", [0.5, -2.25]],
    ["DevVarDoubleArray", [Math.PI, -1e300, 0]],
    ["DevVarStringArray", ["a", "", "ünïcode"]],
    ["DevVarLongStringArray", { lvalue: [1, -2, 3], svalue: ["x", "y"] }],
    ["DevVarDoubleStringArray", { dvalue: [1.25, -0.5], svalue: ["p", "q", "r"] }],
  ];
  for (const [cmd, argin, expected] of cases) {
    test(`${cmd}(${typeof argin === "bigint" ? `${argin}n` : JSON.stringify(argin, (_k, v) => (typeof v === "bigint" ? `${v}n` : v))})`, async () => {
      assert.deepEqual(await dev.command(cmd, argin), expected ?? argin);
    });
  }

  test("DevVoid, State, Status", async () => {
    assert.equal(await dev.command("DevVoid"), undefined);
    assert.equal(await dev.command("State"), await dev.state());
    assert.equal(typeof (await dev.command("Status")), "string");
  });

  test("empty arrays and the empty string", async () => {
    assert.deepEqual(await dev.command("DevVarDoubleArray", []), []);
    assert.deepEqual(await dev.command("DevVarStringArray", []), []);
    assert.equal(await dev.command("DevString", ""), "");
  });

  test("concurrent calls are multiplexed on one connection", async () => {
    const values = Array.from({ length: 50 }, (_, i) => i * 1.5);
    const out = await Promise.all(values.map((v) => dev.command("DevDouble", v)));
    assert.deepEqual(out, values);
  });
});

describe("attributes: round trip of every writable TangoTest attribute", () => {
  const scalars: [string, unknown][] = [
    ["boolean_scalar", true],
    ["short_scalar", -1234],
    ["ushort_scalar", 65000],
    ["long_scalar", -7],
    ["ulong_scalar", 4000000000],
    ["long64_scalar", -1234567890123n],
    ["ulong64_scalar", 2n ** 64n - 2n],
    ["float_scalar", 2.5],
    ["double_scalar", 1.25],
    ["uchar_scalar", 200],
    ["string_scalar", "héllo"],
  ];
  for (const [attr, v] of scalars) {
    test(`${attr} (READ_WRITE scalar): write then read the set point`, async () => {
      await dev.write(attr, v);
      const r = await dev.read(attr);
      assert.equal(r.dataFormat, "SCALAR");
      assert.deepEqual(r.wValue, v);
      assert.deepEqual(r.dims, { x: 1, y: 0 });
      assert.equal(r.quality, "ATTR_VALID");
      assert.ok(Math.abs(r.time.getTime() - Date.now()) < 60_000, "read time is now");
      assert.equal(typeof r.value, typeof v);
    });
  }

  for (const [attr, v] of [
    ["ampli", 3.5],
    ["double_scalar_w", 4.5],
    ["long_scalar_w", 99],
    ["short_scalar_w", -3],
  ] as const) {
    test(`${attr} (WRITE scalar): the written value reads back`, async () => {
      await dev.write(attr, v);
      assert.equal((await dev.read(attr)).value, v);
    });
  }

  const spectra: [string, unknown[]][] = [
    ["boolean_spectrum", [true, false, true]],
    ["short_spectrum", [4, -5, 32767]],
    ["ushort_spectrum", [7, 65535]],
    ["long_spectrum", [1, -2, 3, 2147483647]],
    ["float_spectrum", [0.5, 1.5]],
    ["double_spectrum", [1.5, 2.5, -1e-300]],
    ["uchar_spectrum", [1, 2, 255]],
    ["string_spectrum", ["a", "bc", ""]],
  ];
  for (const [attr, v] of spectra) {
    test(`${attr} (SPECTRUM): write then read`, async () => {
      await dev.write(attr, v);
      const r = await dev.read(attr);
      assert.equal(r.dataFormat, "SPECTRUM");
      assert.deepEqual(r.value, v);
      assert.deepEqual(r.wValue, v);
      assert.deepEqual(r.dims, { x: v.length, y: 0 });
    });
  }

  // long_image is left out on purpose: writing it crashes TangoTest 9.3.4 itself (verified with PyTango too).
  const images: [string, unknown[][]][] = [
    [
      "boolean_image",
      [
        [true, false],
        [false, true],
      ],
    ],
    ["short_image", [[1, -2, 3]]],
    [
      "ushort_image",
      [
        [9, 8],
        [7, 6],
      ],
    ],
    ["float_image", [[1.5], [2.5]]],
    [
      "double_image",
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
    ],
    [
      "uchar_image",
      [
        [1, 2],
        [3, 255],
      ],
    ],
    [
      "string_image",
      [
        ["a", "b"],
        ["c", "d"],
      ],
    ],
  ];
  for (const [attr, v] of images) {
    test(`${attr} (IMAGE): write then read rows`, async () => {
      await dev.write(attr, v);
      const r = await dev.read(attr);
      assert.equal(r.dataFormat, "IMAGE");
      assert.deepEqual(r.value, v);
      assert.deepEqual(r.dims, { x: v[0]?.length ?? 0, y: v.length });
    });
  }

  test("writeRead writes and returns the new reading in one call", async () => {
    const r = await dev.writeRead("double_spectrum", [9.5, 8.5]);
    assert.deepEqual(r.value, [9.5, 8.5]);
  });

  test("writeMany writes several attributes in one call", async () => {
    await dev.writeMany({ long_scalar_w: 42, short_scalar_w: 7 });
    const [a, b] = await dev.readMany(["long_scalar_w", "short_scalar_w"]);
    assert.equal(a?.value, 42);
    assert.equal(b?.value, 7);
  });
});

describe("attributes: reads of the read-only ones", () => {
  const ro: [string, string, string][] = [
    ["short_scalar_ro", "DevShort", "SCALAR"],
    ["boolean_spectrum_ro", "DevBoolean", "SPECTRUM"],
    ["short_spectrum_ro", "DevShort", "SPECTRUM"],
    ["ushort_spectrum_ro", "DevUShort", "SPECTRUM"],
    ["long_spectrum_ro", "DevLong", "SPECTRUM"],
    ["ulong_spectrum_ro", "DevULong", "SPECTRUM"],
    ["long64_spectrum_ro", "DevLong64", "SPECTRUM"],
    ["ulong64_spectrum_ro", "DevULong64", "SPECTRUM"],
    ["float_spectrum_ro", "DevFloat", "SPECTRUM"],
    ["double_spectrum_ro", "DevDouble", "SPECTRUM"],
    ["uchar_spectrum_ro", "DevUChar", "SPECTRUM"],
    ["string_spectrum_ro", "DevString", "SPECTRUM"],
    ["wave", "DevDouble", "SPECTRUM"],
    ["boolean_image_ro", "DevBoolean", "IMAGE"],
    ["short_image_ro", "DevShort", "IMAGE"],
    ["ushort_image_ro", "DevUShort", "IMAGE"],
    ["long_image_ro", "DevLong", "IMAGE"],
    ["ulong_image_ro", "DevULong", "IMAGE"],
    ["long64_image_ro", "DevLong64", "IMAGE"],
    ["ulong64_image_ro", "DevULong64", "IMAGE"],
    ["float_image_ro", "DevFloat", "IMAGE"],
    ["double_image_ro", "DevDouble", "IMAGE"],
    ["uchar_image_ro", "DevUChar", "IMAGE"],
    ["string_image_ro", "DevString", "IMAGE"],
  ];
  const jsType: Record<string, string> = {
    DevBoolean: "boolean",
    DevLong64: "bigint",
    DevULong64: "bigint",
    DevString: "string",
  };

  test("one readMany of all of them gives values shaped by their dims", async () => {
    const results = await dev.readMany(ro.map(([n]) => n));
    assert.equal(results.length, ro.length);
    results.forEach((r, i) => {
      const [name, type, format] = ro[i] as [string, string, string];
      assert.ok(!r.error, `${name}: ${r.error?.message}`);
      assert.equal(r.name, name);
      assert.equal(r.dataType, type, name);
      assert.equal(r.dataFormat, format, name);
      assert.equal(r.wValue, undefined, `${name} has no set point`);
      const expected = jsType[type] ?? "number";
      if (format === "SCALAR") assert.equal(typeof r.value, expected, name);
      else if (format === "SPECTRUM") {
        assert.ok(Array.isArray(r.value), name);
        assert.equal(r.value.length, r.dims.x, name);
        if (r.value.length > 0) assert.equal(typeof r.value[0], expected, name);
      } else {
        assert.ok(Array.isArray(r.value), name);
        assert.equal(r.value.length, r.dims.y, name);
        for (const row of r.value as unknown[][]) assert.equal(row.length, r.dims.x, name);
        const first = (r.value as unknown[][])[0]?.[0];
        if (first !== undefined) assert.equal(typeof first, expected, name);
      }
    });
  });

  test("a full 251×251 double image round trip (≈ 500 KB each way; the reply arrives in GIOP fragments)", async () => {
    const img = Array.from({ length: 251 }, (_, y) => Array.from({ length: 251 }, (_, x) => y * 1000 + x + 0.5));
    await dev.write("double_image", img);
    const r = await dev.read("double_image");
    assert.deepEqual(r.dims, { x: 251, y: 251 });
    assert.deepEqual(r.value, img);
  });
});

describe("errors, each with a clear DevFailed", () => {
  test("missing attribute → API_AttrNotFound (read throws, readMany returns it as a value)", async () => {
    await rejectsWith(dev.read("no_such_attribute"), "API_AttrNotFound");
    const [ok, bad] = await dev.readMany(["double_scalar", "no_such_attribute"]);
    assert.ok(ok && !ok.error);
    assert.ok(bad?.error instanceof DevFailed);
    assert.ok(bad.error.hasReason("API_AttrNotFound"));
  });

  test("an attribute whose read fails → its server reason", async () => {
    await rejectsWith(dev.read("no_value"), "API_AttrValueNotSet");
  });

  test("unknown command → API_CommandNotFound", async () => {
    await rejectsWith(dev.command("NoSuchCommand"), "API_CommandNotFound");
  });

  test("wrong argin type → InvalidArgumentError (API_IncompatibleArgumentType), nothing sent", async () => {
    await rejectsWith(dev.command("DevDouble", "not a number"), "API_IncompatibleArgumentType", InvalidArgumentError);
    await rejectsWith(dev.command("DevShort", 70000), "API_IncompatibleArgumentType", InvalidArgumentError);
    await rejectsWith(dev.command("DevVarLongArray", [1, "x"]), "API_IncompatibleArgumentType", InvalidArgumentError);
    await rejectsWith(dev.command("DevVoid", 1), "API_IncompatibleArgumentType", InvalidArgumentError);
    await rejectsWith(dev.write("double_scalar", "abc"), "API_IncompatibleArgumentType", InvalidArgumentError);
    await rejectsWith(dev.write("double_spectrum", 1), "API_IncompatibleArgumentType", InvalidArgumentError);
    // the proxy still works afterwards
    assert.equal(await dev.command("DevDouble", 2), 2);
  });

  test("writing a read-only attribute → API_AttrNotWritable", async () => {
    await rejectsWith(dev.write("short_scalar_ro", 1), "API_AttrNotWritable");
  });

  test("out-of-range write → MultiDevFailed with API_WAttrOutsideLimit (PyRef counter, max_value 1e6)", async () => {
    const py = await DeviceProxy.connect("pyref/test/1", { context });
    const e = await rejectsWith(py.write("counter", 5_000_000), "API_WAttrOutsideLimit", MultiDevFailed);
    assert.equal((e as MultiDevFailed).namedErrors[0]?.name, "counter");
  });

  test("out-of-range write after set_attribute_config(max_value) on TangoTest, config restored", async () => {
    const before = await dev.attributeQuery("short_scalar");
    try {
      await dev.updateAttributeConfig("short_scalar", { minValue: "-10", maxValue: "10" });
      const c = await dev.attributeQuery("short_scalar");
      assert.equal(c.maxValue, "10");
      await dev.write("short_scalar", 5);
      const e = await rejectsWith(dev.write("short_scalar", 11), "API_WAttrOutsideLimit", MultiDevFailed);
      assert.match(e.errors[0]?.desc ?? "", /short_scalar|above|limit/i);
    } finally {
      await dev.updateAttributeConfig("short_scalar", { minValue: before.minValue, maxValue: before.maxValue });
    }
    assert.equal((await dev.attributeQuery("short_scalar")).maxValue, before.maxValue);
  });

  test("unknown device → DB_DeviceNotDefined", async () => {
    await rejectsWith(DeviceProxy.connect("no/such/device", { context }), "DB_DeviceNotDefined");
  });

  test("bad device name → WrongNameSyntax", async () => {
    await rejectsWith(DeviceProxy.connect("a/b", { context }), "API_WrongDeviceNameSyntax");
  });

  test("a closed proxy rejects (API_ProxyClosed); close is idempotent; other proxies keep working", async () => {
    const d = await DeviceProxy.connect(TT, { context });
    await d.close();
    await d.close();
    await rejectsWith(d.state(), "API_ProxyClosed", NotAllowed);
    await rejectsWith(d.command("DevVoid"), "API_ProxyClosed", NotAllowed);
    assert.equal(await dev.command("DevShort", 1), 1);
  });

  test("an aborted call rejects with API_CallAborted", async () => {
    const ac = new AbortController();
    ac.abort();
    await rejectsWith(dev.read("double_scalar", { signal: ac.signal }), "API_CallAborted");
  });
});

describe("names and TANGO_HOST", () => {
  test("tango://host:port/... FQDN uses that database", async () => {
    const other = new TangoContext();
    try {
      const d = await DeviceProxy.connect(`tango://${TANGO_HOST}/${TT}`, { context: other });
      assert.equal(await d.command("DevLong", 7), 7);
    } finally {
      await other.close();
    }
  });

  test("several TANGO_HOSTs: an unreachable first host is skipped", async () => {
    const multi = new TangoContext({ tangoHost: `127.0.0.1:1,${TANGO_HOST}` });
    try {
      const d = await DeviceProxy.connect(TT, { context: multi });
      assert.equal(await d.command("DevShort", 3), 3);
    } finally {
      await multi.close();
    }
  });

  test("alias resolution through DbGetAliasDevice", async () => {
    const { Database } = await import("../database/database.ts");
    const db = await Database.connect({ context });
    const alias = `client_qa_alias_${process.pid}`;
    await db.putDeviceAlias(TT, alias);
    try {
      const d = await DeviceProxy.connect(alias, { context });
      assert.equal(d.name, TT);
      assert.equal(await d.command("DevLong", 11), 11);
    } finally {
      await db.deleteDeviceAlias(alias);
    }
  });
});

describe("device properties through the database", () => {
  test("put / get / delete", async () => {
    const name = `client_qa_prop_${process.pid}`;
    try {
      await dev.putProperty({ [name]: ["one", "two", 3], [`${name}_single`]: 4.5 });
      const got = await dev.getProperty([name, `${name}_single`, "not_there"]);
      assert.deepEqual(got, { [name]: ["one", "two", "3"], [`${name}_single`]: ["4.5"] });
      assert.ok((await dev.getPropertyList(`${name}*`)).includes(name));
    } finally {
      await dev.deleteProperty([name, `${name}_single`]);
    }
    assert.deepEqual(await dev.getProperty([name]), {});
  });
});
