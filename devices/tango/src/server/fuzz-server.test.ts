/**
 * "Servers never crash on input": mutated real Tango requests (the captured corpus re-targeted at our devices, plus
 * codec-built requests for the operations and admin commands the captures lack) sent over loopback to a running
 * DeviceServer serving AllTypes, PipeQa and its admin device. Every request must get a Reply or a MessageError/close
 * within the timeout, nothing may escape as an uncaught exception or unhandled rejection, a fresh client must still
 * be served after every batch, and the RSS must stay bounded. FUZZ_SEED=<n> replays a run (the seed is printed).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { TangoContext } from "../client/context.ts";
import { DeviceProxy } from "../client/device-proxy.ts";
import { RemoteObject } from "../client/remote-object.ts";
import { readAny, type TypeCode, tc } from "../corba/typecode.ts";
import { DevFailed } from "../errors/errors.ts";
import type { CmdArgTypeName } from "../idl/constants.ts";
import { type CommandInoutArgs, operationCodec, type WriteAttributes4Args } from "../idl/operations.ts";
import { MultiDeviceTestContext } from "../testing/device-test-context.ts";
import {
  assertFuzzHealthy,
  EscapeRecorder,
  type FuzzCase,
  fuzzServer,
  type RequestSeed,
  requestSeeds,
  summarize,
  synthSeed,
  withArgs,
} from "../testing/fuzz-server.ts";
import { decodeCapture, findReferenceDir, wireCorpus } from "../testing/golden.ts";
import { AllTypes } from "./test-fixtures/interop-device.ts";
import { PipeQa } from "./test-fixtures/pipe-device.ts";
import { toAny } from "./values.ts";

const DEV = "fuzz/alltypes/1";
const PIPE_DEV = "fuzz/pipe/1";
const ADMIN = "dserver/FuzzServer/fuzz";
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20240611;
const ITERATIONS = process.env.FUZZ_ITERATIONS ? Number(process.env.FUZZ_ITERATIONS) : 3000;
const CLIENT = { lang: "CPP", pid: 4242 } as const;

const key = (name: string): Uint8Array => new Uint8Array(Buffer.from(name, "latin1"));

const rec = new EscapeRecorder();

let ctx: MultiDeviceTestContext;

before(async () => {
  rec.install();
  ctx = await MultiDeviceTestContext.start({
    devices: [
      { class: AllTypes, devices: [{ name: DEV }] },
      { class: PipeQa, devices: [{ name: PIPE_DEV }] },
    ],
    serverName: "FuzzServer",
    instance: "fuzz",
    logger: rec.logger,
  });
});

after(async () => {
  await ctx?.close();
  rec.uninstall();
});

const ADMIN_COMMANDS = new Set(["ZmqEventSubscriptionChange", "EventSubscriptionChange", "DevRestart", "QueryDevice"]);
/** TangoTest command → our AllTypes echo command. */
const RENAMED: Record<string, string> = {
  DevVoid: "Void",
  DevLong: "EchoLong",
  DevString: "EchoString",
  DevDouble: "EchoDouble",
  DevBoolean: "EchoBoolean",
  DevVarDoubleArray: "EchoVarDoubleArray",
};

const cmdSeed = (command: string, type: CmdArgTypeName, value: unknown): RequestSeed =>
  synthSeed(
    "command_inout_4",
    { command, argin: toAny(type, value), source: 0, client: CLIENT } satisfies CommandInoutArgs,
    `synth:${command}`,
  );

/** The corpus re-targeted at our devices, and codec-built requests for what it lacks. */
function fuzzCases(): FuzzCase[] {
  const decoded = decodeCapture(wireCorpus(findReferenceDir(process.env)));
  const captured = requestSeeds(decoded);
  const cases: FuzzCase[] = [];
  const to = (seed: RequestSeed, device: string): void => {
    cases.push({ seed, objectKey: key(device) });
  };
  const targetOf = (seed: RequestSeed): string | undefined => {
    if (seed.operation.includes("pipe")) return PIPE_DEV;
    if (seed.operation.startsWith("command_inout")) {
      const cmd = (seed.args as CommandInoutArgs | undefined)?.command ?? "";
      if (cmd.startsWith("Db")) return undefined; // the database's commands: fuzzed against our database server
      if (ADMIN_COMMANDS.has(cmd)) return ADMIN;
    }
    return DEV;
  };
  for (const s of captured) {
    const target = targetOf(s);
    if (!target) continue;
    to(s, target);
    const args = s.args as Partial<CommandInoutArgs & WriteAttributes4Args & { names: string[] }> | undefined;
    // The same request with TangoTest's names mapped onto AllTypes' (so it reaches the handlers, not just the
    // "not found" paths).
    if (s.operation === "command_inout_4" && args?.command && RENAMED[args.command]) {
      to(withArgs(s, { ...args, command: RENAMED[args.command] }), DEV);
    }
    if (s.operation === "write_attributes_4" && args?.values) {
      const values = args.values.map((v) => ({ ...v, name: v.name.replace(/_w$/, "") }));
      to(withArgs(s, { ...args, values }), DEV);
      to(synthSeed("write_read_attributes_5", { values, readNames: values.map((v) => v.name), client: CLIENT }), DEV);
      to(synthSeed("write_read_attributes_4", { values, client: CLIENT }), DEV);
    }
    if (s.operation === "read_attributes_5" && args?.names) {
      const names = args.names.map((n) => n.replace(/_ro$|_w$/, ""));
      to(withArgs(s, { ...args, names }), DEV);
      to(synthSeed("read_attributes_4", { names, source: 0, client: CLIENT }), DEV);
      to(synthSeed("read_attributes_3", { names, source: 1 }), DEV);
      to(synthSeed("get_attribute_config_5", names), DEV);
    }
    if (s.operation === "write_pipe_5") to(synthSeed("write_read_pipe_5", s.args), PIPE_DEV);
  }
  // set_attribute_config_*: the configurations of captured get_attribute_config_5 replies, renamed to ours.
  for (const d of decoded) {
    if (d.operation !== "get_attribute_config_5" || d.message.type !== "Reply" || d.body.kind !== "result") continue;
    const configs = (d.body.value as { name: string }[]).map((c) => ({ ...c, name: c.name.replace(/_ro$|_w$/, "") }));
    to(synthSeed("set_attribute_config_5", { configs, client: CLIENT }), DEV);
    to(synthSeed("set_attribute_config_4", { configs, client: CLIENT }), DEV);
  }
  // Operations and commands the captures lack.
  const names = ["double_scalar", "long_spectrum", "string_image", "mode", "limited", "encoded", "State"];
  for (const op of [
    "command_list_query",
    "command_list_query_2",
    "info",
    "_get_name",
    "_get_description",
    "_get_status",
    "_get_adm_name",
  ]) {
    to(synthSeed(op, undefined), DEV);
  }
  to(synthSeed("_is_a", "IDL:Tango/Device_5:1.0"), DEV);
  to(synthSeed("black_box", 5), DEV);
  to(synthSeed("command_query_2", "EchoVarLongStringArray"), DEV);
  to(synthSeed("get_attribute_config_3", names), DEV);
  to(synthSeed("read_attribute_history_5", { name: "double_scalar", n: 5 }), DEV);
  to(synthSeed("command_inout_history_4", { name: "State", n: 3 }), DEV);
  to(synthSeed("read_pipe_5", { name: "typed", client: CLIENT }), PIPE_DEV);
  to(synthSeed("get_pipe_config_5", ["rw", "typed", "guarded", "broken"]), PIPE_DEV);
  const samples: [CmdArgTypeName, unknown][] = [
    ["DevShort", -3],
    ["DevFloat", 1.5],
    ["DevULong", 7],
    ["DevLong64", 5n],
    ["DevULong64", 6n],
    ["DevState", "ON"],
    ["DevEncoded", { format: "raw", data: new Uint8Array([1, 2, 3, 4]) }],
    ["DevVarCharArray", new Uint8Array([1, 2, 3])],
    ["DevVarShortArray", [1, 2]],
    ["DevVarLongArray", [1, 2, 3]],
    ["DevVarFloatArray", [1, 2]],
    ["DevVarUShortArray", [1, 2]],
    ["DevVarULongArray", [1]],
    ["DevVarLong64Array", [1n, 2n]],
    ["DevVarULong64Array", [3n]],
    ["DevVarStringArray", ["a", "bc"]],
    ["DevVarLongStringArray", { lvalue: [1, 2], svalue: ["a", "b"] }],
    ["DevVarDoubleStringArray", { dvalue: [1.5], svalue: ["x", "y"] }],
  ];
  for (const [t, v] of samples) to(cmdSeed(`Echo${t.slice(3)}`, t, v), DEV);
  to(cmdSeed("SetState", "DevString", "ON"), DEV);
  to(cmdSeed("PushValue", "DevDouble", 2.5), DEV);
  to(cmdSeed("PushDataReady", "DevLong", 3), DEV);
  to(cmdSeed("Init", "DevVoid", undefined), DEV);
  // The admin device: DevVarStringArray / DevVarLongStringArray arguments naming our devices and attributes.
  const lsa = (lvalue: number[], svalue: string[]) => ({ lvalue, svalue });
  for (const [c, t, v] of [
    ["LockDevice", "DevVarLongStringArray", lsa([10], [DEV])],
    ["UnLockDevice", "DevVarLongStringArray", lsa([1], [DEV])],
    ["ReLockDevices", "DevVarStringArray", [DEV, PIPE_DEV]],
    ["DevLockStatus", "DevString", DEV],
    ["AddObjPolling", "DevVarLongStringArray", lsa([1000], [DEV, "attribute", "double_scalar"])],
    ["UpdObjPollingPeriod", "DevVarLongStringArray", lsa([2000], [DEV, "attribute", "double_scalar"])],
    ["RemObjPolling", "DevVarStringArray", [DEV, "attribute", "double_scalar"]],
    ["DevPollStatus", "DevString", DEV],
    ["PolledDevice", "DevVoid", undefined],
    ["QueryClass", "DevVoid", undefined],
    ["QueryWizardDevProperty", "DevString", "AllTypes"],
    ["QueryWizardClassProperty", "DevString", "AllTypes"],
    ["SetLoggingLevel", "DevVarLongStringArray", lsa([3, 4], [DEV, PIPE_DEV])],
    ["GetLoggingLevel", "DevVarStringArray", [DEV]],
    ["AddLoggingTarget", "DevVarStringArray", [DEV, "device::tmp/log/1"]],
    ["GetLoggingTarget", "DevString", DEV],
    ["EventConfirmSubscription", "DevVarStringArray", [DEV, "double_scalar", "change"]],
    ["ZmqEventSubscriptionChange", "DevVarStringArray", [DEV, "double_scalar", "subscribe", "change", "0"]],
    ["DevRestart", "DevString", PIPE_DEV],
  ] as const) {
    to(cmdSeed(c, t, v), ADMIN);
  }
  // Every request that has decoded arguments once more in big-endian GIOP 1.2 and once in GIOP 1.1 (re-marshalled),
  // so the decoders' other byte order and the unaligned GIOP 1.0/1.1 bodies are fuzzed too.
  const variants: FuzzCase[] = [];
  for (const c of cases) {
    if (!operationCodec(c.seed.operation)) continue;
    variants.push({ ...c, seed: { ...c.seed, name: `${c.seed.name} (BE)`, littleEndian: false, rawBody: undefined } });
    variants.push({ ...c, seed: { ...c.seed, name: `${c.seed.name} (GIOP 1.1)`, minor: 1, rawBody: undefined } });
  }
  return [...cases, ...variants];
}

async function healthCheck(): Promise<void> {
  const c = new TangoContext();
  try {
    const dev = await DeviceProxy.connect(ctx.fullName(DEV), { context: c, timeoutMs: 3000 });
    await dev.ping();
    assert.equal((await dev.read("long_scalar")).quality, "ATTR_VALID");
    const admin = await DeviceProxy.connect(ctx.fullName(ADMIN), { context: c, timeoutMs: 3000 });
    assert.ok(((await admin.command("QueryDevice")) as string[]).length >= 2);
  } finally {
    await c.close();
  }
}

test("a device server answers mutated real requests (device, pipes, admin) and keeps serving", async (t) => {
  const cases = fuzzCases();
  const seeds = new Set(cases.map((c) => c.seed.operation));
  t.diagnostic(`${cases.length} seeds, operations: ${[...seeds].sort().join(" ")}`);
  assert.ok(cases.length >= 100, `corpus too small: ${cases.length}`);
  const report = await fuzzServer({
    port: ctx.port,
    cases,
    seed: SEED,
    iterations: ITERATIONS,
    pingKey: key(DEV),
    healthCheck,
  });
  t.diagnostic(summarize("device server", SEED, report));
  const unmutatedRefused = Object.keys(report.unmutated).filter((k) => k.startsWith("SYSTEM_EXCEPTION") || k.includes("close"));
  assert.deepEqual(unmutatedRefused, [], "valid requests are decoded (any byte order, GIOP 1.1 and 1.2)");
  assertFuzzHealthy(report, rec, ITERATIONS);
});

test("regression (found by the fuzzer): an argin named DevEncoded whose members are not string + octet sequence is refused", async () => {
  // FUZZ_SEED=33: a command_inout_4 EchoEncoded whose Any TypeCode had its encoded_data member turned into another
  // type. fromAny checked the repository id only, the echo returned a non-octet value, and marshalling the reply
  // threw a RangeError: a CORBA UNKNOWN instead of cppTango's API_IncompatibleCmdArgumentType.
  const bad = tc.struct("IDL:Tango/DevEncoded:1.0", "DevEncoded", [
    { name: "encoded_format", type: tc.string() },
    { name: "encoded_data", type: tc.simple("ushort") },
  ]);
  const c = new TangoContext();
  try {
    const obj = new RemoteObject({
      name: ctx.fullName(DEV),
      address: { endpoints: [{ host: "127.0.0.1", port: ctx.port }], objectKey: key(DEV) },
      context: c,
    });
    const call = (argin: { type: TypeCode; value: unknown }) =>
      obj.invoke(
        "command_inout_4",
        (w) => operationCodec("command_inout_4")?.args.write(w, { command: "EchoEncoded", argin, source: 0, client: CLIENT }),
        (r) => readAny(r),
      );
    await assert.rejects(call({ type: bad, value: { encoded_format: "raw", encoded_data: 7 } }), (e: unknown) => {
      assert.ok(e instanceof DevFailed, String(e));
      assert.equal(e.errors[0]?.reason, "API_IncompatibleCmdArgumentType");
      assert.equal(e.errors[0]?.desc, "Incompatible command argument type, expected type is : Tango::DevEncoded");
      return true;
    });
    const good = await call(toAny("DevEncoded", { format: "raw", data: new Uint8Array([9, 8]) }));
    assert.deepEqual(good.value, { encoded_format: "raw", encoded_data: new Uint8Array([9, 8]) });
  } finally {
    await c.close();
  }
});
