/**
 * Tango 10 ALARM events, client side: names, subscription argin, topics, and the frames captured from a real pytango 10
 * server (`zmq-wire.alarm-*.golden.hex`, origin in their headers) through the general decoders and the fast path.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { DevFailed } from "../errors/errors.ts";
import { errorsItem, scalarItem, valueItem } from "./event-item.ts";
import {
  ALARM_EVENT_NAME,
  attributeEventTopic,
  decodeEventPayload,
  decodeMessage,
  EventTypes,
  encodeEventMessage,
  isEventType,
  isWireEventName,
  payloadKindOf,
  peekCallInfo,
  readScalarAttrEvent,
  ScalarAttrEvent,
  subscriptionArgin,
  subscriptionClientIdl,
  tangoHostPrefix,
  topicEventName,
  wireEventName,
} from "./zmq-wire.ts";

/** The frames of a `.golden.hex` file: one frame per non-comment line. */
function frames(name: string): Buffer[] {
  const text = readFileSync(new URL(`./zmq-wire.${name}.golden.hex`, import.meta.url), "utf8");
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => Buffer.from(l, "hex"));
}

const TOPIC = "tango://vm:50859/qa/alarm10/1/tagged#dbase=no.alarm";
const BASE = { device: "qa/alarm10/1", attribute: "tagged", event: "alarm" as const, counter: 1 };

describe("alarm events: names and subscription (as cppTango 10 / pytango 10 send them)", () => {
  test("the user-facing type `alarm` maps to the wire name `alarm`, announced with client IDL 6", () => {
    assert.ok(isEventType("alarm"));
    assert.ok(EventTypes.includes("alarm"));
    assert.equal(wireEventName("alarm"), "alarm");
    assert.equal(ALARM_EVENT_NAME, "alarm");
    assert.equal(subscriptionClientIdl("alarm"), 6);
    for (const t of EventTypes.filter((t) => t !== "alarm")) assert.equal(subscriptionClientIdl(t), 5, t);
    assert.deepEqual(subscriptionArgin("qa/alarm10/1", "Level", wireEventName("alarm"), subscriptionClientIdl("alarm")), [
      "qa/alarm10/1",
      "level",
      "subscribe",
      "alarm",
      "6",
    ]);
  });

  test("topic suffix and EventConfirmSubscription name are `alarm`, never idl5_ prefixed", () => {
    assert.equal(topicEventName("alarm"), "alarm");
    assert.equal(topicEventName("alarm", 6), "alarm");
    const prefix = tangoHostPrefix("vm", 50859);
    assert.equal(attributeEventTopic({ prefix, device: "qa/alarm10/1", attribute: "tagged", event: "alarm", noDb: true }), TOPIC);
    assert.equal(payloadKindOf("alarm"), "attr-value");
  });

  test("`alarm` is not one of the wire names our IDL 5 server supplier accepts", () => {
    assert.equal(isWireEventName("alarm"), false);
  });
});

describe("alarm events: frames captured from pytango 10.3.1 / cppTango 10.3.3", () => {
  test("value event: AttributeValue_5 with the value, quality and time stamp given to push_alarm_event", () => {
    const f = frames("alarm-event");
    assert.deepEqual(
      f.map((x) => x.length),
      [51, 1, 21, 72],
    );
    const msg = decodeMessage(f);
    assert.equal(msg.kind, "event");
    if (msg.kind !== "event") return;
    assert.equal(msg.topic, TOPIC);
    assert.equal(msg.callInfo.ctr, 1);
    assert.equal(msg.callInfo.callIsExcept, false);
    const p = decodeEventPayload(msg);
    assert.equal(p.kind, "attr-value");
    if (p.kind !== "attr-value") return;
    const item = valueItem(BASE, p.value, 5);
    assert.equal(item.kind, "value");
    if (item.kind !== "value") return;
    assert.equal(item.event, "alarm");
    assert.equal(item.name, "tagged");
    assert.equal(item.value, 42);
    assert.equal(item.quality, "ATTR_ALARM");
    assert.equal(item.timeUs, 1_700_000_000_123_456);
    assert.equal(item.dataType, "DevLong");
    assert.equal(item.dataFormat, "SCALAR");
  });

  test("value event: the fast path gives the same item as the general decoder", () => {
    const f = frames("alarm-event");
    const peek = peekCallInfo(f[2] as Buffer, true);
    assert.equal(peek.ctr, 1);
    const s = new ScalarAttrEvent();
    assert.ok(readScalarAttrEvent(f[3] as Buffer, true, s));
    const fast = scalarItem(BASE.device, BASE.attribute, "alarm", 1, s, 5);
    const msg = decodeMessage(f);
    assert.ok(msg.kind === "event");
    const p = decodeEventPayload(msg);
    assert.ok(p.kind === "attr-value");
    assert.deepEqual(fast, valueItem(BASE, p.value, 5));
  });

  test("value event: re-encoding gives the captured payload and call info (ZmqCallInfo padding excepted)", () => {
    const f = frames("alarm-event");
    const msg = decodeMessage(f);
    assert.ok(msg.kind === "event");
    const out = encodeEventMessage({ topic: TOPIC, ctr: 1, payload: decodeEventPayload(msg) });
    assert.deepEqual(out[0], f[0]);
    assert.deepEqual(out[1], f[1]);
    // The byte after "tagged\0" pads err_list to 4: cppTango leaves it uninitialised (0x65 in this capture).
    const payload = f[3] as Buffer;
    const pad = payload.indexOf("tagged", 0, "latin1") + 7;
    assert.equal(out[3].length, payload.length);
    for (let i = 0; i < payload.length; i++) if (i !== pad) assert.equal(out[3][i], payload[i], `payload byte ${i}`);
    const ci = f[2] as Buffer;
    for (let i = 0; i < ci.length; i++) if (i < 13 || i > 15) assert.equal(out[2][i], ci[i], `ZmqCallInfo byte ${i}`);
  });

  test("error event: push_alarm_event(attr, DevFailed) arrives as call_is_except + DevErrorList", () => {
    const f = frames("alarm-error");
    const msg = decodeMessage(f);
    assert.ok(msg.kind === "event");
    assert.equal(msg.callInfo.ctr, 2);
    assert.equal(msg.callInfo.callIsExcept, true);
    const p = decodeEventPayload(msg);
    assert.equal(p.kind, "errors");
    if (p.kind !== "errors") return;
    const item = errorsItem({ ...BASE, counter: 2 }, p.errors, 5);
    assert.ok(item.error instanceof DevFailed);
    assert.equal(item.error.reason, "AlarmFixture_Failure");
    assert.deepEqual(
      item.error.errors.map((e) => [e.reason, e.desc, e.origin]),
      [["AlarmFixture_Failure", "tagged failed on purpose", "Alarm10.PushTaggedError"]],
    );
  });
});
