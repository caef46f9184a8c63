/**
 * The attribute read path answers the same whether the device code (always_executed_hook, is_allowed, the read
 * handler, devState/devStatus) completes synchronously or returns promises, and Monitor.call (its synchronous entry)
 * keeps the monitor's ordering and its release on every outcome.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DeviceProxy } from "../client/device-proxy.ts";
import { DevFailed } from "../errors/errors.ts";
import { DeviceTestContext } from "../testing/device-test-context.ts";
import { defineDevice } from "./decorators.ts";
import type { Device } from "./device.ts";
import { DevDouble, DevLong, DevString } from "./dtypes.ts";
import { callWithMonitor, Monitor } from "./monitor.ts";

type Probe = Device & { hooks: number; failHook: boolean; value: number; gate: boolean };

/** The same device twice: every hook and handler synchronous, or every one of them async. */
function probeClass(async: boolean) {
  const later = <T>(f: () => T): T | Promise<T> => (async ? new Promise<void>((r) => setTimeout(r, 1)).then(() => f()) : f());
  return defineDevice<Probe>({
    tangoClass: async ? "AsyncProbe" : "SyncProbe",
    attributes: {
      value: { dtype: DevDouble, read: (d) => later(() => d.value) },
      gated: { dtype: DevLong, read: () => 7, allowed: (d) => later(() => d.gate) },
      broken: {
        dtype: DevLong,
        read: () =>
          later(() => {
            throw new Error("sensor lost");
          }),
      },
      unset: { dtype: DevString, read: () => later(() => undefined) },
    },
    init: (d) => {
      d.hooks = 0;
      d.failHook = false;
      d.value = 1.5;
      d.gate = true;
      d.setState("ON");
    },
    alwaysExecutedHook: (d) =>
      later(() => {
        d.hooks++;
        if (d.failHook) throw new Error("hook refused");
      }),
  });
}

for (const async of [false, true]) {
  describe(`read_attributes with ${async ? "async" : "synchronous"} device code`, () => {
    test("values, one hook per request, per-attribute errors as values", async () => {
      await using ctx = await DeviceTestContext.start(probeClass(async));
      const dev = ctx.instance<Probe>();
      const p = ctx.proxy;
      ctx.server.poller.removeDevice(ctx.runtime);
      const hooks = dev.hooks;
      assert.equal((await p.read("value")).value, 1.5);
      dev.value = 2.5;
      const res = await p.readMany(["value", "broken", "nope", "unset", "State", "Status", "gated"]);
      assert.equal(dev.hooks - hooks, 2);
      assert.equal(res[0]?.value, 2.5);
      assert.ok(res[1]?.error?.hasReason("API_AttributeFailed"));
      assert.equal(res[1]?.error?.errors[0]?.reason, "API_JsError");
      assert.equal(res[1]?.error?.errors[0]?.desc, "sensor lost");
      assert.ok(res[2]?.error?.hasReason("API_AttrNotFound"));
      assert.ok(res[3]?.error?.hasReason("API_AttrValueNotSet"));
      assert.equal(res[4]?.value, "ON");
      assert.equal(res[5]?.value, "The device is in ON state.");
      assert.equal(res[6]?.value, 7);
    });

    test("a refusing is_allowed gives API_AttrNotAllowed", async () => {
      await using ctx = await DeviceTestContext.start(probeClass(async));
      ctx.instance<Probe>().gate = false;
      const e = await ctx.proxy.read("gated").then(
        () => assert.fail("expected API_AttrNotAllowed"),
        (x: unknown) => x,
      );
      assert.ok(e instanceof DevFailed && e.hasReason("API_AttrNotAllowed"), String(e));
    });

    test("a failing always_executed_hook fails the whole request, and the next one is served", async () => {
      await using ctx = await DeviceTestContext.start(probeClass(async));
      const dev = ctx.instance<Probe>();
      dev.failHook = true;
      const e = await ctx.proxy.readMany(["value", "gated"]).then(
        () => assert.fail("expected API_AlwaysExecutedHookFailed"),
        (x: unknown) => x,
      );
      assert.ok(e instanceof DevFailed && e.hasReason("API_AlwaysExecutedHookFailed"), String(e));
      dev.failHook = false;
      assert.equal((await ctx.proxy.read("value")).value, 1.5);
    });
  });
}

describe("read sources on a device with nothing polled", () => {
  test("DEV and CACHE_DEV read the device; CACHE gives API_AttrNotPolled per attribute", async () => {
    await using ctx = await DeviceTestContext.start(probeClass(false));
    ctx.server.poller.removeDevice(ctx.runtime);
    assert.equal(ctx.runtime.polled.size, 0);
    const dev = ctx.instance<Probe>();
    for (const source of ["DEV", "CACHE_DEV", "CACHE"] as const) {
      await using p = await DeviceProxy.connect(ctx.fullName(), { context: ctx.multi.context, source });
      const hooks = dev.hooks;
      const res = await p.readMany(["value", "nope", "State"]);
      if (source === "CACHE") {
        assert.equal(dev.hooks, hooks, "CACHE does not run the hook");
        for (const r of res) assert.ok(r.error?.hasReason("API_AttrNotPolled"), `${source}: ${String(r.error)}`);
      } else {
        assert.equal(dev.hooks - hooks, 1, source);
        assert.equal(res[0]?.value, 1.5, source);
        assert.ok(res[1]?.error?.hasReason("API_AttrNotFound"), source);
        assert.equal(res[2]?.value, "ON", source);
      }
    }
  });
});

describe("Monitor.call", () => {
  test("free monitor, synchronous fn: the value itself, the monitor released at once", () => {
    const m = new Monitor("test/dev/1");
    let inside = false;
    const v = m.call(() => {
      inside = m.locked;
      return 42;
    });
    assert.equal(v, 42);
    assert.equal(inside, true);
    assert.equal(m.locked, false);
  });

  test("a synchronous throw is thrown as is and releases the monitor", () => {
    const m = new Monitor("test/dev/1");
    assert.throws(
      () =>
        m.call(() => {
          throw new Error("nope");
        }),
      /nope/,
    );
    assert.equal(m.locked, false);
  });

  test("a promise keeps the monitor until it settles; later callers wait, in order", async () => {
    const m = new Monitor("test/dev/1");
    const order: string[] = [];
    let release!: () => void;
    const first = m.call(() => new Promise<void>((r) => (release = r)).then(() => order.push("first")));
    assert.ok(first instanceof Promise);
    assert.equal(m.locked, true);
    const second = m.call(() => order.push("second"));
    const third = m.call(() => order.push("third"));
    assert.ok(second instanceof Promise && third instanceof Promise, "a held monitor makes callers wait");
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(order, []);
    release();
    await Promise.all([first, second, third]);
    assert.deepEqual(order, ["first", "second", "third"]);
    assert.equal(m.locked, false);
  });

  test("a rejected promise releases the monitor", async () => {
    const m = new Monitor("test/dev/1");
    await assert.rejects(Promise.resolve(m.call(() => Promise.reject(new Error("late")))), /late/);
    assert.equal(m.locked, false);
    assert.equal(
      m.call(() => 3),
      3,
    );
  });

  test("callWithMonitor without a monitor runs fn at once", () => {
    assert.equal(
      callWithMonitor(undefined, () => "now"),
      "now",
    );
  });
});
