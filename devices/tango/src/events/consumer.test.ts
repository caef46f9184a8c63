/**
 * Interop: events from the real reference stack (PyTango pyref/test/1, cppTango TangoTest sys/tg_test/1).
 * The stack is shared: polling and attribute configuration changed here are restored in `after`.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { TangoContext } from "../client/context.ts";
import { DeviceProxy } from "../client/device-proxy.ts";
import { DevFailed } from "../errors/errors.ts";
import type { AttributeConfig } from "../idl/structs.ts";
import { closeEventConsumer, type EventSubscription, eventConsumer, subscribe, subscribeEvent } from "./consumer.ts";
import type { EventItem } from "./event-item.ts";

const TANGO_HOST = "127.0.0.1:10000";
const TT = "sys/tg_test/1";

/** Next item, failing the test instead of hanging when nothing comes. */
async function nextItem(sub: EventSubscription, ms = 8000): Promise<EventItem> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no event within ${ms} ms`)), ms);
  });
  try {
    const r = await Promise.race([sub.next(), timeout]);
    assert.equal(r.done, false, "subscription ended");
    return r.value as EventItem;
  } finally {
    clearTimeout(timer);
  }
}

/** Items received during `ms`. */
async function collect(sub: EventSubscription, ms: number): Promise<EventItem[]> {
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

function valueOfItem(item: EventItem): unknown {
  assert.equal(item.kind, "value", item.kind === "error" ? item.error.message : item.kind);
  return item.kind === "value" ? item.value : undefined;
}

describe("events from PyTango (pyref/test/1 temperature, pushed by code)", () => {
  const ctx = new TangoContext({ tangoHost: TANGO_HOST });
  let dev: DeviceProxy;
  before(async () => {
    dev = await DeviceProxy.connect("pyref/test/1", { context: ctx });
  });
  after(async () => {
    await closeEventConsumer(ctx);
    await ctx.close();
  });

  test("first item is the synchronous read, then one value per push with consecutive counters", async () => {
    await using sub = await subscribe(dev, "temperature", "change");
    const first = await nextItem(sub);
    assert.equal(first.synchronous, true);
    assert.equal(first.counter, undefined);
    assert.equal(typeof valueOfItem(first), "number");
    const values = [101.25, 102.5, 103.75];
    for (const v of values) await dev.command("SetTemperature", v);
    const got: EventItem[] = [];
    while (got.length < values.length) {
      const it = await nextItem(sub);
      if (it.kind === "value" && it.counter !== undefined) got.push(it);
    }
    assert.deepEqual(
      got.map((i) => valueOfItem(i)),
      values,
    );
    const ctrs = got.map((i) => i.counter as number);
    assert.deepEqual(ctrs, [ctrs[0], (ctrs[0] as number) + 1, (ctrs[0] as number) + 2]);
    assert.equal(sub.state, "live");
    assert.equal(sub.missed, 0);
    await sub.close();
    assert.deepEqual(await sub.next(), { value: undefined, done: true });
    assert.equal(eventConsumer(ctx).size, 0);
  });

  test("a burst: every pushed event is received or counted as missed, at the place it was lost", async () => {
    // Two subscriptions to the same event share the topic (and the consumer's decoding of each message).
    await using a = await subscribe(dev, "temperature", "change", { queueSize: 100_000 });
    await using b = await subscribe(dev, "temperature", "change", { queueSize: 100_000 });
    await nextItem(a); // synchronous reads
    await nextItem(b);
    await dev.command("SetTemperature", 0); // establishes the counter baseline
    assert.equal(valueOfItem(await nextItem(a)), 0);
    assert.equal(valueOfItem(await nextItem(b)), 0);
    const N = 3000;
    await dev.command("PushBurst", N); // pushes 1, 2, ... N
    while (!(await dev.command("BurstDone"))) await new Promise((r) => setTimeout(r, 50));
    // A final marker event (a negative value): its counter reveals losses at the end of the burst too. The server can
    // drop it as well when its queue is still full, so markers -1, -2, ... are sent until one arrives.
    let seen = false;
    const markers = (async () => {
      await new Promise((r) => setTimeout(r, 300));
      for (let k = 1; !seen && k <= 20; k++) {
        await dev.command("SetTemperature", -k);
        for (let t = 0; t < 10 && !seen; t++) await new Promise((r) => setTimeout(r, 100));
      }
    })();
    for (const sub of [a, b]) {
      let values = 0;
      let last = 0;
      let gap = 0;
      for (;;) {
        const it = await nextItem(sub);
        if (it.kind === "error") {
          assert.equal(it.error.reason, "API_MissedEvents");
          gap += it.missed ?? 0;
          continue;
        }
        if (it.kind !== "value") continue;
        const v = it.value as number;
        if (v < 0) {
          seen = true;
          const lostMarkers = -v - 1;
          assert.equal(gap, N - last + lostMarkers, "losses at the end of the burst are reported before the marker");
          assert.equal(values + sub.missed, N + lostMarkers, `received ${values}, counted as missed ${sub.missed}`);
          break;
        }
        // Each value follows the previous one, or the error item just before it counted the values in between.
        assert.equal(v - last - 1, gap, `value ${v} after ${last} with ${gap} reported missing`);
        gap = 0;
        last = v;
        values++;
      }
      // (A repeated counter is dropped by the rules above and counted in `duplicates`: the value check shows that
      // no value was delivered twice.)
      assert.equal(sub.dropped, 0);
    }
    await markers;
  });

  test("callback form delivers the same items", async () => {
    const seen: EventItem[] = [];
    let wake: () => void = () => {};
    const sub = await subscribeEvent(dev, "temperature", "change", (it) => {
      seen.push(it);
      wake();
    });
    try {
      await dev.command("SetTemperature", 55.5);
      while (!seen.some((i) => i.kind === "value" && i.value === 55.5)) {
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 200);
        });
      }
      assert.equal(seen[0]?.synchronous, true);
    } finally {
      await sub.close();
    }
  });

  test("an abort signal ends the subscription", async () => {
    const ac = new AbortController();
    const sub = await subscribe(dev, "temperature", "change", { signal: ac.signal });
    await nextItem(sub);
    ac.abort();
    assert.deepEqual(await sub.next(), { value: undefined, done: true });
    assert.equal(sub.state, "closed");
  });
});

describe("events from cppTango TangoTest with polling configured through the admin device", () => {
  const ctx = new TangoContext({ tangoHost: TANGO_HOST });
  let dev: DeviceProxy;
  let admin: DeviceProxy;
  // TangoTest's scalar values move on their own (every ~2 s) but which ones depends on the device's mode, which other
  // users of the shared stack may change: the attributes used are picked among those seen moving.
  const CANDIDATES = ["ulong_scalar", "ulong64_scalar", "long64_scalar", "long_scalar", "short_scalar", "double_scalar"];
  let ABS = "";
  let REL = "";
  const original = new Map<string, AttributeConfig>();

  async function pickChanging(): Promise<string[]> {
    const first = await dev.readMany(CANDIDATES);
    const moving = new Set<string>();
    for (let i = 0; i < 8 && moving.size < 2; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const now = await dev.readMany(CANDIDATES);
      now.forEach((r, k) => {
        if (r.value !== undefined && r.value !== first[k]?.value) moving.add(r.name);
      });
    }
    return [...moving];
  }

  async function setEvents(attr: string, patch: { absChange?: string; relChange?: string; period?: string }): Promise<void> {
    const cur = await dev.attributeQuery(attr);
    const e = cur.events;
    await dev.updateAttributeConfig(attr, {
      events: {
        ...e,
        change: { ...e.change, absChange: patch.absChange ?? e.change.absChange, relChange: patch.relChange ?? e.change.relChange },
        periodic: { ...e.periodic, period: patch.period ?? e.periodic.period },
      },
    });
  }

  before(async () => {
    dev = await DeviceProxy.connect(TT, { context: ctx });
    admin = await DeviceProxy.connect(await dev.adminName(), { context: ctx });
    const moving = await pickChanging();
    assert.ok(moving.length > 0, "no TangoTest scalar attribute is changing");
    ABS = moving[0] as string;
    REL = moving[1] ?? ABS;
    for (const attr of new Set([ABS, REL])) {
      original.set(attr, await dev.attributeQuery(attr));
      await admin.command("RemObjPolling", [TT, "attribute", attr]).catch(() => undefined);
      await admin.command("AddObjPolling", { lvalue: [50], svalue: [TT, "attribute", attr] });
    }
  });
  after(async () => {
    for (const [attr, cfg] of original) {
      await admin.command("RemObjPolling", [TT, "attribute", attr]).catch(() => undefined);
      await dev.updateAttributeConfig(attr, { events: cfg.events }).catch(() => undefined);
    }
    await closeEventConsumer(ctx);
    await ctx.close();
  });

  test("periodic events at the configured event period", async () => {
    await setEvents(ABS, { period: "200" });
    await using sub = await subscribe(dev, ABS, "periodic");
    const first = await nextItem(sub);
    assert.equal(first.synchronous, true);
    const items = (await collect(sub, 1500)).filter((i) => i.kind === "value" && i.counter !== undefined);
    assert.ok(items.length >= 3, `only ${items.length} periodic events in 1.5 s`);
    assert.equal(sub.missed, 0);
  });

  test("change events follow abs_change and rel_change; attr-conf events report the config changes", async () => {
    await using conf = await subscribe(dev, ABS, "attr-conf");
    const c0 = await nextItem(conf);
    assert.equal(c0.kind, "config");
    assert.equal(c0.synchronous, true);

    // Phase 1: small thresholds, every value change is an event.
    await setEvents(ABS, { absChange: "1e-9" });
    await setEvents(REL, { relChange: "1e-9" });
    const c1 = await nextItem(conf);
    assert.equal(c1.kind, "config");
    if (c1.kind === "config") assert.match(c1.config.events.change.absChange, /^1e-0*9$/i);

    const absSub = await subscribe(dev, ABS, "change");
    const relSub = await subscribe(dev, REL, "change");
    await nextItem(absSub);
    await nextItem(relSub);
    // TangoTest changes these values about every 2 s.
    const [abs1, rel1] = await Promise.all([collect(absSub, 4500), collect(relSub, 4500)]);
    const absValues = abs1.filter((i) => i.kind === "value").map((i) => valueOfItem(i));
    const relValues = rel1.filter((i) => i.kind === "value").map((i) => valueOfItem(i));
    assert.ok(absValues.length >= 2, `${ABS} abs_change=1e-9: ${absValues.length} events`);
    assert.ok(relValues.length >= 2, `${REL} rel_change=1e-9: ${relValues.length} events`);
    for (let i = 1; i < absValues.length; i++) assert.notEqual(absValues[i], absValues[i - 1]);
    await absSub.close();
    await relSub.close();

    // Phase 2: thresholds larger than any change of these values: nothing passes them.
    await setEvents(ABS, { absChange: "1e15" });
    await setEvents(REL, { relChange: "1e15" });
    const absSub2 = await subscribe(dev, ABS, "change");
    const relSub2 = await subscribe(dev, REL, "change");
    const before = (await dev.read(ABS)).value;
    await nextItem(absSub2);
    await nextItem(relSub2);
    const [abs2, rel2] = await Promise.all([collect(absSub2, 4500), collect(relSub2, 4500)]);
    const changedMeanwhile = (await dev.read(ABS)).value !== before;
    assert.ok(changedMeanwhile, "the polled value should have changed during the window");
    // At most the first event after subscription (the server sends one for a fresh subscriber).
    assert.ok(abs2.filter((i) => i.kind === "value").length <= 1, `abs_change=1e15 passed ${abs2.length} events`);
    assert.ok(rel2.filter((i) => i.kind === "value").length <= 1, `rel_change=1e15 passed ${rel2.length} events`);
    assert.ok(abs2.every((i) => i.kind !== "error"));
    await absSub2.close();
    await relSub2.close();

    const confs = (await collect(conf, 1000)).filter((i) => i.kind === "config");
    assert.ok(
      confs.some((i) => i.kind === "config" && /^1e\+?0*15$/i.test(i.config.events.change.absChange)),
      `attr-conf event with abs_change 1e15 (got ${confs.map((i) => (i.kind === "config" ? i.config.events.change.absChange : "")).join(", ")})`,
    );
  });
});

describe("subscription failures give the DevFailed reason PyTango gets", () => {
  const ctx = new TangoContext({ tangoHost: TANGO_HOST });
  after(async () => {
    await closeEventConsumer(ctx);
    await ctx.close();
  });
  const cases = [
    ["double_scalar", "change", "CHANGE_EVENT"],
    ["short_scalar_ro", "periodic", "PERIODIC_EVENT"],
    ["no_such_attr", "change", "CHANGE_EVENT"],
    ["double_scalar", "data-ready", "DATA_READY_EVENT"],
  ] as const;

  test("same root reason and top frame as PyTango 9.3.6", async () => {
    const script = [
      "import json, tango",
      `p = tango.DeviceProxy("${TT}")`,
      "out = []",
      `for a, e in ${JSON.stringify(cases.map(([a, , e]) => [a, e]))}:`,
      "    try:",
      "        i = p.subscribe_event(a, getattr(tango.EventType, e), lambda ev: None); p.unsubscribe_event(i); out.append(None)",
      "    except tango.DevFailed as ex:",
      "        out.append([ex.args[0].reason, ex.args[-1].reason])",
      "print(json.dumps(out))",
    ].join("\n");
    const py = JSON.parse(
      execFileSync("/usr/bin/python3", ["-c", script], {
        env: { ...process.env, TANGO_HOST, ORBclientTransportRule: "* tcp" },
        encoding: "utf8",
        timeout: 30_000,
      }),
    ) as ([string, string] | null)[];
    const dev = await DeviceProxy.connect(TT, { context: ctx });
    for (const [i, [attr, type]] of cases.entries()) {
      const expected = py[i];
      assert.ok(expected, `PyTango subscribed to ${attr} ${type}?`);
      await assert.rejects(subscribe(dev, attr, type), (err: unknown) => {
        assert.ok(err instanceof DevFailed);
        assert.equal(err.reason, expected[0], `${attr} ${type}`);
        assert.equal(err.errors.at(-1)?.reason, expected[1]);
        return true;
      });
    }
    assert.equal(eventConsumer(ctx).size, 0);
  });
});
