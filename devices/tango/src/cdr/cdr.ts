/**
 * CORBA CDR encoding (GIOP 1.0-1.2): primitives aligned to their size relative to an origin.
 * The two classes express the origin differently:
 * - CdrReader: `origin` is the buffer index where stream offset 0 lies (0 for a whole GIOP message, the index of the
 *   byte-order octet for an encapsulation); alignment is computed on `pos - origin`.
 * - CdrWriter: `origin` is the stream offset of the writer's byte 0 (e.g. 12 when writing a body after a GIOP header);
 *   alignment is computed on `pos + origin`. Both byte orders are supported. Decoding never trusts a length before checking it
 * against the bytes that remain, so malformed input raises ProtocolError before any large allocation.
 */
import { ProtocolError } from "../errors/errors.ts";

const LATIN1 = "latin1" as const;
/** Strings up to this length are written byte by byte (see CdrWriter.string). */
const SHORT_STRING = 64;

export class CdrReader {
  readonly buf: Buffer;
  readonly view: DataView;
  littleEndian: boolean;
  pos: number;
  readonly origin: number;
  readonly end: number;

  constructor(bytes: Uint8Array, opts: { littleEndian?: boolean; origin?: number; start?: number; end?: number } = {}) {
    this.buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.littleEndian = opts.littleEndian ?? true;
    this.pos = opts.start ?? 0;
    this.origin = opts.origin ?? 0;
    this.end = opts.end ?? this.buf.length;
    if (this.end > this.buf.length || this.pos > this.end) throw new ProtocolError("CDR reader bounds outside the buffer");
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  align(n: number): void {
    const rel = (this.pos - this.origin) % n;
    if (rel !== 0) {
      const skip = n - rel;
      if (this.pos + skip > this.end) {
        // Alignment past the end is only an error if something is read afterwards.
        this.pos = this.end;
        return;
      }
      this.pos += skip;
    }
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.end) {
      throw new ProtocolError(`CDR: truncated ${what}: need ${n} bytes at offset ${this.pos}, ${this.end - this.pos} left`);
    }
  }

  octet(): number {
    this.need(1, "octet");
    return this.buf[this.pos++] as number;
  }
  boolean(): boolean {
    const v = this.octet();
    if (v > 1) throw new ProtocolError(`CDR: boolean octet ${v} is not 0 or 1`);
    return v === 1;
  }
  char(): string {
    return String.fromCharCode(this.octet());
  }
  short(): number {
    this.align(2);
    this.need(2, "short");
    const v = this.view.getInt16(this.pos, this.littleEndian);
    this.pos += 2;
    return v;
  }
  ushort(): number {
    this.align(2);
    this.need(2, "ushort");
    const v = this.view.getUint16(this.pos, this.littleEndian);
    this.pos += 2;
    return v;
  }
  long(): number {
    this.align(4);
    this.need(4, "long");
    const v = this.view.getInt32(this.pos, this.littleEndian);
    this.pos += 4;
    return v;
  }
  ulong(): number {
    this.align(4);
    this.need(4, "ulong");
    const v = this.view.getUint32(this.pos, this.littleEndian);
    this.pos += 4;
    return v;
  }
  longlong(): bigint {
    this.align(8);
    this.need(8, "long long");
    const v = this.view.getBigInt64(this.pos, this.littleEndian);
    this.pos += 8;
    return v;
  }
  ulonglong(): bigint {
    this.align(8);
    this.need(8, "unsigned long long");
    const v = this.view.getBigUint64(this.pos, this.littleEndian);
    this.pos += 8;
    return v;
  }
  float(): number {
    this.align(4);
    this.need(4, "float");
    const v = this.view.getFloat32(this.pos, this.littleEndian);
    this.pos += 4;
    return v;
  }
  double(): number {
    this.align(8);
    this.need(8, "double");
    const v = this.view.getFloat64(this.pos, this.littleEndian);
    this.pos += 8;
    return v;
  }
  /** CDR string: ulong length including the NUL. Length 0 is tolerated (read as ""). Decoded as UTF-8 when valid, else Latin-1. */
  string(): string {
    const len = this.ulong();
    if (len === 0) return "";
    this.need(len, "string");
    const endNoNul = this.buf[this.pos + len - 1] === 0 ? this.pos + len - 1 : this.pos + len;
    const s = decodeText(this.buf, this.pos, endNoNul);
    this.pos += len;
    return s;
  }
  /** Reads `n` raw bytes (a view, not a copy). */
  raw(n: number): Buffer {
    this.need(n, "octets");
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  /** sequence<octet> as a copy. */
  octets(): Uint8Array {
    const n = this.ulong();
    return new Uint8Array(this.raw(n));
  }
  /** Reads a sequence count and checks it fits in the remaining bytes assuming `minElemSize` bytes per element. */
  seqLength(minElemSize: number, what = "sequence"): number {
    const n = this.ulong();
    if (minElemSize > 0 && n > (this.end - this.pos) / minElemSize) {
      throw new ProtocolError(`CDR: ${what} length ${n} exceeds the ${this.end - this.pos} bytes left`);
    }
    return n;
  }
  sequence<T>(minElemSize: number, item: (r: CdrReader) => T, what = "sequence"): T[] {
    const n = this.seqLength(minElemSize, what);
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = item(this);
    return out;
  }
  /** Typed numeric sequences: copy into a fresh array in host order. */
  numberSeq(kind: NumKind): number[] {
    const size = NUM_SIZE[kind];
    const n = this.seqLength(size, `${kind} sequence`);
    if (n === 0) return [];
    this.align(size);
    this.need(n * size, `${kind} sequence`);
    const out = new Array<number>(n);
    const le = this.littleEndian;
    const v = this.view;
    let p = this.pos;
    switch (kind) {
      case "short":
        for (let i = 0; i < n; i++, p += 2) out[i] = v.getInt16(p, le);
        break;
      case "ushort":
        for (let i = 0; i < n; i++, p += 2) out[i] = v.getUint16(p, le);
        break;
      case "long":
        for (let i = 0; i < n; i++, p += 4) out[i] = v.getInt32(p, le);
        break;
      case "ulong":
        for (let i = 0; i < n; i++, p += 4) out[i] = v.getUint32(p, le);
        break;
      case "float":
        for (let i = 0; i < n; i++, p += 4) out[i] = v.getFloat32(p, le);
        break;
      case "double":
        for (let i = 0; i < n; i++, p += 8) out[i] = v.getFloat64(p, le);
        break;
    }
    this.pos = p;
    return out;
  }
  bigintSeq(signed: boolean): bigint[] {
    const n = this.seqLength(8, "long long sequence");
    if (n === 0) return [];
    this.align(8);
    this.need(n * 8, "long long sequence");
    const out = new Array<bigint>(n);
    for (let i = 0; i < n; i++) {
      out[i] = signed ? this.view.getBigInt64(this.pos, this.littleEndian) : this.view.getBigUint64(this.pos, this.littleEndian);
      this.pos += 8;
    }
    return out;
  }
  stringSeq(): string[] {
    return this.sequence(4, (r) => r.string(), "string sequence");
  }
  booleanSeq(): boolean[] {
    return this.sequence(1, (r) => r.boolean(), "boolean sequence");
  }
  /** Opens an encapsulation (sequence<octet> whose first octet is the byte order); alignment restarts inside. */
  encapsulation(): CdrReader {
    const n = this.ulong();
    this.need(n, "encapsulation");
    if (n < 1) throw new ProtocolError("CDR: empty encapsulation");
    const start = this.pos;
    this.pos += n;
    const order = this.buf[start] as number;
    if (order > 1) throw new ProtocolError(`CDR: encapsulation byte-order octet ${order}`);
    return new CdrReader(this.buf, { littleEndian: order === 1, origin: start, start: start + 1, end: start + n });
  }
}

export type NumKind = "short" | "ushort" | "long" | "ulong" | "float" | "double";
const NUM_SIZE: Record<NumKind, number> = { short: 2, ushort: 2, long: 4, ulong: 4, float: 4, double: 8 };

const utf8Decoder = new TextDecoder("utf-8", { fatal: true });
function decodeText(buf: Buffer, start: number, end: number): string {
  // Fast path: pure ASCII.
  let ascii = true;
  for (let i = start; i < end; i++) {
    if ((buf[i] as number) > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) return buf.toString(LATIN1, start, end);
  try {
    return utf8Decoder.decode(buf.subarray(start, end));
  } catch {
    return buf.toString(LATIN1, start, end);
  }
}

export class CdrWriter {
  private buf: Buffer;
  private view: DataView;
  pos = 0;
  readonly littleEndian: boolean;
  /** Stream offset of byte 0 (alignment is computed relative to this). */
  readonly origin: number;
  /** Value written into alignment padding (0 by default; tests set another value to locate padding bytes). */
  readonly padByte: number;

  constructor(opts: { littleEndian?: boolean; origin?: number; initialSize?: number; padByte?: number } = {}) {
    this.littleEndian = opts.littleEndian ?? true;
    this.origin = opts.origin ?? 0;
    this.padByte = opts.padByte ?? 0;
    this.buf = Buffer.allocUnsafe(opts.initialSize ?? 256);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const nb = Buffer.allocUnsafe(size);
    this.buf.copy(nb, 0, 0, this.pos);
    this.buf = nb;
    this.view = new DataView(nb.buffer, nb.byteOffset, nb.byteLength);
  }

  align(n: number): void {
    const rel = (this.pos + this.origin) % n;
    if (rel !== 0) {
      const pad = n - rel;
      this.ensure(pad);
      // At most 7 bytes: a loop costs less than Buffer.fill's argument checks.
      const buf = this.buf;
      const end = this.pos + pad;
      for (let i = this.pos; i < end; i++) buf[i] = this.padByte;
      this.pos = end;
    }
  }
  octet(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
  }
  boolean(v: boolean): void {
    this.octet(v ? 1 : 0);
  }
  short(v: number): void {
    this.align(2);
    this.ensure(2);
    this.view.setInt16(this.pos, v, this.littleEndian);
    this.pos += 2;
  }
  ushort(v: number): void {
    this.align(2);
    this.ensure(2);
    this.view.setUint16(this.pos, v, this.littleEndian);
    this.pos += 2;
  }
  long(v: number): void {
    this.align(4);
    this.ensure(4);
    this.view.setInt32(this.pos, v, this.littleEndian);
    this.pos += 4;
  }
  ulong(v: number): void {
    this.align(4);
    this.ensure(4);
    this.view.setUint32(this.pos, v >>> 0, this.littleEndian);
    this.pos += 4;
  }
  longlong(v: bigint | number): void {
    this.align(8);
    this.ensure(8);
    this.view.setBigInt64(this.pos, BigInt(v), this.littleEndian);
    this.pos += 8;
  }
  ulonglong(v: bigint | number): void {
    this.align(8);
    this.ensure(8);
    this.view.setBigUint64(this.pos, BigInt(v), this.littleEndian);
    this.pos += 8;
  }
  float(v: number): void {
    this.align(4);
    this.ensure(4);
    this.view.setFloat32(this.pos, v, this.littleEndian);
    this.pos += 4;
  }
  double(v: number): void {
    this.align(8);
    this.ensure(8);
    this.view.setFloat64(this.pos, v, this.littleEndian);
    this.pos += 8;
  }
  /** Writes a CDR string (ulong length including the NUL, bytes, NUL). */
  string(v: string): void {
    // ISO-8859-1 (the char code set Tango/omniORB use) when every character fits, so peers get the bytes they sent;
    // UTF-8 otherwise (the reader accepts both).
    const n = v.length;
    let latin1 = true;
    for (let i = 0; i < n; i++) {
      if (v.charCodeAt(i) > 0xff) {
        latin1 = false;
        break;
      }
    }
    const len = latin1 ? n : Buffer.byteLength(v, "utf8");
    this.ulong(len + 1);
    this.ensure(len + 1);
    const buf = this.buf;
    let p = this.pos;
    if (latin1 && n <= SHORT_STRING) {
      // Short names (attributes, operations): a byte loop costs less than Buffer.write's encoding dispatch.
      for (let i = 0; i < n; i++) buf[p++] = v.charCodeAt(i);
    } else {
      buf.write(v, p, len, latin1 ? LATIN1 : "utf8");
      p += len;
    }
    buf[p++] = 0;
    this.pos = p;
  }
  /** Advances over `n` bytes that the caller fills in later (e.g. a message header); their content is undefined. */
  reserve(n: number): void {
    this.ensure(n);
    this.pos += n;
  }
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }
  octets(bytes: Uint8Array): void {
    this.ulong(bytes.length);
    this.raw(bytes);
  }
  numberSeq(kind: NumKind, values: ArrayLike<number>): void {
    const n = values.length;
    this.ulong(n);
    if (n === 0) return;
    const size = NUM_SIZE[kind];
    this.align(size);
    this.ensure(n * size);
    const le = this.littleEndian;
    const v = this.view;
    let p = this.pos;
    switch (kind) {
      case "short":
        for (let i = 0; i < n; i++, p += 2) v.setInt16(p, values[i] as number, le);
        break;
      case "ushort":
        for (let i = 0; i < n; i++, p += 2) v.setUint16(p, values[i] as number, le);
        break;
      case "long":
        for (let i = 0; i < n; i++, p += 4) v.setInt32(p, values[i] as number, le);
        break;
      case "ulong":
        for (let i = 0; i < n; i++, p += 4) v.setUint32(p, (values[i] as number) >>> 0, le);
        break;
      case "float":
        for (let i = 0; i < n; i++, p += 4) v.setFloat32(p, values[i] as number, le);
        break;
      case "double":
        for (let i = 0; i < n; i++, p += 8) v.setFloat64(p, values[i] as number, le);
        break;
    }
    this.pos = p;
  }
  bigintSeq(signed: boolean, values: ArrayLike<bigint | number>): void {
    this.ulong(values.length);
    if (values.length === 0) return;
    this.align(8);
    this.ensure(values.length * 8);
    for (let i = 0; i < values.length; i++) {
      const x = BigInt(values[i] as bigint | number);
      if (signed) this.view.setBigInt64(this.pos, x, this.littleEndian);
      else this.view.setBigUint64(this.pos, x, this.littleEndian);
      this.pos += 8;
    }
  }
  stringSeq(values: readonly string[]): void {
    this.ulong(values.length);
    for (const s of values) this.string(s);
  }
  booleanSeq(values: readonly boolean[]): void {
    this.ulong(values.length);
    this.ensure(values.length);
    for (const b of values) this.buf[this.pos++] = b ? 1 : 0;
  }
  sequence<T>(values: readonly T[], item: (w: CdrWriter, v: T) => void): void {
    this.ulong(values.length);
    for (const v of values) item(this, v);
  }
  /** Writes an encapsulation: ulong length, byte-order octet, contents aligned from the byte-order octet. */
  encapsulation(body: (w: CdrWriter) => void, littleEndian = this.littleEndian): void {
    const inner = new CdrWriter({ littleEndian, origin: 0, padByte: this.padByte });
    inner.octet(littleEndian ? 1 : 0);
    body(inner);
    this.octets(inner.finish());
  }
  /** Overwrites a ulong previously written at `at` (absolute position in this writer). */
  patchULong(at: number, v: number): void {
    this.view.setUint32(at, v >>> 0, this.littleEndian);
  }
  /** The bytes written so far (a view of the internal buffer; valid until the next write). */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}
