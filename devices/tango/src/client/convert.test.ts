import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CdrReader, CdrWriter } from "../cdr/cdr.ts";
import { readAny, writeAny } from "../corba/typecode.ts";
import { InvalidArgumentError } from "../errors/errors.ts";
import type { CmdArgTypeName } from "../idl/constants.ts";
import { decodeArgout, encodeArgin, encodeAttrValue, shapeValue, toJsonValue } from "./convert.ts";
import { encodePropertyPut, parsePropertyReply } from "./db-link.ts";

/** Encodes through a real CDR Any and decodes it back, as the wire would. */
function roundTrip(type: CmdArgTypeName, v: unknown): unknown {
  const any = encodeArgin(type, v);
  const w = new CdrWriter();
  writeAny(w, any.type, any.value);
  return decodeArgout(readAny(new CdrReader(w.finish())), type);
}

describe("command argument conversion", () => {
  test("every supported type survives Any encoding", () => {
    const cases: [CmdArgTypeName, unknown, unknown?][] = [
      ["DevVoid", undefined],
      ["DevBoolean", true],
      ["DevShort", -32768],
      ["DevEnum", 3],
      ["DevUShort", 65535],
      ["DevLong", 2147483647],
      ["DevULong", 4294967295],
      ["DevLong64", -(2n ** 63n)],
      ["DevLong64", 5, 5n],
      ["DevULong64", "18446744073709551615", 2n ** 64n - 1n],
      ["DevFloat", 0.5],
      ["DevDouble", -1e308],
      ["DevString", "ünï"],
      ["DevUChar", 255],
      ["DevState", "MOVING"],
      ["DevState", 8, "FAULT"],
      ["DevVarCharArray", [1, 2], new Uint8Array([1, 2])],
      ["DevVarBooleanArray", [true, false]],
      ["DevVarStateArray", ["ON", "ALARM"]],
      ["DevVarLong64Array", [1n, -1n]],
      ["DevVarLongStringArray", [[1], ["a"]], { lvalue: [1], svalue: ["a"] }],
      ["DevEncoded", { format: "json", data: "{}" }, { format: "json", data: new Uint8Array([123, 125]) }],
    ];
    for (const [type, v, expected] of cases) assert.deepEqual(roundTrip(type, v), expected === undefined ? v : expected, type);
  });

  test("values that do not fit raise InvalidArgumentError with the argument named", () => {
    const bad: [CmdArgTypeName, unknown][] = [
      ["DevShort", 32768],
      ["DevShort", 1.5],
      ["DevUShort", -1],
      ["DevULong", 2 ** 32],
      ["DevLong64", 2n ** 63n],
      ["DevULong64", -1],
      ["DevDouble", "1"],
      ["DevBoolean", "true"],
      ["DevString", 1],
      ["DevState", "SLEEPING"],
      ["DevVarDoubleArray", 1],
      ["DevVarStringArray", ["a", 2]],
      ["DevVarLongStringArray", { lvalue: [1] }],
      ["DevVoid", 0],
      ["DevPipeBlob", {}],
    ];
    for (const [type, v] of bad) {
      assert.throws(
        () => encodeArgin(type, v, "argin of X"),
        (e: unknown) => e instanceof InvalidArgumentError && /argin of X|not supported/.test(e.message),
        type,
      );
    }
  });
});

describe("attribute value conversion", () => {
  test("READ_WRITE scalar: read value then set point", () => {
    assert.deepEqual(shapeValue({ d: 5, v: [1.5, 2.5] }, 0, { x: 1, y: 0 }, { x: 1, y: 0 }), { value: 1.5, wValue: 2.5 });
    assert.deepEqual(shapeValue({ d: 5, v: [1.5] }, 0, { x: 1, y: 0 }, { x: 0, y: 0 }), { value: 1.5 });
  });

  test("spectrum and image shapes, states, no data", () => {
    assert.deepEqual(shapeValue({ d: 2, v: [1, 2, 3, 9] }, 1, { x: 3, y: 0 }, { x: 1, y: 0 }), { value: [1, 2, 3], wValue: [9] });
    assert.deepEqual(shapeValue({ d: 6, v: new Uint8Array([1, 2, 3, 4, 5, 6]) }, 2, { x: 3, y: 2 }, { x: 0, y: 0 }), {
      value: [
        [1, 2, 3],
        [4, 5, 6],
      ],
    });
    assert.deepEqual(shapeValue({ d: 12, v: 0 }, 0, { x: 1, y: 0 }, { x: 0, y: 0 }), { value: "ON" });
    assert.deepEqual(shapeValue({ d: 11, v: [6, 13] }, 1, { x: 2, y: 0 }, { x: 0, y: 0 }), { value: ["MOVING", "UNKNOWN"] });
    assert.deepEqual(shapeValue({ d: 14, v: false }, 0, { x: 0, y: 0 }, { x: 0, y: 0 }), { value: null });
  });

  test("writes: union discriminator and w_dim from the configuration", () => {
    assert.deepEqual(encodeAttrValue({ name: "a", dataType: 5, dataFormat: 0 }, 1.5), { union: { d: 5, v: [1.5] }, dim: { x: 1, y: 0 } });
    assert.deepEqual(encodeAttrValue({ name: "a", dataType: 23, dataFormat: 1 }, [1, 2n]), {
      union: { d: 3, v: [1n, 2n] },
      dim: { x: 2, y: 0 },
    });
    assert.deepEqual(
      encodeAttrValue({ name: "a", dataType: 22, dataFormat: 2 }, [
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
      { union: { d: 6, v: new Uint8Array([1, 2, 3, 4, 5, 6]) }, dim: { x: 2, y: 3 } },
    );
    assert.deepEqual(encodeAttrValue({ name: "e", dataType: 29, dataFormat: 0, enumLabels: ["A", "B"] }, "B").union, { d: 1, v: [1] });
    assert.deepEqual(encodeAttrValue({ name: "s", dataType: 19, dataFormat: 0 }, "ALARM").union, { d: 11, v: [11] });
    assert.deepEqual(encodeAttrValue({ name: "x", dataType: 28, dataFormat: 0 }, { format: "f", data: [1] }).union, {
      d: 13,
      v: [{ format: "f", data: new Uint8Array([1]) }],
    });
    assert.throws(() => encodeAttrValue({ name: "a", dataType: 5, dataFormat: 0 }, [1]), InvalidArgumentError);
    assert.throws(() => encodeAttrValue({ name: "a", dataType: 5, dataFormat: 2 }, [[1, 2], [3]]), InvalidArgumentError);
    assert.throws(() => encodeAttrValue({ name: "e", dataType: 29, dataFormat: 0, enumLabels: ["A"] }, "Z"), InvalidArgumentError);
  });

  test("JSON form: bigint → string, bytes → numbers", () => {
    assert.deepEqual(toJsonValue({ a: 1n, b: new Uint8Array([1]), c: [2n] }), { a: "1", b: [1], c: ["2"] });
  });
});

describe("database property layouts", () => {
  test("get reply with a missing property (name, 0, ' ')", () => {
    assert.deepEqual(parsePropertyReply(["dev", "3", "nope", "0", " ", "multi", "2", "a", "b", "one", "1", "x"]), {
      multi: ["a", "b"],
      one: ["x"],
    });
  });
  test("put layout", () => {
    assert.deepEqual(encodePropertyPut("dev", { a: [1, "b"], c: true }), ["dev", "2", "a", "2", "1", "b", "c", "1", "true"]);
  });
});

test("a missing command argument is reported as missing, not as 'undefined'", () => {
  assert.throws(() => encodeArgin("DevShort", undefined, "command CounterReset argin (DevShort)"), {
    name: "InvalidArgumentError",
    message: /CounterReset argin \(DevShort\): expected an integer \(short\), got no value \(the argument is missing\)$/,
  });
});
