/**
 * The consumer's hot path (`peekCallInfo`, `readScalarAttrEvent` + `scalarItem`) must give exactly what the general
 * decoders give (`decodeCallInfo`, `decodePayload` + `valueItem`), and leave everything else to them.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { ProtocolError } from "../errors/errors.ts";
import type { AttributeValue5, AttrValUnion } from "../idl/structs.ts";
import { scalarItem, valueItem } from "./event-item.ts";
import {
  decodeCallInfo,
  decodePayload,
  decodeZmtpFrames,
  encodeCallInfo,
  encodeEventMessage,
  encodePayload,
  peekCallInfo,
  readScalarAttrEvent,
  ScalarAttrEvent,
} from "./zmq-wire.ts";

function golden(name: string): Buffer {
  const text = readFileSync(new URL(`./zmq-wire.${name}.golden.hex`, import.meta.url), "utf8");
  const hex = text
    .split("\n")
    .filter((l) => !l.startsWith("#"))
    .join("")
    .replace(/\s+/g, "");
  return Buffer.from(hex, "hex");
}

const BASE = { device: "a/b/c", attribute: "attr", event: "change" as const };

/** Fast path result, or undefined when it declines. */
function fast(frame: Buffer, le: boolean, s = new ScalarAttrEvent()) {
  return readScalarAttrEvent(frame, le, s) ? scalarItem(BASE.device, BASE.attribute, BASE.event, 9, s, 1234) : undefined;
}
/** General path result. */
function general(frame: Buffer, le: boolean) {
  const p = decodePayload(frame, "attr-value", le);
  assert.equal(p.kind, "attr-value");
  return p.kind === "attr-value" ? valueItem({ ...BASE, counter: 9 }, p.value, 1234) : undefined;
}

function av(value: AttrValUnion, over: Partial<AttributeValue5> = {}): AttributeValue5 {
  return {
    value,
    quality: 0,
    dataFormat: 0,
    dataType: 5,
    time: { sec: 1_700_000_000, usec: 123_456, nsec: 0 },
    name: "temperature",
    rDim: { x: 1, y: 0 },
    wDim: { x: 0, y: 0 },
    errors: [],
    ...over,
  };
}

describe("events fast path: call info", () => {
  test("captured frames: ctr and call_is_except as decodeCallInfo reads them", () => {
    for (const name of ["event-ctr1", "event-ctr2", "event-ctr3", "heartbeat"]) {
      const { frames } = decodeZmtpFrames(golden(name));
      const c = frames[2] as Buffer;
      const full = decodeCallInfo(c, true);
      assert.deepEqual(peekCallInfo(c, true), { ctr: full.ctr, callIsExcept: full.callIsExcept }, name);
    }
  });
  test("both byte orders, method names and oids of any length, call_is_except set", () => {
    for (const le of [true, false]) {
      for (const methodName of ["", "a", "push_event", "1234567"]) {
        for (const oid of [new Uint8Array(0), new Uint8Array([1, 2, 3]), new Uint8Array(8)]) {
          for (const callIsExcept of [false, true]) {
            const c = encodeCallInfo({ version: 1, ctr: 0xfffffffe, methodName, oid, callIsExcept }, le);
            assert.deepEqual(peekCallInfo(c, le), { ctr: 0xfffffffe, callIsExcept });
          }
        }
      }
    }
  });
  test("truncated or inconsistent frames throw ProtocolError", () => {
    const c = encodeCallInfo({ version: 1, ctr: 5, methodName: "m", oid: new Uint8Array([1]), callIsExcept: false });
    for (let n = 0; n < c.length; n++) assert.throws(() => peekCallInfo(c.subarray(0, n), true), ProtocolError, `length ${n}`);
    const huge = Buffer.from(c);
    huge.writeUInt32LE(0xffffff00, 8); // method_name length
    assert.throws(() => peekCallInfo(huge, true), ProtocolError);
    const bad = Buffer.from(c);
    bad[bad.length - 1] = 2; // boolean
    assert.throws(() => peekCallInfo(bad, true), ProtocolError);
  });
});

describe("events fast path: AttributeValue_5", () => {
  test("captured frames: same item as the general decoder", () => {
    const s = new ScalarAttrEvent();
    for (const [name, value] of [
      ["event-ctr1", 40.0],
      ["event-ctr2", 41.5],
      ["event-ctr3", 43.25],
    ] as const) {
      const { frames } = decodeZmtpFrames(golden(name));
      const d = frames[3] as Buffer;
      const item = fast(d, true, s);
      assert.ok(item, `${name}: fast path declined`);
      assert.deepEqual(item, general(d, true));
      assert.equal(item.value, value);
    }
  });

  const unions: [string, AttrValUnion, number][] = [
    ["boolean", { d: 0, v: [true] }, 1],
    ["short", { d: 1, v: [-7] }, 2],
    ["long", { d: 2, v: [-70000] }, 3],
    ["long64", { d: 3, v: [-(2n ** 40n)] }, 4],
    ["float", { d: 4, v: [1.5] }, 4],
    ["double", { d: 5, v: [Math.PI] }, 5],
    ["uchar", { d: 6, v: new Uint8Array([200]) }, 22],
    ["ushort", { d: 7, v: [65000] }, 6],
    ["ulong", { d: 8, v: [4_000_000_000] }, 7],
    ["ulong64", { d: 9, v: [2n ** 63n] }, 24],
    ["state sequence", { d: 11, v: [6] }, 19],
    ["state", { d: 12, v: 9 }, 19],
    ["empty sequence", { d: 5, v: [] }, 5],
  ];
  for (const le of [true, false]) {
    const order = le ? "little" : "big";
    for (const [what, value, dataType] of unions) {
      test(`${what} (${order} endian): same item as the general decoder`, () => {
        const frame = encodePayload(
          { kind: "attr-value", value: av(value, { dataType, rDim: { x: what === "empty sequence" ? 0 : 1, y: 0 } }) },
          le,
        );
        const item = fast(frame, le);
        assert.ok(item, "fast path declined");
        assert.deepEqual(item, general(frame, le));
      });
    }
    test(`READ_WRITE scalars carry the set point (${order} endian)`, () => {
      const rw: [AttrValUnion, { x: number; y: number }][] = [
        [
          { d: 5, v: [1.25, 2.5] },
          { x: 1, y: 0 },
        ],
        [
          { d: 0, v: [false, true] },
          { x: 1, y: 0 },
        ],
        [
          { d: 2, v: [3, 4] },
          { x: 0, y: 0 },
        ],
      ];
      for (const [value, wDim] of rw) {
        const frame = encodePayload({ kind: "attr-value", value: av(value, { wDim }) }, le);
        const item = fast(frame, le);
        assert.ok(item);
        assert.deepEqual(item, general(frame, le));
      }
      const frame = encodePayload({ kind: "attr-value", value: av({ d: 5, v: [1.25, 2.5] }, { wDim: { x: 1, y: 0 } }) }, le);
      assert.equal(fast(frame, le)?.wValue, 2.5);
    });
    test(`quality, time stamp, dims and names follow the bytes (${order} endian)`, () => {
      const s = new ScalarAttrEvent();
      for (const name of ["temperature", "temperature", "t", "", "a_much_longer_attribute_name"]) {
        const frame = encodePayload(
          { kind: "attr-value", value: av({ d: 5, v: [1] }, { name, quality: 3, time: { sec: 5, usec: 999_999, nsec: 0 } }) },
          le,
        );
        const item = fast(frame, le, s);
        assert.ok(item);
        assert.deepEqual(item, general(frame, le));
        assert.equal(item.name, name);
      }
    });
  }

  test("declines what the general decoder handles: arrays, strings, encoded, no data, errors, non-ASCII names", () => {
    const cases: AttributeValue5[] = [
      av({ d: 5, v: [1, 2, 3] }, { dataFormat: 1, rDim: { x: 3, y: 0 } }),
      av({ d: 5, v: [1, 2] }, { dataFormat: 1, rDim: { x: 2, y: 0 } }),
      av({ d: 10, v: ["text"] }, { dataType: 8 }),
      av({ d: 13, v: [{ format: "f", data: new Uint8Array([1]) }] }, { dataType: 28 }),
      av({ d: 14, v: true }, { quality: 1 }),
      av({ d: 5, v: [] }, { quality: 1, errors: [{ reason: "R", desc: "d", origin: "o", severity: "ERR" }] }),
      av({ d: 5, v: [1] }, { name: "température" }),
    ];
    for (const a of cases) {
      const frame = encodePayload({ kind: "attr-value", value: a });
      assert.equal(
        readScalarAttrEvent(frame, true, new ScalarAttrEvent()),
        false,
        JSON.stringify(a, (_k, v) => (typeof v === "bigint" ? String(v) : v)),
      );
      general(frame, true); // and the general decoder takes them
    }
  });

  test("truncated or corrupt frames are declined (the general decoder then reports them)", () => {
    const frame = encodePayload({ kind: "attr-value", value: av({ d: 5, v: [1] }) });
    for (let n = 0; n < frame.length; n++) {
      const cut = frame.subarray(0, n);
      assert.equal(readScalarAttrEvent(cut, true, new ScalarAttrEvent()), false, `length ${n}`);
      assert.throws(() => decodePayload(cut, "attr-value", true), ProtocolError, `length ${n}`);
    }
    const badBool = encodePayload({ kind: "attr-value", value: av({ d: 0, v: [true] }, { dataType: 1 }) });
    badBool[12] = 7;
    assert.equal(readScalarAttrEvent(badBool, true, new ScalarAttrEvent()), false);
    const badDisc = Buffer.from(frame);
    badDisc.writeUInt32LE(99, 4);
    assert.equal(readScalarAttrEvent(badDisc, true, new ScalarAttrEvent()), false);
    assert.throws(() => decodePayload(badDisc, "attr-value", true), ProtocolError);
  });

  test("event messages built by the server supplier's encoder take the fast path", () => {
    const [, e, c, d] = encodeEventMessage({
      topic: "tango://h:1/a/b/c/attr.idl5_change",
      ctr: 77,
      payload: { kind: "attr-value", value: av({ d: 2, v: [5] }, { dataType: 3 }) },
    });
    const le = e[0] === 1;
    assert.deepEqual(peekCallInfo(c, le), { ctr: 77, callIsExcept: false });
    assert.equal(fast(d, le)?.value, 5);
  });
});
