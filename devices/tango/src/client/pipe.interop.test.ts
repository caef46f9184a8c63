/**
 * Pipes against the real servers: cppTango 9.3 TangoTest (sys/tg_test/1, read-only pipe string_long_short_ro) and a
 * PyTango 9.3 device (fixtures/pipe_device.py: read-write, typed, guarded and broken pipes) registered for the test
 * and removed afterwards. What we read is compared with what PyTango 9.3 reads (fixtures/pipe_peer.py), both ways:
 * PyTango reads what we wrote, we read what PyTango wrote. Errors carry the reasons cppTango's client gives.
 * Pipe events: what our subscription yields is what PyTango 9.3's callback gets for the same pushes.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { DevFailed, InvalidArgumentError } from "../errors/errors.ts";
import { closeEventConsumer, eventConsumer } from "../events/consumer.ts";
import type { EventItem } from "../events/event-item.ts";
import { type PyTangoServer, startPyTangoServer } from "../testing/pytango-server.ts";
import { DeviceProxy } from "./device-proxy.ts";
import type { PipeBlobInput, PipeBlobValue, PipeReadElement } from "./pipe-blob.ts";

const TANGO_HOST = "127.0.0.1:10000";
const SCRIPT = fileURLToPath(new URL("./fixtures/pipe_device.py", import.meta.url));
const PEER = fileURLToPath(new URL("./fixtures/pipe_peer.py", import.meta.url));
const SERVER = `PipeQa/pq${process.pid}`;
const DEVICE = `qa/pipe/${process.pid}`;
const TG = "sys/tg_test/1";

let server: PyTangoServer | undefined;
let dev: DeviceProxy;
let tg: DeviceProxy;

before(async () => {
  server = await startPyTangoServer({ tangoHost: TANGO_HOST, script: SCRIPT, server: SERVER, devices: [[DEVICE, "PipeQa"]] });
  dev = server.proxy;
  tg = await DeviceProxy.connect(TG, { context: server.context });
});

after(async () => {
  await server?.stop();
});

/** What PyTango 9.3 reads from `pipe` (after writing its own blob when `mode` is "write"), in canonical form. */
async function pytango(device: string, mode: "read" | "write" | "event" | "config", pipe: string): Promise<unknown> {
  const { stdout } = await promisify(execFile)("/usr/bin/python3", [PEER, device, mode, pipe], {
    env: { ...process.env, TANGO_HOST, ORBclientTransportRule: "* tcp" },
    timeout: 20_000,
  });
  return JSON.parse(stdout);
}

const INTEGER = /^Dev(Var)?(Short|Long|Long64|UChar|Char|UShort|ULong|ULong64)(Array)?$/;

/** Our reading in pipe_peer.py's canonical form. */
function canon(b: PipeBlobValue): unknown {
  return { name: b.name, elements: b.elements.map((e) => ({ name: e.name, dtype: e.dtype, value: canonValue(e) })) };
}
function canonValue(e: PipeReadElement): unknown {
  const v = e.value;
  if (e.dtype === "DevPipeBlob") return canon(v as PipeBlobValue);
  if (e.dtype === "DevEncoded") {
    const x = v as { format: string; data: Uint8Array };
    return [x.format, Array.from(x.data)];
  }
  const plain = v instanceof Uint8Array ? Array.from(v) : v;
  if (INTEGER.test(e.dtype)) return Array.isArray(plain) ? plain.map(String) : String(plain);
  return plain;
}

function devFailed(reasons: readonly string[], desc?: RegExp): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof DevFailed, String(e));
    assert.deepEqual(
      e.errors.map((x) => x.reason),
      reasons,
    );
    if (desc) assert.match(e.errors[e.errors.length - 1]?.desc ?? "", desc);
    return true;
  };
}

describe("pipes on cppTango TangoTest", () => {
  test("pipeList / pipeQuery: string_long_short_ro, read-only", async () => {
    assert.deepEqual(await tg.pipeList(), ["string_long_short_ro"]);
    assert.deepEqual(await tg.pipeQuery("string_long_short_ro"), {
      name: "string_long_short_ro",
      description: "Pipe example",
      label: "string_long_short_ro",
      level: "OPERATOR",
      writable: "PIPE_READ",
      extensions: [],
    });
  });

  test("readPipe: the blob PyTango reads", async () => {
    const r = await tg.readPipe("string_long_short_ro");
    assert.equal(r.name, "string_long_short_ro");
    assert.ok(Math.abs(r.time.getTime() - Date.now()) < 60_000, "server time stamp");
    assert.deepEqual(r.blob, {
      name: "",
      elements: [
        { name: "FirstDE", dtype: "DevString", value: "The string" },
        { name: "SecondDE", dtype: "DevLong", value: 666 },
        { name: "ThirdDE", dtype: "DevShort", value: 12 },
      ],
    });
    assert.deepEqual(canon(r.blob), await pytango(TG, "read", "string_long_short_ro"));
  });

  test("errors: unknown pipe (API_PipeNotFound), writing a read-only pipe (API_PipeNotWritable)", async () => {
    await assert.rejects(
      tg.readPipe("nopipe"),
      devFailed(["API_PipeNotFound", "API_PipeFailed"], /^Failed to read_pipe on device sys\/tg_test\/1, pipe nopipe$/),
    );
    await assert.rejects(tg.pipeQuery("nopipe"), devFailed(["API_PipeNotFound"]));
    const blob = { name: "b", elements: { x: 1 } };
    await assert.rejects(
      tg.writePipe("string_long_short_ro", blob),
      devFailed(["API_PipeNotWritable", "API_PipeFailed"], /^Failed to write_pipe on device sys\/tg_test\/1, pipe string_long_short_ro$/),
    );
    await assert.rejects(
      tg.writeReadPipe("string_long_short_ro", blob),
      devFailed(["API_PipeNotWritable", "API_PipeFailed"], /write_read_pipe/),
    );
    // A value that does not fit is refused before anything is sent.
    await assert.rejects(
      tg.writePipe("string_long_short_ro", { elements: [{ name: "x", value: 1e6, dtype: "DevShort" }] }),
      InvalidArgumentError,
    );
  });
});

describe("pipes on a PyTango 9.3 device", () => {
  const OURS: PipeBlobInput = {
    name: "from_ts",
    elements: [
      { name: "label", value: "written by TypeScript" },
      { name: "count", value: 7 },
      { name: "ratio", value: 0.5 },
      { name: "flag", value: true },
      { name: "big", value: 2n ** 63n - 1n },
      { name: "u", value: 4000000000, dtype: "DevULong" },
      { name: "h", value: -5, dtype: "DevShort" },
      { name: "f", value: 0.75, dtype: "DevFloat" },
      { name: "state", value: "RUNNING", dtype: "DevState" },
      { name: "enc", value: { format: "json", data: new Uint8Array([123, 125]) } },
      { name: "doubles", value: new Float64Array([0.5, 1.5]) },
      { name: "ints", value: [1, 2, 3] },
      { name: "one", value: [42], dtype: "DevVarLongArray" },
      { name: "empty", value: [], dtype: "DevVarDoubleArray" },
      { name: "names", value: ["a", "b"] },
      { name: "bools", value: [true, false] },
      { name: "bytes", value: new Uint8Array([1, 2, 3]) },
      { name: "shorts", value: new Int16Array([-1, 1]) },
      { name: "u64s", value: new BigUint64Array([0n, 2n ** 64n - 1n]) },
      { name: "nested", value: { name: "inner", elements: { x: 1, deeper: { name: "d", elements: { s: "deep" } } } } },
    ],
  };

  test("pipeListQuery: the four pipes with their label, description and access", async () => {
    const list = await dev.pipeListQuery();
    assert.deepEqual(
      list.map((p) => [p.name, p.writable, p.label, p.description]),
      [
        ["broken", "PIPE_READ", "broken", "No description"],
        ["guarded", "PIPE_READ_WRITE", "guarded", "No description"],
        ["rw", "PIPE_READ_WRITE", "Read-write pipe", "Echoes what was written"],
        ["typed", "PIPE_READ", "typed", "One element of each type"],
      ],
    );
    assert.deepEqual(await dev.pipeList(), ["broken", "guarded", "rw", "typed"]);
  });

  test("typed pipe (every type PyTango can put in a pipe): we read what PyTango reads", async () => {
    const [ours, theirs] = await Promise.all([dev.readPipe("typed"), pytango(DEVICE, "read", "typed")]);
    assert.deepEqual(canon(ours.blob), theirs);
  });

  test("writePipe: PyTango reads back what we wrote (types, arrays, nested blobs); so do we", async () => {
    await dev.writePipe("rw", OURS);
    const theirs = await pytango(DEVICE, "read", "rw");
    const ours = await dev.readPipe("rw");
    assert.deepEqual(canon(ours.blob), theirs);
    const byName = new Map(ours.blob.elements.map((e) => [e.name, e]));
    assert.deepEqual(byName.get("big"), { name: "big", dtype: "DevLong64", value: 2n ** 63n - 1n });
    assert.deepEqual(byName.get("state"), { name: "state", dtype: "DevState", value: "RUNNING" });
    assert.deepEqual(byName.get("one"), { name: "one", dtype: "DevVarLongArray", value: [42] });
    assert.deepEqual(byName.get("empty"), { name: "empty", dtype: "DevVarDoubleArray", value: [] });
    assert.deepEqual(byName.get("nested")?.value, {
      name: "inner",
      elements: [
        { name: "x", dtype: "DevLong64", value: 1n },
        { name: "deeper", dtype: "DevPipeBlob", value: { name: "d", elements: [{ name: "s", dtype: "DevString", value: "deep" }] } },
      ],
    });
  });

  test("we read what PyTango wrote", async () => {
    const theirs = await pytango(DEVICE, "write", "rw");
    const ours = await dev.readPipe("rw");
    assert.equal(ours.blob.name, "from_pytango");
    assert.deepEqual(canon(ours.blob), theirs);
  });

  test("writeReadPipe: one call, the written blob back; a read blob can be written again as it is", async () => {
    const back = await dev.writeReadPipe("rw", { name: "wr", elements: { a: "x", b: [1.5, 2.5] } });
    assert.equal(back.name, "rw");
    assert.deepEqual(back.blob, {
      name: "wr",
      elements: [
        { name: "a", dtype: "DevString", value: "x" },
        { name: "b", dtype: "DevVarDoubleArray", value: [1.5, 2.5] },
      ],
    });
    const typed = await dev.readPipe("typed");
    const again = await dev.writeReadPipe("rw", typed.blob);
    assert.deepEqual(again.blob, typed.blob);
  });

  test("errors: is_allowed false (API_PipeNotAllowed), the device's own error, unknown pipe", async () => {
    await assert.rejects(
      dev.readPipe("guarded"),
      devFailed(["API_PipeNotAllowed", "API_PipeFailed"], new RegExp(`^Failed to read_pipe on device ${DEVICE}, pipe guarded$`)),
    );
    await assert.rejects(dev.writePipe("guarded", { elements: { v: 1 } }), devFailed(["API_PipeNotAllowed", "API_PipeFailed"]));
    await assert.rejects(dev.readPipe("broken"), devFailed(["PipeQa_Broken", "API_PipeFailed"]));
    await assert.rejects(dev.writePipe("nopipe", { elements: { v: 1 } }), devFailed(["API_PipeNotFound", "API_PipeFailed"]));
    await assert.rejects(dev.writePipe("typed", { elements: { v: 1 } }), devFailed(["API_PipeNotWritable", "API_PipeFailed"]));
  });

  test("pipe events: the synchronous read, pushed blobs and an error event, as PyTango's callback gets them", async () => {
    // PyTango first (its subscription is gone before ours starts): its callback's items, then its refusal reasons.
    const py = (await pytango(DEVICE, "event", "rw")) as { events: unknown[]; refused: string[] };
    const consumer = eventConsumer(server?.context as NonNullable<typeof server>["context"]);
    try {
      const sub = await consumer.subscribe(dev, "rw", "pipe");
      const items: EventItem[] = [];
      const next = async () => {
        const r = await sub.next();
        assert.ok(!r.done, "subscription ended");
        items.push(r.value);
        return r.value;
      };
      const first = await next();
      assert.equal(first.kind, "pipe");
      assert.equal(first.synchronous, true);
      for (const cmd of ["PushPipe", "PushPipeError", "PushPipe"]) {
        await dev.command(cmd);
        await next();
      }
      const ours = items.map((it) => {
        if (it.kind === "error") return { errors: it.error.errors.map((e) => e.reason) };
        assert.equal(it.kind, "pipe");
        if (it.kind !== "pipe") return it;
        assert.equal(it.name, "rw");
        assert.ok(Math.abs(it.timeUs / 1000 - Date.now()) < 60_000, "server time stamp");
        return { blob: canon(it.blob) };
      });
      assert.deepEqual(ours, py.events);
      // Pushed events carry the server's counter; an error event does not end the subscription (the last push came).
      assert.deepEqual(
        items.slice(1).map((it) => typeof it.counter),
        ["number", "number", "number"],
      );
      assert.equal(sub.missed, 0);
      await sub.close();
      await assert.rejects(consumer.subscribe(dev, "nosuchpipe", "pipe"), (e: unknown) => {
        assert.ok(e instanceof DevFailed);
        assert.deepEqual(
          e.errors.map((x) => x.reason),
          py.refused,
        );
        assert.deepEqual(py.refused, ["API_PipeNotFound", "API_CommandFailed", "API_DSFailedRegisteringEvent"]);
        return true;
      });
    } finally {
      await closeEventConsumer(server?.context as NonNullable<typeof server>["context"]);
    }
  });

  test("setPipeConfig / updatePipeConfig: label and description changed, seen by PyTango too; unknown pipe refused alike", async () => {
    const before = await dev.pipeQuery("rw");
    try {
      const sent = await dev.updatePipeConfig("rw", { label: "Relabelled by TS", description: "set by TypeScript" });
      assert.deepEqual(await dev.pipeQuery("rw"), sent);
      assert.deepEqual({ ...sent, label: before.label, description: before.description }, before);
      const py = (await pytango(DEVICE, "config", "rw")) as { label: string; description: string; refused: string[] };
      assert.deepEqual([py.label, py.description], ["Relabelled by TS", "set by TypeScript"]);
      await assert.rejects(dev.setPipeConfig([{ ...before, name: "nosuchpipe" }]), (e: unknown) => {
        assert.ok(e instanceof DevFailed);
        assert.deepEqual(
          e.errors.map((x) => x.reason),
          py.refused,
        );
        assert.deepEqual(py.refused, ["API_PipeNotFound"]);
        return true;
      });
      await assert.rejects(dev.setPipeConfig([{ ...before, level: "NOBODY" as "OPERATOR" }]), InvalidArgumentError);
    } finally {
      await dev.setPipeConfig([before]);
    }
    assert.deepEqual(await dev.pipeQuery("rw"), before);
  });
});
