/** Database client against the real cppTango DataBaseds (MariaDB) of the reference stack. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TangoContext } from "../client/context.ts";
import { DevFailed } from "../errors/errors.ts";
import { Database } from "./database.ts";

let context: TangoContext;
let db: Database;
before(async () => {
  context = new TangoContext({ tangoHost: "127.0.0.1:10000" });
  db = await Database.connect({ context });
});
after(async () => {
  await context.close();
});

describe("Database", () => {
  test("device, server, class, domain lists", async () => {
    assert.ok((await db.getDeviceList("sys/*")).includes("sys/tg_test/1"));
    assert.ok((await db.getDeviceExportedList("*")).includes("sys/tg_test/1"));
    assert.ok((await db.getServerList("TangoTest/*")).includes("TangoTest/test"));
    assert.ok((await db.getClassList("*")).includes("TangoTest"));
    assert.ok((await db.getDeviceDomainList("*")).includes("sys"));
    assert.ok((await db.getDeviceFamilyList("sys/*")).includes("tg_test"));
    assert.deepEqual(await db.getDeviceNames("TangoTest/test", "TangoTest"), ["sys/tg_test/1"]);
    assert.ok((await db.getDeviceClassList("TangoTest/test")).some((p) => p.device === "sys/tg_test/1" && p.className === "TangoTest"));
    assert.equal(await db.getClassForDevice("sys/tg_test/1"), "TangoTest");
    assert.ok((await db.info()).length > 0);
  });

  test("device info and import", async () => {
    const i = await db.getDeviceInfo("sys/tg_test/1");
    assert.equal(i.className, "TangoTest");
    assert.equal(i.server, "TangoTest/test");
    assert.ok(i.exported);
    assert.ok(i.pid > 0);
    assert.match(i.ior, /^IOR:/);
    const imp = await db.importDevice("SYS/TG_TEST/1");
    assert.equal(imp.name, "sys/tg_test/1");
  });

  test("unknown device → DB_DeviceNotDefined", async () => {
    await assert.rejects(db.importDevice("no/such/dev"), (e: unknown) => e instanceof DevFailed && e.hasReason("DB_DeviceNotDefined"));
  });

  test("class and free properties put/get/delete", async () => {
    const p = `client_qa_${process.pid}`;
    try {
      await db.putClassProperty("TangoTest", { [p]: ["x", "y"] });
      assert.deepEqual(await db.getClassProperty("TangoTest", [p]), { [p]: ["x", "y"] });
      await db.putProperty("ClientQa", { [p]: 42 });
      assert.deepEqual(await db.getProperty("ClientQa", [p]), { [p]: ["42"] });
    } finally {
      await db.deleteClassProperty("TangoTest", [p]);
      await db.deleteProperty("ClientQa", [p]);
    }
    assert.deepEqual(await db.getClassProperty("TangoTest", [p]), {});
    assert.deepEqual(await db.getProperty("ClientQa", [p]), {});
  });
});
