/**
 * Server fuzzer: mutated real Tango operation requests sent to a running server over loopback sockets.
 *
 * Seeds are the captured GIOP requests of the golden corpus, re-targeted at our own objects (operation and body
 * kept, object key replaced: a GIOP 1.2 body starts 8-aligned, so its bytes are reused under a new header; GIOP
 * 1.0/1.1 bodies are re-marshalled from their decoded arguments), plus requests the tests build with the operation
 * codecs for what the captures lack. Each seed is encoded, mutated with the wire fuzzer's `mutateFrame` (bit flips,
 * byte replacements, truncations, corrupted length fields and GIOP headers) and sent, several per connection, by a
 * few concurrent clients. The outcome of every request is classified: a Reply (by status and exception repository
 * id), a LocateReply, a MessageError/close, or a failure (no answer within the timeout, a missing reply, a reply
 * that does not parse, a CORBA UNKNOWN exception = a non-Tango error escaping a servant). After every batch the
 * caller's health check runs (a fresh client's valid request) and the process RSS is sampled.
 */
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import type { CdrReader, CdrWriter } from "../cdr/cdr.ts";
import { decodeMessage, encodeRequest, FrameAssembler, type GiopMessage, type ServiceContext } from "../giop/giop.ts";
import { operationCodec } from "../idl/operations.ts";
import type { Logger } from "../iiop/logger.ts";
import { mutateFrame } from "./fuzz-wire.ts";
import { type DecodedGolden, prng } from "./golden.ts";

/** One request to replay: an operation with its arguments, as captured or as built by a test. */
export interface RequestSeed {
  /** Where it comes from (capture file name, or `synth:<what>`). */
  readonly name: string;
  readonly operation: string;
  readonly minor: number;
  readonly littleEndian: boolean;
  readonly serviceContexts: readonly ServiceContext[];
  /** The decoded arguments (undefined when the operation has no codec or none were decoded). */
  readonly args: unknown;
  /** GIOP 1.2 captures: the body bytes as captured (from the 8-aligned body start), reused as they are. */
  readonly rawBody: Uint8Array | undefined;
  /** The object key of the capture (to tell which device it addressed). */
  readonly originalKey: Uint8Array;
}

/** The captured requests of a decoded corpus, as seeds (replies and other messages are skipped). */
export function requestSeeds(decoded: readonly DecodedGolden[]): RequestSeed[] {
  const out: RequestSeed[] = [];
  for (const d of decoded) {
    const m = d.message;
    if (m.type !== "Request" || m.target.kind !== "key") continue;
    // Re-decode: the DecodedGolden's body reader was consumed by its body decoding.
    const again = decodeMessage(d.frame) as Extract<GiopMessage, { type: "Request" }>;
    const rawBody = m.header.minor >= 2 ? new Uint8Array(d.frame.subarray(again.body.pos)) : undefined;
    const args = d.body.kind === "args" ? d.body.value : undefined;
    if (rawBody === undefined && args === undefined && operationCodec(m.operation)) continue;
    out.push({
      name: d.source.file,
      operation: m.operation,
      minor: m.header.minor,
      littleEndian: m.header.littleEndian,
      serviceContexts: m.serviceContexts,
      args,
      rawBody,
      originalKey: m.objectKey,
    });
  }
  return out;
}

/** A seed built from arguments with the operation's codec (GIOP 1.2, little-endian, like our client's requests). */
export function synthSeed(operation: string, args: unknown, name = `synth:${operation}`): RequestSeed {
  return { name, operation, minor: 2, littleEndian: true, serviceContexts: [], args, rawBody: undefined, originalKey: new Uint8Array(0) };
}

/** The same seed with other arguments (re-marshalled with the codec at the seed's GIOP version). */
export function withArgs(seed: RequestSeed, args: unknown, name = `${seed.name}*`): RequestSeed {
  return { ...seed, name, args, rawBody: undefined };
}

/** Encodes a seed as a Request for `objectKey`: the captured body bytes when there are some, else the codec's. */
export function encodeSeed(seed: RequestSeed, objectKey: Uint8Array, requestId: number): Buffer {
  let body: ((w: CdrWriter) => void) | undefined;
  if (seed.rawBody && seed.minor >= 2) {
    const raw = seed.rawBody;
    body = (w) => w.raw(raw);
  } else if (seed.args !== undefined) {
    const codec = operationCodec(seed.operation);
    if (!codec) throw new TypeError(`no codec for ${seed.operation}`);
    const args = seed.args;
    body = (w) => codec.args.write(w, args);
  }
  return encodeRequest(
    { requestId, objectKey, operation: seed.operation, responseExpected: true, serviceContexts: seed.serviceContexts },
    body,
    { minor: seed.minor, littleEndian: seed.littleEndian },
  );
}

/** One seed aimed at one object. */
export interface FuzzCase {
  readonly seed: RequestSeed;
  readonly objectKey: Uint8Array;
}

export interface ServerFuzzOptions {
  readonly host?: string;
  readonly port: number;
  readonly cases: readonly FuzzCase[];
  readonly seed: number;
  /** Requests to send (about 10% of them unmutated). */
  readonly iterations: number;
  /** Object key of the sentinel `ping` sent after each request that is not expected to close the connection. */
  readonly pingKey: Uint8Array;
  /** Mutated requests per connection before the client opens a new one (default 8). */
  readonly perConnection?: number;
  /** Concurrent client connections (default 4). */
  readonly concurrency?: number;
  /** How long one request may go unanswered (default 3000 ms). */
  readonly timeoutMs?: number;
  /** Requests between two health checks (default 500). */
  readonly batchSize?: number;
  /** Runs after every batch: must throw if the server no longer serves a fresh client. */
  readonly healthCheck: () => Promise<void>;
}

export interface ServerFuzzFailure {
  readonly iteration: number;
  readonly seed: string;
  readonly mutation: string;
  readonly problem: string;
  /** Hex of the request sent (first 2 KiB). */
  readonly hex: string;
}

export interface ServerFuzzReport {
  readonly requests: number;
  /** Outcomes by kind: `NO_EXCEPTION`, `USER_EXCEPTION DevFailed`, `SYSTEM_EXCEPTION MARSHAL`, `closed`, ... */
  readonly outcomes: Readonly<Record<string, number>>;
  /** Outcomes of the requests sent unmutated, by kind and seed (`NO_EXCEPTION get_attribute_config_5`...). */
  readonly unmutated: Readonly<Record<string, number>>;
  readonly connections: number;
  readonly healthChecks: number;
  /** Largest RSS growth over the start of the run, sampled every 20 ms and after every batch (bytes). */
  readonly peakRssGrowth: number;
  readonly failures: readonly ServerFuzzFailure[];
}

/** One-line summary of a report. */
export function summarize(name: string, seed: number, r: ServerFuzzReport): string {
  const kinds = Object.entries(r.outcomes)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");
  return `${name}: FUZZ_SEED=${seed} ${r.requests} requests over ${r.connections} connections, ${r.healthChecks} health checks: ${kinds}; peak RSS growth ${(r.peakRssGrowth / 1048576).toFixed(1)} MiB; ${r.failures.length} failures`;
}

interface Planned {
  readonly iteration: number;
  readonly seed: string;
  readonly mutation: string;
  readonly bytes: Buffer;
  /** What a correct server does with these bytes, as far as the bytes tell. */
  readonly expect: Expectation;
}

type Expectation =
  /** One complete Request that wants a reply with this id. */
  | { readonly kind: "reply"; readonly requestId: number }
  /** One complete LocateRequest. */
  | { readonly kind: "locate"; readonly requestId: number }
  /** One complete message with no answer (oneway request, CancelRequest...): the connection keeps serving. */
  | { readonly kind: "silent" }
  /** Malformed, incomplete or followed by garbage: the server may answer, must close on MessageError or EOF. */
  | { readonly kind: "close" };

function expectationOf(bytes: Buffer): Expectation {
  const asm = new FrameAssembler();
  let frames: Buffer[];
  try {
    frames = asm.push(bytes);
  } catch {
    return { kind: "close" };
  }
  if (frames.length !== 1 || asm.pendingBytes !== 0) return { kind: "close" };
  let m: GiopMessage;
  try {
    m = decodeMessage(frames[0] as Buffer);
  } catch {
    return { kind: "close" };
  }
  switch (m.type) {
    case "Request":
      return m.responseExpected ? { kind: "reply", requestId: m.requestId } : { kind: "silent" };
    case "LocateRequest":
      return { kind: "locate", requestId: m.requestId };
    case "CancelRequest":
      return { kind: "silent" };
    default:
      // CloseConnection, MessageError, Reply, LocateReply from a client: the server closes or ignores.
      return { kind: "close" };
  }
}

const HUGE = [0xffffffff, 0x7fffffff, 0x80000000, 0x10000000, 0x00ffffff, 0x000fffff, 0x0000ffff, 0x00001000];

/**
 * Mutates the arguments of a Request only (header, target and operation kept, GIOP size fixed), so most mutations
 * reach the argument decoders and the handlers: bit flips, byte replacements, an aligned ulong (a sequence or string
 * length, a discriminator, an enum) set to a huge or nearby value, truncated or extended arguments.
 */
export function mutateArguments(frame: Buffer, rnd: () => number): { bytes: Buffer; mutation: string } {
  let m: GiopMessage;
  try {
    m = decodeMessage(frame);
  } catch {
    return mutateFrame(frame, rnd);
  }
  if (m.type !== "Request" || m.body.remaining === 0) return mutateFrame(frame, rnd);
  const start = m.body.pos;
  const le = m.header.littleEndian;
  const b = Buffer.from(frame);
  const at = (): number => start + Math.floor(rnd() * (b.length - start));
  const withSize = (x: Buffer): Buffer => {
    if (le) x.writeUInt32LE(x.length - 12, 8);
    else x.writeUInt32BE(x.length - 12, 8);
    return x;
  };
  switch (Math.floor(rnd() * 5)) {
    case 0: {
      const ps: number[] = [];
      for (let n = 1 + Math.floor(rnd() * 3); n > 0; n--) {
        const p = at();
        b[p] = (b[p] as number) ^ (1 << Math.floor(rnd() * 8));
        ps.push(p);
      }
      return { bytes: b, mutation: `argument bit flips at ${ps.join(",")}` };
    }
    case 1: {
      const p = at();
      const v = [0x00, 0xff, 0x7f, 0x80][Math.floor(rnd() * 4)] as number;
      b[p] = v;
      return { bytes: b, mutation: `argument byte ${p} := 0x${v.toString(16)}` };
    }
    case 2:
    case 3: {
      const p = at() & ~3;
      if (p < start || p + 4 > b.length) return { bytes: b, mutation: "none" };
      const old = le ? b.readUInt32LE(p) : b.readUInt32BE(p);
      const v = (rnd() < 0.6 ? (HUGE[Math.floor(rnd() * HUGE.length)] as number) : old + Math.floor(rnd() * 16) - 8) >>> 0;
      if (le) b.writeUInt32LE(v, p);
      else b.writeUInt32BE(v, p);
      return { bytes: b, mutation: `argument ulong at ${p}: ${old} -> ${v}` };
    }
    default: {
      if (rnd() < 0.5) {
        const n = start + Math.floor(rnd() * (b.length - start));
        return { bytes: withSize(Buffer.from(b.subarray(0, n))), mutation: `arguments truncated to ${n - start} bytes` };
      }
      const extra = Buffer.alloc(1 + Math.floor(rnd() * 64), Math.floor(rnd() * 256));
      return { bytes: withSize(Buffer.concat([b, extra])), mutation: `${extra.length} bytes appended to the arguments` };
    }
  }
}

const SENTINEL_BASE = 0x80000000;

/** Short name of a CORBA repository id (`IDL:omg.org/CORBA/MARSHAL:1.0` → MARSHAL, `IDL:Tango/DevFailed:1.0` → DevFailed). */
function shortRepo(id: string): string {
  const m = /([^/:]+):[\d.]+$/.exec(id);
  return m ? (m[1] as string) : id;
}

function replyKind(m: Extract<GiopMessage, { type: "Reply" }>): string {
  if (m.status === "NO_EXCEPTION") return "NO_EXCEPTION";
  if (m.status === "USER_EXCEPTION" || m.status === "SYSTEM_EXCEPTION") {
    const r = m.body as CdrReader;
    return `${m.status} ${shortRepo(r.string())}`;
  }
  return m.status;
}

/** A raw client connection: frames in, decoded messages out, close observed. */
class FuzzConnection {
  readonly socket: Socket;
  readonly #asm = new FrameAssembler();
  readonly messages: GiopMessage[] = [];
  closed = false;
  /** The server sent bytes that are not GIOP. */
  garbage: string | undefined;
  #wake: (() => void) | undefined;
  readonly ready: Promise<void>;

  constructor(host: string, port: number) {
    this.socket = connect({ host, port, noDelay: true });
    this.ready = new Promise((resolve, reject) => {
      this.socket.once("connect", () => resolve());
      this.socket.once("error", reject);
    });
    this.socket.on("error", () => undefined);
    this.socket.on("data", (chunk: Buffer) => {
      try {
        for (const f of this.#asm.push(chunk)) this.messages.push(decodeMessage(f));
      } catch (e) {
        this.garbage = e instanceof Error ? e.message : String(e);
      }
      this.#notify();
    });
    this.socket.on("close", () => {
      this.closed = true;
      this.#notify();
    });
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }

  /** Resolves true when `done()` holds, false after `ms`. */
  async until(done: () => boolean, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    return true;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Runs the fuzzer against a listening server. Deterministic mutations for a seed; outcomes counted. */
export async function fuzzServer(opts: ServerFuzzOptions): Promise<ServerFuzzReport> {
  const host = opts.host ?? "127.0.0.1";
  const perConnection = opts.perConnection ?? 8;
  const concurrency = opts.concurrency ?? 4;
  const timeoutMs = opts.timeoutMs ?? 3000;
  const batchSize = opts.batchSize ?? 500;
  const rnd = prng(opts.seed);

  // Every mutated request is planned up front, so the bytes depend on the seed only.
  const plan: Planned[] = [];
  for (let i = 0; i < opts.iterations; i++) {
    const c = opts.cases[Math.floor(rnd() * opts.cases.length)] as FuzzCase;
    const valid = encodeSeed(c.seed, c.objectKey, i + 1);
    const choice = rnd();
    const { bytes, mutation } =
      choice < 0.1 ? { bytes: valid, mutation: "none" } : choice < 0.55 ? mutateFrame(valid, rnd) : mutateArguments(valid, rnd);
    plan.push({ iteration: i, seed: c.seed.name, mutation, bytes, expect: expectationOf(bytes) });
  }

  const outcomes: Record<string, number> = {};
  const unmutated: Record<string, number> = {};
  const count = (k: string, p: Planned): void => {
    outcomes[k] = (outcomes[k] ?? 0) + 1;
    if (p.mutation === "none") {
      const u = `${k} ${p.seed}`;
      unmutated[u] = (unmutated[u] ?? 0) + 1;
    }
  };
  const failures: ServerFuzzFailure[] = [];
  const fail = (p: Planned, problem: string): void => {
    failures.push({ iteration: p.iteration, seed: p.seed, mutation: p.mutation, problem, hex: p.bytes.subarray(0, 2048).toString("hex") });
  };
  let connections = 0;
  let sentinelId = SENTINEL_BASE;
  const rss0 = process.memoryUsage().rss;
  let peakRssGrowth = 0;
  const sampleRss = (): void => {
    peakRssGrowth = Math.max(peakRssGrowth, process.memoryUsage().rss - rss0);
  };
  const sampler = setInterval(sampleRss, 20);
  let healthChecks = 0;

  /** Sends one planned request on `conn`; returns false when the connection is done. */
  const runOne = async (conn: FuzzConnection, p: Planned): Promise<boolean> => {
    const seen = conn.messages.length;
    const e = p.expect;
    conn.socket.write(p.bytes);
    if (e.kind === "close") {
      // The server may answer what it could parse, but once it has the rest of the (bad) stream it must close.
      conn.socket.end();
      if (!(await conn.until(() => conn.closed, timeoutMs)))
        fail(p, `connection not closed ${timeoutMs} ms after a malformed request and EOF`);
      const msgs = conn.messages.slice(seen);
      count(msgs.some((m) => m.type === "MessageError") ? "MessageError+close" : "close", p);
      return false;
    }
    const sentinel = sentinelId++;
    conn.socket.write(encodeRequest({ requestId: sentinel, objectKey: opts.pingKey, operation: "ping" }));
    const wanted = e.kind === "silent" ? undefined : e.requestId;
    const answered = (): GiopMessage | undefined =>
      conn.messages
        .slice(seen)
        .find((m) => (m.type === "Reply" || m.type === "LocateReply") && m.requestId === wanted && wanted !== sentinel);
    const sentinelBack = (): boolean => conn.messages.slice(seen).some((m) => m.type === "Reply" && m.requestId === sentinel);
    const ok = await conn.until(
      () => conn.closed || conn.garbage !== undefined || (sentinelBack() && (wanted === undefined || !!answered())),
      timeoutMs,
    );
    if (conn.garbage !== undefined) {
      fail(p, `server sent bytes that are not GIOP: ${conn.garbage}`);
      return false;
    }
    if (!ok) {
      fail(p, `no answer within ${timeoutMs} ms (expected ${e.kind}${wanted === undefined ? "" : ` id ${wanted}`})`);
      return false;
    }
    const r = answered();
    if (r?.type === "Reply") {
      let kind: string;
      try {
        kind = replyKind(r);
      } catch (err) {
        fail(p, `reply body does not parse: ${String(err)}`);
        return false;
      }
      count(kind, p);
      if (kind === "SYSTEM_EXCEPTION UNKNOWN") fail(p, "CORBA UNKNOWN: a non-Tango error escaped the servant");
    } else if (r?.type === "LocateReply") count("LocateReply", p);
    else if (conn.closed) {
      // A correct server closes a connection on a message it cannot use (e.g. a client's CloseConnection or Reply).
      const msgs = conn.messages.slice(seen);
      count(msgs.some((m) => m.type === "MessageError") ? "MessageError+close" : "close", p);
      return false;
    } else count("no reply expected", p);
    return !conn.closed;
  };

  const runBatch = async (batch: readonly Planned[]): Promise<void> => {
    // Workers take runs of `perConnection` requests from the batch, each run on one connection (a new one after
    // the server closed it).
    const runs: Planned[][] = [];
    for (let i = 0; i < batch.length; i += perConnection) runs.push(batch.slice(i, i + perConnection));
    let next = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        const run = runs[next++];
        if (!run) return;
        let conn: FuzzConnection | undefined;
        for (const p of run) {
          if (!conn) {
            conn = new FuzzConnection(host, opts.port);
            connections++;
            try {
              await conn.ready;
            } catch (err) {
              fail(p, `cannot connect: ${String(err)}`);
              conn.destroy();
              conn = undefined;
              continue;
            }
          }
          const keep = await runOne(conn, p);
          if (!keep) {
            conn.destroy();
            conn = undefined;
          }
        }
        conn?.destroy();
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  };

  try {
    for (let i = 0; i < plan.length; i += batchSize) {
      await runBatch(plan.slice(i, i + batchSize));
      sampleRss();
      try {
        await opts.healthCheck();
        healthChecks++;
      } catch (err) {
        const last = plan[Math.min(i + batchSize, plan.length) - 1] as Planned;
        fail(last, `health check after request ${last.iteration} failed: ${err instanceof Error ? err.message : String(err)}`);
        break;
      }
    }
  } finally {
    clearInterval(sampler);
  }
  return { requests: plan.length, outcomes, unmutated, connections, healthChecks, peakRssGrowth, failures };
}

/**
 * What escapes while a fuzzer runs: uncaught exceptions and unhandled rejections of the process (`install` before,
 * `uninstall` after) and the errors the server under test logs (`logger`, quiet otherwise); both lists must stay empty.
 */
export class EscapeRecorder {
  readonly escaped: string[] = [];
  readonly serverErrors: string[] = [];
  readonly logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (msg, fields) => this.serverErrors.push(`${msg} ${JSON.stringify(fields)}`),
  };
  private readonly onUncaught = (e: unknown): void => {
    this.escaped.push(`uncaughtException: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  };
  private readonly onRejection = (e: unknown): void => {
    this.escaped.push(`unhandledRejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  };
  install(): void {
    process.on("uncaughtException", this.onUncaught);
    process.on("unhandledRejection", this.onRejection);
  }
  uninstall(): void {
    process.off("uncaughtException", this.onUncaught);
    process.off("unhandledRejection", this.onRejection);
  }
}

/**
 * The verdict both server fuzz tests share: no failed request check, nothing escaped or logged as a server error,
 * every health check run, each reply kind reached (success, DevFailed, MARSHAL, MessageError + close), RSS bounded.
 */
export function assertFuzzHealthy(report: ServerFuzzReport, rec: EscapeRecorder, iterations: number): void {
  assert.deepEqual(report.failures.slice(0, 5), []);
  assert.deepEqual(rec.escaped, []);
  assert.deepEqual(rec.serverErrors.slice(0, 5), []);
  assert.equal(report.healthChecks, Math.ceil(iterations / 500));
  const o = report.outcomes;
  assert.ok(
    (o.NO_EXCEPTION ?? 0) > 0 && (o["USER_EXCEPTION DevFailed"] ?? 0) > 0 && (o["SYSTEM_EXCEPTION MARSHAL"] ?? 0) > 0,
    "every kind reached",
  );
  assert.ok((o["MessageError+close"] ?? 0) > 0, "malformed frames get a MessageError");
  assert.ok(report.peakRssGrowth < 256 * 1024 * 1024, `RSS grew by ${report.peakRssGrowth} bytes`);
}
