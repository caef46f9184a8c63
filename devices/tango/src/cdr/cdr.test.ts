import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ProtocolError } from "../errors/errors.ts";
import { CdrReader, CdrWriter } from "./cdr.ts";

describe("CdrWriter/CdrReader", () => {
  for (const littleEndian of [true, false]) {
    const bo = littleEndian ? "LE" : "BE";
    test(`primitives round trip with natural alignment (${bo})`, () => {
      const w = new CdrWriter({ littleEndian });
      w.octet(1);
      w.short(-2);
      w.octet(3);
      w.long(-4);
      w.octet(5);
      w.double(6.5);
      w.boolean(true);
      w.ushort(65535);
      w.ulong(4294967295);
      w.longlong(-(2n ** 63n));
      w.ulonglong(2n ** 64n - 1n);
      w.float(0.25);
      w.string("héllo");
      w.string("");
      const b = w.finish();
      // octet@0, pad, short@2, octet@4, pad, long@8, octet@12, pad, double@16, bool@24, pad, ushort@26, ulong@28,
      // longlong@32, ulonglong@40, float@48, string@52.
      assert.equal(b.length, 52 + 4 + 7 + 1 + 4 + 1, "héllo is 6 UTF-8 bytes + NUL, then 1 pad byte");
      assert.deepEqual([...b.subarray(0, 2)], [1, 0], "pad bytes are zero");
      const r = new CdrReader(b, { littleEndian });
      assert.equal(r.octet(), 1);
      assert.equal(r.short(), -2);
      assert.equal(r.octet(), 3);
      assert.equal(r.long(), -4);
      assert.equal(r.octet(), 5);
      assert.equal(r.double(), 6.5);
      assert.equal(r.boolean(), true);
      assert.equal(r.ushort(), 65535);
      assert.equal(r.ulong(), 4294967295);
      assert.equal(r.longlong(), -(2n ** 63n));
      assert.equal(r.ulonglong(), 2n ** 64n - 1n);
      assert.equal(r.float(), 0.25);
      assert.equal(r.string(), "héllo");
      assert.equal(r.string(), "");
      assert.equal(r.remaining, 0);
    });

    test(`byte order on the wire (${bo})`, () => {
      const w = new CdrWriter({ littleEndian });
      w.ulong(0x01020304);
      assert.deepEqual([...w.finish()], littleEndian ? [4, 3, 2, 1] : [1, 2, 3, 4]);
    });

    test(`sequences round trip (${bo})`, () => {
      const w = new CdrWriter({ littleEndian, origin: 12 });
      w.octet(9);
      w.numberSeq("double", [1.5, -2]);
      w.numberSeq("short", [1, -1]);
      w.bigintSeq(true, [1n, -1n]);
      w.stringSeq(["a", "bc"]);
      w.booleanSeq([true, false]);
      w.octets(new Uint8Array([7, 8]));
      const r = new CdrReader(w.finish(), { littleEndian, origin: -12 });
      assert.equal(r.octet(), 9);
      assert.deepEqual(r.numberSeq("double"), [1.5, -2]);
      assert.deepEqual(r.numberSeq("short"), [1, -1]);
      assert.deepEqual(r.bigintSeq(true), [1n, -1n]);
      assert.deepEqual(r.stringSeq(), ["a", "bc"]);
      assert.deepEqual(r.booleanSeq(), [true, false]);
      assert.deepEqual(r.octets(), new Uint8Array([7, 8]));
      assert.equal(r.remaining, 0);
    });
  }

  test("alignment is relative to the origin (writer: stream offset of byte 0; reader: buffer index of offset 0)", () => {
    const w = new CdrWriter({ origin: 12 }); // body right after a GIOP header
    w.octet(1);
    w.double(2); // stream offset 13 → 16: 3 pad bytes, not 7
    assert.equal(w.finish().length, 1 + 3 + 8);
    const framed = Buffer.concat([Buffer.alloc(12), w.finish()]);
    const r = new CdrReader(framed, { origin: 0, start: 12 });
    assert.equal(r.octet(), 1);
    assert.equal(r.double(), 2);
  });

  test("encapsulations: own byte order, alignment restarts at the byte-order octet", () => {
    const w = new CdrWriter({ littleEndian: true });
    w.octet(0xaa);
    w.encapsulation((e) => {
      e.double(1.25); // offset 1 inside → pad to 8
      e.ulong(7);
    }, false);
    const b = w.finish();
    // 0xaa, pad to 4, ulong length 20, [00 (BE), 7 pad, double, ulong]
    assert.equal(b.readUInt32LE(4), 1 + 7 + 8 + 4);
    assert.equal(b[8], 0, "big-endian encapsulation");
    const r = new CdrReader(b);
    assert.equal(r.octet(), 0xaa);
    const e = r.encapsulation();
    assert.equal(e.littleEndian, false);
    assert.equal(e.double(), 1.25);
    assert.equal(e.ulong(), 7);
    assert.equal(r.remaining, 0);
  });

  test("padByte fills alignment padding (used to locate padding in golden tests)", () => {
    const w = new CdrWriter({ padByte: 0xee });
    w.octet(1);
    w.ulong(2);
    w.encapsulation((e) => e.ulong(3));
    assert.deepEqual([...w.finish()], [1, 0xee, 0xee, 0xee, 2, 0, 0, 0, 8, 0, 0, 0, 1, 0xee, 0xee, 0xee, 3, 0, 0, 0]);
  });

  test("strings: latin-1 fallback, lenient length 0, missing NUL tolerated", () => {
    const latin = Buffer.from([3, 0, 0, 0, 0xe9, 0x41, 0]);
    assert.equal(new CdrReader(latin).string(), "éA");
    assert.equal(new CdrReader(Buffer.from([0, 0, 0, 0])).string(), "");
    assert.equal(new CdrReader(Buffer.from([2, 0, 0, 0, 0x41, 0x42])).string(), "AB");
  });

  test("written strings: Latin-1 bytes when every character fits, else UTF-8, short and long, after any offset", () => {
    const samples = ["", "A", "temperature", "héllo ÿ", "x".repeat(64), "é".repeat(65), "y".repeat(300), "€uro", "ok 😀", "日本"];
    for (const v of samples) {
      const w = new CdrWriter({ initialSize: 4 });
      w.octet(7); // the length is aligned after it
      w.string(v);
      const enc = [...v].every((c) => (c.codePointAt(0) ?? 0) <= 0xff) ? "latin1" : "utf8";
      const bytes = Buffer.from(v, enc);
      const want = Buffer.alloc(8 + bytes.length + 1);
      want[0] = 7;
      want.writeUInt32LE(bytes.length + 1, 4);
      bytes.copy(want, 8);
      assert.deepEqual(w.finish(), want, JSON.stringify(v));
      const r = new CdrReader(w.finish());
      r.octet();
      assert.equal(r.string(), v);
    }
  });

  test("truncated input → ProtocolError, never RangeError", () => {
    const cases: ((r: CdrReader) => unknown)[] = [
      (r) => r.ulong(),
      (r) => r.double(),
      (r) => r.string(),
      (r) => r.octets(),
      (r) => r.numberSeq("double"),
      (r) => r.bigintSeq(false),
      (r) => r.stringSeq(),
      (r) => r.encapsulation(),
      (r) => r.raw(10),
    ];
    for (const [i, read] of cases.entries()) {
      for (const bytes of i < 2 ? [[], [1], [1, 0, 0]] : [[], [1], [1, 0, 0], [5, 0, 0, 0, 1]]) {
        assert.throws(() => read(new CdrReader(Buffer.from(bytes))), ProtocolError, `${read} on ${bytes}`);
      }
    }
    assert.throws(() => new CdrReader(Buffer.from([2, 0, 0, 0, 5])).boolean(), ProtocolError);
    assert.throws(() => new CdrReader(Buffer.alloc(4), { end: 5 }), ProtocolError);
    assert.throws(() => new CdrReader(Buffer.from([1, 0, 0, 0, 7])).encapsulation(), ProtocolError, "byte-order octet 7");
    assert.throws(() => new CdrReader(Buffer.from([0, 0, 0, 0])).encapsulation(), ProtocolError, "empty encapsulation");
  });

  test("huge declared lengths are rejected before allocating", () => {
    const huge = (n: number): Buffer => {
      const b = Buffer.alloc(16);
      b.writeUInt32LE(n, 0);
      return b;
    };
    const before = process.memoryUsage().arrayBuffers;
    for (const n of [0xffffffff, 0x7fffffff, 0x10000000, 13]) {
      assert.throws(() => new CdrReader(huge(n)).octets(), ProtocolError);
      assert.throws(() => new CdrReader(huge(n)).string(), ProtocolError);
      assert.throws(() => new CdrReader(huge(n)).numberSeq("double"), ProtocolError);
      assert.throws(() => new CdrReader(huge(n)).numberSeq("short"), ProtocolError);
      assert.throws(() => new CdrReader(huge(n)).bigintSeq(true), ProtocolError);
      assert.throws(() => new CdrReader(huge(n)).stringSeq(), ProtocolError);
      assert.throws(() => new CdrReader(huge(n)).booleanSeq(), ProtocolError);
      assert.throws(() => new CdrReader(huge(n)).sequence(1, (r) => r.octet()), ProtocolError);
      assert.throws(() => new CdrReader(huge(n)).encapsulation(), ProtocolError);
    }
    assert.ok(process.memoryUsage().arrayBuffers - before < 1024 * 1024, "no large ArrayBuffer allocated");
  });
});
