/** Serialization models, polling through the admin device, and the ZMQ supplier (with a raw SUB socket). */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DeviceProxy } from "../client/device-proxy.ts";
import { DevFailed } from "../errors/errors.ts";
import { decodeEventPayload, decodeMessage as decodeZmq, parseSubscriptionReply } from "../events/zmq-wire.ts";
import { DeviceTestContext, MultiDeviceTestContext } from "../testing/device-test-context.ts";
import { Monitor } from "./monitor.ts";
import type { SerialModel } from "./spec.ts";
import { AllTypes, Counter } from "./test-fixtures/interop-device.ts";

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

/** Starts a 300 ms Sleep on `a`, then runs `other`; returns which finished first. */
async function race(a: DeviceProxy, other: () => Promise<unknown>): Promise<string[]> {
  const order: string[] = [];
  const slow = a.command("Sleep", 300).then(() => order.push("sleep"));
  await new Promise((r) => setTimeout(r, 50));
  await other().then(() => order.push("other"));
  await slow;
  return order;
}

async function serialContext(model: SerialModel): Promise<MultiDeviceTestContext> {
  return MultiDeviceTestContext.start({
    serialModel: model,
    devices: [
      { class: AllTypes, devices: [{ name: "test/all/1" }, { name: "test/all/2" }] },
      { class: Counter, devices: [{ name: "test/counter/1" }] },
    ],
  });
}

describe("serialization models", () => {
  test("BY_DEVICE: the same device waits, another device of the class does not", async () => {
    await using ctx = await serialContext("BY_DEVICE");
    const a1 = await ctx.proxy("test/all/1");
    const a2 = await ctx.proxy("test/all/2");
    assert.deepEqual(await race(a1, () => a1.read("double_scalar")), ["sleep", "other"]);
    assert.deepEqual(await race(a1, () => a2.read("double_scalar")), ["other", "sleep"]);
  });

  test("BY_CLASS: devices of the class wait, other classes do not", async () => {
    await using ctx = await serialContext("BY_CLASS");
    const a1 = await ctx.proxy("test/all/1");
    const a2 = await ctx.proxy("test/all/2");
    const c = await ctx.proxy("test/counter/1");
    assert.deepEqual(await race(a1, () => a2.read("double_scalar")), ["sleep", "other"]);
    assert.deepEqual(await race(a1, () => c.command("increment")), ["other", "sleep"]);
  });

  test("BY_PROCESS: every device waits", async () => {
    await using ctx = await serialContext("BY_PROCESS");
    const a1 = await ctx.proxy("test/all/1");
    const c = await ctx.proxy("test/counter/1");
    assert.deepEqual(await race(a1, () => c.command("increment")), ["sleep", "other"]);
  });

  test("NO_SYNC: even the same device is served while an async command runs", async () => {
    await using ctx = await serialContext("NO_SYNC");
    const a1 = await ctx.proxy("test/all/1");
    assert.deepEqual(await race(a1, () => a1.state()), ["other", "sleep"]);
    assert.deepEqual(await race(a1, () => a1.read("double_scalar")), ["other", "sleep"]);
  });

  test("a monitor that cannot be taken in time gives API_CommandTimedOut", async () => {
    const m = new Monitor("test/dev/1", 50);
    let release!: () => void;
    const held = m.run(() => new Promise<void>((r) => (release = r)));
    await rejectsWith(
      m.run(() => 1),
      "API_CommandTimedOut",
    );
    release();
    await held;
    assert.equal(await m.run(() => 2), 2);
    assert.equal(m.locked, false);
  });
});

describe("polling through the admin device", () => {
  test("AddObjPolling, DevPollStatus, PolledDevice, CACHE reads, UpdObjPollingPeriod, RemObjPolling", async () => {
    await using ctx = await DeviceTestContext.start(AllTypes);
    const admin = await ctx.adminProxy();
    const dev = ctx.deviceName;
    // Code default (pollingMs: 100) is active from the start.
    assert.ok(ctx.runtime.polled.has("attribute:polled_value"));
    await admin.command("AddObjPolling", { lvalue: [20], svalue: [dev, "attribute", "double_scalar"] });
    await rejectsWith(admin.command("AddObjPolling", { lvalue: [20], svalue: [dev, "attribute", "double_scalar"] }), "API_AlreadyPolled");
    await rejectsWith(admin.command("AddObjPolling", { lvalue: [1], svalue: [dev, "attribute", "long_scalar"] }), "API_NotSupported");
    await rejectsWith(admin.command("AddObjPolling", { lvalue: [100], svalue: [dev, "attribute", "nope"] }), "API_AttrNotFound");
    const ring = ctx.runtime.polled.get("attribute:double_scalar")?.ring ?? [];
    while (ring.length < 3) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(await admin.command("PolledDevice"), [dev]);
    const status = (await admin.command("DevPollStatus", dev)) as string[];
    const s = status.find((x) => x.includes("double_scalar")) ?? "";
    assert.match(s, /^Polled attribute name = double_scalar\nPolling period \(mS\) = 20\nPolling ring buffer depth = 10\n/);
    assert.match(s, /Delta between last records \(in mS\) = /);

    await using cached = await DeviceProxy.connect(ctx.fullName(), { context: ctx.multi.context, source: "CACHE" });
    assert.equal((await cached.read("double_scalar")).value, 3.25);
    await rejectsWith(cached.read("long_scalar"), "API_AttrNotPolled");
    await ctx.proxy.write("double_scalar", 8.5);
    const start = ring.length > 0 ? (ring.at(-1)?.time ?? 0) : 0;
    while ((ring.at(-1)?.time ?? 0) <= start) await new Promise((r) => setTimeout(r, 10));
    assert.equal((await cached.read("double_scalar")).value, 8.5);

    await admin.command("UpdObjPollingPeriod", { lvalue: [40], svalue: [dev, "attribute", "double_scalar"] });
    assert.equal(ctx.runtime.polled.get("attribute:double_scalar")?.period, 40);
    assert.deepEqual(await ctx.runtime.ctx.store?.deviceProperties(dev).then((p) => p.polled_attr), [
      "polled_value",
      "100",
      "double_scalar",
      "40",
    ]);
    await admin.command("RemObjPolling", [dev, "attribute", "double_scalar"]);
    assert.equal(ctx.runtime.polled.has("attribute:double_scalar"), false);
    await rejectsWith(admin.command("RemObjPolling", [dev, "attribute", "double_scalar"]), "API_AttrNotPolled");
  });

  test("polled commands feed CACHE command reads", async () => {
    await using ctx = await DeviceTestContext.start(Counter);
    const admin = await ctx.adminProxy();
    await admin.command("AddObjPolling", { lvalue: [20], svalue: [ctx.deviceName, "command", "State"] });
    await rejectsWith(
      admin.command("AddObjPolling", { lvalue: [20], svalue: [ctx.deviceName, "command", "CounterReset"] }),
      "API_IncompatibleCmdArgumentType",
    );
    const ring = ctx.runtime.polled.get("command:state")?.ring ?? [];
    while (ring.length < 1) await new Promise((r) => setTimeout(r, 10));
    await using cached = await DeviceProxy.connect(ctx.fullName(), { context: ctx.multi.context, source: "CACHE" });
    assert.equal(await cached.command("State"), "ON");
  });

  test("admin queries", async () => {
    await using ctx = await DeviceTestContext.start(Counter, { serverName: "CounterServer", instance: "q" });
    const admin = await ctx.adminProxy();
    assert.equal(ctx.adminName, "dserver/CounterServer/q");
    assert.deepEqual(await admin.command("QueryClass"), ["Counter"]);
    assert.deepEqual(await admin.command("QueryDevice"), ["Counter::test/nodb/1"]);
    assert.deepEqual(await admin.command("QueryWizardDevProperty", "Counter"), ["start", "", "0"]);
    assert.equal(await admin.state(), "ON");
    assert.equal(await ctx.proxy.adminName(), "dserver/CounterServer/q");
    await admin.command("DevRestart", ctx.deviceName);
    assert.equal(await ctx.proxy.command("increment"), 1);
    await rejectsWith(admin.command("DevRestart", "no/such/dev"), "API_DeviceNotFound");
  });
});

describe("ZMQ event supplier", () => {
  test("ZmqEventSubscriptionChange layout, and a code-pushed change event received by a SUB socket", async () => {
    await using ctx = await DeviceTestContext.start(AllTypes, { serverName: "AllTypesServer", instance: "ev" });
    const admin = await ctx.adminProxy();
    const info = (await admin.command("ZmqEventSubscriptionChange", ["info"])) as { lvalue: number[]; svalue: string[] };
    assert.deepEqual(info.lvalue, [934]);
    await rejectsWith(
      admin.command("ZmqEventSubscriptionChange", [ctx.deviceName, "double_scalar", "subscribe", "change", "5"]),
      "API_AttributePollingNotStarted",
    );
    await rejectsWith(
      admin.command("ZmqEventSubscriptionChange", [ctx.deviceName, "double_scalar", "subscribe", "bogus", "5"]),
      "API_WrongEventName",
    );
    const raw = (await admin.command("ZmqEventSubscriptionChange", [ctx.deviceName, "pushed_value", "subscribe", "change", "5"])) as {
      lvalue: number[];
      svalue: string[];
    };
    const reply = parseSubscriptionReply(raw.lvalue, raw.svalue);
    assert.equal(reply.tangoRelease, 934);
    assert.equal(reply.deviceIdl, 5);
    assert.deepEqual(raw.lvalue.slice(2, 5), [1000, 81920, 20000]);
    assert.equal(reply.topic, `tango://127.0.0.1:${ctx.port}/test/nodb/1/pushed_value#dbase=no.idl5_change`);
    assert.equal(reply.channel, `tango://127.0.0.1:${ctx.port}/dserver/alltypesserver/ev#dbase=no`);
    assert.match(reply.endpoints[0]?.event ?? "", /^tcp:\/\/127\.0\.0\.1:\d+$/);

    const zmq = await import("zeromq");
    const sub = new zmq.Subscriber({ linger: 0 });
    try {
      sub.connect(reply.endpoints[0]?.event ?? "");
      sub.subscribe(reply.topic);
      const received: number[] = [];
      // Push until one arrives (slow joiner), then check the counter sequence of the next ones.
      let done = false;
      const pump = (async () => {
        for (let v = 1; !done; v++) {
          await ctx.proxy.command("PushValue", v);
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      try {
        while (received.length < 3) {
          const frames = await sub.receive();
          const msg = decodeZmq(frames);
          assert.equal(msg.kind, "event");
          if (msg.kind !== "event") break;
          const p = decodeEventPayload(msg);
          assert.equal(p.kind, "attr-value");
          if (p.kind === "attr-value") {
            assert.equal(p.value.name, "pushed_value");
            assert.equal(p.value.value.d, 5);
          }
          received.push(msg.callInfo.ctr);
        }
      } finally {
        done = true;
        await pump;
      }
      assert.equal(received[1], (received[0] ?? 0) + 1);
      assert.equal(received[2], (received[0] ?? 0) + 2);
    } finally {
      sub.close();
    }
  });
});
