/**
 * Real third-party software against our database (started as `tango db` child processes on free ports):
 * tango_admin, the Debian cppTango TangoTest, the PyTango pyref_device.py server and PyTango clients;
 * properties survive a clean restart and a kill -9; our own client reads through it.
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { TangoContext } from "@tango-bdd/tango";
import { freePort } from "@tango-bdd/tango/testing";

const ROOT = new URL("../../..", import.meta.url).pathname;
const TANGO_TEST = "/usr/lib/tango/TangoTest";
const PYREF = "/work/shared/tango-reference/pyref_device.py";
const skip = !existsSync(TANGO_TEST) || !existsSync("/usr/bin/tango_admin") || !existsSync(PYREF);

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

async function waitFor(what: string, fn: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

describe("third-party Tango software against our database", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "tango-db-interop-"));
  const file = join(dir, "tango.sqlite");
  const children = new Set<ChildProcess>();
  let dbPort = 0;
  let dbProc: ChildProcess | undefined;
  let env: NodeJS.ProcessEnv = {};

  const start = (cmd: string, args: readonly string[]): ChildProcess => {
    const c = spawn(cmd, args, { env, stdio: "ignore" });
    children.add(c);
    c.once("exit", () => children.delete(c));
    return c;
  };
  const stop = async (c: ChildProcess | undefined, signal: NodeJS.Signals = "SIGTERM"): Promise<void> => {
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill(signal);
    await exited;
  };
  const startDb = async (): Promise<void> => {
    dbProc = start(process.execPath, [join(ROOT, "devices/tango/bin/tango.mjs"), "db", "--port", String(dbPort), "--file", file]);
    await waitFor("the database port", () => listening(dbPort));
  };
  const py = (code: string) => run("/usr/bin/python3", ["-c", `import tango\n${code}`], env);

  before(async () => {
    dbPort = await freePort();
    env = { ...process.env, TANGO_HOST: `127.0.0.1:${dbPort}`, ORBclientTransportRule: "* tcp" };
    await startDb();
  });
  after(async () => {
    for (const c of [...children]) await stop(c, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  test("tango_admin: ping, add server, check device, properties", async () => {
    assert.equal((await run("tango_admin", ["--ping-database"], env)).code, 0);
    assert.equal((await run("tango_admin", ["--add-server", "TangoTest/dbtest", "TangoTest", "test/dbtest/1"], env)).code, 0);
    assert.equal((await run("tango_admin", ["--check-device", "test/dbtest/1"], env)).code, 0);
    assert.notEqual((await run("tango_admin", ["--check-device", "test/nodevice/1"], env)).code, 0);
    assert.equal((await run("tango_admin", ["--add-property", "test/dbtest/1", "myprop", "42"], env)).code, 0);
    const r = await py("print(tango.Database().get_device_property('test/dbtest/1', ['myprop'])['myprop'][0])");
    assert.equal(r.out.trim(), "42");
    assert.equal((await run("tango_admin", ["--delete-property", "test/dbtest/1", "myprop"], env)).code, 0);
    const r2 = await py("print(list(tango.Database().get_device_property('test/dbtest/1', ['myprop'])['myprop']))");
    assert.equal(r2.out.trim(), "[]");
    assert.equal((await run("tango_admin", ["--add-property", "test/dbtest/1", "myprop", "42"], env)).code, 0);
  });

  test("cppTango TangoTest starts against it and a PyTango client reads it through it", async () => {
    const port = await freePort();
    start(TANGO_TEST, ["dbtest", "-ORBendPoint", `giop:tcp:127.0.0.1:${port}`]);
    await waitFor(
      "TangoTest exported",
      async () => (await run("tango_admin", ["--ping-device", "test/dbtest/1", "1"], env, 5000)).code === 0,
    );
    const r = await py(
      "d = tango.DeviceProxy('test/dbtest/1')\nprint(d.state(), d.command_inout('DevString', 'hello'), d.read_attribute('long_scalar_w').value)",
    );
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^RUNNING hello -?\d+/);
    const info = await py("print(tango.Database().get_device_info('test/dbtest/1').class_name)");
    assert.equal(info.out.trim(), "TangoTest");
  });

  test("the PyTango pyref_device.py server is registered and served through it", async () => {
    assert.equal((await run("tango_admin", ["--add-server", "PyRef/dbtest", "PyRef", "pyref/dbtest/1"], env)).code, 0);
    const port = await freePort();
    start("/usr/bin/python3", [PYREF, "dbtest", "-ORBendPoint", `giop:tcp:127.0.0.1:${port}`]);
    await waitFor(
      "PyRef exported",
      async () => (await run("tango_admin", ["--ping-device", "pyref/dbtest/1", "1"], env, 5000)).code === 0,
      60_000,
    );
    const r = await py("d = tango.DeviceProxy('pyref/dbtest/1')\nprint(d.command_inout('Scale', 21))");
    assert.equal(r.code, 0, r.out);
    assert.match(r.out.trim(), /^\d+$/);
  });

  test("our own client imports through it", async () => {
    const ctx = new TangoContext({ tangoHost: `127.0.0.1:${dbPort}` });
    try {
      const info = await ctx.databaseLink().importDevice("test/dbtest/1", { timeoutMs: 3000 });
      assert.equal(info.className, "TangoTest");
      assert.equal(info.exported, true);
    } finally {
      await ctx.close();
    }
  });

  test("properties survive a clean restart and a kill -9", async () => {
    await stop(dbProc, "SIGTERM");
    await startDb();
    let r = await py("print(tango.Database().get_device_property('test/dbtest/1', ['myprop'])['myprop'][0])");
    assert.equal(r.out.trim(), "42");
    r = await py("tango.Database().put_device_property('test/dbtest/1', {'after': ['kill']})\nprint('ok')");
    assert.equal(r.out.trim(), "ok");
    await stop(dbProc, "SIGKILL");
    await startDb();
    r = await py("print(tango.Database().get_device_property('test/dbtest/1', ['after', 'myprop']))");
    assert.match(r.out, /'after': \['kill'\]/);
    assert.match(r.out, /'myprop': \['42'\]/);
  });
});
