/**
 * Tango ZMQ event wire format: pure functions, no sockets (tango-protocol.md §4.1, §5.2, §5.3).
 *
 * Event message = 4 frames: [topic, endianness octet, ZmqCallInfo CDR, payload].
 * Heartbeat message = 3 frames: [topic, endianness octet, ZmqCallInfo CDR].
 * Payload frame: 4 dummy bytes (ulong 0xDEC0DEC0; 8 dummy bytes for pipe events) then the CDR payload, with CDR
 * alignment counted from the first payload byte (frame offset 4, or 8 for pipes). Checked against the frames
 * captured from PyTango/cppTango 9.3.4: an ATT_DOUBLE value follows the union discriminator and the sequence length
 * without padding, at frame offset 12. Pipe events (topic `….pipe`) carry a DevPipeData after their 8 dummy bytes,
 * and so do their errors (DevErrorList after 8 bytes too: cppTango's supplier sends the whole buffer for pipe events
 * and its consumer skips 8 bytes for them, error or not) — both checked against captured PyTango 9.3 pipe events.
 *
 * Used by the client event consumer (decode) and by the server runtime's PUB supplier (encode).
 */
import { CdrReader, CdrWriter } from "../cdr/cdr.ts";
import { type DevError, ProtocolError } from "../errors/errors.ts";
import { type DevPipeData, readDevPipeData, writeDevPipeData } from "../idl/pipe.ts";
import {
  type AttDataReady,
  type AttributeConfig,
  type AttributeValue5,
  type DevIntrChange,
  readAttDataReady,
  readAttributeConfig,
  readAttributeValue5,
  readDevErrorList,
  readDevIntrChange,
  readZmqCallInfo,
  writeAttDataReady,
  writeAttributeConfig,
  writeAttributeValue5,
  writeDevErrorList,
  writeDevIntrChange,
  writeZmqCallInfo,
  type ZmqCallInfo,
} from "../idl/structs.ts";

/** ZMQ_EVENT_PROT_VERSION: ZmqCallInfo.version of every event and heartbeat. */
export const ZMQ_EVENT_PROT_VERSION = 1;
/** The dummy ulong that precedes every payload (little-endian bytes c0 de c0 de). */
export const PAYLOAD_MARKER = 0xdec0dec0;
/** Suffix of heartbeat topics. */
export const HEARTBEAT_SUFFIX = ".heartbeat";
/** Modifier appended to device / admin names of servers running without a database. */
export const DBASE_NO = "#dbase=no";
/** Prefix of IDL-5 event names in topics (`idl5_change`...). */
export const IDL5_PREFIX = "idl5_";

// ------------------------------------------------------------------------------------------------- event names

/** Tango event type names as they appear on the wire (ZmqEventSubscriptionChange argin[3], topic suffix). */
export const WireEventNames = [
  "change",
  "quality",
  "periodic",
  "archive",
  "user_event",
  "attr_conf",
  "data_ready",
  "intr_change",
  "pipe",
] as const;
export type WireEventName = (typeof WireEventNames)[number];

/**
 * The Tango 10 ALARM event (EventType.ALARM_EVENT = 9): wire name `alarm` in ZmqEventSubscriptionChange and
 * EventConfirmSubscription, topic suffix `.alarm` (never `idl5_` prefixed), payload an AttributeValue_5 as for change
 * events. cppTango 10 servers refuse it from a client that announces an IDL below 6 (`API_ClientTooOld`), and Tango 9
 * servers do not know it (`API_WrongNumberOfArgs`). Client side only: it is not a `WireEventName`, the set our
 * server's supplier accepts.
 */
export const ALARM_EVENT_NAME = "alarm";
/** Event names a client may send: the IDL 5 ones and Tango 10's `alarm`. */
export type ClientWireEventName = WireEventName | typeof ALARM_EVENT_NAME;
/** Lowest client IDL version a server accepts an alarm subscription from (cppTango 10). */
export const ALARM_EVENT_MIN_CLIENT_IDL = 6;

/** User-facing event type names (CLI, subscribe API). */
export const EventTypes = ["change", "periodic", "archive", "user", "attr-conf", "data-ready", "alarm", "pipe"] as const;
export type EventType = (typeof EventTypes)[number];

const WIRE_OF: Record<EventType, ClientWireEventName> = {
  change: "change",
  periodic: "periodic",
  archive: "archive",
  user: "user_event",
  "attr-conf": "attr_conf",
  "data-ready": "data_ready",
  alarm: ALARM_EVENT_NAME,
  pipe: "pipe",
};

export function wireEventName(type: EventType): ClientWireEventName {
  return WIRE_OF[type];
}
/** The client IDL version announced in ZmqEventSubscriptionChange argin[4]: 6 for alarm events, 5 otherwise. */
export function subscriptionClientIdl(type: EventType): number {
  return type === "alarm" ? ALARM_EVENT_MIN_CLIENT_IDL : 5;
}
export function isEventType(s: string): s is EventType {
  return (EventTypes as readonly string[]).includes(s);
}
export function isWireEventName(s: string): s is WireEventName {
  return (WireEventNames as readonly string[]).includes(s);
}

const IDL5_PREFIXED: ReadonlySet<ClientWireEventName> = new Set(["change", "periodic", "archive", "user_event", "attr_conf"]);

/** Event name as used in the topic and in EventConfirmSubscription: `idl5_change` for IDL ≥ 5 (never for data_ready, intr_change, pipe, alarm). */
export function topicEventName(event: ClientWireEventName, idl = 5): string {
  return idl >= 5 && IDL5_PREFIXED.has(event) ? `${IDL5_PREFIX}${event}` : event;
}

// ------------------------------------------------------------------------------------------------- topics

/** `tango://host:port/` (lower case): the fully-qualified prefix of every topic. */
export function tangoHostPrefix(host: string, port: number | string): string {
  return `tango://${host}:${port}/`.toLowerCase();
}

/** Heartbeat channel name (the value returned in ZmqEventSubscriptionChange svalue[n-1]), e.g. `tango://h:10000/dserver/pyref/ref`. */
export function heartbeatChannel(prefix: string, adminDevice: string, opts: { noDb?: boolean } = {}): string {
  return `${prefix}${adminDevice}${opts.noDb ? DBASE_NO : ""}`.toLowerCase();
}

/** Heartbeat topic: channel + `.heartbeat`. */
export function heartbeatTopic(channel: string): string {
  return `${channel.toLowerCase()}${HEARTBEAT_SUFFIX}`;
}

export interface AttributeTopicSpec {
  readonly prefix: string;
  readonly device: string;
  readonly attribute: string;
  readonly event: ClientWireEventName;
  /** Client IDL version the server publishes for (5: `idl5_` prefix). Default 5. */
  readonly idl?: number;
  readonly noDb?: boolean;
}

/** `tango://h:p/dom/fam/mem/attr[#dbase=no].idl5_change` (lower case). */
export function attributeEventTopic(s: AttributeTopicSpec): string {
  return `${s.prefix}${s.device}/${s.attribute}${s.noDb ? DBASE_NO : ""}.${topicEventName(s.event, s.idl ?? 5)}`.toLowerCase();
}

/** Device interface change topic: `tango://h:p/dom/fam/mem[#dbase=no].intr_change`. */
export function interfaceChangeTopic(prefix: string, device: string, opts: { noDb?: boolean } = {}): string {
  return `${prefix}${device}${opts.noDb ? DBASE_NO : ""}.intr_change`.toLowerCase();
}

/** Pipe event topic: `tango://h:p/dom/fam/mem/pipe[#dbase=no].pipe`. */
export function pipeEventTopic(prefix: string, device: string, pipe: string, opts: { noDb?: boolean } = {}): string {
  return `${prefix}${device}/${pipe}${opts.noDb ? DBASE_NO : ""}.pipe`.toLowerCase();
}

export interface ParsedTopic {
  /** `tango://host:port/` */
  readonly prefix: string;
  /** The part between prefix and the last `.`, without `#dbase=no` (e.g. `pyref/test/1/temperature`, `dserver/pyref/ref`). */
  readonly path: string;
  /** Event name without `idl5_` (`change`, `heartbeat`...). */
  readonly event: string;
  readonly idl5: boolean;
  readonly noDb: boolean;
}

/** Splits a topic. Returns undefined for strings that are not Tango topics (e.g. the `I like beer` junk message). */
export function parseTopic(topic: string): ParsedTopic | undefined {
  if (!topic.startsWith("tango://")) return undefined;
  const slash = topic.indexOf("/", 8);
  const dot = topic.lastIndexOf(".");
  if (slash < 0 || dot <= slash) return undefined;
  let path = topic.slice(slash + 1, dot);
  let noDb = false;
  if (path.endsWith(DBASE_NO)) {
    noDb = true;
    path = path.slice(0, -DBASE_NO.length);
  }
  let event = topic.slice(dot + 1);
  const idl5 = event.startsWith(IDL5_PREFIX);
  if (idl5) event = event.slice(IDL5_PREFIX.length);
  return { prefix: topic.slice(0, slash + 1), path, event, idl5, noDb };
}

// ------------------------------------------------------------------------------------------------- call info

export function encodeCallInfo(c: ZmqCallInfo, littleEndian = true): Buffer {
  const w = new CdrWriter({ littleEndian, initialSize: 32 });
  writeZmqCallInfo(w, c);
  return Buffer.from(w.finish());
}
export function decodeCallInfo(frame: Uint8Array, littleEndian: boolean): ZmqCallInfo {
  return readZmqCallInfo(new CdrReader(frame, { littleEndian }));
}

function endianFrame(littleEndian: boolean): Buffer {
  return Buffer.from([littleEndian ? 1 : 0]);
}

// ------------------------------------------------------------------------------------------------- payloads

/** Decoded frame-4 contents, by kind. */
export type EventPayload =
  | { readonly kind: "attr-value"; readonly value: AttributeValue5 }
  | { readonly kind: "attr-conf"; readonly config: AttributeConfig }
  | { readonly kind: "data-ready"; readonly dataReady: AttDataReady }
  | { readonly kind: "intr-change"; readonly intrChange: DevIntrChange }
  | { readonly kind: "errors"; readonly errors: readonly DevError[] }
  /** A pipe event: the pipe name, its time stamp and blob (idl/pipe.ts). */
  | { readonly kind: "pipe"; readonly data: DevPipeData };

export type PayloadKind = EventPayload["kind"];

/** Which payload a topic event name carries when call_is_except is false (IDL-5 client and device). */
export function payloadKindOf(event: string): Exclude<PayloadKind, "errors"> {
  const e = event.startsWith(IDL5_PREFIX) ? event.slice(IDL5_PREFIX.length) : event;
  switch (e) {
    case "attr_conf":
      return "attr-conf";
    case "data_ready":
      return "data-ready";
    case "intr_change":
      return "intr-change";
    case "pipe":
      return "pipe";
    default:
      return "attr-value";
  }
}

/** Is this the topic of a pipe event (`tango://h:p/dev/pipe.pipe`)? Its payloads, errors included, have 8 dummy bytes. */
export function isPipeTopic(topic: string): boolean {
  return topic.endsWith(".pipe");
}

/**
 * Encodes frame 4: dummy bytes + CDR payload, alignment relative to the first payload byte. `pipeTopic`: the frame
 * goes on a pipe topic (8 dummy bytes, also for an error list); by default, when the payload is pipe data.
 */
export function encodePayload(p: EventPayload, littleEndian = true, pipeTopic = p.kind === "pipe"): Buffer {
  const skip = pipeTopic ? 8 : 4;
  // origin -skip: alignment is computed as (pos - skip) % n, i.e. relative to the first payload byte.
  const w = new CdrWriter({ littleEndian, initialSize: 256, origin: -skip });
  const dummies = skip / 4;
  for (let i = 0; i < dummies; i++) w.ulong(PAYLOAD_MARKER);
  switch (p.kind) {
    case "attr-value":
      writeAttributeValue5(w, p.value, true);
      break;
    case "attr-conf":
      writeAttributeConfig(w, p.config, 5);
      break;
    case "data-ready":
      writeAttDataReady(w, p.dataReady);
      break;
    case "intr-change":
      writeDevIntrChange(w, p.intrChange);
      break;
    case "errors":
      writeDevErrorList(w, p.errors);
      break;
    case "pipe":
      writeDevPipeData(w, p.data);
      break;
  }
  return Buffer.from(w.finish());
}

/**
 * Decodes frame 4. `kind` is `payloadKindOf(topic event)` unless call_is_except is set (then "errors"); `pipeTopic`
 * says the frame came on a pipe topic (8 dummy bytes, errors included; by default when `kind` is "pipe").
 * Throws ProtocolError on malformed bytes.
 */
export function decodePayload(frame: Uint8Array, kind: PayloadKind, littleEndian: boolean, pipeTopic = kind === "pipe"): EventPayload {
  const skip = pipeTopic ? 8 : 4;
  if (frame.length < skip) throw new ProtocolError(`ZMQ event payload of ${frame.length} bytes is shorter than its ${skip} dummy bytes`);
  const r = new CdrReader(frame, { littleEndian, origin: skip, start: skip });
  switch (kind) {
    case "attr-value":
      return { kind, value: readAttributeValue5(r, true) };
    case "attr-conf":
      return { kind, config: readAttributeConfig(r, 5) };
    case "data-ready":
      return { kind, dataReady: readAttDataReady(r) };
    case "intr-change":
      return { kind, intrChange: readDevIntrChange(r) };
    case "errors":
      return { kind, errors: readDevErrorList(r) };
    case "pipe":
      return { kind, data: readDevPipeData(r) };
  }
}

// ------------------------------------------------------------------------------------------------- messages

export interface EventMessageSpec {
  readonly topic: string;
  /** Event counter (ZmqCallInfo.ctr), per topic without the idl5_ prefix, starting at 1. */
  readonly ctr: number;
  readonly payload: EventPayload;
  readonly littleEndian?: boolean;
}

/** Builds the 4 frames of an event message (call_is_except is set when the payload is an error list). */
export function encodeEventMessage(spec: EventMessageSpec): [Buffer, Buffer, Buffer, Buffer] {
  const le = spec.littleEndian ?? true;
  const callInfo: ZmqCallInfo = {
    version: ZMQ_EVENT_PROT_VERSION,
    ctr: spec.ctr >>> 0,
    methodName: "",
    oid: new Uint8Array(0),
    callIsExcept: spec.payload.kind === "errors",
  };
  return [
    Buffer.from(spec.topic, "latin1"),
    endianFrame(le),
    encodeCallInfo(callInfo, le),
    encodePayload(spec.payload, le, isPipeTopic(spec.topic)),
  ];
}

/** Builds the 3 frames of a heartbeat message. */
export function encodeHeartbeatMessage(topic: string, opts: { littleEndian?: boolean; ctr?: number } = {}): [Buffer, Buffer, Buffer] {
  const le = opts.littleEndian ?? true;
  const callInfo: ZmqCallInfo = {
    version: ZMQ_EVENT_PROT_VERSION,
    ctr: (opts.ctr ?? 0) >>> 0,
    methodName: "",
    oid: new Uint8Array(0),
    callIsExcept: false,
  };
  return [Buffer.from(topic, "latin1"), endianFrame(le), encodeCallInfo(callInfo, le)];
}

/** A received multipart message, classified. Payload decoding is separate (`decodeEventPayload`) so it can be lazy. */
export type ZmqMessage =
  | { readonly kind: "heartbeat"; readonly topic: string; readonly channel: string; readonly callInfo: ZmqCallInfo }
  | {
      readonly kind: "event";
      readonly topic: string;
      readonly littleEndian: boolean;
      readonly callInfo: ZmqCallInfo;
      /** Raw frame 4. */
      readonly data: Uint8Array;
    }
  /** Anything else (e.g. the 1-frame `I like beer` housekeeping message): to be ignored. */
  | { readonly kind: "other"; readonly frames: number };

function endianOf(frame: Uint8Array): boolean {
  if (frame.length !== 1) throw new ProtocolError(`ZMQ event endianness frame has ${frame.length} bytes, expected 1`);
  const b = frame[0] as number;
  if (b > 1) throw new ProtocolError(`ZMQ event endianness octet ${b} is not 0 or 1`);
  return b === 1;
}

/** Classifies and decodes the envelope of a received multipart message. Throws ProtocolError on malformed frames. */
export function decodeMessage(frames: readonly Uint8Array[]): ZmqMessage {
  const [t, e, c, d] = frames;
  if (t === undefined || e === undefined || c === undefined || frames.length > 4) return { kind: "other", frames: frames.length };
  const topic = Buffer.from(t.buffer, t.byteOffset, t.byteLength).toString("latin1");
  const littleEndian = endianOf(e);
  const callInfo = decodeCallInfo(c, littleEndian);
  if (d === undefined) {
    if (!topic.endsWith(HEARTBEAT_SUFFIX)) return { kind: "other", frames: frames.length };
    return { kind: "heartbeat", topic, channel: topic.slice(0, -HEARTBEAT_SUFFIX.length), callInfo };
  }
  return { kind: "event", topic, littleEndian, callInfo, data: d };
}

/** Decodes frame 4 of an event message according to its topic and call_is_except flag. */
export function decodeEventPayload(msg: Extract<ZmqMessage, { kind: "event" }>): EventPayload {
  const dot = msg.topic.lastIndexOf(".");
  const kind: PayloadKind = msg.callInfo.callIsExcept ? "errors" : payloadKindOf(msg.topic.slice(dot + 1));
  return decodePayload(msg.data, kind, msg.littleEndian, isPipeTopic(msg.topic));
}

// ------------------------------------------------------------------------------------------------- admin reply

/**
 * ZmqEventSubscriptionChange argin as cppTango 9 clients send it: [device, attr (lower case), "subscribe", event, "5"]
 * (alarm events: client IDL "6", as cppTango 10 clients send).
 */
export function subscriptionArgin(device: string, attribute: string, event: ClientWireEventName, clientIdl = 5): string[] {
  return [device, attribute.toLowerCase(), "subscribe", event, String(clientIdl)];
}

/** ZmqEventSubscriptionChange argout (DevVarLongStringArray) in named form (§4.1). */
export interface SubscriptionReply {
  readonly tangoRelease: number;
  readonly deviceIdl: number;
  readonly subHwm: number;
  readonly mcastRate: number;
  readonly mcastIvl: number;
  readonly zmqRelease: number;
  /** Endpoint pairs: [0] = main, then alternates. */
  readonly endpoints: readonly { readonly heartbeat: string; readonly event: string }[];
  /** Event topic the server publishes on (servers ≥ 9.3.0). */
  readonly topic: string;
  /** Heartbeat channel name (without `.heartbeat`). */
  readonly channel: string;
}

export function parseSubscriptionReply(lvalue: readonly number[], svalue: readonly string[]): SubscriptionReply {
  if (lvalue.length < 2 || svalue.length < 4 || svalue.length % 2 !== 0) {
    throw new ProtocolError(
      `ZmqEventSubscriptionChange reply has ${lvalue.length} longs and ${svalue.length} strings (expected ≥ 2 longs and an even number ≥ 4 of strings)`,
    );
  }
  const endpoints: { heartbeat: string; event: string }[] = [];
  for (let i = 0; i + 1 < svalue.length - 2; i += 2) endpoints.push({ heartbeat: svalue[i] as string, event: svalue[i + 1] as string });
  return {
    tangoRelease: lvalue[0] as number,
    deviceIdl: lvalue[1] as number,
    subHwm: lvalue[2] ?? 1000,
    mcastRate: lvalue[3] ?? 0,
    mcastIvl: lvalue[4] ?? 0,
    zmqRelease: lvalue[5] ?? 0,
    endpoints,
    topic: svalue[svalue.length - 2] as string,
    channel: svalue[svalue.length - 1] as string,
  };
}

export function encodeSubscriptionReply(r: SubscriptionReply): { lvalue: number[]; svalue: string[] } {
  return {
    lvalue: [r.tangoRelease, r.deviceIdl, r.subHwm, r.mcastRate, r.mcastIvl, r.zmqRelease],
    svalue: [...r.endpoints.flatMap((e) => [e.heartbeat, e.event]), r.topic, r.channel],
  };
}

// ------------------------------------------------------------------------------------------------- ZMTP (captures only)

/**
 * Splits the ZMTP 3 frames of one captured message (flags octet, 1- or 8-byte size, body) — for golden tests and
 * tools reading the captured `zmtp-*.hex` files; the live transport is libzmq.
 */
export function decodeZmtpFrames(bytes: Uint8Array): { command: boolean; frames: Buffer[] } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const frames: Buffer[] = [];
  let command = false;
  let p = 0;
  while (p < buf.length) {
    const flags = buf[p++] as number;
    let size: number;
    if (flags & 0x02) {
      if (p + 8 > buf.length) throw new ProtocolError("ZMTP: truncated long frame size");
      const big = buf.readBigUInt64BE(p);
      if (big > BigInt(buf.length)) throw new ProtocolError(`ZMTP: frame size ${big} exceeds the ${buf.length} bytes`);
      size = Number(big);
      p += 8;
    } else {
      if (p + 1 > buf.length) throw new ProtocolError("ZMTP: truncated frame size");
      size = buf[p++] as number;
    }
    if (p + size > buf.length) throw new ProtocolError(`ZMTP: frame of ${size} bytes at offset ${p} runs past the ${buf.length} bytes`);
    frames.push(buf.subarray(p, p + size));
    p += size;
    if (flags & 0x04) command = true;
    if (!(flags & 0x01)) break;
  }
  if (p !== buf.length) throw new ProtocolError(`ZMTP: ${buf.length - p} trailing bytes after the last frame`);
  return { command, frames };
}

// ------------------------------------------------------------------------------------------------- hot path (consumer)

/** The ZmqCallInfo fields a consumer needs, read in place (no copy of method_name / oid). */
export interface CallInfoPeek {
  readonly ctr: number;
  readonly callIsExcept: boolean;
}

/**
 * Reads `ctr` and `call_is_except` of a ZmqCallInfo frame without decoding the rest (same checks on lengths as
 * `decodeCallInfo`). Throws ProtocolError on malformed bytes.
 */
export function peekCallInfo(frame: Buffer, littleEndian: boolean): CallInfoPeek {
  const len = frame.length;
  if (len < 12) throw new ProtocolError(`ZmqCallInfo of ${len} bytes is shorter than its fixed part`);
  const ctr = littleEndian ? frame.readUInt32LE(4) : frame.readUInt32BE(4);
  const nameLen = littleEndian ? frame.readUInt32LE(8) : frame.readUInt32BE(8);
  // method_name, then sequence<octet> oid aligned on 4, then the boolean.
  let p = 12 + nameLen;
  p = (p + 3) & ~3;
  if (nameLen > len || p + 4 > len) throw new ProtocolError(`ZmqCallInfo: method_name of ${nameLen} bytes runs past the ${len}-byte frame`);
  const oidLen = littleEndian ? frame.readUInt32LE(p) : frame.readUInt32BE(p);
  p += 4 + oidLen;
  if (oidLen > len || p >= len) throw new ProtocolError(`ZmqCallInfo: oid of ${oidLen} bytes runs past the ${len}-byte frame`);
  const b = frame[p] as number;
  if (b > 1) throw new ProtocolError(`CDR: boolean octet ${b} is not 0 or 1`);
  return { ctr, callIsExcept: b === 1 };
}

/** A scalar element of an attribute event as read from the wire (DevState as its number). */
export type WireScalar = number | bigint | boolean;

/**
 * Receives the fields of the common attribute event (SCALAR, numeric / boolean / DevState value, empty error list),
 * read straight from the payload frame by `readScalarAttrEvent`. One instance is reused for every message (the
 * consumer turns it into an item at once); the attribute name string is kept while the bytes stay the same.
 */
export class ScalarAttrEvent {
  /** AttrValUnion discriminator. */
  d = 0;
  /** Number of elements in the union (0: no value). */
  count = 0;
  value: WireScalar = 0;
  /** The second element (the set point of a READ_WRITE scalar), when there is one. */
  second: WireScalar = 0;
  quality = 0;
  dataFormat = 0;
  dataType = 0;
  sec = 0;
  usec = 0;
  name = "";
  rx = 0;
  ry = 0;
  wx = 0;
  wy = 0;
  /** Bytes of `name` (without NUL), to reuse the string while they do not change. */
  nameBytes: Buffer = Buffer.alloc(0);
}

/** Bytes per element of the numeric AttrValUnion arms handled by the fast path (0: not handled). */
const FAST_SIZE = [1, 2, 4, 8, 4, 8, 1, 2, 4, 8, 0, 4, 0, 0, 0] as const;

function u32(f: Buffer, p: number, le: boolean): number {
  return le ? f.readUInt32LE(p) : f.readUInt32BE(p);
}
function i32(f: Buffer, p: number, le: boolean): number {
  return le ? f.readInt32LE(p) : f.readInt32BE(p);
}
function element(f: Buffer, p: number, d: number, le: boolean): WireScalar {
  switch (d) {
    case 0:
      return f[p] === 1;
    case 1:
      return le ? f.readInt16LE(p) : f.readInt16BE(p);
    case 2:
      return le ? f.readInt32LE(p) : f.readInt32BE(p);
    case 3:
      return le ? f.readBigInt64LE(p) : f.readBigInt64BE(p);
    case 4:
      return le ? f.readFloatLE(p) : f.readFloatBE(p);
    case 5:
      return le ? f.readDoubleLE(p) : f.readDoubleBE(p);
    case 6:
      return f[p] as number;
    case 7:
      return le ? f.readUInt16LE(p) : f.readUInt16BE(p);
    case 9:
      return le ? f.readBigUInt64LE(p) : f.readBigUInt64BE(p);
    default:
      // 8 (ulong), 11 (DevState sequence)
      return le ? f.readUInt32LE(p) : f.readUInt32BE(p);
  }
}

/**
 * Fast path of `decodePayload(frame, "attr-value")`: reads an AttributeValue_5 whose data format is SCALAR, whose
 * value is numeric, boolean or DevState and whose error list is empty, into `out`, without intermediate objects.
 * Returns false (and leaves the work to `decodePayload`, which also reports malformed bytes) for anything else.
 */
export function readScalarAttrEvent(f: Buffer, le: boolean, out: ScalarAttrEvent): boolean {
  const end = f.length;
  // CDR alignment is relative to the first payload byte, frame offset 4: align(n) = 4 + roundUp(p - 4, n).
  let p = 4;
  if (p + 8 > end) return false;
  const d = u32(f, p, le);
  p += 4;
  if (d > 14) return false;
  const size = FAST_SIZE[d as 0] as number;
  let n: number;
  if (d === 12) {
    // DevState: a single ulong, no sequence.
    n = 1;
    out.value = u32(f, p, le);
    p += 4;
  } else {
    if (size === 0) return false;
    n = u32(f, p, le);
    p += 4;
    if (n > 2 || (n > 0 && p + size * n > end)) return false;
    if (n > 0) {
      p = 4 + ((p - 4 + size - 1) & ~(size - 1));
      if (p + size * n > end) return false;
      if (d === 0 && ((f[p] as number) > 1 || (n === 2 && (f[p + 1] as number) > 1))) return false; // bad boolean: general path
      out.value = element(f, p, d, le);
      if (n === 2) out.second = element(f, p + size, d, le);
      p += size * n;
    }
  }
  // quality, data_format, data_type, time (3 longs), name length: 7 aligned ulongs.
  p = 4 + ((p - 4 + 3) & ~3);
  if (p + 28 > end) return false;
  const dataFormat = u32(f, p + 4, le);
  if (dataFormat !== 0) return false;
  out.d = d;
  out.count = n;
  out.quality = u32(f, p, le);
  out.dataFormat = dataFormat;
  out.dataType = i32(f, p + 8, le);
  out.sec = i32(f, p + 12, le);
  out.usec = i32(f, p + 16, le);
  const nameLen = u32(f, p + 24, le);
  p += 28;
  if (nameLen > end - p) return false;
  const nameEnd = nameLen > 0 && f[p + nameLen - 1] === 0 ? p + nameLen - 1 : p + nameLen;
  if (!sameBytes(out.nameBytes, f, p, nameEnd)) {
    for (let i = p; i < nameEnd; i++) if ((f[i] as number) > 0x7f) return false; // non-ASCII: general path
    out.nameBytes = Buffer.from(f.subarray(p, nameEnd));
    out.name = f.toString("latin1", p, nameEnd);
  }
  p = 4 + ((p + nameLen - 4 + 3) & ~3);
  // r_dim, w_dim (4 longs), err_list length.
  if (p + 20 > end) return false;
  out.rx = i32(f, p, le);
  out.ry = i32(f, p + 4, le);
  out.wx = i32(f, p + 8, le);
  out.wy = i32(f, p + 12, le);
  return u32(f, p + 16, le) === 0;
}

function sameBytes(a: Buffer, f: Buffer, start: number, end: number): boolean {
  const n = end - start;
  if (a.length !== n) return false;
  for (let i = n - 1; i >= 0; i--) if (a[i] !== f[start + i]) return false;
  return true;
}
