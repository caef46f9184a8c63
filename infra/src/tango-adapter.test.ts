/** The harness' client adapter against the real reference stack (TANGO_HOST 127.0.0.1:10000, cppTango DataBaseds). */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { TangoAdapter } from "./tango-adapter.ts";

describe("TangoAdapter (reference stack)", () => {
  const client = new TangoAdapter("127.0.0.1:10000");
  after(() => client.close());

  test("pings, reads, writes and runs commands through cached proxies", async () => {
    const dev = await client.device("sys/tg_test/1");
    assert.equal(await client.device("SYS/TG_TEST/1"), dev, "proxies are cached by lower-case name");
    assert.ok((await dev.ping()) > 0);
    assert.equal(typeof (await dev.state()), "string");
    await dev.write("short_scalar_w", 42);
    assert.equal(await dev.read("short_scalar_w"), 42);
    assert.equal(await dev.command("DevShort", 7), 7);
  });

  test("database look-ups: names by pattern, device info, properties", async () => {
    const names = await client.deviceNames("sys/*/*");
    assert.ok(names.includes("sys/tg_test/1"), names.join(","));
    assert.ok(names.includes("sys/database/2"));
    const info = await client.deviceInfo("sys/tg_test/1");
    assert.equal(info.exported, true);
    assert.equal(info.tangoClass, "TangoTest");
    await client.putDeviceProperty("sys/tg_test/1", "bdd_adapter_probe", ["a", "b"]);
    assert.deepEqual(await client.deviceProperty("sys/tg_test/1", "bdd_adapter_probe"), ["a", "b"]);
  });

  test("a device that does not exist fails with a DevFailed and is not cached", async () => {
    await assert.rejects(client.device("no/such/device"), (e: Error) => e.name !== "TypeError");
    await assert.rejects(client.device("no/such/device"));
  });

  test("enum labels come from the attribute configuration", async () => {
    const dev = await client.device("sys/tg_test/1");
    assert.deepEqual(await dev.enumLabels?.("short_scalar"), []);
  });
});
