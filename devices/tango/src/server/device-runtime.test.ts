/** Event detection in the runtime (change/archive with criteria, quality and error transitions), with a recording sink. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DevFailed } from "../errors/errors.ts";
import type { AttributeConfig } from "../idl/structs.ts";
import { silentLogger, systemClock } from "../iiop/logger.ts";
import { reading } from "./decorators.ts";
import { type AttrEventKind, type AttrResult, DeviceRuntime, type EventSink } from "./device-runtime.ts";
import { isChange, parseCriteria } from "./event-detect.ts";
import { MemoryStore } from "./memory-store.ts";
import { AllTypes } from "./test-fixtures/interop-device.ts";

class RecordingSink implements EventSink {
  readonly events: { attr: string; kind: string; value: unknown; quality: number; error?: string }[] = [];
  readonly confs: AttributeConfig[] = [];
  readonly ready: { attr: string; dataType: number; ctr: number }[] = [];
  wants(): boolean {
    return true;
  }
  pushAttr(_d: string, attr: string, kind: AttrEventKind, r: AttrResult): void {
    this.events.push({ attr, kind, value: r.readItems[0], quality: r.quality, error: r.errors[0]?.reason });
  }
  pushAttrConf(_d: string, _a: string, c: AttributeConfig): void {
    this.confs.push(c);
  }
  pushDataReady(_d: string, attr: string, dataType: number, ctr: number): void {
    this.ready.push({ attr, dataType, ctr });
  }
}

async function runtime(): Promise<{ rt: DeviceRuntime; sink: RecordingSink }> {
  const sink = new RecordingSink();
  const rt = new DeviceRuntime(AllTypes, "test/rt/1", {
    serverId: "T/t",
    hostName: "h",
    adminName: "dserver/T/t",
    logger: silentLogger,
    clock: systemClock,
    monitor: undefined,
    events: sink,
    store: new MemoryStore(),
  });
  await rt.start();
  return { rt, sink };
}

describe("change criteria", () => {
  test("parseCriteria", () => {
    assert.deepEqual(parseCriteria("2"), { lower: -2, upper: 2 });
    assert.deepEqual(parseCriteria("-1,3"), { lower: -1, upper: 3 });
    assert.equal(parseCriteria("Not specified"), undefined);
    assert.equal(parseCriteria("0"), undefined);
  });
  test("isChange: abs, rel, quality, length, errors, first value", () => {
    const s = (items: unknown[], quality = 0, error?: string) => ({ items, quality, error });
    const abs = parseCriteria("1");
    const rel = parseCriteria("10");
    assert.equal(isChange(undefined, s([1]), true, abs), true);
    assert.equal(isChange(s([1]), s([1.5]), true, abs), false);
    assert.equal(isChange(s([1]), s([2]), true, abs), true);
    assert.equal(isChange(s([100]), s([105]), true, undefined, rel), false);
    assert.equal(isChange(s([100]), s([111]), true, undefined, rel), true);
    assert.equal(isChange(s([1]), s([1], 2), true, abs), true);
    assert.equal(isChange(s([1]), s([1, 1]), true, abs), true);
    assert.equal(isChange(s([1]), s([], 1, "API_X"), true), true);
    assert.equal(isChange(s("a".split("")), s(["b"]), false), true);
  });
});

describe("runtime event detection", () => {
  test("code-pushed change with detect=true follows abs_change; archive follows archive_abs_change", async () => {
    const { rt, sink } = await runtime();
    for (const v of [0, 0.5, 1.2, 1.5, 7, 7.2]) {
      rt.device.pushChangeEvent("detected", v);
      rt.device.pushArchiveEvent("detected", v);
    }
    assert.deepEqual(
      sink.events.filter((e) => e.kind === "change").map((e) => e.value),
      [0, 1.2, 7],
    );
    assert.deepEqual(
      sink.events.filter((e) => e.kind === "archive").map((e) => e.value),
      [0, 7],
    );
  });

  test("detect=false sends every push; quality and errors travel; user and data-ready events", async () => {
    const { rt, sink } = await runtime();
    rt.device.pushChangeEvent("pushed_value", 1);
    rt.device.pushChangeEvent("pushed_value", 1);
    rt.device.pushChangeEvent("pushed_value", reading(2, { quality: "ATTR_ALARM" }));
    rt.device.pushChangeEvent("pushed_value", DevFailed.from("HW_Down", "sensor lost", "test"));
    rt.device.pushEvent("pushed_value", 9);
    rt.device.pushDataReady("pushed_value", 4);
    assert.deepEqual(
      sink.events.map((e) => [e.kind, e.value, e.quality, e.error]),
      [
        ["change", 1, 0, undefined],
        ["change", 1, 0, undefined],
        ["change", 2, 2, undefined],
        ["change", undefined, 1, "HW_Down"],
        ["user", 9, 0, undefined],
      ],
    );
    assert.deepEqual(sink.ready, [{ attr: "pushed_value", dataType: 5, ctr: 4 }]);
    assert.throws(
      () => rt.device.pushChangeEvent("nope", 1),
      (e: unknown) => e instanceof DevFailed && e.hasReason("API_AttrNotFound"),
    );
  });

  test("set_attribute_config sends an attr_conf event and updates limits", async () => {
    const { rt, sink } = await runtime();
    const [c] = rt.attributeConfigs(["limited"]);
    assert.ok(c);
    await rt.setAttributeConfigs([{ ...c, label: "L2", maxValue: "3" }], 5);
    assert.equal(sink.confs[0]?.label, "L2");
    assert.equal(rt.attr("limited").maxValue, 3);
    await assert.rejects(
      rt.writeOne(rt.attr("limited"), [4], { x: 1, y: 0 }),
      (e: unknown) => e instanceof DevFailed && e.hasReason("API_WAttrOutsideLimit"),
    );
  });

  test("subscription preconditions", async () => {
    const { rt } = await runtime();
    assert.throws(
      () => rt.checkSubscription("double_scalar", "change"),
      (e: unknown) => e instanceof DevFailed && e.hasReason("API_AttributePollingNotStarted"),
    );
    assert.throws(
      () => rt.checkSubscription("double_scalar", "data_ready"),
      (e: unknown) => e instanceof DevFailed && e.hasReason("API_AttributeNotDataReadyEnabled"),
    );
    assert.throws(
      () => rt.checkSubscription("double_scalar", "periodic"),
      (e: unknown) => e instanceof DevFailed && e.hasReason("API_AttributePollingNotStarted"),
    );
    rt.polled.set("attribute:long_scalar", { type: "attribute", name: "long_scalar", period: 100, depth: 10, ring: [], timer: undefined });
    assert.throws(
      () => rt.checkSubscription("long_scalar", "change"),
      (e: unknown) => e instanceof DevFailed && e.hasReason("API_EventPropertiesNotSet"),
    );
    rt.polled.clear();
    assert.equal(rt.checkSubscription("pushed_value", "change").name, "pushed_value");
    assert.equal(rt.checkSubscription("double_scalar", "user_event").name, "double_scalar");
    assert.equal(rt.checkSubscription("pushed_value", "data_ready").name, "pushed_value");
  });
});

describe("black box", () => {
  test("keeps the last blackBoxDepth operations, newest first, attribute reads formatted like the others", () => {
    let now = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
    const rt = new DeviceRuntime(AllTypes, "test/rt/2", {
      serverId: "T/t",
      hostName: "h",
      adminName: "dserver/T/t",
      logger: silentLogger,
      clock: { now: () => now++, monotonic: () => 0 },
      monitor: undefined,
      events: undefined,
      store: undefined,
    });
    assert.deepEqual(rt.blackBoxLines(5), []);
    rt.record("Operation ping requested from 10.0.0.1");
    rt.recordAttrs("read_attributes_5", ["double_scalar", "State"], "10.0.0.2");
    assert.deepEqual(rt.blackBoxLines(5), [
      "2024-01-02 03:04:05.679 : Operation read_attributes_5 (attr = double_scalar, State) requested from 10.0.0.2",
      "2024-01-02 03:04:05.678 : Operation ping requested from 10.0.0.1",
    ]);
    for (let i = 0; i < rt.blackBoxDepth + 8; i++) {
      if (i % 2 === 0) rt.record(`entry ${i}`);
      else rt.recordAttrs("read_attributes_4", [`a${i}`], "p");
    }
    const all = rt.blackBoxLines(1000);
    assert.equal(all.length, rt.blackBoxDepth);
    const last = rt.blackBoxDepth + 7;
    assert.match(all[0] ?? "", new RegExp(` : Operation read_attributes_4 \\(attr = a${last}\\) requested from p$`));
    assert.match(all[1] ?? "", new RegExp(` : entry ${last - 1}$`));
    assert.match(all[rt.blackBoxDepth - 1] ?? "", / : entry 8$/);
    assert.deepEqual(rt.blackBoxLines(2), all.slice(0, 2));
  });
});
