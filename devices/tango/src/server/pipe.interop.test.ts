/**
 * A real PyTango 9.3 client (test-fixtures/pipe_client.py: list, configuration, read, write, set_pipe_config, error
 * reasons, a pipe event subscription) against our server (test-fixtures/pipe-device.ts, no database,
 * `tango://127.0.0.1:<port>/<dev>#dbase=no`) and against the PyTango 9.3 device client/fixtures/pipe_device.py serving
 * the same pipes (registered in the reference database for the test, removed afterwards): the observations must be
 * the same. PyTango 9.3 has no write_read_pipe: our client does it on both servers and compares. Last, our server
 * registered in the reference DataBaseds (removed afterwards): pipe labels from device pipe properties, and
 * PyTango's set_pipe_config stored there.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual, promisify } from "node:util";
import { TangoContext } from "../client/context.ts";
import { DeviceProxy } from "../client/device-proxy.ts";
import { Database } from "../database/database.ts";
import { DeviceTestContext } from "../testing/device-test-context.ts";
import { type PyTangoServer, startPyTangoServer } from "../testing/pytango-server.ts";
import { runServer } from "./run-server.ts";
import { PipeQa } from "./test-fixtures/pipe-device.ts";

const TANGO_HOST = "127.0.0.1:10000";
const CLIENT = fileURLToPath(new URL("./test-fixtures/pipe_client.py", import.meta.url));
const PY_DEVICE = fileURLToPath(new URL("../client/fixtures/pipe_device.py", import.meta.url));
const PY_SERVER = `PipeQa/srv${process.pid}`;
const PY_DEV = `qa/srvpipe/${process.pid}`;

type Json = Record<string, unknown>;

function pipeClient(device: string): Promise<Json> {
  return new Promise((resolve, reject) => {
    execFile(
      "/usr/bin/python3",
      [CLIENT, device],
      { timeout: 30_000, env: { ...process.env, TANGO_HOST, ORBclientTransportRule: "* tcp" } },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`pipe_client.py ${device} failed: ${err.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as Json);
      },
    );
  });
}

let ours: DeviceTestContext | undefined;
let pyref: PyTangoServer | undefined;
let observed: { ours: Json; pyref: Json };

before(async () => {
  [ours, pyref] = await Promise.all([
    DeviceTestContext.start(PipeQa, { serverName: "PipeQa", instance: "interop", deviceName: "qa/ourpipe/1" }),
    startPyTangoServer({ tangoHost: TANGO_HOST, script: PY_DEVICE, server: PY_SERVER, devices: [[PY_DEV, "PipeQa"]] }),
  ]);
  const [o, p] = await Promise.all([pipeClient(ours.fullName()), pipeClient(PY_DEV)]);
  observed = { ours: o, pyref: p };
});

after(async () => {
  await ours?.close();
  await pyref?.stop();
});

const sortedBy = <T>(list: readonly T[], key: (x: T) => string): T[] => [...list].sort((a, b) => key(a).localeCompare(key(b)));

describe("PyTango 9.3 client: our pipes = pipe_device.py's", () => {
  test("pipe list and configuration (PyTango lists its pipes by name, we in declaration order)", () => {
    const names = (o: Json) => [...(o.pipe_list as string[])].sort();
    assert.deepEqual(names(observed.ours), ["broken", "guarded", "rw", "typed"]);
    assert.deepEqual(names(observed.ours), names(observed.pyref));
    const byName = (o: Json) => sortedBy(o.config as { name: string }[], (c) => c.name);
    assert.deepEqual(byName(observed.ours), byName(observed.pyref));
    assert.deepEqual(
      byName(observed.ours).find((c) => c.name === "rw"),
      { name: "rw", label: "Read-write pipe", description: "Echoes what was written", level: "OPERATOR", writable: "PIPE_READ_WRITE" },
    );
  });

  test("read of every type, write then read back (arrays, nested blobs, 64-bit values)", () => {
    for (const k of ["typed", "write_rw", "read_rw"]) assert.deepEqual(observed.ours[k], observed.pyref[k], k);
    assert.equal((observed.ours.read_rw as { ok: { name: string } }).ok.name, "from_pytango");
  });

  test("set_pipe_config: label and description, back to the defaults, writable refused", () => {
    for (const k of ["set_config", "config_after", "config_reset", "set_writable"])
      assert.deepEqual(observed.ours[k], observed.pyref[k], k);
    assert.deepEqual((observed.ours.set_writable as Json).error, {
      reasons: ["API_AttrNotAllowed"],
      desc: "Pipe writable property is not changeable at run time",
      origin: "Pipe::set_properties()",
    });
  });

  test("bad input: unknown pipe, read-only pipe, not allowed, device error, a blob of the wrong shape", () => {
    const e = observed.ours.errors as Record<string, Json>;
    assert.deepEqual(e, observed.pyref.errors);
    assert.deepEqual(e.write_wrong_shape, {
      error: {
        reasons: ["API_PipeWrongArg", "API_PipeFailed"],
        desc: "Unsupported data type in data element! (ATT_NO_DATA, DEVICE_STATE)",
        origin: "DevicePipeBlob::get_data_elt_type()",
      },
    });
    assert.deepEqual(e.write_read_only, {
      error: {
        reasons: ["API_PipeNotWritable", "API_PipeFailed"],
        desc: "Pipe typed is not writable",
        origin: "Device_5Impl::write_pipe_5",
      },
    });
  });

  test("pipe events: the subscription's first reading, a pushed blob, a pushed error", () => {
    const ev = observed.ours.events as { initial: Json[]; pushed: Json[] };
    const py = observed.pyref.events as { initial: Json[]; pushed: Json[] };
    assert.deepEqual(ev.initial, py.initial);
    // The reference pair (PyTango 9.3 server and client) lost the pushed blob once in CI while the error event after
    // it arrived: what it received must be among ours, item for item; ours must have both.
    assert.ok(py.pushed.length >= 1, JSON.stringify(py));
    for (const item of py.pushed)
      assert.ok(
        ev.pushed.some((x) => isDeepStrictEqual(x, item)),
        JSON.stringify(item),
      );
    assert.equal(ev.initial.length, 1);
    assert.deepEqual(
      ev.pushed.map((x) => (x.error ? "error" : (x.blob as Json).name)),
      ["evblob", "error"],
    );
  });
});

describe("our client on both servers", () => {
  let a: DeviceProxy;
  let b: DeviceProxy;
  before(() => {
    a = (ours as DeviceTestContext).proxy;
    b = (pyref as PyTangoServer).proxy;
  });

  test("readPipe gives the same blobs; writeReadPipe gives back what was written", async () => {
    assert.deepEqual((await a.readPipe("typed")).blob, (await b.readPipe("typed")).blob);
    assert.deepEqual((await a.readPipe("rw")).blob, (await b.readPipe("rw")).blob);
    const blob = { name: "wr", elements: { a: "x", b: [1.5, 2.5], n: { name: "in", elements: { k: 7n } } } };
    const [x, y] = [await a.writeReadPipe("rw", blob), await b.writeReadPipe("rw", blob)];
    assert.deepEqual(x.blob, y.blob);
    assert.equal(x.name, "rw");
    assert.deepEqual(
      x.blob.elements.map((e) => e.dtype),
      ["DevString", "DevVarDoubleArray", "DevPipeBlob"],
    );
  });
});

describe("pipe properties in the reference database", () => {
  test("the label comes from DbGetDevicePipeProperty; set_pipe_config puts it, an empty label deletes it", async () => {
    const context = new TangoContext({ tangoHost: TANGO_HOST });
    const db = await Database.connect({ context });
    const server = `PipeQa/db${process.pid}`;
    const dev = `qa/dbpipe/${process.pid}`;
    const dbProps = async (): Promise<unknown> => db.command("DbGetDevicePipeProperty", [dev, "rw", "typed"], "DevVarStringArray");
    try {
      await db.addDevice(server, dev, "PipeQa");
      await db.command("DbPutDevicePipeProperty", [dev, "1", "typed", "1", "label", "1", "Typed from the DB"], "DevVarStringArray");
      await using h = await runServer({
        serverName: "PipeQa",
        instance: `db${process.pid}`,
        classes: [PipeQa],
        tangoHost: TANGO_HOST,
        host: "127.0.0.1",
        port: 0,
      });
      assert.ok(h.port > 0);
      const p = await DeviceProxy.connect(dev, { context });
      assert.equal((await p.pipeQuery("typed")).label, "Typed from the DB");
      const script = [
        "import sys, tango",
        "d = tango.DeviceProxy(sys.argv[1])",
        "c = d.get_pipe_config('rw'); c.label = 'Label set by PyTango'; d.set_pipe_config([c])",
      ].join("\n");
      await promisify(execFile)("/usr/bin/python3", ["-c", script, dev], {
        env: { ...process.env, TANGO_HOST, ORBclientTransportRule: "* tcp" },
      });
      assert.equal((await p.pipeQuery("rw")).label, "Label set by PyTango");
      assert.deepEqual(await dbProps(), [
        dev,
        "2",
        "rw",
        "1",
        "label",
        "1",
        "Label set by PyTango",
        "typed",
        "1",
        "label",
        "1",
        "Typed from the DB",
      ]);
      await promisify(execFile)("/usr/bin/python3", ["-c", script.replace("'Label set by PyTango'", "''"), dev], {
        env: { ...process.env, TANGO_HOST, ORBclientTransportRule: "* tcp" },
      });
      assert.equal((await p.pipeQuery("rw")).label, "Read-write pipe");
      assert.deepEqual(await dbProps(), [dev, "2", "rw", "0", "typed", "1", "label", "1", "Typed from the DB"]);
    } finally {
      await db.deleteServer(server).catch(() => undefined);
      await context.close();
    }
  });
});
