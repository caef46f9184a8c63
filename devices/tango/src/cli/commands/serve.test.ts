/** `tango serve` as a process: --nodb with a device list, and from the reference database (SIGTERM un-exports). */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { TangoContext } from "../../client/context.ts";
import { DeviceProxy } from "../../client/device-proxy.ts";
import { Database } from "../../database/database.ts";
import { serveProcess } from "../../testing/serve-process.ts";

const MODULE = "./devices/tango/src/server/test-fixtures/interop-device.ts";

describe("tango serve", () => {
  test("--nodb --devices Class::name serves the devices; the admin Kill command stops the process", async () => {
    const s = serveProcess([
      "TsTest/cli",
      "--nodb",
      "--devices",
      "AllTypes::tsrt/cli/1",
      "Counter::tsrt/cli/2",
      "--module",
      MODULE,
      "--host",
      "127.0.0.1",
    ]);
    try {
      const port = await s.port;
      await using ctx = new TangoContext();
      await using dev = await DeviceProxy.connect(`tango://127.0.0.1:${port}/tsrt/cli/1#dbase=no`, { context: ctx });
      assert.equal(await dev.state(), "ON");
      assert.equal((await dev.read("double_scalar")).value, 3.25);
      await using counter = await DeviceProxy.connect(`tango://127.0.0.1:${port}/tsrt/cli/2#dbase=no`, { context: ctx });
      assert.equal(await counter.command("increment"), 1);
      await using admin = await DeviceProxy.connect(`tango://127.0.0.1:${port}/dserver/TsTest/cli#dbase=no`, { context: ctx });
      await admin.command("Kill");
      assert.equal(await s.exit, 0);
    } finally {
      s.child.kill();
    }
  });

  test("registered in the reference database: classes from DbGetDeviceServerClassList, fixed port from the environment, SIGTERM un-exports", async () => {
    const TANGO_HOST = "127.0.0.1:10000";
    await using ctx = new TangoContext({ tangoHost: TANGO_HOST });
    const db = await Database.connect({ context: ctx });
    await db.deleteServer("TsTest/clidb").catch(() => undefined);
    await db.command("DbAddServer", ["TsTest/clidb", "tsrt/clidb/1", "Counter"], "DevVarStringArray");
    const s = serveProcess(["TsTest/clidb", "--module", MODULE, "--host", "127.0.0.1"], { env: { TANGO_HOST, TANGO_SERVER_PORT: "0" } });
    try {
      await s.port;
      await using dev = await DeviceProxy.connect("tsrt/clidb/1", { context: ctx });
      assert.equal(await dev.command("increment"), 1);
      assert.equal((await db.getDeviceInfo("tsrt/clidb/1")).exported, true);
      s.child.kill("SIGTERM");
      assert.equal(await s.exit, 0);
      assert.equal((await db.getDeviceInfo("tsrt/clidb/1")).exported, false);
    } finally {
      s.child.kill();
      await db.deleteServer("TsTest/clidb").catch(() => undefined);
    }
  });
});
