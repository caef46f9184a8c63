import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { CdrReader, CdrWriter } from "../cdr/cdr.ts";
import { readAny } from "../corba/typecode.ts";
import { ProtocolError } from "../errors/errors.ts";
import { decodeMessage as decodeGiop } from "../giop/giop.ts";
import { writeDevPipeData } from "../idl/pipe.ts";
import { readAttributeConfig, writeDevErrorList } from "../idl/structs.ts";
import { compareModuloPadding } from "../testing/golden.ts";
import {
  attributeEventTopic,
  decodeEventPayload,
  decodeMessage,
  decodePayload,
  decodeZmtpFrames,
  type EventPayload,
  encodeEventMessage,
  encodeHeartbeatMessage,
  encodePayload,
  encodeSubscriptionReply,
  heartbeatChannel,
  heartbeatTopic,
  interfaceChangeTopic,
  parseSubscriptionReply,
  parseTopic,
  payloadKindOf,
  pipeEventTopic,
  subscriptionArgin,
  tangoHostPrefix,
  topicEventName,
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

/** Bytes equal except at the listed offsets (padding that the sender left uninitialised). */
function equalExceptPadding(actual: Uint8Array, expected: Uint8Array, padding: readonly number[]): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (padding.includes(i)) continue;
    assert.equal(actual[i], expected[i], `byte ${i}`);
  }
}

const TOPIC = "tango://127.0.0.1:10000/pyref/test/1/temperature.idl5_change";
const HB_TOPIC = "tango://127.0.0.1:10000/dserver/pyref/ref.heartbeat";
// ZmqCallInfo: version(0-3) ctr(4-7) method_name len(8-11) NUL(12) padding(13-15) oid len(16-19) call_is_except(20)
const CALL_INFO_PADDING = [13, 14, 15];

describe("zmq-wire: captured cppTango/PyTango event frames", () => {
  for (const [name, ctr, value] of [
    ["event-ctr1", 1, 40.0],
    ["event-ctr2", 2, 41.5],
    ["event-ctr3", 3, 43.25],
  ] as const) {
    test(`${name}: decodes and re-encodes`, () => {
      const { command, frames } = decodeZmtpFrames(golden(name));
      assert.equal(command, false);
      assert.deepEqual(
        frames.map((f) => f.length),
        [60, 1, 21, 80],
      );
      const msg = decodeMessage(frames);
      assert.equal(msg.kind, "event");
      if (msg.kind !== "event") return;
      assert.equal(msg.topic, TOPIC);
      assert.equal(msg.littleEndian, true);
      assert.equal(msg.callInfo.version, 1);
      assert.equal(msg.callInfo.ctr, ctr);
      assert.equal(msg.callInfo.callIsExcept, false);
      assert.equal(msg.callInfo.methodName, "");
      const p = decodeEventPayload(msg);
      assert.equal(p.kind, "attr-value");
      if (p.kind !== "attr-value") return;
      assert.deepEqual(p.value.value, { d: 5, v: [value] });
      assert.equal(p.value.name, "temperature");
      assert.equal(p.value.quality, 0);
      assert.equal(p.value.dataFormat, 0);
      assert.equal(p.value.dataType, 5);
      assert.deepEqual(p.value.rDim, { x: 1, y: 0 });
      assert.deepEqual(p.value.wDim, { x: 0, y: 0 });
      assert.deepEqual(p.value.errors, []);
      // frame 4: marker c0dec0de, then the double at frame offset 12 (alignment counted from the first payload byte)
      assert.equal(frames[3]?.subarray(0, 4).toString("hex"), "c0dec0de");
      assert.equal(frames[3]?.readDoubleLE(12), value);

      const re = encodeEventMessage({ topic: msg.topic, ctr: msg.callInfo.ctr, payload: p });
      assert.deepEqual(re[0], frames[0]);
      assert.deepEqual(re[1], frames[1]);
      equalExceptPadding(re[2], frames[2] as Buffer, CALL_INFO_PADDING);
      assert.deepEqual(re[3], frames[3], "payload frame re-encodes byte for byte");
    });
  }

  test("the first event is sent twice with the same counter (cppTango double send)", () => {
    const a = decodeZmtpFrames(golden("event-ctr1"));
    const twin = readFileSync("/work/shared/tango-reference/vectors/events/events-048-zmtp-event-temperature_idl5_change.hex", "utf8");
    const b = decodeZmtpFrames(Buffer.from(twin.replace(/\s+/g, ""), "hex"));
    assert.deepEqual(b.frames, a.frames);
  });

  test("heartbeat: 3 frames, decodes and re-encodes", () => {
    const { frames } = decodeZmtpFrames(golden("heartbeat"));
    assert.deepEqual(
      frames.map((f) => f.length),
      [51, 1, 21],
    );
    const msg = decodeMessage(frames);
    assert.equal(msg.kind, "heartbeat");
    if (msg.kind !== "heartbeat") return;
    assert.equal(msg.topic, HB_TOPIC);
    assert.equal(msg.channel, "tango://127.0.0.1:10000/dserver/pyref/ref");
    assert.equal(msg.callInfo.version, 1);
    assert.equal(msg.callInfo.callIsExcept, false);
    const re = encodeHeartbeatMessage(HB_TOPIC, { ctr: msg.callInfo.ctr });
    assert.deepEqual(re[0], frames[0]);
    assert.deepEqual(re[1], frames[1]);
    equalExceptPadding(re[2], frames[2] as Buffer, CALL_INFO_PADDING);
  });

  test("ZMTP SUBSCRIBE command carries the heartbeat topic", () => {
    const { command, frames } = decodeZmtpFrames(golden("zmtp-subscribe"));
    assert.equal(command, true);
    const body = frames[0] as Buffer;
    assert.equal(body[0], 9);
    assert.equal(body.subarray(1, 10).toString(), "SUBSCRIBE");
    assert.equal(body.subarray(10).toString(), HB_TOPIC);
  });

  test("ZmqEventSubscriptionChange request argin is what subscriptionArgin builds", () => {
    const m = decodeGiop(golden("subscribe-request"));
    assert.equal(m.type, "Request");
    if (m.type !== "Request") return;
    assert.equal(m.operation, "command_inout_4");
    assert.equal(m.body.string(), "ZmqEventSubscriptionChange");
    const argin = readAny(m.body).value;
    assert.deepEqual(argin, subscriptionArgin("pyref/test/1", "Temperature", "change"));
  });

  test("ZmqEventSubscriptionChange reply parses (§4.1) and re-encodes", () => {
    const m = decodeGiop(golden("subscribe-reply"));
    assert.equal(m.type, "Reply");
    if (m.type !== "Reply") return;
    const v = readAny(m.body).value as { lvalue: number[]; svalue: string[] };
    const r = parseSubscriptionReply(v.lvalue, v.svalue);
    assert.equal(r.tangoRelease, 934);
    assert.equal(r.deviceIdl, 5);
    assert.equal(r.subHwm, 1000);
    assert.equal(r.zmqRelease, 434);
    assert.deepEqual(r.endpoints, [{ heartbeat: "tcp://127.0.0.1:41943", event: "tcp://127.0.0.1:43599" }]);
    assert.equal(r.topic, TOPIC);
    assert.equal(r.channel, "tango://127.0.0.1:10000/dserver/pyref/ref");
    assert.deepEqual(encodeSubscriptionReply(r), { lvalue: v.lvalue, svalue: v.svalue });
    // and the topic builders produce the same names the server returned
    const prefix = tangoHostPrefix("127.0.0.1", 10000);
    assert.equal(attributeEventTopic({ prefix, device: "pyref/test/1", attribute: "Temperature", event: "change" }), r.topic);
    assert.equal(heartbeatChannel(prefix, "dserver/PyRef/ref"), r.channel);
    assert.equal(heartbeatTopic(r.channel), HB_TOPIC);
  });
});

describe("zmq-wire: topics", () => {
  const prefix = tangoHostPrefix("Host.Example", 10000);
  test("idl5_ prefix only for change/periodic/archive/user_event/attr_conf", () => {
    assert.equal(topicEventName("change"), "idl5_change");
    assert.equal(topicEventName("user_event"), "idl5_user_event");
    assert.equal(topicEventName("attr_conf"), "idl5_attr_conf");
    assert.equal(topicEventName("data_ready"), "data_ready");
    assert.equal(topicEventName("intr_change"), "intr_change");
    assert.equal(topicEventName("change", 4), "change");
  });
  test("attribute, no-db, data_ready, intr_change, pipe and heartbeat forms", () => {
    assert.equal(
      attributeEventTopic({ prefix, device: "Sys/TG_Test/1", attribute: "Double_Scalar", event: "periodic" }),
      "tango://host.example:10000/sys/tg_test/1/double_scalar.idl5_periodic",
    );
    assert.equal(
      attributeEventTopic({ prefix, device: "sys/tg_test/1", attribute: "x", event: "change", noDb: true }),
      "tango://host.example:10000/sys/tg_test/1/x#dbase=no.idl5_change",
    );
    assert.equal(
      attributeEventTopic({ prefix, device: "a/b/c", attribute: "x", event: "data_ready" }),
      "tango://host.example:10000/a/b/c/x.data_ready",
    );
    assert.equal(interfaceChangeTopic(prefix, "a/b/c"), "tango://host.example:10000/a/b/c.intr_change");
    assert.equal(pipeEventTopic(prefix, "a/b/c", "P"), "tango://host.example:10000/a/b/c/p.pipe");
    assert.equal(
      heartbeatTopic(heartbeatChannel(prefix, "dserver/TangoTest/test", { noDb: true })),
      "tango://host.example:10000/dserver/tangotest/test#dbase=no.heartbeat",
    );
  });
  test("parseTopic", () => {
    assert.deepEqual(parseTopic("tango://h:1/a/b/c/x#dbase=no.idl5_archive"), {
      prefix: "tango://h:1/",
      path: "a/b/c/x",
      event: "archive",
      idl5: true,
      noDb: true,
    });
    assert.deepEqual(parseTopic(HB_TOPIC), {
      prefix: "tango://127.0.0.1:10000/",
      path: "dserver/pyref/ref",
      event: "heartbeat",
      idl5: false,
      noDb: false,
    });
    assert.equal(parseTopic("I like beer"), undefined);
  });
  test("payload kind by event name", () => {
    assert.equal(payloadKindOf("idl5_change"), "attr-value");
    assert.equal(payloadKindOf("idl5_user_event"), "attr-value");
    assert.equal(payloadKindOf("idl5_attr_conf"), "attr-conf");
    assert.equal(payloadKindOf("data_ready"), "data-ready");
    assert.equal(payloadKindOf("intr_change"), "intr-change");
    assert.equal(payloadKindOf("pipe"), "pipe");
  });
});

describe("zmq-wire: payload round trips", () => {
  const m = decodeGiop(golden("attr-config"));
  assert.equal(m.type, "Reply");
  const configs = m.type === "Reply" ? m.body.sequence(64, (r) => readAttributeConfig(r, 5)) : [];
  const config = configs[0];
  assert.ok(config);

  const payloads: EventPayload[] = [
    { kind: "attr-conf", config },
    { kind: "data-ready", dataReady: { name: "temperature", dataType: 5, ctr: 42 } },
    {
      kind: "errors",
      errors: [
        { reason: "API_AttrValueNotSet", desc: "Value not set", origin: "Attribute::read", severity: "ERR" },
        { reason: "API_PollingFailed", desc: "polled read failed", origin: "PollThread", severity: "WARN" },
      ],
    },
    { kind: "intr-change", intrChange: { devStarted: true, commands: [], attributes: [config] } },
    {
      kind: "attr-value",
      value: {
        value: { d: 3, v: [1n, -2n, 3n] },
        quality: 2,
        dataFormat: 1,
        dataType: 4,
        time: { sec: 1700000000, usec: 5, nsec: 0 },
        name: "long64_spectrum",
        rDim: { x: 3, y: 0 },
        wDim: { x: 0, y: 0 },
        errors: [],
      },
    },
    {
      kind: "pipe",
      data: {
        name: "roi",
        time: { sec: 1700000000, usec: 7, nsec: 0 },
        blob: {
          name: "b",
          data: [
            { name: "q", value: { d: 3, v: [-5n] }, innerBlob: [], innerBlobName: "Scalar" },
            {
              name: "sub",
              value: { d: 14, v: true },
              innerBlob: [{ name: "d", value: { d: 5, v: [0.5, 1] }, innerBlob: [], innerBlobName: "Array" }],
              innerBlobName: "inner",
            },
          ],
        },
      },
    },
  ];
  for (const littleEndian of [true, false]) {
    for (const p of payloads) {
      test(`${p.kind} (${littleEndian ? "little" : "big"} endian)`, () => {
        const frame = encodePayload(p, littleEndian);
        const marker = littleEndian ? "c0dec0de" : "dec0dec0";
        assert.equal(frame.subarray(0, 4).toString("hex"), marker);
        if (p.kind === "pipe") assert.equal(frame.subarray(4, 8).toString("hex"), marker);
        assert.deepEqual(decodePayload(frame, p.kind, littleEndian), p);
      });
    }
  }
  test("64-bit values are 8-aligned relative to the first payload byte (frame offset 4)", () => {
    const frame = encodePayload(payloads[4] as EventPayload);
    // marker(0-3) disc(4-7) len(8-11) values from 12
    assert.equal(frame.readBigInt64LE(12), 1n);
    assert.equal(frame.readBigInt64LE(20), -2n);
  });
  test("pipe data: 64-bit values are 8-aligned relative to frame offset 8", () => {
    const frame = encodePayload(payloads[5] as EventPayload);
    // 8 dummy bytes, name "roi" (8), TimeVal (12) → 28, blob name "b" (6, padded to 8) → 36, count → 40,
    // name "q" (6, padded to 8) → 48, discriminator → 52, length → 56: the long long at frame offset 56 (48 + 8).
    assert.equal(frame.readBigInt64LE(56), -5n);
  });
  test("error events set call_is_except and decode as an error list", () => {
    const frames = encodeEventMessage({ topic: TOPIC, ctr: 7, payload: payloads[2] as EventPayload });
    const msg = decodeMessage(frames);
    assert.equal(msg.kind, "event");
    if (msg.kind !== "event") return;
    assert.equal(msg.callInfo.callIsExcept, true);
    assert.deepEqual(decodeEventPayload(msg), payloads[2]);
  });
});

describe("zmq-wire: captured PyTango 9.3 pipe events", () => {
  const PIPE_TOPIC = "tango://127.0.0.1:10000/qa/pipe/cap/rw.pipe";
  for (const [name, ctr, except] of [
    ["pipe-event", 1, false],
    ["pipe-error", 2, true],
  ] as const) {
    test(`${name}: decodes and re-encodes byte for byte`, () => {
      const { frames } = decodeZmtpFrames(golden(name));
      assert.equal(frames.length, 4);
      const msg = decodeMessage(frames);
      assert.equal(msg.kind, "event");
      if (msg.kind !== "event") return;
      assert.equal(msg.topic, PIPE_TOPIC);
      assert.equal(msg.topic, pipeEventTopic("tango://127.0.0.1:10000/", "qa/pipe/cap", "rw"));
      assert.equal(msg.callInfo.ctr, ctr);
      assert.equal(msg.callInfo.callIsExcept, except);
      // Two dummy ulongs before the payload, errors included.
      assert.equal(frames[3]?.subarray(0, 8).toString("hex"), "c0dec0dec0dec0de");
      const p = decodeEventPayload(msg);
      if (except) {
        assert.deepEqual(p, {
          kind: "errors",
          errors: [{ reason: "PipeQa_EventError", desc: "pushed as a pipe event error", origin: "PipeQa.PushPipeError", severity: "ERR" }],
        });
      } else {
        assert.equal(p.kind, "pipe");
        if (p.kind !== "pipe") return;
        assert.equal(p.data.name, "rw");
        assert.equal(p.data.blob.name, "evblob");
        const s = (name: string, value: unknown, kind = "Scalar") => ({ name, value, innerBlob: [], innerBlobName: kind });
        assert.deepEqual(p.data.blob.data, [
          s("text", { d: 10, v: ["event"] }),
          s("n", { d: 3, v: [3n] }),
          s("vals", { d: 5, v: [1.5, 2.5] }, "Array"),
          { name: "sub", value: { d: 14, v: true }, innerBlob: [s("ok", { d: 3, v: [1n] })], innerBlobName: "inner" },
        ]);
      }
      const re = encodeEventMessage({ topic: msg.topic, ctr: msg.callInfo.ctr, payload: p });
      assert.deepEqual(re[0], frames[0]);
      equalExceptPadding(re[2], frames[2] as Buffer, CALL_INFO_PADDING);
      // cppTango leaves buffer garbage in the alignment padding: locate it by encoding with two pad bytes.
      const padded = (padByte: number): Buffer => {
        const w = new CdrWriter({ littleEndian: true, origin: -8, padByte });
        w.ulong(0xdec0dec0);
        w.ulong(0xdec0dec0);
        if (p.kind === "pipe") writeDevPipeData(w, p.data);
        else if (p.kind === "errors") writeDevErrorList(w, p.errors);
        return w.finish();
      };
      assert.deepEqual(re[3], padded(0), "encodePayload writes zero padding");
      const cmp = compareModuloPadding(frames[3] as Buffer, padded(0x00), padded(0xff));
      assert.ok(cmp.equalModuloPadding, `payload frame differs at ${cmp.firstDifference}`);
    });
  }
  test("an error list on a pipe topic is read after 8 dummy bytes, elsewhere after 4", () => {
    const errors = [{ reason: "R", desc: "D", origin: "O", severity: "ERR" as const }];
    const onPipe = encodePayload({ kind: "errors", errors }, true, true);
    const onAttr = encodePayload({ kind: "errors", errors });
    assert.equal(onPipe.length, onAttr.length + 4);
    assert.deepEqual(decodePayload(onPipe, "errors", true, true), { kind: "errors", errors });
    assert.throws(() => decodePayload(onPipe, "errors", true), ProtocolError);
  });
});

describe("zmq-wire: malformed input", () => {
  test("bad endianness octet", () => {
    const f = encodeEventMessage({ topic: TOPIC, ctr: 1, payload: { kind: "errors", errors: [] } });
    assert.throws(() => decodeMessage([f[0], Buffer.from([7]), f[2], f[3]]), ProtocolError);
    assert.throws(() => decodeMessage([f[0], Buffer.from([1, 1]), f[2], f[3]]), ProtocolError);
  });
  test("truncated call info and payload", () => {
    const f = encodeEventMessage({ topic: TOPIC, ctr: 1, payload: { kind: "data-ready", dataReady: { name: "x", dataType: 1, ctr: 1 } } });
    assert.throws(() => decodeMessage([f[0], f[1], f[2].subarray(0, 10), f[3]]), ProtocolError);
    assert.throws(() => decodePayload(f[3].subarray(0, 2), "data-ready", true), ProtocolError);
    assert.throws(() => decodePayload(f[3].subarray(0, f[3].length - 1), "data-ready", true), ProtocolError);
  });
  test("huge sequence length is refused before allocating", () => {
    const w = new CdrWriter();
    w.ulong(0xdec0dec0);
    w.ulong(5); // ATT_DOUBLE
    w.ulong(0x7fffffff); // element count
    assert.throws(() => decodePayload(w.finish(), "attr-value", true), ProtocolError);
  });
  test("stray messages are classified as other", () => {
    assert.deepEqual(decodeMessage([Buffer.from("I like beer")]), { kind: "other", frames: 1 });
    const hb = encodeHeartbeatMessage("tango://h:1/a/b/c.not_a_heartbeat");
    assert.equal(decodeMessage(hb).kind, "other");
  });
  test("ZMTP frame running past the capture", () => {
    assert.throws(() => decodeZmtpFrames(Buffer.from([0x00, 0x05, 1, 2])), ProtocolError);
  });
  test("subscription reply with a missing topic", () => {
    assert.throws(() => parseSubscriptionReply([934, 5], ["tcp://a:1", "tcp://a:2"]), ProtocolError);
  });
  test("CdrReader origin sanity: the payload reader aligns from the first payload byte", () => {
    const r = new CdrReader(Buffer.alloc(20), { origin: 4, start: 4 });
    r.ulong();
    r.double();
    assert.equal(r.pos, 20);
  });
});
