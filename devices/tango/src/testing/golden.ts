/**
 * Golden vectors: real GIOP frames captured from the cppTango/omniORB/PyTango reference stack.
 *
 * Sources, in order: `$TANGO_REFERENCE_DIR` (the caller passes the environment), `<repo>/../shared/tango-reference`,
 * then the `*.golden.hex` copies committed beside the codecs (each with `# origin:` and `# operation:` header lines).
 * Also: body decoding by operation (request id → operation tracked per TCP connection), re-encoding of a decoded
 * message and a padding-aware byte comparison.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { CdrWriter } from "../cdr/cdr.ts";
import { ProtocolError } from "../errors/errors.ts";
import { decodeMessage, encodeReply, encodeRequest, encodeSimple, FrameAssembler, type GiopMessage } from "../giop/giop.ts";
import {
  operationCodec,
  readSystemExceptionBody,
  readUserException,
  type SystemExceptionBody,
  type UserExceptionBody,
  writeSystemExceptionBody,
  writeUserException,
} from "../idl/operations.ts";

export const SCENARIOS = ["basics", "read", "write", "commands", "errors", "pyref", "events"] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

const HERE = dirname(fileURLToPath(import.meta.url));
/** The repository root (devices/tango/src/testing → ../../../..). */
export const REPO_ROOT = resolve(HERE, "../../../..");
/** Where the committed `*.golden.hex` copies live (searched recursively). */
export const LIBRARY_SRC = resolve(HERE, "..");

/**
 * The tango-reference folder: `env.TANGO_REFERENCE_DIR`, else `<repo>/../shared/tango-reference`, else undefined.
 * `TANGO_REFERENCE_DIR=none` forces undefined (the tests then run on the repo copies only).
 */
export function findReferenceDir(env: Readonly<Record<string, string | undefined>> = {}): string | undefined {
  if (env.TANGO_REFERENCE_DIR === "none") return undefined;
  const candidates = [env.TANGO_REFERENCE_DIR, join(REPO_ROOT, "..", "shared", "tango-reference")];
  for (const c of candidates) {
    if (c && existsSync(join(c, "vectors", "index.md"))) return c;
  }
  return undefined;
}

/** Hex text → bytes; lines starting with `#` are comments/headers, whitespace is ignored. */
export function parseHex(text: string): Buffer {
  const body = text
    .split("\n")
    .filter((l) => !l.trimStart().startsWith("#"))
    .join("")
    .replace(/\s+/g, "");
  if (body.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(body)) throw new ProtocolError("golden hex: malformed hex text");
  return Buffer.from(body, "hex");
}

/** `# key: value` header lines of a `.golden.hex` file. */
export function parseHexHeaders(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^\s*#\s*([\w-]+):\s*(.*)$/.exec(line);
    if (m) out[m[1] as string] = (m[2] as string).trim();
  }
  return out;
}

export interface ClientStep {
  readonly step: string;
  readonly call?: string;
  readonly result?: unknown;
  readonly error?: readonly { reason: string; desc: string; origin: string; severity: string }[];
}

/** The capture tool's own GIOP header decoding (tools/giop_split.py), for cross-checking ours. */
export interface GiopSummary {
  readonly giop_version: string;
  readonly little_endian: boolean;
  readonly more_fragments: boolean;
  readonly type: string;
  readonly body_size: number;
  readonly request_id?: number;
  readonly operation?: string;
  readonly reply_status?: string;
  readonly response_expected?: number;
  readonly response_flags?: number;
  readonly target_disposition?: number;
  readonly service_contexts?: readonly { readonly context_id: string; readonly hex: string }[];
  readonly object_key?: string;
  /** Offset of the body (first argument/result byte) from the start of the message. */
  readonly body_offset: number;
}

export interface GoldenMessage {
  readonly scenario: string;
  readonly file: string;
  readonly bytes: Buffer;
  readonly srcPort: number;
  readonly dstPort: number;
  /** Lines of tshark's GIOP + Tango dissection (empty for repo copies). */
  readonly tshark: readonly string[];
  readonly clientStep: string | undefined;
  /** The operation as annotated by the capture tool (or the `# operation:` header of a repo copy). */
  readonly operation: string | undefined;
  /** The origin line of a repo copy. */
  readonly origin: string | undefined;
  readonly giop: GiopSummary | undefined;
}

export interface GoldenScenario {
  readonly name: string;
  readonly clientSteps: readonly ClientStep[];
  /** GIOP messages only (ZMTP frames are skipped), in wire order. */
  readonly messages: readonly GoldenMessage[];
}

interface JsonMessage {
  readonly file: string;
  readonly proto?: string;
  readonly src_port: number;
  readonly dst_port: number;
  readonly tshark?: string[];
  readonly client_step?: string;
  readonly giop?: GiopSummary;
}

/** Loads one scenario of `<referenceDir>/vectors`. */
export function loadScenario(referenceDir: string, name: string): GoldenScenario {
  const vectors = join(referenceDir, "vectors");
  const json = JSON.parse(readFileSync(join(vectors, `${name}.json`), "utf8")) as { client_steps: ClientStep[]; messages: JsonMessage[] };
  const messages: GoldenMessage[] = [];
  for (const m of json.messages) {
    if (m.file.includes("-zmtp-")) continue;
    if (m.proto !== undefined && m.proto !== "GIOP") continue;
    messages.push({
      scenario: name,
      file: m.file,
      bytes: parseHex(readFileSync(join(vectors, name, m.file), "utf8")),
      srcPort: m.src_port,
      dstPort: m.dst_port,
      tshark: m.tshark ?? [],
      clientStep: m.client_step,
      operation: m.giop?.operation,
      origin: undefined,
      giop: m.giop,
    });
  }
  return { name, clientSteps: json.client_steps, messages };
}

/** Folders of the library holding GIOP `*.golden.hex` copies (others, e.g. events/, hold ZMTP/ZMQ vectors). */
export const GIOP_GOLDEN_DIRS = ["cdr", "giop", "corba", "idl"] as const;

/** The GIOP `*.golden.hex` files committed beside the wire-layer codecs (sorted by folder, then name). */
export function findRepoGoldenFiles(roots: readonly string[] = GIOP_GOLDEN_DIRS.map((d) => join(LIBRARY_SRC, d))): string[] {
  return roots.flatMap((r) => (existsSync(r) ? findGoldenUnder(r) : []));
}

function findGoldenUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith(".golden.hex")) out.push(join(dir, e.name));
    }
  };
  walk(root);
  return out.sort();
}

/**
 * The corpus of wire tests: the shared reference captures when present (else the committed copies of them), plus the
 * committed vectors we captured ourselves (e.g. pipes, which the shared captures lack).
 */
export function wireCorpus(referenceDir: string | undefined): GoldenMessage[] {
  const repo = findRepoGoldenFiles().map(loadRepoGolden);
  if (!referenceDir) return repo;
  return [
    ...SCENARIOS.flatMap((s) => loadScenario(referenceDir, s).messages),
    ...repo.filter((m) => !m.origin?.startsWith("tango-reference vectors ")),
  ];
}

/** Loads a committed `*.golden.hex` copy (headers: origin, flow `src->dst`, operation, optional `part-of`). */
export function loadRepoGolden(path: string): GoldenMessage {
  const text = readFileSync(path, "utf8");
  const h = parseHexHeaders(text);
  const [src, dst] = (h.flow ?? "0->0").split("->").map((x) => Number(x.trim()));
  return {
    scenario: "repo",
    file: path.slice(path.lastIndexOf("/") + 1),
    bytes: parseHex(text),
    srcPort: src ?? 0,
    dstPort: dst ?? 0,
    tshark: [],
    clientStep: h.step,
    operation: h.operation,
    origin: h.origin,
    giop: undefined,
  };
}

// ------------------------------------------------------------------------------------------------- body decoding

/** A decoded message body. */
export type DecodedBody =
  | { readonly kind: "none" }
  | { readonly kind: "args"; readonly value: unknown }
  | { readonly kind: "result"; readonly value: unknown }
  | { readonly kind: "user"; readonly value: UserExceptionBody }
  | { readonly kind: "system"; readonly value: SystemExceptionBody }
  /** A reply status without a modelled body (LOCATION_FORWARD...) or an unknown operation: the raw bytes. */
  | { readonly kind: "raw"; readonly bytes: Uint8Array };

/**
 * Decodes the body of a Request (by its operation) or Reply (by the operation of its request) and checks that the
 * codec consumed the whole body. Throws ProtocolError on malformed bytes or trailing bytes.
 */
export function decodeBody(msg: GiopMessage, operation: string | undefined): DecodedBody {
  if (msg.type !== "Request" && msg.type !== "Reply") return { kind: "none" };
  const r = msg.body;
  let out: DecodedBody;
  if (msg.type === "Request") {
    const codec = operationCodec(msg.operation);
    out = codec ? { kind: "args", value: codec.args.read(r) } : { kind: "raw", bytes: r.raw(r.remaining) };
  } else {
    switch (msg.status) {
      case "NO_EXCEPTION": {
        const codec = operation === undefined ? undefined : operationCodec(operation);
        out = codec ? { kind: "result", value: codec.result.read(r) } : { kind: "raw", bytes: r.raw(r.remaining) };
        break;
      }
      case "USER_EXCEPTION": {
        const value = readUserException(r);
        out = value.kind === "unknown" ? { kind: "raw", bytes: r.raw(r.remaining) } : { kind: "user", value };
        break;
      }
      case "SYSTEM_EXCEPTION":
        out = { kind: "system", value: readSystemExceptionBody(r) };
        break;
      default:
        out = { kind: "raw", bytes: r.raw(r.remaining) };
    }
  }
  if (r.remaining !== 0) throw new ProtocolError(`${msg.type} body: ${r.remaining} bytes left after decoding`);
  return out;
}

/** Re-encodes a decoded message with our encoder (padding bytes = `padByte`). Undefined if the type is not encodable. */
export function reencode(msg: GiopMessage, body: DecodedBody, operation: string | undefined, padByte = 0): Buffer | undefined {
  const opts = { minor: msg.header.minor, littleEndian: msg.header.littleEndian, padByte };
  const writeBody = (w: CdrWriter): void => {
    switch (body.kind) {
      case "args": {
        const codec = msg.type === "Request" ? operationCodec(msg.operation) : undefined;
        codec?.args.write(w, body.value);
        return;
      }
      case "result":
        if (operation !== undefined) operationCodec(operation)?.result.write(w, body.value);
        return;
      case "user":
        writeUserException(w, body.value);
        return;
      case "system":
        writeSystemExceptionBody(w, body.value);
        return;
      case "raw":
        w.raw(body.bytes);
        return;
      case "none":
        return;
    }
  };
  switch (msg.type) {
    case "Request":
      if (msg.target.kind !== "key") return undefined;
      return encodeRequest(
        {
          requestId: msg.requestId,
          objectKey: msg.objectKey,
          operation: msg.operation,
          responseExpected: msg.responseExpected,
          serviceContexts: msg.serviceContexts,
        },
        writeBody,
        opts,
      );
    case "Reply":
      return encodeReply({ requestId: msg.requestId, status: msg.status, serviceContexts: msg.serviceContexts }, writeBody, opts);
    case "CloseConnection":
    case "MessageError":
      return encodeSimple(msg.type, opts);
    default:
      return undefined;
  }
}

export interface PaddingComparison {
  /** Same length and every non-padding byte equal. */
  readonly equalModuloPadding: boolean;
  /** Byte-for-byte identical (the original also has zero padding). */
  readonly exact: boolean;
  /** Padding bytes (located by encoding twice with different pad values). */
  readonly paddingBytes: number;
  /** Padding bytes whose original value is not zero (omniORB leaves buffer garbage there). */
  readonly nonZeroPadding: number;
  /** First differing non-padding offset, or -1. */
  readonly firstDifference: number;
}

/** Compares `original` with our re-encoding: padding is located by encoding with pad 0x00 and 0xff. */
export function compareModuloPadding(original: Uint8Array, encodedPad00: Uint8Array, encodedPadFF: Uint8Array): PaddingComparison {
  let paddingBytes = 0;
  let nonZeroPadding = 0;
  let firstDifference = -1;
  const sameLength = original.length === encodedPad00.length && encodedPad00.length === encodedPadFF.length;
  const n = Math.min(original.length, encodedPad00.length, encodedPadFF.length);
  for (let i = 0; i < n; i++) {
    const pad = encodedPad00[i] !== encodedPadFF[i];
    if (pad) {
      paddingBytes++;
      if (original[i] !== 0) nonZeroPadding++;
    } else if (original[i] !== encodedPad00[i] && firstDifference < 0) {
      firstDifference = i;
    }
  }
  if (!sameLength && firstDifference < 0) firstDifference = n;
  const equalModuloPadding = sameLength && firstDifference < 0;
  return { equalModuloPadding, exact: equalModuloPadding && nonZeroPadding === 0, paddingBytes, nonZeroPadding, firstDifference };
}

/**
 * Maps request ids to operations per TCP connection, so replies can be decoded by operation.
 * A connection is identified by its two ports (request src→dst, reply dst→src).
 */
export class OperationTracker {
  readonly #ops = new Map<string, string>();

  static connectionKey(a: number, b: number): string {
    return a < b ? `${a}-${b}` : `${b}-${a}`;
  }

  /** Records a request; returns the operation of a reply (undefined if its request was not seen). */
  observe(msg: GiopMessage, srcPort: number, dstPort: number): string | undefined {
    const conn = OperationTracker.connectionKey(srcPort, dstPort);
    if (msg.type === "Request") {
      this.#ops.set(`${conn}#${msg.requestId}`, msg.operation);
      return msg.operation;
    }
    if (msg.type === "Reply") return this.#ops.get(`${conn}#${msg.requestId}`);
    return undefined;
  }
}

/** One reassembled message of a capture, decoded. */
export interface DecodedGolden {
  /** The captured message that completed this frame (the last Fragment for a fragmented message). */
  readonly source: GoldenMessage;
  /** The captured messages this frame was assembled from (one unless fragmented). */
  readonly parts: readonly GoldenMessage[];
  /** The complete message bytes (fragments reassembled). */
  readonly frame: Buffer;
  readonly message: GiopMessage;
  /** Operation of the request (for a Reply: of the request with the same id on the same connection). */
  readonly operation: string | undefined;
  readonly body: DecodedBody;
}

/**
 * Feeds the messages through one FrameAssembler per direction of each connection (in wire order) and decodes every
 * completed frame with its body (one push per captured message).
 */
export function decodeCapture(messages: readonly GoldenMessage[]): DecodedGolden[] {
  const assemblers = new Map<string, { asm: FrameAssembler; parts: GoldenMessage[] }>();
  const tracker = new OperationTracker();
  const out: DecodedGolden[] = [];
  for (const m of messages) {
    const key = `${m.srcPort}>${m.dstPort}`;
    let a = assemblers.get(key);
    if (!a) {
      a = { asm: new FrameAssembler(), parts: [] };
      assemblers.set(key, a);
    }
    a.parts.push(m);
    for (const frame of a.asm.push(m.bytes)) {
      const message = decodeMessage(frame);
      // A copy's `operation` header is authoritative (copies from different captures share ports 0->0 and ids).
      const tracked = tracker.observe(message, m.srcPort, m.dstPort);
      const operation = m.operation ?? tracked;
      out.push({ source: m, parts: a.parts, frame, message, operation, body: decodeBody(message, operation) });
      a.parts = [];
    }
  }
  return out;
}

/** The bytes of each direction of each connection, in wire order (key `src>dst`). */
export function directionStreams(messages: readonly GoldenMessage[]): Map<string, Buffer[]> {
  const out = new Map<string, Buffer[]>();
  for (const m of messages) {
    const key = `${m.srcPort}>${m.dstPort}`;
    const list = out.get(key) ?? [];
    list.push(m.bytes);
    out.set(key, list);
  }
  return out;
}

/** Small deterministic PRNG (mulberry32) for reproducible random splits and mutations. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
