/**
 * Tango 10 golden vectors: real frames captured on loopback between pytango 10.3.1 (cppTango 10.3.3, omniORB 4.3.4,
 * libzmq 4.3.5) peers and between pytango 10 and our server (interop10/capture10.sh), committed as
 * `tango10-*.golden.hex` with their origin. Each GIOP frame decodes with our codecs (body consumed exactly), the
 * Tango-10-specific values are checked, requests re-encode to the same bytes modulo padding, and frames fed one byte
 * at a time or in random splits give the same messages. Always runs (no peer needed).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { CdrReader, CdrWriter } from "../cdr/cdr.ts";
import { iiopProfiles, parseIor } from "../corba/ior.ts";
import type { AnyValue } from "../corba/typecode.ts";
import { ProtocolError } from "../errors/errors.ts";
import { decodeEventPayload, decodeMessage as decodeZmq, decodeZmtpFrames } from "../events/zmq-wire.ts";
import { decodeMessage, FrameAssembler } from "../giop/giop.ts";
import type { CommandInoutArgs, UserExceptionBody, WriteAttributes4Args } from "../idl/operations.ts";
import { type ClntIdent, type DevInfo, readClntIdent, writeClntIdent } from "../idl/structs.ts";
import {
  compareModuloPadding,
  type DecodedGolden,
  decodeCapture,
  loadRepoGolden,
  parseHex,
  parseHexHeaders,
  prng,
  reencode,
} from "../testing/golden.ts";
import { readDevInfo6 } from "./wire10.ts";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const files = readdirSync(HERE)
  .filter((f) => f.startsWith("tango10-") && f.endsWith(".golden.hex"))
  .sort();
const giopFiles = files.filter((f) => !f.includes("-zmtp-"));
const decoded = decodeCapture(giopFiles.map((f) => loadRepoGolden(join(HERE, f))));

function byNumber(scenario: string, n: string): DecodedGolden {
  const d = decoded.find((x) => x.source.file.startsWith(`tango10-${scenario}-${n}-`));
  assert.ok(d, `no golden ${scenario}-${n}`);
  return d;
}
function args<T>(d: DecodedGolden): T {
  assert.equal(d.body.kind, "args");
  return (d.body as { value: T }).value;
}
function result<T>(d: DecodedGolden): T {
  assert.equal(d.body.kind, "result");
  return (d.body as { value: T }).value;
}
const EMPTY_TRACE = { traceParent: "", traceState: "" };

describe("Tango 10 golden vectors", () => {
  test("every file names its origin; every GIOP frame decodes with its body consumed", () => {
    assert.ok(giopFiles.length >= 13);
    for (const f of files) {
      const h = parseHexHeaders(readFileSync(join(HERE, f), "utf8"));
      assert.match(h.origin ?? "", /^tango 10 capture /, f);
    }
    assert.equal(decoded.length, giopFiles.length);
  });

  test("narrowing: Tango 10 asks _is_a(Device_6) first; the 9.3 database and our server both answer false", () => {
    const req = byNumber("py10-py10", "001");
    assert.equal(req.message.type === "Request" && req.message.operation, "_is_a");
    assert.equal(req.message.header.minor, 0, "corbaloc objects are reached with GIOP 1.0");
    assert.equal(args<string>(req), "IDL:Tango/Device_6:1.0");
    assert.equal(result<boolean>(byNumber("py10-py10", "002")), false);
    assert.equal(args<string>(byNumber("py10-ts", "001")), "IDL:Tango/Device_6:1.0");
    assert.equal(result<boolean>(byNumber("py10-ts", "002")), false);
  });

  test("DbImportDevice of a Tango 10 device: IOR type id Device_6, version 6", () => {
    const v = result<AnyValue>(byNumber("py10-py10", "016")).value as { lvalue: number[]; svalue: string[] };
    assert.equal(v.svalue[0], "pyref/t10cap/1");
    assert.equal(v.svalue[2], "6");
    const ior = parseIor(v.svalue[1] ?? "");
    assert.equal(ior.typeId, "IDL:Tango/Device_6:1.0");
    const p = iiopProfiles(ior)[0];
    assert.equal(p?.host, "127.0.0.1");
    assert.equal(p?.port, 10460);
  });

  test("info → server_version 6; info_6 → DevInfo_6 with version_info key/value pairs", () => {
    assert.equal(result<DevInfo>(byNumber("py10-py10", "026")).serverVersion, 6);
    const req = byNumber("py10-py10", "031");
    assert.equal(req.message.type === "Request" && req.message.operation, "info_6");
    const reply = byNumber("py10-py10", "032");
    assert.equal(reply.body.kind, "raw", "info_6 is not an IDL 5 operation");
    const raw = (reply.body as { bytes: Uint8Array }).bytes;
    const r = new CdrReader(reply.frame, { littleEndian: true, start: reply.frame.length - raw.length });
    const info = readDevInfo6(r);
    assert.equal(r.remaining, 0);
    assert.equal(info.serverVersion, 6);
    assert.equal(info.devType, "PyRef");
    const kv = Object.fromEntries(info.versionInfo.map((x) => [x.key, x.value]));
    assert.equal(kv.PyTango, "10.3.1");
    assert.equal(kv.cppTango, "10.3.3");
    assert.equal(kv.idl, "6.0.4");
    assert.equal(kv.omniORB, "4.3.4");
  });

  test("ClntIdent CPP_6 (LockerLanguage 2): pid then TraceContext W3C_TC_V0 (two strings)", () => {
    const cmd = args<CommandInoutArgs>(byNumber("py10-py10", "051"));
    assert.equal(cmd.command, "Scale");
    assert.equal(cmd.argin.value, 5);
    assert.deepEqual(cmd.client, { lang: "CPP_6", pid: (cmd.client as { pid: number }).pid, traceContext: EMPTY_TRACE });
    const w = args<WriteAttributes4Args>(byNumber("py10-py10", "045"));
    assert.equal(w.values[0]?.name, "counter");
    assert.equal(w.client.lang, "CPP_6");
    const sub = args<CommandInoutArgs>(byNumber("py10-py10", "093"));
    assert.equal(sub.command, "ZmqEventSubscriptionChange");
    assert.deepEqual(sub.argin.value, ["pyref/t10cap/1", "temperature", "subscribe", "change", "6"]);
  });

  test("ZmqEventSubscriptionChange reply of a Tango 10 server: release 1033, IDL 6, idl5_change topic", () => {
    const v = result<AnyValue>(byNumber("py10-py10", "094")).value as { lvalue: number[]; svalue: string[] };
    assert.deepEqual(v.lvalue.slice(0, 2), [1033, 6]);
    assert.equal(v.svalue[2], "tango://127.0.0.1:10000/pyref/t10cap/1/temperature.idl5_change");
    assert.equal(v.svalue[3], "tango://127.0.0.1:10000/dserver/pyref/t10cap");
  });

  test("MultiDevFailed from a cppTango 10 server", () => {
    const d = byNumber("py10-py10", "066");
    assert.equal(d.body.kind, "user");
    const u = (d.body as { value: UserExceptionBody }).value;
    assert.equal(u.kind, "MultiDevFailed");
    if (u.kind === "MultiDevFailed") assert.equal(u.namedErrors[0]?.errors[0]?.reason, "API_WAttrOutsideLimit");
  });

  test("re-encoding with our encoder gives the captured bytes (modulo padding)", () => {
    for (const d of decoded) {
      if (d.body.kind === "raw") continue;
      const e00 = reencode(d.message, d.body, d.operation, 0x00);
      const eff = reencode(d.message, d.body, d.operation, 0xff);
      assert.ok(e00 && eff, d.source.file);
      const c = compareModuloPadding(d.frame, e00, eff);
      assert.ok(c.equalModuloPadding, `${d.source.file}: differs at ${c.firstDifference}`);
    }
  });

  test("frames fed one byte at a time and in random splits give the same messages", () => {
    const rnd = prng(10);
    for (const d of decoded) {
      const one = new FrameAssembler();
      const got: Buffer[] = [];
      for (const b of d.frame) got.push(...one.push(Buffer.from([b])));
      assert.deepEqual(got, [d.frame]);
      const split = new FrameAssembler();
      const got2: Buffer[] = [];
      let p = 0;
      while (p < d.frame.length) {
        const n = 1 + Math.floor(rnd() * 64);
        got2.push(...split.push(d.frame.subarray(p, p + n)));
        p += n;
      }
      assert.deepEqual(got2, [d.frame]);
      assert.equal(decodeMessage(got2[0] as Buffer).type, d.message.type);
    }
  });

  test("ClntIdent codec: CPP_6 and JAVA_6 round-trip; the captured CPP_6 bytes are reproduced exactly", () => {
    const idents: ClntIdent[] = [
      { lang: "CPP", pid: 7 },
      { lang: "CPP_6", pid: 18829, traceContext: EMPTY_TRACE },
      {
        lang: "CPP_6",
        pid: 1,
        traceContext: { traceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", traceState: "a=b" },
      },
      { lang: "JAVA", mainClass: "Main", uuid: [1n, 2n] },
      { lang: "JAVA_6", mainClass: "Main", uuid: [1n, 2n], traceContext: EMPTY_TRACE },
    ];
    for (const c of idents) {
      const w = new CdrWriter();
      writeClntIdent(w, c);
      assert.deepEqual(readClntIdent(new CdrReader(w.finish())), c);
    }
    // the tail of the captured command_inout_4 (py10-py10-051): discriminator 2, pid, TraceContext 0, "", "" (25 bytes,
    // the 3 padding bytes after the first string hold omniORB buffer garbage)
    const frame = byNumber("py10-py10", "051").frame;
    const tail = frame.subarray(frame.length - 25);
    const enc = (padByte: number): Buffer => {
      const w = new CdrWriter({ origin: frame.length - 25, padByte });
      writeClntIdent(w, { lang: "CPP_6", pid: tail.readUInt32LE(4), traceContext: EMPTY_TRACE });
      return w.finish();
    };
    assert.equal(tail.readUInt32LE(0), 2);
    const c = compareModuloPadding(tail, enc(0), enc(0xff));
    assert.ok(c.equalModuloPadding, `differs at ${c.firstDifference}`);
    assert.equal(c.paddingBytes, 3);
  });

  test("unknown LockerLanguage / TraceContext discriminators are ProtocolErrors", () => {
    const w = new CdrWriter();
    w.ulong(4);
    assert.throws(() => readClntIdent(new CdrReader(w.finish())), ProtocolError);
    const w2 = new CdrWriter();
    w2.ulong(2);
    w2.ulong(1);
    w2.ulong(1);
    assert.throws(() => readClntIdent(new CdrReader(w2.finish())), ProtocolError);
  });

  test("ZMQ change event from a Tango 10 server: 4 frames, idl5_change topic, AttributeValue_5 payload", () => {
    const f = files.find((x) => x.includes("-zmtp-event-"));
    assert.ok(f);
    const bytes = parseHex(readFileSync(join(HERE, f), "utf8"));
    const { command, frames } = decodeZmtpFrames(bytes);
    assert.equal(command, false);
    assert.equal(frames.length, 4);
    const m = decodeZmq(frames);
    assert.equal(m.kind, "event");
    if (m.kind !== "event") return;
    assert.equal(m.topic, "tango://127.0.0.1:10000/pyref/t10cap/1/temperature.idl5_change");
    assert.equal(m.callInfo.ctr, 1);
    assert.equal(m.callInfo.callIsExcept, false);
    const p = decodeEventPayload(m);
    assert.equal(p.kind, "attr-value");
    if (p.kind === "attr-value") {
      assert.equal(p.value.name, "temperature");
      assert.deepEqual(p.value.value, { d: 5, v: [42] });
    }
  });
});
