/**
 * Wire fuzzer: mutates (bit flips, 0x00/0xff/0x7f byte replacements, length-field corruption) and truncates real
 * captured frames and feeds them to the decoders: decodeMessage + body decoders by operation, FrameAssembler (random
 * splits), parseIor/decodeIiopProfile/profileEndpoints, readAny. The only error a decoder may raise is ProtocolError,
 * and no decode may allocate (ArrayBuffer memory) far beyond the size of its input.
 */
import { CdrReader } from "../cdr/cdr.ts";
import { decodeIiopProfile, parseIor, profileEndpoints } from "../corba/ior.ts";
import { type AnyValue, readAny } from "../corba/typecode.ts";
import { ProtocolError } from "../errors/errors.ts";
import { decodeMessage, FrameAssembler, GIOP_HEADER_SIZE } from "../giop/giop.ts";
import { type DecodedGolden, decodeBody, prng } from "./golden.ts";

/** One seed input: a complete GIOP frame and the operation its body belongs to. */
export interface FuzzFrame {
  readonly name: string;
  readonly frame: Buffer;
  readonly operation: string | undefined;
}

export interface FuzzCorpus {
  readonly frames: readonly FuzzFrame[];
  /** Stringified IORs (from DbImportDevice replies). */
  readonly iors: readonly string[];
  /** Encoded Any values (TypeCode + value) cut out of command_inout replies/requests. */
  readonly anys: readonly Buffer[];
}

/** Builds the corpus from decoded captures. */
export function corpusFrom(decoded: readonly DecodedGolden[]): FuzzCorpus {
  const frames: FuzzFrame[] = [];
  const iors: string[] = [];
  const anys: Buffer[] = [];
  for (const d of decoded) {
    frames.push({ name: d.source.file, frame: d.frame, operation: d.operation });
    const m = d.message;
    if (d.operation?.startsWith("command_inout") && (m.type === "Request" || m.type === "Reply") && d.body.kind !== "user") {
      // Re-decode to find where the Any starts.
      const again = decodeMessage(d.frame);
      if (again.type === "Request") again.body.string();
      if (again.type === "Request" || again.type === "Reply") {
        const start = again.body.pos;
        const any = readAny(again.body);
        anys.push(Buffer.concat([Buffer.alloc(start % 8), d.frame.subarray(start, again.body.pos)]));
        collectIors(any, iors);
      }
    }
  }
  return { frames, iors, anys };
}

function collectIors(a: AnyValue, out: string[]): void {
  const walk = (v: unknown): void => {
    if (typeof v === "string" && v.startsWith("IOR:")) out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object" && !(v instanceof Uint8Array)) Object.values(v).forEach(walk);
  };
  walk(a.value);
}

export interface FuzzOptions {
  readonly iterations: number;
  readonly seed: number;
  /** Allowed ArrayBuffer growth during one decode, as a multiple of the input size (plus 1 MiB). */
  readonly allocationFactor?: number;
}

export interface FuzzFailure {
  readonly iteration: number;
  readonly target: string;
  readonly input: string;
  readonly mutation: string;
  readonly error: string;
  /** Hex of the mutated input (first 4 KiB) to reproduce. */
  readonly hex: string;
}

export interface FuzzReport {
  readonly iterations: number;
  /** Decoder calls made. */
  readonly calls: number;
  /** Calls that decoded without error / raised ProtocolError. */
  readonly decoded: number;
  readonly protocolErrors: number;
  /** Largest ArrayBuffer growth seen during one decode, in bytes, and the input size it came with. */
  readonly peakGrowth: { readonly bytes: number; readonly inputSize: number };
  readonly failures: readonly FuzzFailure[];
}

type Rng = () => number;
const pick = <T>(rnd: Rng, list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
const HUGE = [0xffffffff, 0x7fffffff, 0x80000000, 0x10000000, 0x00ffffff, 0xfffffff0, 0x0000ffff];

/** Returns the mutated copy and a description. Keeps the GIOP size field consistent unless it targets it. */
export function mutateFrame(src: Buffer, rnd: Rng): { bytes: Buffer; mutation: string } {
  const b = Buffer.from(src);
  const le = ((b[6] ?? 0) & 1) === 1;
  const bodyPos = (): number => GIOP_HEADER_SIZE + Math.floor(rnd() * Math.max(1, b.length - GIOP_HEADER_SIZE));
  const kind = Math.floor(rnd() * 7);
  switch (kind) {
    case 0: {
      const n = 1 + Math.floor(rnd() * 4);
      const at: number[] = [];
      for (let i = 0; i < n; i++) {
        const p = Math.floor(rnd() * b.length);
        b[p] = (b[p] as number) ^ (1 << Math.floor(rnd() * 8));
        at.push(p);
      }
      return { bytes: b, mutation: `bit flips at ${at.join(",")}` };
    }
    case 1: {
      const v = pick(rnd, [0x00, 0xff, 0x7f]);
      const n = 1 + Math.floor(rnd() * 3);
      const at: number[] = [];
      for (let i = 0; i < n; i++) {
        const p = bodyPos();
        if (p < b.length) b[p] = v;
        at.push(p);
      }
      return { bytes: b, mutation: `bytes := 0x${v.toString(16)} at ${at.join(",")}` };
    }
    case 2:
    case 3: {
      // Length-field corruption: an aligned ulong in the body (sequence/string lengths live there).
      const p = bodyPos() & ~3;
      if (p + 4 > b.length) return { bytes: b, mutation: "none" };
      const old = le ? b.readUInt32LE(p) : b.readUInt32BE(p);
      const v = rnd() < 0.6 ? pick(rnd, HUGE) : old + Math.floor(rnd() * 64) - 32;
      if (le) b.writeUInt32LE(v >>> 0, p);
      else b.writeUInt32BE(v >>> 0, p);
      return { bytes: b, mutation: `ulong at ${p}: ${old} -> ${v >>> 0}` };
    }
    case 4: {
      // Truncation with the header size fixed, so the body decoders see a short body.
      const n = GIOP_HEADER_SIZE + Math.floor(rnd() * Math.max(1, b.length - GIOP_HEADER_SIZE));
      const t = Buffer.from(b.subarray(0, n));
      if (t.length >= GIOP_HEADER_SIZE) {
        if (le) t.writeUInt32LE(n - GIOP_HEADER_SIZE, 8);
        else t.writeUInt32BE(n - GIOP_HEADER_SIZE, 8);
      }
      return { bytes: t, mutation: `truncated to ${n} (size fixed)` };
    }
    case 5: {
      // Raw truncation (header size now lies).
      const n = Math.floor(rnd() * b.length);
      return { bytes: Buffer.from(b.subarray(0, n)), mutation: `truncated to ${n}` };
    }
    default: {
      // Header corruption: size, version, flags or type.
      const field = Math.floor(rnd() * 4);
      if (field === 0) {
        const v = pick(rnd, HUGE);
        if (le) b.writeUInt32LE(v, 8);
        else b.writeUInt32BE(v, 8);
        return { bytes: b, mutation: `header size := ${v}` };
      }
      const p = field === 1 ? 5 : field === 2 ? 6 : 7;
      b[p] = Math.floor(rnd() * 256);
      return { bytes: b, mutation: `header byte ${p} := ${b[p]}` };
    }
  }
}

function mutateText(src: string, rnd: Rng): { text: string; mutation: string } {
  const chars = src.split("");
  const kind = Math.floor(rnd() * 3);
  if (kind === 0) {
    const n = 4 + Math.floor(rnd() * (src.length - 4));
    return { text: src.slice(0, n), mutation: `truncated to ${n}` };
  }
  const n = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < n; i++) {
    const p = 4 + Math.floor(rnd() * (chars.length - 4));
    chars[p] = kind === 1 ? pick(rnd, ["0", "f", "7"]) : pick(rnd, ["ff", "00", "7f", "g", ""]);
  }
  return { text: chars.join(""), mutation: kind === 1 ? "hex digits replaced" : "hex digits replaced/garbled" };
}

/** Runs the fuzzer. Deterministic for a given corpus, iteration count and seed. */
export function fuzzWire(corpus: FuzzCorpus, opts: FuzzOptions): FuzzReport {
  const rnd = prng(opts.seed);
  const factor = opts.allocationFactor ?? 16;
  const failures: FuzzFailure[] = [];
  let calls = 0;
  let decoded = 0;
  let protocolErrors = 0;
  let peak = { bytes: 0, inputSize: 0 };

  const run = (iteration: number, target: string, input: string, mutation: string, bytes: Uint8Array, fn: () => void): void => {
    calls++;
    const before = process.memoryUsage().arrayBuffers;
    let error: unknown;
    try {
      fn();
      decoded++;
    } catch (e) {
      error = e;
    }
    const growth = process.memoryUsage().arrayBuffers - before;
    if (growth > peak.bytes) peak = { bytes: growth, inputSize: bytes.length };
    const hex = Buffer.from(bytes.subarray(0, 4096)).toString("hex");
    if (error !== undefined) {
      if (error instanceof ProtocolError) protocolErrors++;
      else
        failures.push({
          iteration,
          target,
          input,
          mutation,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
          hex,
        });
    }
    if (growth > bytes.length * factor + (1 << 20)) {
      failures.push({ iteration, target, input, mutation, error: `allocated ${growth} bytes for a ${bytes.length}-byte input`, hex });
    }
  };

  for (let i = 0; i < opts.iterations; i++) {
    const choice = rnd();
    if (choice < 0.7 || (corpus.iors.length === 0 && corpus.anys.length === 0)) {
      const f = pick(rnd, corpus.frames);
      const { bytes, mutation } = mutateFrame(f.frame, rnd);
      run(i, "decodeMessage+body", f.name, mutation, bytes, () => {
        const m = decodeMessage(bytes);
        decodeBody(m, m.type === "Request" ? m.operation : f.operation);
      });
      run(i, "FrameAssembler", f.name, mutation, bytes, () => {
        const a = new FrameAssembler();
        let p = 0;
        while (p < bytes.length) {
          const n = 1 + Math.floor(rnd() * 64);
          for (const frame of a.push(bytes.subarray(p, p + n))) decodeBody(decodeMessage(frame), f.operation);
          p += n;
        }
      });
    } else if (choice < 0.85 && corpus.iors.length > 0) {
      const src = pick(rnd, corpus.iors);
      const { text, mutation } = mutateText(src, rnd);
      run(i, "parseIor", "IOR", mutation, Buffer.from(text, "latin1"), () => {
        const ior = parseIor(text);
        for (const p of ior.profiles) {
          if (p.tag !== 0) continue;
          const prof = decodeIiopProfile(p.data);
          profileEndpoints(prof);
        }
      });
    } else if (corpus.anys.length > 0) {
      const src = pick(rnd, corpus.anys);
      const fake = Buffer.concat([Buffer.from("GIOP\x01\x02\x01\x00\x00\x00\x00\x00", "latin1"), src]);
      const { bytes, mutation } = mutateFrame(fake, rnd);
      const body = bytes.subarray(Math.min(GIOP_HEADER_SIZE, bytes.length));
      run(i, "readAny", "Any", mutation, body, () => {
        readAny(new CdrReader(body, { littleEndian: true }));
      });
    }
  }
  return { iterations: opts.iterations, calls, decoded, protocolErrors, peakGrowth: peak, failures };
}
