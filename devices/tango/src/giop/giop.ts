/**
 * GIOP 1.0-1.2 message framing: headers, Request/Reply/Locate headers, fragment reassembly.
 * Bytes only: no sockets here.
 */
import { CdrReader, CdrWriter } from "../cdr/cdr.ts";
import { ProtocolError } from "../errors/errors.ts";

export const MsgType = {
  Request: 0,
  Reply: 1,
  CancelRequest: 2,
  LocateRequest: 3,
  LocateReply: 4,
  CloseConnection: 5,
  MessageError: 6,
  Fragment: 7,
} as const;
export type MsgTypeName = keyof typeof MsgType;
const MSG_NAMES = Object.keys(MsgType) as MsgTypeName[];

export const ReplyStatus = {
  NO_EXCEPTION: 0,
  USER_EXCEPTION: 1,
  SYSTEM_EXCEPTION: 2,
  LOCATION_FORWARD: 3,
  LOCATION_FORWARD_PERM: 4,
  NEEDS_ADDRESSING_MODE: 5,
} as const;
export type ReplyStatusName = keyof typeof ReplyStatus;
const REPLY_NAMES = Object.keys(ReplyStatus) as ReplyStatusName[];

export const LocateStatus = {
  UNKNOWN_OBJECT: 0,
  OBJECT_HERE: 1,
  OBJECT_FORWARD: 2,
  OBJECT_FORWARD_PERM: 3,
  LOC_SYSTEM_EXCEPTION: 4,
  LOC_NEEDS_ADDRESSING_MODE: 5,
} as const;

export const GIOP_HEADER_SIZE = 12;
/** Tango configures omniORB with giopMaxMsgSize = 256 MiB. */
export const DEFAULT_MAX_MESSAGE_SIZE = 256 * 1024 * 1024;

export interface ServiceContext {
  readonly id: number;
  readonly data: Uint8Array;
}

export interface GiopHeader {
  readonly major: number;
  readonly minor: number;
  readonly littleEndian: boolean;
  readonly moreFragments: boolean;
  readonly type: MsgTypeName;
  /** Body size (bytes after the 12-byte header). */
  readonly size: number;
}

export function parseHeader(buf: Uint8Array, maxSize = DEFAULT_MAX_MESSAGE_SIZE): GiopHeader {
  if (buf.length < GIOP_HEADER_SIZE) throw new ProtocolError(`GIOP: header needs 12 bytes, got ${buf.length}`);
  if (buf[0] !== 0x47 || buf[1] !== 0x49 || buf[2] !== 0x4f || buf[3] !== 0x50) {
    throw new ProtocolError(`GIOP: bad magic ${Buffer.from(buf.subarray(0, 4)).toString("hex")}`);
  }
  const major = buf[4] as number;
  const minor = buf[5] as number;
  if (major !== 1 || minor > 2) throw new ProtocolError(`GIOP: unsupported version ${major}.${minor}`);
  const flags = buf[6] as number;
  const littleEndian = (flags & 1) === 1;
  const typeCode = buf[7] as number;
  const type = MSG_NAMES[typeCode];
  if (type === undefined) throw new ProtocolError(`GIOP: unknown message type ${typeCode}`);
  const b8 = buf[8] as number;
  const b9 = buf[9] as number;
  const b10 = buf[10] as number;
  const b11 = buf[11] as number;
  const size = littleEndian ? b8 + b9 * 0x100 + b10 * 0x10000 + b11 * 0x1000000 : b11 + b10 * 0x100 + b9 * 0x10000 + b8 * 0x1000000;
  if (size > maxSize) throw new ProtocolError(`GIOP: message size ${size} exceeds the limit of ${maxSize} bytes`);
  return { major, minor, littleEndian, moreFragments: (flags & 2) === 2, type, size };
}

export type TargetAddress =
  | { readonly kind: "key"; readonly objectKey: Uint8Array }
  | { readonly kind: "profile"; readonly tag: number; readonly data: Uint8Array }
  | { readonly kind: "reference"; readonly index: number; readonly ior: Uint8Array };

export interface RequestMessage {
  readonly type: "Request";
  readonly header: GiopHeader;
  readonly requestId: number;
  readonly responseExpected: boolean;
  readonly target: TargetAddress;
  readonly objectKey: Uint8Array;
  readonly operation: string;
  readonly serviceContexts: readonly ServiceContext[];
  /** Reader positioned at the first argument (alignment already applied). */
  readonly body: CdrReader;
}

export interface ReplyMessage {
  readonly type: "Reply";
  readonly header: GiopHeader;
  readonly requestId: number;
  readonly status: ReplyStatusName;
  readonly serviceContexts: readonly ServiceContext[];
  readonly body: CdrReader;
}

export interface LocateRequestMessage {
  readonly type: "LocateRequest";
  readonly header: GiopHeader;
  readonly requestId: number;
  readonly objectKey: Uint8Array;
}
export interface LocateReplyMessage {
  readonly type: "LocateReply";
  readonly header: GiopHeader;
  readonly requestId: number;
  readonly status: number;
  readonly body: CdrReader;
}
export interface CancelRequestMessage {
  readonly type: "CancelRequest";
  readonly header: GiopHeader;
  readonly requestId: number;
}
export interface SimpleMessage {
  readonly type: "CloseConnection" | "MessageError";
  readonly header: GiopHeader;
}

export type GiopMessage = RequestMessage | ReplyMessage | LocateRequestMessage | LocateReplyMessage | CancelRequestMessage | SimpleMessage;

const NO_SERVICE_CONTEXTS: readonly ServiceContext[] = Object.freeze([]);

function readServiceContext(x: CdrReader): ServiceContext {
  return { id: x.ulong(), data: x.octets() };
}

function readServiceContexts(r: CdrReader): readonly ServiceContext[] {
  // Replies to Tango clients carry none: no array per message for the common case.
  const n = r.seqLength(8, "service context list");
  if (n === 0) return NO_SERVICE_CONTEXTS;
  const out = new Array<ServiceContext>(n);
  for (let i = 0; i < n; i++) out[i] = readServiceContext(r);
  return out;
}

function readTarget(r: CdrReader): TargetAddress {
  const disc = r.short();
  switch (disc) {
    case 0:
      return { kind: "key", objectKey: r.octets() };
    case 1: {
      const tag = r.ulong();
      return { kind: "profile", tag, data: r.octets() };
    }
    case 2: {
      const index = r.ulong();
      // IOR: type_id + profiles; keep the raw bytes for the caller.
      const start = r.pos;
      r.string();
      const n = r.seqLength(8, "IOR profiles");
      for (let i = 0; i < n; i++) {
        r.ulong();
        r.octets();
      }
      return { kind: "reference", index, ior: new Uint8Array(r.buf.subarray(start, r.pos)) };
    }
    default:
      throw new ProtocolError(`GIOP: unknown TargetAddress discriminator ${disc}`);
  }
}

function bodyAlign12(r: CdrReader, minor: number): void {
  // GIOP 1.2: the body is 8-aligned, but only when a body exists.
  if (minor >= 2 && r.remaining > 0) r.align(8);
}

/** Decodes one complete (reassembled) GIOP message. `buf` must hold exactly header + body. */
export function decodeMessage(buf: Uint8Array, maxSize = DEFAULT_MAX_MESSAGE_SIZE): GiopMessage {
  const header = parseHeader(buf, maxSize);
  if (buf.length !== GIOP_HEADER_SIZE + header.size) {
    throw new ProtocolError(`GIOP: message is ${buf.length} bytes, header says ${GIOP_HEADER_SIZE + header.size}`);
  }
  const r = new CdrReader(buf, { littleEndian: header.littleEndian, origin: 0, start: GIOP_HEADER_SIZE });
  switch (header.type) {
    case "Request": {
      let requestId: number;
      let responseExpected: boolean;
      let target: TargetAddress;
      let serviceContexts: readonly ServiceContext[];
      let operation: string;
      if (header.minor >= 2) {
        requestId = r.ulong();
        const flags = r.octet();
        responseExpected = (flags & 1) === 1;
        r.raw(3);
        target = readTarget(r);
        operation = r.string();
        serviceContexts = readServiceContexts(r);
        bodyAlign12(r, header.minor);
      } else {
        serviceContexts = readServiceContexts(r);
        requestId = r.ulong();
        responseExpected = r.octet() !== 0;
        if (header.minor === 1) r.raw(3);
        target = { kind: "key", objectKey: r.octets() };
        operation = r.string();
        r.octets(); // requesting_principal
      }
      const objectKey = target.kind === "key" ? target.objectKey : new Uint8Array(0);
      return { type: "Request", header, requestId, responseExpected, target, objectKey, operation, serviceContexts, body: r };
    }
    case "Reply": {
      let requestId: number;
      let statusCode: number;
      let serviceContexts: readonly ServiceContext[];
      if (header.minor >= 2) {
        requestId = r.ulong();
        statusCode = r.ulong();
        serviceContexts = readServiceContexts(r);
        bodyAlign12(r, header.minor);
      } else {
        serviceContexts = readServiceContexts(r);
        requestId = r.ulong();
        statusCode = r.ulong();
      }
      const status = REPLY_NAMES[statusCode];
      if (status === undefined) throw new ProtocolError(`GIOP: unknown reply status ${statusCode}`);
      return { type: "Reply", header, requestId, status, serviceContexts, body: r };
    }
    case "LocateRequest": {
      const requestId = r.ulong();
      const target: TargetAddress = header.minor >= 2 ? readTarget(r) : { kind: "key", objectKey: r.octets() };
      return { type: "LocateRequest", header, requestId, objectKey: target.kind === "key" ? target.objectKey : new Uint8Array(0) };
    }
    case "LocateReply": {
      const requestId = r.ulong();
      const status = r.ulong();
      bodyAlign12(r, header.minor);
      return { type: "LocateReply", header, requestId, status, body: r };
    }
    case "CancelRequest":
      return { type: "CancelRequest", header, requestId: r.ulong() };
    case "CloseConnection":
    case "MessageError":
      return { type: header.type, header };
    case "Fragment":
      throw new ProtocolError("GIOP: stray Fragment message without a preceding fragmented message");
  }
}

// ------------------------------------------------------------------------------------------------- encoding

export interface EncodeOptions {
  readonly minor?: number;
  readonly littleEndian?: boolean;
  /** Value of alignment padding bytes (default 0). Tests encode twice with different values to locate padding. */
  readonly padByte?: number;
}

function startMessage(opts: EncodeOptions): CdrWriter {
  const w = new CdrWriter({ littleEndian: opts.littleEndian ?? true, origin: 0, initialSize: 512, padByte: opts.padByte ?? 0 });
  w.reserve(GIOP_HEADER_SIZE); // written by finishMessage
  return w;
}

/** Fills in the header and returns the message: the writer's own bytes (each message has its own writer). */
function finishMessage(w: CdrWriter, type: number, opts: EncodeOptions, moreFragments = false): Buffer {
  const out = w.finish();
  const le = opts.littleEndian ?? true;
  out[0] = 0x47; // G
  out[1] = 0x49; // I
  out[2] = 0x4f; // O
  out[3] = 0x50; // P
  out[4] = 1;
  out[5] = opts.minor ?? 2;
  out[6] = (le ? 1 : 0) | (moreFragments ? 2 : 0);
  out[7] = type;
  if (le) out.writeUInt32LE(out.length - GIOP_HEADER_SIZE, 8);
  else out.writeUInt32BE(out.length - GIOP_HEADER_SIZE, 8);
  return out;
}

function writeServiceContexts(w: CdrWriter, list: readonly ServiceContext[] | undefined): void {
  if (!list || list.length === 0) {
    w.ulong(0);
    return;
  }
  w.sequence(list, (x, sc) => {
    x.ulong(sc.id);
    x.octets(sc.data);
  });
}

/** Writes a Request/Reply body after its header: GIOP 1.2 pads to 8 only if the body is not empty; 1.0/1.1 never pad. */
export function writeMessageBody(w: CdrWriter, minor: number, body: ((w: CdrWriter) => void) | undefined): void {
  if (!body) return;
  if (minor < 2) {
    body(w);
    return;
  }
  const before = w.pos;
  w.align(8);
  const aligned = w.pos;
  body(w);
  if (w.pos === aligned) w.pos = before;
}

export interface RequestSpec {
  readonly requestId: number;
  readonly objectKey: Uint8Array;
  readonly operation: string;
  readonly responseExpected?: boolean;
  readonly serviceContexts?: readonly ServiceContext[];
}

export function encodeRequest(spec: RequestSpec, body?: (w: CdrWriter) => void, opts: EncodeOptions = {}): Buffer {
  const minor = opts.minor ?? 2;
  const w = startMessage(opts);
  const re = spec.responseExpected ?? true;
  if (minor >= 2) {
    w.ulong(spec.requestId);
    w.octet(re ? 3 : 0);
    w.raw(new Uint8Array(3));
    w.short(0); // KeyAddr
    w.octets(spec.objectKey);
    w.string(spec.operation);
    writeServiceContexts(w, spec.serviceContexts);
  } else {
    writeServiceContexts(w, spec.serviceContexts);
    w.ulong(spec.requestId);
    w.octet(re ? 1 : 0);
    if (minor === 1) w.raw(new Uint8Array(3));
    w.octets(spec.objectKey);
    w.string(spec.operation);
    w.octets(new Uint8Array(0));
  }
  writeMessageBody(w, minor, body);
  return finishMessage(w, MsgType.Request, { ...opts, minor });
}

export interface ReplySpec {
  readonly requestId: number;
  readonly status: ReplyStatusName;
  readonly serviceContexts?: readonly ServiceContext[];
}

export function encodeReply(spec: ReplySpec, body?: (w: CdrWriter) => void, opts: EncodeOptions = {}): Buffer {
  const minor = opts.minor ?? 2;
  const w = startMessage(opts);
  if (minor >= 2) {
    w.ulong(spec.requestId);
    w.ulong(ReplyStatus[spec.status]);
    writeServiceContexts(w, spec.serviceContexts);
  } else {
    writeServiceContexts(w, spec.serviceContexts);
    w.ulong(spec.requestId);
    w.ulong(ReplyStatus[spec.status]);
  }
  writeMessageBody(w, minor, body);
  return finishMessage(w, MsgType.Reply, { ...opts, minor });
}

export function encodeLocateReply(requestId: number, status: number, opts: EncodeOptions = {}): Buffer {
  const w = startMessage(opts);
  w.ulong(requestId);
  w.ulong(status);
  return finishMessage(w, MsgType.LocateReply, opts);
}

export function encodeLocateRequest(requestId: number, objectKey: Uint8Array, opts: EncodeOptions = {}): Buffer {
  const minor = opts.minor ?? 2;
  const w = startMessage(opts);
  w.ulong(requestId);
  if (minor >= 2) w.short(0);
  w.octets(objectKey);
  return finishMessage(w, MsgType.LocateRequest, { ...opts, minor });
}

export function encodeSimple(type: "CloseConnection" | "MessageError", opts: EncodeOptions = {}): Buffer {
  return finishMessage(startMessage(opts), MsgType[type], opts);
}

/** Writes a CORBA system exception reply body. */
export function writeSystemException(w: CdrWriter, repoId: string, minor: number, completed: 0 | 1 | 2): void {
  w.string(repoId);
  w.ulong(minor);
  w.ulong(completed);
}

// ------------------------------------------------------------------------------------------------- stream assembly

interface PendingFragments {
  readonly first: Buffer;
  parts: Buffer[];
  size: number;
}

/**
 * Splits a byte stream into complete GIOP messages and reassembles GIOP 1.1/1.2 fragments:
 * [first message with its header] + [each Fragment's bytes after the fragment header].
 * The returned buffers are complete messages whose header has the fragment flag cleared and the size fixed.
 */
export class FrameAssembler {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private readonly pending = new Map<number, PendingFragments>();
  private lastFragmentedId: number | undefined;
  /** Parsed header of the (incomplete) message at the head of the stream. */
  private head: GiopHeader | undefined;
  readonly maxSize: number;

  constructor(maxSize = DEFAULT_MAX_MESSAGE_SIZE) {
    this.maxSize = maxSize;
  }

  /** Feeds bytes; returns every message completed by them. Throws ProtocolError on a malformed stream. */
  push(chunk: Uint8Array): Buffer[] {
    if (chunk.length > 0) {
      this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      this.buffered += chunk.length;
    }
    const out: Buffer[] = [];
    for (;;) {
      // The header of the message at the head of the stream is parsed once, not on every push (keeps
      // byte-at-a-time input linear).
      if (this.head === undefined) {
        if (this.buffered < GIOP_HEADER_SIZE) break;
        const first = this.chunks[0] as Buffer;
        this.head = parseHeader(first.length >= GIOP_HEADER_SIZE ? first : this.peek(GIOP_HEADER_SIZE), this.maxSize);
      }
      const h = this.head;
      const total = GIOP_HEADER_SIZE + h.size;
      if (this.buffered < total) break;
      const msg = this.take(total);
      this.head = undefined;
      const done = this.onMessage(msg, h);
      if (done) out.push(done);
    }
    return out;
  }

  /** Bytes received but not yet part of a complete message. */
  get pendingBytes(): number {
    let n = this.buffered;
    for (const p of this.pending.values()) n += p.size;
    return n;
  }

  private onMessage(msg: Buffer, h: GiopHeader): Buffer | undefined {
    if (h.type === "Fragment") {
      if (h.minor < 1) throw new ProtocolError("GIOP 1.0 has no Fragment messages");
      let id: number | undefined;
      let dataStart = GIOP_HEADER_SIZE;
      if (h.minor >= 2) {
        if (h.size < 4) throw new ProtocolError("GIOP: Fragment without a request id");
        id = new DataView(msg.buffer, msg.byteOffset, msg.byteLength).getUint32(12, h.littleEndian);
        dataStart = 16;
      } else {
        id = this.lastFragmentedId;
      }
      const p = id === undefined ? undefined : this.pending.get(id);
      if (!p || id === undefined) throw new ProtocolError(`GIOP: Fragment for unknown request ${id}`);
      const data = msg.subarray(dataStart);
      p.size += data.length;
      if (p.size > this.maxSize) throw new ProtocolError(`GIOP: fragmented message exceeds ${this.maxSize} bytes`);
      p.parts.push(data);
      if (h.moreFragments) return undefined;
      this.pending.delete(id);
      const whole = Buffer.concat([p.first, ...p.parts]);
      whole[6] = (whole[6] as number) & ~2;
      new DataView(whole.buffer, whole.byteOffset, whole.byteLength).setUint32(8, whole.length - GIOP_HEADER_SIZE, (whole[6] & 1) === 1);
      return whole;
    }
    if (h.moreFragments) {
      if (h.minor < 1) throw new ProtocolError("GIOP 1.0 messages cannot be fragmented");
      if (h.type !== "Request" && h.type !== "Reply" && h.type !== "LocateRequest" && h.type !== "LocateReply") {
        throw new ProtocolError(`GIOP: ${h.type} cannot be fragmented`);
      }
      // GIOP 1.2 Request/Reply/Locate*: the request id is the first body ulong. GIOP 1.1: track the last one.
      let id = 0;
      if (h.minor >= 2) {
        if (h.size < 4) throw new ProtocolError("GIOP: fragmented message without a request id");
        id = new DataView(msg.buffer, msg.byteOffset, msg.byteLength).getUint32(12, h.littleEndian);
      }
      this.lastFragmentedId = id;
      this.pending.set(id, { first: msg, parts: [], size: msg.length });
      return undefined;
    }
    return msg;
  }

  /** The first `n` bytes (n <= buffered), copying only the chunks that hold them. */
  private peek(n: number): Buffer {
    const first = this.chunks[0] as Buffer;
    if (first.length >= n) return first.subarray(0, n);
    const parts: Buffer[] = [];
    let got = 0;
    for (const c of this.chunks) {
      parts.push(c);
      got += c.length;
      if (got >= n) break;
    }
    return Buffer.concat(parts, got).subarray(0, n);
  }

  private take(n: number): Buffer {
    const first = this.chunks[0] as Buffer;
    if (first.length === n) {
      this.chunks.shift();
      this.buffered -= n;
      return first;
    }
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return first.subarray(0, n);
    }
    // Spans several chunks: copy exactly the chunks that hold the message, keep the rest as they are.
    let count = 0;
    let got = 0;
    while (got < n) got += (this.chunks[count++] as Buffer).length;
    const joined = Buffer.concat(this.chunks.slice(0, count), got);
    const rest = joined.subarray(n);
    this.chunks = rest.length > 0 ? [rest, ...this.chunks.slice(count)] : this.chunks.slice(count);
    this.buffered -= n;
    return joined.subarray(0, n);
  }
}
