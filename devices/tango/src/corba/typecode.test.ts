import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CdrReader, CdrWriter } from "../cdr/cdr.ts";
import { ProtocolError } from "../errors/errors.ts";
import { CmdArgType, type CmdArgTypeName } from "../idl/constants.ts";
import { argTypeOfTypeCode, TC_DevVarLongStringArray, typeCodeForArg } from "../idl/typecodes.ts";
import { equivalent, minWireSize, readAny, readTypeCode, type TypeCode, tc, writeAny, writeTypeCode } from "./typecode.ts";

/** A sample value per argument type, as the codecs represent it. */
const SAMPLES: Partial<Record<CmdArgTypeName, unknown>> = {
  DevVoid: null,
  DevBoolean: true,
  DevShort: -1234,
  DevEnum: 3,
  DevLong: -123456789,
  DevInt: 42,
  DevFloat: 1.5,
  DevDouble: Math.PI,
  DevUShort: 65535,
  DevULong: 4294967295,
  DevLong64: -(2n ** 62n),
  DevULong64: 2n ** 64n - 1n,
  DevUChar: 255,
  DevString: "héllo Tango",
  ConstDevString: "const",
  DevState: 10,
  DevVarCharArray: new Uint8Array([0, 1, 255]),
  DevVarShortArray: [1, -2, 3],
  DevVarLongArray: [2147483647, -2147483648],
  DevVarFloatArray: [0.5, -0.25],
  DevVarDoubleArray: [1.5, 2.5, -3],
  DevVarUShortArray: [0, 65535],
  DevVarULongArray: [0, 4294967295],
  DevVarStringArray: ["a", "", "ccc"],
  DevVarBooleanArray: [true, false, true],
  DevVarLong64Array: [1n, -(2n ** 63n)],
  DevVarULong64Array: [0n, 2n ** 64n - 1n],
  DevVarStateArray: [0, 13],
  DevVarLongStringArray: { lvalue: [1, 2], svalue: ["x", "y"] },
  DevVarDoubleStringArray: { dvalue: [0.5], svalue: ["z"] },
  DevEncoded: { encoded_format: "json", encoded_data: new Uint8Array([123, 125]) },
};

describe("TypeCode and Any", () => {
  for (const name of Object.keys(CmdArgType) as CmdArgTypeName[]) {
    const type = typeCodeForArg(name);
    if (!type) {
      test(`${name}: no TypeCode (not a command argument type we support)`, () => {
        assert.ok(name === "DevPipeBlob", name);
      });
      continue;
    }
    for (const littleEndian of [true, false]) {
      test(`${name} Any round trip (${littleEndian ? "LE" : "BE"}, odd origin)`, () => {
        const w = new CdrWriter({ littleEndian, origin: 3 });
        w.octet(7); // misalign on purpose
        writeAny(w, type, SAMPLES[name]);
        const r = new CdrReader(w.finish(), { littleEndian, origin: -3 });
        assert.equal(r.octet(), 7);
        const any = readAny(r);
        assert.equal(r.remaining, 0);
        assert.ok(equivalent(any.type, type));
        assert.deepEqual(any.type, type, "TypeCode identical, ids and names included");
        assert.deepEqual(any.value, SAMPLES[name]);
        const back = argTypeOfTypeCode(any.type);
        const expected = name === "DevEnum" ? "DevShort" : name === "DevInt" ? "DevLong" : name === "ConstDevString" ? "DevString" : name;
        assert.equal(back, expected);
      });
    }
  }

  test("TypeCode indirection (0xffffffff + negative offset) is followed", () => {
    // struct S { sequence<S> next; } : the inner S is an indirection back to the outer one.
    const w = new CdrWriter();
    w.ulong(15);
    w.encapsulation((e) => {
      e.string("IDL:S:1.0");
      e.string("S");
      e.ulong(1);
      e.string("next");
      e.ulong(19);
      e.encapsulation((s) => {
        s.ulong(0xffffffff);
        s.long(-(s.pos + 4 + 8 + 4 + 56 - 0)); // patched below
        s.ulong(0);
      });
    });
    const bytes = Buffer.from(w.finish());
    // Find the indirection marker and point it at offset 0 (the struct's kind).
    const at = bytes.indexOf(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    bytes.writeInt32LE(0 - (at + 4), at + 4);
    const t = readTypeCode(new CdrReader(bytes));
    assert.equal(t.kind, "struct");
    const m = t.kind === "struct" ? t.members[0] : undefined;
    assert.equal(m?.type.kind, "sequence");
    assert.equal(m?.type.kind === "sequence" && m.type.element, t, "the element is the struct itself");
    // A value of a recursive type: S{ next: [S{ next: [] }] }.
    const v = new CdrWriter();
    v.ulong(1);
    v.ulong(0);
    const r = new CdrReader(Buffer.concat([bytes, v.finish()]));
    const any = readAny(r);
    assert.deepEqual(any.value, { next: [{ next: [] }] });
  });

  test("indirection to an unknown position → ProtocolError", () => {
    const w = new CdrWriter();
    w.ulong(0xffffffff);
    w.long(-100);
    assert.throws(() => readTypeCode(new CdrReader(w.finish())), ProtocolError);
  });

  test("unknown TCKind, Principal, objref values, oversized enum ordinal → ProtocolError", () => {
    for (const kind of [13, 28, 99, 0xfffffffe]) {
      const w = new CdrWriter();
      w.ulong(kind);
      assert.throws(() => readAny(new CdrReader(w.finish())), ProtocolError, `kind ${kind}`);
    }
    const w = new CdrWriter();
    writeTypeCode(w, typeCodeForArg("DevState") as TypeCode);
    w.ulong(14);
    assert.throws(() => readAny(new CdrReader(w.finish())), ProtocolError);
  });

  test("array<null, 4294967295> is rejected before allocating", () => {
    const w = new CdrWriter();
    w.ulong(20);
    w.encapsulation((e) => {
      e.ulong(0);
      e.ulong(0xffffffff);
    });
    const before = process.memoryUsage().heapUsed;
    assert.throws(() => readAny(new CdrReader(w.finish())), ProtocolError);
    assert.ok(process.memoryUsage().heapUsed - before < 64 * 1024 * 1024);
  });

  test("a DAG of zero-size structs built with indirections cannot blow up decoding", () => {
    // S0 = struct{ null a }, S(k) = struct{ S(k-1) a; S(k-1) b (indirection) }: 2^40 null leaves, 0 bytes of value.
    const writeLevel = (w: CdrWriter, k: number): void => {
      w.ulong(15);
      w.encapsulation((e) => {
        e.string(`IDL:S${k}:1.0`);
        e.string(`S${k}`);
        if (k === 0) {
          e.ulong(1);
          e.string("a");
          e.ulong(0);
          return;
        }
        e.ulong(2);
        e.string("a");
        e.align(4);
        const at = e.pos;
        writeLevel(e, k - 1);
        e.string("b");
        e.ulong(0xffffffff);
        e.long(at - e.pos);
      });
    };
    const w = new CdrWriter();
    writeLevel(w, 40);
    const r = new CdrReader(w.finish());
    const t0 = process.hrtime.bigint();
    assert.throws(() => readAny(r), ProtocolError);
    assert.ok(process.hrtime.bigint() - t0 < 5_000_000_000n, "bounded work");
    assert.equal(minWireSize(tc.sequence(tc.simple("double"))), 4);
  });

  test("DevVarLongStringArray TypeCode bytes match cppTango's (struct of two aliases)", () => {
    const w = new CdrWriter();
    writeTypeCode(w, TC_DevVarLongStringArray);
    const t = readTypeCode(new CdrReader(w.finish()));
    assert.deepEqual(t, TC_DevVarLongStringArray);
  });
});
