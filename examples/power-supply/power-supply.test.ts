import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DevFailed } from "@tango-bdd/tango";
import { DeviceTestContext } from "@tango-bdd/tango/testing";
import { PowerSupply } from "./power-supply.ts";

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof DevFailed, `expected a DevFailed, got ${String(e)}`);
    return e.errors[0]?.reason ?? "";
  }
  assert.fail("expected a DevFailed");
}

describe("PowerSupply example (DeviceTestContext)", () => {
  test("starts OFF, On/Off are guarded by the state", async () => {
    await using ctx = await DeviceTestContext.start(PowerSupply);
    const p = ctx.proxy;
    assert.equal(await p.state(), "OFF");
    assert.equal(await reason(p.command("Off")), "API_CommandNotAllowed");
    await p.command("On");
    assert.equal(await p.state(), "ON");
    assert.equal(await reason(p.command("On")), "API_CommandNotAllowed");
    await p.command("Off");
    assert.equal(await p.state(), "OFF");
  });

  test("current is limited to [0, 10] A and writable only when ON; voltage follows the load property", async () => {
    await using ctx = await DeviceTestContext.start(PowerSupply, { properties: { load: 3 } });
    const p = ctx.proxy;
    assert.equal((await p.read("current")).value, 0);
    assert.equal(await reason(p.write("current", 1)), "API_AttrNotAllowed");
    await p.command("On");
    await p.write("current", 2.5);
    assert.equal((await p.read("current")).value, 2.5);
    assert.equal((await p.read("voltage")).value, 7.5);
    assert.equal((await p.read("voltage")).quality, "ATTR_VALID");
    assert.equal(await reason(p.write("current", 10.5)), "API_WAttrOutsideLimit");
    assert.equal(await reason(p.write("current", -1)), "API_WAttrOutsideLimit");
    assert.equal((await p.read("current")).value, 2.5);
    await p.write("current", 6);
    assert.equal((await p.read("voltage")).quality, "ATTR_ALARM");
    assert.equal(await reason(p.write("voltage", 1)), "API_AttrNotWritable");
    await p.command("Off");
    assert.equal((await p.read("current")).value, 0);
    assert.equal((await p.read("voltage")).value, 0);
  });
});
