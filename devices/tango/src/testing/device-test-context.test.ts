import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DevFailed, MultiDevFailed } from "../errors/errors.ts";
import { device, deviceProperty } from "../server/decorators.ts";
import { Device } from "../server/device.ts";
import { DevVarDoubleArray } from "../server/dtypes.ts";
import { AllTypes, type AllTypesDevice, Counter, SCALAR_TYPES } from "../server/test-fixtures/interop-device.ts";
import { DeviceTestContext, MultiDeviceTestContext } from "./device-test-context.ts";

async function rejectsWith(p: Promise<unknown>, reason: string): Promise<DevFailed> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof DevFailed, `expected DevFailed, got ${String(e)}`);
    assert.ok(e.hasReason(reason), `expected ${reason}, got ${e.format()}`);
    return e;
  }
  assert.fail(`expected DevFailed ${reason}`);
}

describe("DeviceTestContext with the decorated Counter", () => {
  test("commands, attributes, properties, state and status", async () => {
    await using ctx = await DeviceTestContext.start(Counter, { properties: { start: 5 } });
    const p = ctx.proxy;
    assert.equal(await p.state(), "ON");
    assert.equal(await p.status(), "The device is in ON state.");
    assert.equal((await p.read("value")).value, 5);
    assert.equal(await p.command("increment"), 6);
    assert.equal(await p.command("decrement"), 5);
    assert.equal(await p.command("CounterReset", 42), 42);
    await p.write("fire_event_at", 3);
    const r = await p.read("fire_event_at");
    assert.equal(r.value, 3);
    assert.equal(r.wValue, 3);
    assert.deepEqual((await p.read("history")).value, [1, 2, 3]);
    const info = await p.info();
    assert.equal(info.devClass, "Counter");
    assert.equal(info.serverId, "Counter/test");
  });

  test("Init re-runs init() with the properties", async () => {
    await using ctx = await DeviceTestContext.start(Counter, { properties: { start: 2 } });
    await ctx.proxy.command("increment");
    assert.equal((await ctx.proxy.read("value")).value, 3);
    await ctx.proxy.command("Init");
    assert.equal((await ctx.proxy.read("value")).value, 2);
    assert.equal(ctx.instance<Counter>().initCount, 2);
  });

  test("class properties, alwaysExecutedHook before commands and attribute batches", async () => {
    await using ctx = await DeviceTestContext.start(Counter, { classProperties: { site: "hall B" } });
    const dev = ctx.instance<Counter>();
    assert.equal(dev.site, "hall B");
    ctx.server.poller.removeDevice(ctx.runtime); // polling also runs the hook (as cppTango's read_attributes does)
    const before = dev.hookCount;
    await ctx.proxy.command("increment");
    await ctx.proxy.readMany(["value", "polled_value"]);
    await ctx.proxy.state();
    assert.equal(dev.hookCount - before, 3);
  });

  test("a missing mandatory property puts the device in FAULT with a clear status", async () => {
    @device({ tangoClass: "NeedsGains" })
    class NeedsGains extends Device {
      @deviceProperty({ dtype: DevVarDoubleArray, mandatory: true })
      accessor gains: number[] = [];
      override init(): void {
        this.setState("ON");
      }
    }
    await using bad = await DeviceTestContext.start(NeedsGains);
    assert.equal(await bad.proxy.state(), "FAULT");
    assert.match(await bad.proxy.status(), /Mandatory device property gains not defined/);
    await using good = await DeviceTestContext.start(NeedsGains, { properties: { gains: [1, 2.5] } });
    assert.equal(await good.proxy.state(), "ON");
    assert.deepEqual(good.instance<NeedsGains>().gains, [1, 2.5]);
  });

  test("the allowed guard refuses with API_CommandNotAllowed", async () => {
    await using ctx = await DeviceTestContext.start(Counter);
    ctx.instance().setState("FAULT");
    const e = await rejectsWith(ctx.proxy.command("CounterReset", 1), "API_CommandNotAllowed");
    assert.match(e.errors[0]?.desc ?? "", /Command CounterReset not allowed when the device is in FAULT state/);
  });

  test("command list holds the built-ins and the decorated commands, sorted", async () => {
    await using ctx = await DeviceTestContext.start(Counter);
    const names = (await ctx.proxy.commandList()).map((c) => c.name);
    assert.deepEqual(names, ["CounterReset", "Init", "State", "Status", "decrement", "increment", "slow"]);
  });
});

describe("DeviceTestContext with the plain-object AllTypes device", () => {
  test("every scalar type round-trips through write/read", async () => {
    await using ctx = await DeviceTestContext.start(AllTypes, { properties: { Greeting: "hello" } });
    const p = ctx.proxy;
    assert.equal(await p.status(), "Greeting is hello");
    for (const t of SCALAR_TYPES) {
      const r = await p.read(`${t.key}_scalar`);
      assert.deepEqual(r.value, t.value, `${t.key}_scalar`);
      await p.write(`${t.key}_scalar`, t.value);
      assert.deepEqual((await p.read(`${t.key}_scalar`)).wValue, t.value, `${t.key}_scalar set point`);
      assert.deepEqual((await p.read(`${t.key}_spectrum`)).value, [t.value, t.value, t.value], `${t.key}_spectrum`);
    }
  });

  test("writes outside min/max give API_WAttrOutsideLimit in a MultiDevFailed", async () => {
    await using ctx = await DeviceTestContext.start(AllTypes);
    const e = await rejectsWith(ctx.proxy.write("limited", 11), "API_WAttrOutsideLimit");
    assert.ok(e instanceof MultiDevFailed || e.errors.length > 0);
    await ctx.proxy.write("limited", 6);
    assert.equal((await ctx.proxy.read("limited")).quality, "ATTR_ALARM");
  });

  test("reading several attributes with one unknown gives a per-attribute API_AttrNotFound", async () => {
    await using ctx = await DeviceTestContext.start(AllTypes);
    const res = await ctx.proxy.readMany(["double_scalar", "nope", "failing"]);
    assert.equal(res[0]?.value, 3.25);
    assert.ok(res[1]?.error?.hasReason("API_AttrNotFound"));
    assert.ok(res[2]?.error?.hasReason("API_JsError"));
    assert.equal(res[2]?.error?.errors[0]?.desc, "hardware unplugged");
  });

  test("state guards on attributes and commands", async () => {
    await using ctx = await DeviceTestContext.start(AllTypes);
    assert.equal((await ctx.proxy.read("only_on")).value, 7);
    await ctx.proxy.command("SetState", "OFF");
    await rejectsWith(ctx.proxy.read("only_on"), "API_AttrNotAllowed");
    await rejectsWith(ctx.proxy.command("OnlyWhenOn"), "API_CommandNotAllowed");
  });

  test("a failing command reports the JS error", async () => {
    await using ctx = await DeviceTestContext.start(AllTypes);
    const e = await rejectsWith(ctx.proxy.command("Fail"), "API_CommandFailed");
    assert.equal(e.errors[0]?.desc, "boom");
    await rejectsWith(ctx.proxy.command("NoSuchCommand"), "API_CommandNotFound");
  });

  test("memorized values are stored and written back at the next start", async () => {
    await using ctx = await DeviceTestContext.start(AllTypes);
    await ctx.proxy.write("memo", 17);
    const rt = ctx.runtime;
    const stored = await rt.ctx.store?.attributeProperties(rt.name, ["memo"]);
    assert.deepEqual(stored?.memo?.__value, ["17"]);
    await ctx.server.restartDevice(rt.name);
    const dev = ctx.instance<AllTypesDevice>();
    assert.deepEqual(dev.memorizedWrites, [17]);
    assert.equal((await ctx.proxy.read("memo")).value, 17);
  });
});

describe("MultiDeviceTestContext", () => {
  test("serves several classes; a long command on one device does not block another", async () => {
    await using ctx = await MultiDeviceTestContext.start({
      devices: [
        { class: Counter, devices: [{ name: "test/counter/1" }, { name: "test/counter/2" }] },
        { class: AllTypes, devices: [{ name: "test/all/1" }] },
      ],
    });
    const c1 = await ctx.proxy("test/counter/1");
    const c2 = await ctx.proxy("test/counter/2");
    const order: string[] = [];
    const slow = c1.command("slow").then(() => order.push("slow"));
    await c2.command("increment").then(() => order.push("other device"));
    await slow;
    assert.deepEqual(order, ["other device", "slow"]);
    const admin = await ctx.proxy(ctx.adminName);
    assert.deepEqual(await admin.command("QueryDevice"), ["Counter::test/counter/1", "Counter::test/counter/2", "AllTypes::test/all/1"]);
  });
});
