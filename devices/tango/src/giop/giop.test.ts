import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ProtocolError } from "../errors/errors.ts";
import {
  decodeMessage,
  encodeLocateReply,
  encodeLocateRequest,
  encodeReply,
  encodeRequest,
  encodeSimple,
  FrameAssembler,
  GIOP_HEADER_SIZE,
  parseHeader,
} from "./giop.ts";

const KEY = new Uint8Array([0xfe, 0x54, 0xc6, 0x05, 0x6b, 0, 0, 0x2e, 0x76, 0, 0, 0, 0, 0]);
const SC = [{ id: 1, data: new Uint8Array([1, 0, 0, 0, 1, 0, 1, 0, 9, 1, 1, 0]) }];

/** Splits a complete message into a first part + Fragment messages of at most `chunk` body bytes (GIOP 1.1/1.2). */
function fragment(msg: Buffer, chunk: number): Buffer[] {
  const minor = msg[5] as number;
  const le = ((msg[6] as number) & 1) === 1;
  const id = minor >= 2 ? (le ? msg.readUInt32LE(12) : msg.readUInt32BE(12)) : 0;
  const out: Buffer[] = [];
  const firstEnd = GIOP_HEADER_SIZE + chunk;
  const head = Buffer.from(msg.subarray(0, firstEnd));
  head[6] = (head[6] as number) | 2;
  head.writeUInt32LE(firstEnd - GIOP_HEADER_SIZE, 8);
  if (!le) head.writeUInt32BE(firstEnd - GIOP_HEADER_SIZE, 8);
  out.push(head);
  for (let p = firstEnd; p < msg.length; p += chunk) {
    const data = msg.subarray(p, Math.min(msg.length, p + chunk));
    const last = p + chunk >= msg.length;
    const hdr = Buffer.alloc(minor >= 2 ? 16 : 12);
    hdr.write("GIOP", 0, "latin1");
    hdr[4] = 1;
    hdr[5] = minor;
    hdr[6] = (le ? 1 : 0) | (last ? 0 : 2);
    hdr[7] = 7;
    const size = data.length + (minor >= 2 ? 4 : 0);
    if (le) hdr.writeUInt32LE(size, 8);
    else hdr.writeUInt32BE(size, 8);
    if (minor >= 2) {
      if (le) hdr.writeUInt32LE(id, 12);
      else hdr.writeUInt32BE(id, 12);
    }
    out.push(Buffer.concat([hdr, data]));
  }
  return out;
}

describe("GIOP encode/decode", () => {
  for (const minor of [0, 1, 2]) {
    for (const littleEndian of [true, false]) {
      const v = `1.${minor} ${littleEndian ? "LE" : "BE"}`;
      test(`Request round trip (${v})`, () => {
        const bytes = encodeRequest(
          { requestId: 77, objectKey: KEY, operation: "command_inout_4", serviceContexts: SC },
          (w) => {
            w.string("DevDouble");
            w.double(3.5);
          },
          { minor, littleEndian },
        );
        const m = decodeMessage(bytes);
        assert.equal(m.type, "Request");
        if (m.type !== "Request") return;
        assert.deepEqual([m.header.major, m.header.minor, m.header.littleEndian], [1, minor, littleEndian]);
        assert.equal(m.requestId, 77);
        assert.equal(m.responseExpected, true);
        assert.deepEqual(m.objectKey, KEY);
        assert.equal(m.operation, "command_inout_4");
        assert.deepEqual(
          m.serviceContexts.map((c) => ({ id: c.id, data: [...c.data] })),
          SC.map((c) => ({ id: c.id, data: [...c.data] })),
        );
        assert.equal(m.body.string(), "DevDouble");
        assert.equal(m.body.double(), 3.5);
        assert.equal(m.body.remaining, 0);
      });

      test(`Reply round trip incl. empty body (${v})`, () => {
        const bytes = encodeReply({ requestId: 5, status: "USER_EXCEPTION" }, (w) => w.string("IDL:Tango/DevFailed:1.0"), {
          minor,
          littleEndian,
        });
        const m = decodeMessage(bytes);
        assert.ok(m.type === "Reply");
        assert.equal(m.requestId, 5);
        assert.equal(m.status, "USER_EXCEPTION");
        assert.equal(m.body.string(), "IDL:Tango/DevFailed:1.0");
        const empty = encodeReply({ requestId: 6, status: "NO_EXCEPTION" }, () => {}, { minor, littleEndian });
        assert.equal(empty.length, GIOP_HEADER_SIZE + 12, "no padding for an empty GIOP 1.2 body");
        const e = decodeMessage(empty);
        assert.ok(e.type === "Reply" && e.body.remaining === 0);
      });
    }
  }

  test("GIOP 1.2 body is 8-aligned from the start of the message", () => {
    const bytes = encodeRequest({ requestId: 1, objectKey: new Uint8Array([1]), operation: "ping" }, (w) => w.octet(9));
    const m = decodeMessage(bytes);
    assert.ok(m.type === "Request");
    assert.equal(m.body.pos % 8, 0);
    assert.equal(m.body.octet(), 9);
  });

  test("each encoded message owns its bytes: later encodes, small or growing, leave it unchanged", () => {
    const a = encodeReply({ requestId: 1, status: "NO_EXCEPTION" }, (w) => w.string("first"));
    const copy = Buffer.from(a);
    encodeReply({ requestId: 2, status: "NO_EXCEPTION" }, (w) => w.string("second"));
    encodeReply({ requestId: 3, status: "NO_EXCEPTION" }, (w) => w.octets(new Uint8Array(5000).fill(0xaa)));
    encodeRequest({ requestId: 4, objectKey: Buffer.from("k"), operation: "op" }, (w) => w.string("x".repeat(700)));
    assert.deepEqual(a, copy);
    const big = encodeReply({ requestId: 5, status: "NO_EXCEPTION" }, (w) => w.octets(new Uint8Array(3000).fill(7)));
    assert.equal(big.readUInt32LE(8), big.length - GIOP_HEADER_SIZE);
    assert.equal(big.subarray(0, 4).toString("latin1"), "GIOP");
  });

  test("LocateRequest / LocateReply / CloseConnection / MessageError", () => {
    for (const minor of [0, 2]) {
      const lr = decodeMessage(encodeLocateRequest(9, KEY, { minor }));
      assert.ok(lr.type === "LocateRequest");
      assert.equal(lr.requestId, 9);
      assert.deepEqual(lr.objectKey, KEY);
    }
    const rep = decodeMessage(encodeLocateReply(9, 1));
    assert.ok(rep.type === "LocateReply");
    assert.equal(rep.requestId, 9);
    assert.equal(rep.status, 1);
    assert.equal(decodeMessage(encodeSimple("CloseConnection")).type, "CloseConnection");
    assert.equal(decodeMessage(encodeSimple("MessageError", { minor: 0 })).type, "MessageError");
  });

  test("garbage and oversize headers → ProtocolError", () => {
    const good = encodeRequest({ requestId: 1, objectKey: KEY, operation: "ping" });
    const bad = (f: (b: Buffer) => void): Buffer => {
      const b = Buffer.from(good);
      f(b);
      return b;
    };
    const cases = [
      Buffer.alloc(0),
      good.subarray(0, 11),
      bad((b) => b.write("GIOX", 0, "latin1")),
      bad((b) => (b[4] = 2)),
      bad((b) => (b[5] = 3)),
      bad((b) => (b[7] = 8)),
      bad((b) => b.writeUInt32LE(0xffffffff, 8)),
      bad((b) => b.writeUInt32LE(good.length, 8)),
      good.subarray(0, good.length - 1),
      Buffer.concat([good, Buffer.alloc(1)]),
      bad((b) => (b[7] = 7)), // stray Fragment
    ];
    for (const c of cases) assert.throws(() => decodeMessage(c), ProtocolError, c.toString("hex"));
    assert.throws(() => parseHeader(good, 10), ProtocolError, "over the configured maximum");
    const asm = new FrameAssembler(1024);
    const big = Buffer.from(good);
    big.writeUInt32LE(4096, 8);
    assert.throws(() => asm.push(big.subarray(0, 12)), ProtocolError, "assembler rejects an oversize header before buffering the body");
    assert.throws(() => new FrameAssembler().push(Buffer.from("HTTP/1.1 200 OK\r\n")), ProtocolError);
  });
});

describe("FrameAssembler", () => {
  const body = (w: import("../cdr/cdr.ts").CdrWriter): void => {
    for (let i = 0; i < 3000; i++) w.double(i);
  };

  for (const minor of [1, 2]) {
    for (const littleEndian of [true, false]) {
      test(`reassembles GIOP 1.${minor} ${littleEndian ? "LE" : "BE"} fragments, interleaved with other messages`, () => {
        const whole = encodeReply({ requestId: 42, status: "NO_EXCEPTION" }, body, { minor, littleEndian });
        const other = encodeReply({ requestId: 43, status: "NO_EXCEPTION" }, (w) => w.long(1), { minor, littleEndian });
        const parts = fragment(whole, 8000);
        assert.ok(parts.length >= 3);
        const stream = Buffer.concat([other, ...parts, other]);
        for (const step of [1, 7, 4096, stream.length]) {
          const asm = new FrameAssembler();
          const out: Buffer[] = [];
          for (let p = 0; p < stream.length; p += step) out.push(...asm.push(stream.subarray(p, p + step)));
          assert.equal(out.length, 3, `step ${step}`);
          assert.deepEqual(out[0], other);
          assert.deepEqual(out[1], whole, "reassembled message equals the unfragmented encoding");
          assert.deepEqual(out[2], other);
          assert.equal(asm.pendingBytes, 0);
          const m = decodeMessage(out[1] as Buffer);
          assert.ok(m.type === "Reply" && m.requestId === 42);
          assert.equal(m.body.double(), 0);
          m.body.pos = m.body.end - 8;
          assert.equal(m.body.double(), 2999);
        }
      });
    }
  }

  test("malformed fragment streams → ProtocolError", () => {
    const whole = encodeReply({ requestId: 42, status: "NO_EXCEPTION" }, body);
    const [first, ...rest] = fragment(whole, 8000);
    assert.throws(() => new FrameAssembler().push(rest[0] as Buffer), ProtocolError, "fragment without a start");
    const v10 = Buffer.from(first as Buffer);
    v10[5] = 0;
    assert.throws(() => new FrameAssembler().push(v10), ProtocolError, "GIOP 1.0 cannot fragment");
    const close = Buffer.from(encodeSimple("CloseConnection"));
    close[6] = (close[6] as number) | 2;
    assert.throws(() => new FrameAssembler().push(close), ProtocolError, "CloseConnection cannot fragment");
    const asm = new FrameAssembler(10000);
    asm.push(first as Buffer);
    assert.throws(() => asm.push(Buffer.concat(rest)), ProtocolError, "reassembled size over the maximum");
  });
});
