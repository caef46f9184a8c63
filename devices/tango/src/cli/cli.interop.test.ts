/** Runs the real `bin/tango.mjs` with plain node, from another directory, against the reference stack. */
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { TangoContext } from "../client/context.ts";
import { DeviceProxy } from "../client/device-proxy.ts";

const BIN = fileURLToPath(new URL("../../bin/tango.mjs", import.meta.url));
const HOST = "127.0.0.1:10000";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function tango(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const { TANGO_HOST: _drop, ...base } = process.env;
    execFile(process.execPath, [BIN, ...args], { cwd: tmpdir(), env: { ...base, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe("tango CLI (real binary, real reference stack)", () => {
  test("ls lists the database devices (TANGO_HOST from the environment)", async () => {
    const r = await tango(["ls", "sys/*"], { TANGO_HOST: HOST });
    assert.equal(r.code, 0, r.stderr);
    const names = r.stdout.trim().split("\n");
    assert.ok(names.includes("sys/tg_test/1") && names.includes("sys/database/2"), r.stdout);
  });

  test("ping answers for live devices and fails for an unknown one", async () => {
    const ok = await tango(["ping", "sys/tg_test/1", "pyref/test/1", "--json"], { TANGO_HOST: HOST });
    assert.equal(ok.code, 0, ok.stderr);
    const rows = JSON.parse(ok.stdout) as { device: string; us: number }[];
    assert.deepEqual(
      rows.map((r) => r.device),
      ["sys/tg_test/1", "pyref/test/1"],
    );
    const bad = await tango(["ping", "no/such/device"], { TANGO_HOST: HOST });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /DB_DeviceNotDefined/);
  });

  test("info --json", async () => {
    const r = await tango(["info", "sys/tg_test/1", "--tango-host", HOST, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(info.devClass, "TangoTest");
    assert.equal(info.adminName, "dserver/TangoTest/test");
  });

  test("write then read (JSON values, bigint as string)", async () => {
    let r = await tango(["write", "sys/tg_test/1", "long64_scalar", "9007199254740993", "--tango-host", HOST]);
    assert.equal(r.code, 0, r.stderr);
    r = await tango(["read", "sys/tg_test/1", "long64_scalar", "--tango-host", HOST, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { wValue: string }).wValue, "9007199254740993");
    r = await tango(["write", "--tango-host", HOST, "sys/tg_test/1", "double_spectrum", "[1.5, 2]"]);
    assert.equal(r.code, 0, r.stderr);
    r = await tango(["read", "--tango-host", HOST, "sys/tg_test/1", "double_spectrum", "State"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^double_spectrum \[1\.5,2\]$/m);
    assert.match(r.stdout, /^State "\w+"$/m);
  });

  test("cmd with a JSON argin prints the JSON result", async () => {
    const r = await tango(["cmd", "sys/tg_test/1", "DevVarDoubleStringArray", '{"dvalue":[1.5],"svalue":["a"]}', "--tango-host", HOST]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { dvalue: [1.5], svalue: ["a"] });
  });

  test("a DevFailed prints its stack (reason, desc, origin per level) on stderr and exits 1", async () => {
    const r = await tango(["cmd", "sys/tg_test/1", "NoSuchCommand", "--tango-host", HOST]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /reason = API_CommandNotFound/);
    assert.match(r.stderr, /desc {3}= .*NoSuchCommand/);
    assert.match(r.stderr, /origin = \S+/);
    const u = await tango(["read", "no/such/device", "x", "--tango-host", HOST]);
    assert.equal(u.code, 1);
    assert.match(u.stderr, /DB_DeviceNotDefined/);
  });

  test("usage errors exit 2", async () => {
    assert.equal((await tango(["frobnicate"])).code, 2);
    assert.equal((await tango(["read", "sys/tg_test/1"])).code, 2);
    const h = await tango(["--help"]);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /read <device> <attribute>/);
  });

  test("watch prints one JSON line per event: the synchronous read, then each pushed change event, --count ends it", async () => {
    const child = spawn(process.execPath, [BIN, "watch", "pyref/test/1", "temperature", "--count", "3", "--tango-host", HOST], {
      cwd: tmpdir(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? 1)));
    let out = "";
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const lines = (): Record<string, unknown>[] =>
      out
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    let wake = (): void => {};
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      wake();
    });
    const linesUntil = (n: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`watch printed ${lines().length} lines, stderr: ${err}`)), 15_000);
        wake = (): void => {
          if (lines().length < n) return;
          clearTimeout(timer);
          resolve();
        };
        wake();
      });
    const context = new TangoContext({ tangoHost: HOST });
    try {
      const dev = await DeviceProxy.connect("pyref/test/1", { context });
      await linesUntil(1); // the synchronous read: the subscription is live
      await dev.command("SetTemperature", 31.5);
      await dev.command("SetTemperature", 32.5);
      await linesUntil(3);
      assert.equal(await exited, 0, err);
      const items = lines();
      assert.equal(items.length, 3, out);
      assert.deepEqual(
        items.map((i) => [i.kind, i.event, i.device, i.attribute, i.synchronous === true, typeof i.counter]),
        [
          ["value", "change", "pyref/test/1", "temperature", true, "undefined"],
          ["value", "change", "pyref/test/1", "temperature", false, "number"],
          ["value", "change", "pyref/test/1", "temperature", false, "number"],
        ],
      );
      assert.deepEqual(
        items.slice(1).map((i) => i.value),
        [31.5, 32.5],
      );
      assert.equal(typeof items[1]?.time, "string", "Date as ISO text");
      assert.equal((items[2]?.counter as number) - (items[1]?.counter as number), 1);
    } finally {
      child.kill();
      await context.close();
    }
  });

  test("watch: an attribute without events is refused with the server's reason; a bad --event is a usage error", async () => {
    const r = await tango(["watch", "sys/tg_test/1", "double_scalar", "--event", "archive", "--count", "1", "--tango-host", HOST]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /reason = API_AttributePollingNotStarted/);
    const u = await tango(["watch", "pyref/test/1", "temperature", "--event", "sometimes", "--tango-host", HOST]);
    assert.equal(u.code, 2);
    assert.match(u.stderr, /--event must be one of change, periodic, archive, user, attr-conf, data-ready, alarm, pipe/);
  });
});
