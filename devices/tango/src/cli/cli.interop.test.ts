/** Runs the real `bin/tango.mjs` with plain node, from another directory, against the reference stack. */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { tmpdir } from "node:os";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";

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
});
