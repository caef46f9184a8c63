/**
 * Counter and AsyncCounter through the in-process test context (no database): interface, initial state, commands,
 * the code-pushed `value` change events at `fire_event_at` and the polled `polled_value` change events.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { DeviceProxy } from "@tango-bdd/tango";
import { type EventItem, type EventSubscription, subscribe } from "@tango-bdd/tango/events";
import { DeviceTestContext } from "@tango-bdd/tango/testing";
import { AsyncCounter } from "./async-counter.ts";
import { Counter, POLLED_VALUE_EVENT_PERIOD_MS } from "./counter.ts";

/** Next item of a subscription, or a failure after `ms`. */
async function nextItem(sub: EventSubscription, ms = 3000): Promise<EventItem> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const r = await Promise.race([
      sub.next(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no event within ${ms} ms`)), ms);
      }),
    ]);
    if (r.done) throw new Error("subscription ended");
    return r.value;
  } finally {
    clearTimeout(timer);
  }
}

/** Items received within `ms` (for "no event" checks). */
async function drain(sub: EventSubscription, ms: number): Promise<EventItem[]> {
  const out: EventItem[] = [];
  const end = Date.now() + ms;
  for (;;) {
    const left = end - Date.now();
    if (left <= 0) return out;
    try {
      out.push(await nextItem(sub, left));
    } catch {
      return out;
    }
  }
}

function itemValue(item: EventItem): unknown {
  assert.equal(item.kind, "value", item.kind === "error" ? item.error.message : item.kind);
  return item.kind === "value" ? item.value : undefined;
}

async function readValue(p: DeviceProxy, attr: string): Promise<unknown> {
  return (await p.read(attr)).value;
}

for (const Cls of [Counter, AsyncCounter]) {
  const tangoClass = Cls === Counter ? "Counter" : "AsyncCounter";
  describe(tangoClass, () => {
    test("interface: attributes, commands, defaults, State UNKNOWN", async () => {
      await using ctx = await DeviceTestContext.start(Cls, { deviceName: "test/counter/1" });
      const p = ctx.proxy;
      assert.equal((await p.info()).devClass, tangoClass);
      assert.equal(await p.state(), "UNKNOWN");
      assert.equal(await p.status(), "The device is in UNKNOWN state.");
      const cfg = await p.getAttributeConfig(["value", "fire_event_at", "polled_value"]);
      assert.deepEqual(
        cfg.map((c) => [c.name, c.dataTypeName, c.writableName, c.format, c.label]),
        [
          ["value", "DevShort", "READ", "%d", "value"],
          ["fire_event_at", "DevShort", "READ_WRITE", "%d", "fire_event_at"],
          ["polled_value", "DevShort", "READ", "%d", "polled_value"],
        ],
      );
      assert.equal(cfg[2]?.events.change.absChange, "1");
      const cmds = new Map((await p.commandList()).map((c) => [c.name, `${c.inType}->${c.outType}`]));
      assert.equal(cmds.get("increment"), "DevVoid->DevShort");
      assert.equal(cmds.get("decrement"), "DevVoid->DevShort");
      assert.equal(cmds.get("CounterReset"), "DevShort->DevShort");
      assert.equal(await readValue(p, "value"), 0);
      assert.equal(await readValue(p, "fire_event_at"), 0);
      assert.equal(await readValue(p, "polled_value"), 0);
    });

    test("increment / decrement / CounterReset return the new value; Init resets value and fire_event_at", async () => {
      await using ctx = await DeviceTestContext.start(Cls, { deviceName: "test/counter/1" });
      const p = ctx.proxy;
      assert.equal(await p.command("increment"), 1);
      assert.equal(await p.command("increment"), 2);
      assert.equal(await p.command("decrement"), 1);
      assert.equal(await p.command("CounterReset", -7), -7);
      assert.equal(await readValue(p, "value"), -7);
      assert.equal(await readValue(p, "polled_value"), -7);
      await p.write("fire_event_at", 12);
      assert.equal(await readValue(p, "fire_event_at"), 12);
      await p.command("Init");
      assert.equal(await readValue(p, "value"), 0);
      assert.equal(await readValue(p, "fire_event_at"), 0);
      assert.equal(await p.state(), "UNKNOWN", "every command is allowed and State is never set");
    });

    test("value: one change event each time the counter lands on fire_event_at, none otherwise", async () => {
      await using ctx = await DeviceTestContext.start(Cls, { deviceName: "test/counter/1" });
      const p = ctx.proxy;
      await using sub = await subscribe(p, "value", "change");
      const first = await nextItem(sub);
      assert.equal(first.synchronous, true, "the subscription starts with a synchronous read");
      assert.equal(itemValue(first), 0);
      await p.command("increment"); // 1
      await p.command("increment"); // 2
      await p.command("decrement"); // 1
      await p.command("decrement"); // 0 → event
      const atZero = await nextItem(sub);
      assert.equal(itemValue(atZero), 0);
      assert.notEqual(atZero.synchronous, true);
      await p.command("CounterReset", 0); // 0 again → pushed again (no change detection)
      assert.equal(itemValue(await nextItem(sub)), 0);
      await p.write("fire_event_at", 3);
      await p.command("CounterReset", 5);
      await p.command("decrement"); // 4
      await p.command("decrement"); // 3 → event
      assert.equal(itemValue(await nextItem(sub)), 3);
      await p.command("decrement"); // 2
      await p.command("CounterReset", 0); // no longer the trigger
      assert.deepEqual(await drain(sub, 300), [], "no other event");
    });

    test("polled_value: not polled by default (period=100 is the periodic-event period), only the subscription read", async () => {
      await using ctx = await DeviceTestContext.start(Cls, { deviceName: "test/counter/1" });
      const p = ctx.proxy;
      const admin = await ctx.adminProxy();
      assert.deepEqual(await admin.command("DevPollStatus", "test/counter/1"), []);
      const [cfg] = await p.getAttributeConfig(["polled_value"]);
      assert.equal(cfg?.events.periodic.period, String(POLLED_VALUE_EVENT_PERIOD_MS));
      await assert.rejects(subscribe(p, "polled_value", "periodic"), (e: unknown) => {
        assert.equal((e as { errors?: { reason: string }[] }).errors?.[0]?.reason, "API_AttributePollingNotStarted");
        return true;
      });
      // change events are declared as implemented, so the subscription works: one synchronous read, then nothing.
      await using sub = await subscribe(p, "polled_value", "change");
      assert.equal(itemValue(await nextItem(sub)), 0);
      await p.command("increment");
      assert.deepEqual(await drain(sub, 400), []);
    });

    test("polled_value with polled_attr (as Helm sets it): change events on every change, abs_change 1", async () => {
      await using ctx = await DeviceTestContext.start(Cls, {
        deviceName: "test/counter/1",
        properties: { polled_attr: ["polled_value", "100"] },
      });
      const p = ctx.proxy;
      const admin = await ctx.adminProxy();
      const polled = (await admin.command("DevPollStatus", "test/counter/1")) as string[];
      assert.equal(polled.length, 1);
      assert.match(polled[0] ?? "", /Polled attribute name = polled_value/);
      assert.match(polled[0] ?? "", /Polling period \(mS\) = 100\b/);
      await using sub = await subscribe(p, "polled_value", "change");
      assert.equal(itemValue(await nextItem(sub)), 0);
      await p.command("increment");
      assert.equal(itemValue(await nextItem(sub)), 1);
      await p.command("CounterReset", 4);
      assert.equal(itemValue(await nextItem(sub)), 4);
      assert.deepEqual(await drain(sub, 400), [], "no event without a change");
      // `value` is not polled, but its subscription works (events are pushed by code).
      await using v = await subscribe(p, "value", "change");
      assert.equal(itemValue(await nextItem(v)), 4);
    });
  });
}
