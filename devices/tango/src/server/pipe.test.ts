/**
 * Pipes served by our runtime, in process: the authoring API (@pipe and defineDevice), the IDL 5 pipe operations
 * through our client (and raw requests where the client has no call or refuses the input), cppTango's error reasons,
 * pipe properties from the store, locking and pipe events on a raw ZMQ SUB socket.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TangoContext } from "../client/context.ts";
import { DeviceProxy } from "../client/device-proxy.ts";
import { fromDevPipeBlob, type PipeBlobValue, toDevPipeBlob } from "../client/pipe-blob.ts";
import { RemoteObject } from "../client/remote-object.ts";
import { DevFailed } from "../errors/errors.ts";
import { closeEventConsumer, eventConsumer } from "../events/consumer.ts";
import { decodeEventPayload, decodeMessage, parseSubscriptionReply } from "../events/zmq-wire.ts";
import { type DevPipeBlob, type PipeConfig, readPipeConfigList, writeDevPipeData, writePipeConfigList } from "../idl/pipe.ts";
import { timeValNow, writeClntIdent } from "../idl/structs.ts";
import { DeviceTestContext } from "../testing/device-test-context.ts";
import { defineDevice, getDeviceClassSpec } from "./decorators.ts";
import type { Device } from "./device.ts";
import { DevLong } from "./dtypes.ts";
import { attr, cmd } from "./index.ts";
import { MemoryStore } from "./memory-store.ts";
import { DeviceServer } from "./server.ts";
import { PipeQa, typedBlob } from "./test-fixtures/pipe-device.ts";

const SERVER = "PipeQa";
const INSTANCE = "unit";
const ADMIN = `dserver/${SERVER}/${INSTANCE}`;
const DEV = "pipe/unit/1";

let server: DeviceServer;
let store: MemoryStore;
let ctx: TangoContext;
let other: TangoContext;
let dev: DeviceProxy;

const fullName = (d: string): string => `tango://127.0.0.1:${server.port}/${d}#dbase=no`;

/** A raw IDL request on DEV (for what our client has no call for, or refuses to send). */
function raw<T>(
  op: string,
  write: Parameters<RemoteObject["invoke"]>[1],
  read: Parameters<RemoteObject["invoke"]>[2],
  c = ctx,
): Promise<T> {
  const obj = new RemoteObject({
    name: fullName(DEV),
    address: { endpoints: [{ host: "127.0.0.1", port: server.port }], objectKey: new Uint8Array(Buffer.from(DEV, "latin1")) },
    context: c,
  });
  return obj.invoke(op, write, read) as Promise<T>;
}

const getConfig = (names: string[]): Promise<PipeConfig[]> => raw("get_pipe_config_5", (w) => w.stringSeq(names), readPipeConfigList);
const setConfig = (list: PipeConfig[], c = ctx): Promise<void> =>
  raw(
    "set_pipe_config_5",
    (w) => {
      writePipeConfigList(w, list);
      writeClntIdent(w, c.clientIdent);
    },
    () => undefined,
    c,
  );
const rawWrite = (pipe: string, blob: DevPipeBlob, c = ctx): Promise<void> =>
  raw(
    "write_pipe_5",
    (w) => {
      writeDevPipeData(w, { name: pipe, time: timeValNow(Date.now()), blob });
      writeClntIdent(w, c.clientIdent);
    },
    () => undefined,
    c,
  );

function failsWith(reasons: readonly string[], desc?: string, origin?: string): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof DevFailed, String(e));
    assert.deepEqual(
      e.errors.map((x) => x.reason),
      reasons,
    );
    if (desc !== undefined) assert.equal(e.errors[0]?.desc, desc);
    if (origin !== undefined) assert.equal(e.errors[0]?.origin, origin);
    return true;
  };
}

/** What the client reads from the typed blob (its JS form through the wire codecs). */
const TYPED: PipeBlobValue = fromDevPipeBlob(toDevPipeBlob(typedBlob()));

before(async () => {
  store = new MemoryStore();
  await store.putPipeProperties(DEV, "typed", { label: ["Typed (from the DB)"] });
  server = new DeviceServer({
    serverName: SERVER,
    instance: INSTANCE,
    classes: [PipeQa],
    devices: [DEV],
    store,
    host: "127.0.0.1",
    port: 0,
  });
  await server.start();
  ctx = new TangoContext({ pid: 92001 });
  other = new TangoContext({ pid: 92002 });
  dev = await DeviceProxy.connect(fullName(DEV), { context: ctx });
});

after(async () => {
  await ctx?.close();
  await other?.close();
  await server?.close();
});

describe("pipes: authoring API", () => {
  test("@pipe writes PipeSpecs: access, label, description, handlers", () => {
    const spec = getDeviceClassSpec(PipeQa);
    assert.deepEqual(
      spec.pipes?.map((p) => [p.name, p.access, p.label, p.description, typeof p.read, typeof p.write, typeof p.allowed]),
      [
        ["rw", "READ_WRITE", "Read-write pipe", "Echoes what was written", "function", "function", "undefined"],
        ["typed", "READ", undefined, "One element of each type", "function", "undefined", "undefined"],
        ["guarded", "READ_WRITE", undefined, undefined, "function", "function", "function"],
        ["broken", "READ", undefined, undefined, "function", "undefined", "undefined"],
      ],
    );
  });

  test("defineDevice pipes: the same spec; a READ_WRITE pipe needs a write handler", async () => {
    interface Plain extends Device {
      blob: PipeBlobValue | undefined;
    }
    const Plain = defineDevice<Plain>({
      tangoClass: "PlainPipes",
      attributes: { n: attr({ dtype: DevLong, read: () => 1 }) },
      commands: { Push: cmd({ execute: (d: Plain) => d.pushPipeEvent("p", { elements: { n: 1 } }) }) },
      pipes: {
        p: {
          access: "READ_WRITE",
          displayLevel: "EXPERT",
          read: (d) => d.blob ?? ["empty", []],
          write: (d, b) => {
            d.blob = b;
          },
          allowed: (d, req) => req === "READ_REQ" || d.state === "ON",
        },
      },
      init: (d) => d.setState("ON"),
    });
    assert.deepEqual(
      getDeviceClassSpec(Plain).pipes?.map((p) => [p.name, p.access, p.displayLevel]),
      [["p", "READ_WRITE", "EXPERT"]],
    );
    assert.throws(
      () => defineDevice({ tangoClass: "Bad", pipes: { q: { access: "READ_WRITE", read: () => ["b", []] } } }),
      /READ_WRITE but has no write handler/,
    );
    await using t = await DeviceTestContext.start(Plain);
    assert.deepEqual(await t.proxy.pipeQuery("P"), {
      name: "p",
      description: "No description",
      label: "p",
      level: "EXPERT",
      writable: "PIPE_READ_WRITE",
      extensions: [],
    });
    assert.deepEqual((await t.proxy.readPipe("p")).blob, { name: "empty", elements: [] });
    const back = await t.proxy.writeReadPipe("p", { name: "x", elements: { a: 1.5 } });
    assert.deepEqual(back.blob, { name: "x", elements: [{ name: "a", dtype: "DevDouble", value: 1.5 }] });
    t.instance<Plain>().setState("OFF");
    await assert.rejects(t.proxy.writePipe("p", { elements: { a: 1 } }), failsWith(["API_PipeNotAllowed", "API_PipeFailed"]));
    assert.deepEqual((await t.proxy.readPipe("p")).blob.name, "x", "reads stay allowed");
  });
});

describe("pipes: IDL 5 operations through our client", () => {
  test("pipeListQuery / pipeQuery: declaration order, defaults, the DB label, access", async () => {
    assert.deepEqual(await dev.pipeList(), ["rw", "typed", "guarded", "broken"]);
    assert.deepEqual(
      (await dev.pipeListQuery()).map((p) => [p.name, p.label, p.description, p.level, p.writable]),
      [
        ["rw", "Read-write pipe", "Echoes what was written", "OPERATOR", "PIPE_READ_WRITE"],
        ["typed", "Typed (from the DB)", "One element of each type", "OPERATOR", "PIPE_READ"],
        ["guarded", "guarded", "No description", "OPERATOR", "PIPE_READ_WRITE"],
        ["broken", "broken", "No description", "OPERATOR", "PIPE_READ"],
      ],
    );
    assert.equal((await dev.pipeQuery("RW")).name, "rw", "names are case-insensitive");
  });

  test("readPipe: every type, nested blobs, the server time stamp", async () => {
    const before = Date.now();
    const r = await dev.readPipe("typed");
    assert.equal(r.name, "typed");
    assert.ok(r.time.getTime() >= before - 1000 && r.time.getTime() <= Date.now() + 1000);
    assert.deepEqual(r.blob, TYPED);
    const byName = new Map(r.blob.elements.map((e) => [e.name, e]));
    assert.deepEqual(byName.get("u64"), { name: "u64", dtype: "DevULong64", value: 2n ** 63n + 5n });
    assert.deepEqual(byName.get("state"), { name: "state", dtype: "DevState", value: "MOVING" });
    assert.deepEqual(byName.get("one"), { name: "one", dtype: "DevVarLongArray", value: [9] });
  });

  test("writePipe / readPipe / writeReadPipe round trip; the handler gets the decoded blob; a read blob writes back as it is", async () => {
    const blob = {
      name: "from_ts",
      elements: [
        { name: "label", value: "written by TypeScript" },
        { name: "big", value: 2n ** 63n - 1n },
        { name: "h", value: -5, dtype: "DevShort" as const },
        { name: "state", value: "RUNNING", dtype: "DevState" as const },
        { name: "bytes", value: new Uint8Array([1, 2, 3]) },
        { name: "nested", value: { name: "inner", elements: { x: 1, deeper: { name: "d", elements: { s: "deep" } } } } },
      ],
    };
    await dev.writePipe("rw", blob);
    const expected = fromDevPipeBlob(toDevPipeBlob(blob));
    assert.deepEqual(server.device(DEV).device instanceof PipeQa && (server.device(DEV).device as PipeQa).written.at(-1), expected);
    assert.deepEqual((await dev.readPipe("rw")).blob, expected);
    const typed = await dev.readPipe("typed");
    const back = await dev.writeReadPipe("rw", typed.blob);
    assert.equal(back.name, "rw");
    assert.deepEqual(back.blob, TYPED);
    await dev.writePipe("rw", { name: "", elements: [] });
    assert.deepEqual((await dev.readPipe("rw")).blob, { name: "", elements: [] });
  });

  test("errors: cppTango's reasons, descriptions and origins", async () => {
    const notFound = ["nopipe pipe not found", "DeviceClass::get_pipe_by_name"] as const;
    await assert.rejects(dev.readPipe("nopipe"), failsWith(["API_PipeNotFound", "API_PipeFailed"], ...notFound));
    await assert.rejects(dev.writePipe("nopipe", { elements: { v: 1 } }), failsWith(["API_PipeNotFound", "API_PipeFailed"], ...notFound));
    await assert.rejects(dev.pipeQuery("nopipe"), failsWith(["API_PipeNotFound"], ...notFound));
    await assert.rejects(getConfig([]), failsWith(["API_PipeNotFound"]));
    await assert.rejects(
      dev.writePipe("typed", { elements: { v: 1 } }),
      failsWith(["API_PipeNotWritable", "API_PipeFailed"], "Pipe typed is not writable", "Device_5Impl::write_pipe_5"),
    );
    await assert.rejects(
      dev.writeReadPipe("typed", { elements: { v: 1 } }),
      failsWith(["API_PipeNotWritable", "API_PipeFailed"], "Pipe typed is not writable", "Device_5Impl::write_pipe_5"),
    );
    await assert.rejects(
      dev.readPipe("guarded"),
      failsWith(["API_PipeNotAllowed", "API_PipeFailed"], "It is currently not allowed to read pipe guarded", "Device_5Impl::read_pipe_5"),
    );
    await assert.rejects(
      dev.writePipe("guarded", { elements: { v: 1 } }),
      failsWith(
        ["API_PipeNotAllowed", "API_PipeFailed"],
        "It is currently not allowed to write pipe guarded",
        "Device_5Impl::write_pipe_5",
      ),
    );
    await assert.rejects(
      dev.readPipe("broken"),
      failsWith(["PipeQa_Broken", "API_PipeFailed"], "the broken pipe always fails", "PipeQa.read_broken"),
    );
    // A blob of the wrong shape: an element with neither a value nor a nested blob (an empty nested blob on the wire).
    const written = (server.device(DEV).device as PipeQa).written.length;
    await assert.rejects(
      rawWrite("rw", { name: "bad", data: [{ name: "e", value: { d: 14, v: true }, innerBlob: [], innerBlobName: "empty" }] }),
      failsWith(
        ["API_PipeWrongArg"],
        "Unsupported data type in data element! (ATT_NO_DATA, DEVICE_STATE)",
        "DevicePipeBlob::get_data_elt_type()",
      ),
    );
    assert.equal((server.device(DEV).device as PipeQa).written.length, written, "the write handler was not called");
    assert.equal(typeof (await dev.ping()), "number", "the server is still up");
  });

  test("read handlers returning nothing, duplicate names or values that do not fit", async () => {
    const Bad = defineDevice({
      tangoClass: "BadPipes",
      pipes: {
        none: { read: () => undefined as never },
        dup: {
          read: () => ({
            name: "b",
            elements: [
              { name: "x", value: 1 },
              { name: "sub", value: { name: "s", elements: { a: 1, A: 2 } } },
            ],
          }),
        },
        nofit: { read: () => ({ elements: [{ name: "x", value: 1e6, dtype: "DevShort" }] }) },
        js: {
          read: () => {
            throw new RangeError("boom");
          },
        },
      },
    });
    await using t = await DeviceTestContext.start(Bad);
    await assert.rejects(
      t.proxy.readPipe("none"),
      failsWith(["API_PipeValueNotSet", "API_PipeFailed"], "Value for pipe none has not been updated", "Device_5Impl::read_pipe_5"),
    );
    await assert.rejects(
      t.proxy.readPipe("dup"),
      failsWith(["API_PipeDuplicateDEName", "API_PipeFailed"], "Several times the same data element name in provided vector: a"),
    );
    await assert.rejects(t.proxy.readPipe("nofit"), (e) => {
      assert.ok(e instanceof DevFailed);
      assert.equal(e.errors[0]?.reason, "API_IncompatibleArgumentType");
      assert.equal(e.errors[0]?.origin, "BadPipes::read_nofit");
      return true;
    });
    await assert.rejects(t.proxy.readPipe("js"), failsWith(["API_JsError", "API_PipeFailed", "API_PipeFailed"], "boom"));
  });

  test("set_pipe_config_5: label and description, stored as device pipe properties; name and writable are fixed", async () => {
    const [rw] = await getConfig(["rw"]);
    assert.ok(rw);
    await setConfig([{ ...rw, label: "New label", description: "New description" }]);
    assert.deepEqual(await dev.pipeQuery("rw"), {
      name: "rw",
      label: "New label",
      description: "New description",
      level: "OPERATOR",
      writable: "PIPE_READ_WRITE",
      extensions: [],
    });
    assert.deepEqual(await store.pipeProperties(DEV, ["rw"]), { rw: { label: ["New label"], description: ["New description"] } });
    await setConfig([{ ...rw, label: "", description: "" }]);
    assert.deepEqual(await getConfig(["rw"]), [rw], "empty strings go back to the defaults");
    assert.deepEqual(await store.pipeProperties(DEV, ["rw"]), { rw: {} });
    const [typed] = await getConfig(["typed"]);
    assert.ok(typed);
    await assert.rejects(
      setConfig([{ ...typed, writable: 1 }, rw]),
      failsWith(
        ["API_AttrNotAllowed\nAll remaining pipe(s) have not been updated"],
        "Pipe writable property is not changeable at run time",
        "Pipe::set_properties()",
      ),
    );
    await assert.rejects(
      setConfig([rw, { ...rw, name: "nopipe" }]),
      failsWith(["API_PipeNotFound\nAll previous pipe(s) have been successfully updated"], "nopipe pipe not found"),
    );
  });

  test("a device locked by another client refuses write_pipe_5, write_read_pipe_5 and set_pipe_config_5, not reads", async () => {
    const adminH = await DeviceProxy.connect(fullName(ADMIN), { context: ctx });
    const otherDev = await DeviceProxy.connect(fullName(DEV), { context: other });
    await adminH.command("LockDevice", { lvalue: [10], svalue: [DEV] });
    try {
      const locked = ["API_DeviceLocked", "API_PipeFailed"];
      await assert.rejects(otherDev.writePipe("rw", { elements: { v: 1 } }), failsWith(locked, undefined, "Device_Impl::write_pipe_5"));
      await assert.rejects(
        otherDev.writeReadPipe("rw", { elements: { v: 1 } }),
        failsWith(locked, undefined, "Device_Impl::write_read_pipe_5"),
      );
      const [rw] = await getConfig(["rw"]);
      await assert.rejects(
        setConfig([rw as PipeConfig], other),
        failsWith(["API_DeviceLocked"], undefined, "Device_Impl::set_pipe_config_5"),
      );
      assert.equal((await otherDev.readPipe("typed")).name, "typed");
      await dev.writePipe("rw", { elements: { v: 1 } });
    } finally {
      await adminH.command("UnLockDevice", { lvalue: [0], svalue: [DEV] });
    }
  });
});

describe("pipes: events", () => {
  test("ZmqEventSubscriptionChange for a pipe; pushPipeEvent sends DevPipeData, an error sends the error list", async () => {
    const admin = await DeviceProxy.connect(fullName(ADMIN), { context: ctx });
    await assert.rejects(admin.command("ZmqEventSubscriptionChange", [DEV, "nopipe", "subscribe", "pipe", "5"]), (e) => {
      // The root cause (a client may add its own frame on top of a command's error).
      assert.ok(e instanceof DevFailed);
      assert.deepEqual(e.errors[0], {
        reason: "API_PipeNotFound",
        desc: "nopipe pipe not found",
        origin: "DeviceClass::get_pipe_by_name",
        severity: "ERR",
      });
      return true;
    });
    const r = (await admin.command("ZmqEventSubscriptionChange", [DEV, "RW", "subscribe", "pipe", "5"])) as {
      lvalue: number[];
      svalue: string[];
    };
    const reply = parseSubscriptionReply(r.lvalue, r.svalue);
    assert.equal(reply.topic, `tango://127.0.0.1:${server.port}/${DEV}/rw#dbase=no.pipe`);
    const zmq = await import("zeromq");
    const sub = new zmq.Subscriber({ linger: 0, receiveTimeout: 2000 });
    try {
      sub.connect(reply.endpoints[0]?.event ?? "");
      sub.subscribe(reply.topic);
      await dev.command("PushPipe");
      await dev.command("PushPipeError");
      const events = [];
      for (let i = 0; i < 2; i++) {
        const msg = decodeMessage(await sub.receive());
        assert.equal(msg.kind, "event");
        if (msg.kind !== "event") continue;
        events.push({ ctr: msg.callInfo.ctr, payload: decodeEventPayload(msg) });
      }
      assert.deepEqual(
        events.map((e) => e.ctr),
        [1, 2],
      );
      const p = events[0]?.payload;
      assert.equal(p?.kind, "pipe");
      if (p?.kind === "pipe") {
        assert.equal(p.data.name, "rw");
        assert.deepEqual(fromDevPipeBlob(p.data.blob), {
          name: "evblob",
          elements: [
            { name: "text", dtype: "DevString", value: "event" },
            { name: "n", dtype: "DevLong64", value: 3n },
            { name: "vals", dtype: "DevVarDoubleArray", value: [1.5, 2.5] },
            { name: "sub", dtype: "DevPipeBlob", value: { name: "inner", elements: [{ name: "ok", dtype: "DevLong64", value: 1n }] } },
          ],
        });
      }
      assert.deepEqual(events[1]?.payload, {
        kind: "errors",
        errors: [{ reason: "PipeQa_EventError", desc: "pushed as a pipe event error", origin: "PipeQa.PushPipeError", severity: "ERR" }],
      });
    } finally {
      sub.close();
    }
    const d = server.device(DEV).device as PipeQa;
    assert.throws(() => d.pushPipeEvent("nopipe", ["b", []]), failsWith(["API_PipeNotFound"]));
  });

  test("our client's pipe subscription: the synchronous read, the pushed blob, the error event, the next blob", async () => {
    try {
      const sub = await eventConsumer(ctx).subscribe(dev, "rw", "pipe");
      const next = async () => {
        const r = await sub.next();
        assert.ok(!r.done);
        return r.value;
      };
      const first = await next();
      assert.ok(first.kind === "pipe" && first.synchronous === true);
      assert.deepEqual(first.blob, (await dev.readPipe("rw")).blob);
      const seen = [];
      for (const c of ["PushPipe", "PushPipeError", "PushPipe"]) {
        await dev.command(c);
        const it = await next();
        seen.push(it.kind === "pipe" ? [it.name, it.blob.name, it.blob.elements.length] : it.kind === "error" ? it.error.reason : it.kind);
      }
      assert.deepEqual(seen, [["rw", "evblob", 4], "PipeQa_EventError", ["rw", "evblob", 4]]);
      assert.equal(sub.missed, 0);
      await sub.close();
    } finally {
      await closeEventConsumer(ctx);
    }
  });
});
