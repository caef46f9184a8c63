/**
 * One GIOP 1.2 client connection over TCP: lazy connect, request-id multiplexing, per-call timeout and AbortSignal,
 * transparent re-open after the peer closed the socket. Failures are CorbaSystemException with a completion status
 * telling the caller whether a retry is safe (COMPLETED_NO: the request was certainly not processed).
 */
import { connect as netConnect, type Socket } from "node:net";
import { CdrWriter } from "../cdr/cdr.ts";
import { CorbaSystemException, type ProtocolError } from "../errors/errors.ts";
import { decodeMessage, encodeRequest, FrameAssembler, GIOP_HEADER_SIZE, type ReplyMessage, writeMessageBody } from "../giop/giop.ts";

/** Thrown (once, shared) by a request whose deadline passed; the caller turns it into its own timeout error. */
export const REQUEST_TIMED_OUT: unique symbol = Symbol("request timed out");

/** setTimeout's largest delay; a later deadline is checked again when the timer fires. */
const MAX_TIMER_DELAY = 2_147_483_647;

const templates = new WeakMap<Uint8Array, Map<string, Buffer>>();

/** GIOP 1.2 request bytes up to the end of the (empty) service-context list, for one object key and operation. */
function requestTemplate(objectKey: Uint8Array, operation: string): Buffer {
  let byOp = templates.get(objectKey);
  if (!byOp) {
    byOp = new Map();
    templates.set(objectKey, byOp);
  }
  let t = byOp.get(operation);
  if (!t) {
    t = Buffer.from(encodeRequest({ requestId: 0, objectKey, operation }));
    byOp.set(operation, t);
  }
  return t;
}

/**
 * A request body: a function marshalling the arguments, or the arguments already marshalled (little-endian, by a
 * writer whose byte 0 is 8-aligned, i.e. origin 0: the body of a GIOP 1.2 request starts 8-aligned).
 */
export type RequestBody = ((w: CdrWriter) => void) | Uint8Array | undefined;

/** Encodes a little-endian GIOP 1.2 Request (same bytes as giop.encodeRequest, without re-marshalling the header). */
export function encodeRequestFast(requestId: number, objectKey: Uint8Array, operation: string, body: RequestBody): Buffer {
  const t = requestTemplate(objectKey, operation);
  if (body instanceof Uint8Array) {
    // Pre-marshalled arguments: template, padding to 8 (GIOP 1.2: only before a non-empty body), arguments; no writer.
    const tl = t.length;
    const start = body.length > 0 ? (tl + 7) & ~7 : tl;
    const out = Buffer.allocUnsafe(start + body.length);
    out.set(t, 0);
    for (let i = tl; i < start; i++) out[i] = 0;
    out.set(body, start);
    out.writeUInt32LE(out.length - GIOP_HEADER_SIZE, 8);
    out.writeUInt32LE(requestId, GIOP_HEADER_SIZE);
    return out;
  }
  const w = new CdrWriter({ littleEndian: true, origin: 0, initialSize: t.length + 128 });
  w.raw(t);
  writeMessageBody(w, 2, body);
  const out = w.finish();
  out.writeUInt32LE(out.length - GIOP_HEADER_SIZE, 8);
  out.writeUInt32LE(requestId, GIOP_HEADER_SIZE);
  return out;
}

import { type Logger, silentLogger } from "./logger.ts";

export const REPO_TRANSIENT = "IDL:omg.org/CORBA/TRANSIENT:1.0";
export const REPO_COMM_FAILURE = "IDL:omg.org/CORBA/COMM_FAILURE:1.0";
export const REPO_OBJECT_NOT_EXIST = "IDL:omg.org/CORBA/OBJECT_NOT_EXIST:1.0";
export const REPO_BAD_OPERATION = "IDL:omg.org/CORBA/BAD_OPERATION:1.0";
export const REPO_MARSHAL = "IDL:omg.org/CORBA/MARSHAL:1.0";

/** omniORB-style minor codes ("AT" vendor prefix) used for locally raised exceptions. */
export const MINOR_CONNECT_FAILED = 0x41540002;
export const MINOR_CONNECTION_CLOSED = 0x41540003;
export const MINOR_MESSAGE_ERROR = 0x41540004;

/** A transport failure raised locally (the request never reached the server or its outcome is unknown). */
export class TransportFailure extends CorbaSystemException {
  /** The connect() step failed: nothing was sent. */
  readonly connectFailed: boolean;
  readonly endpoint: string;
  constructor(repoId: string, minor: number, completed: "YES" | "NO" | "MAYBE", endpoint: string, detail: string, connectFailed = false) {
    super(repoId, minor, completed, detail);
    this.name = "TransportFailure";
    this.endpoint = endpoint;
    this.connectFailed = connectFailed;
  }
}

export interface RequestOptions {
  /** Milliseconds for the whole call (connect included). */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** The error to reject with on timeout (default: the REQUEST_TIMED_OUT symbol, for the caller to replace). */
  readonly timeoutError?: Error;
  /** Builds the error to reject with when `signal` aborts. */
  readonly abortError?: (reason: unknown) => Error;
}

interface Pending {
  readonly id: number;
  readonly message: Buffer;
  resolve: (m: ReplyMessage) => void;
  reject: (e: Error | typeof REQUEST_TIMED_OUT) => void;
  /** performance.now() at which the call times out. */
  readonly deadline: number;
  readonly timeoutMs: number;
  readonly timeoutError: Error | undefined;
  sent: boolean;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

type State = "idle" | "connecting" | "open" | "closed";

export interface ConnectionOptions {
  readonly logger?: Logger;
  readonly maxMessageSize?: number;
}

export class GiopConnection {
  readonly host: string;
  readonly port: number;
  readonly endpoint: string;
  private state: State = "idle";
  private socket: Socket | undefined;
  private assembler: FrameAssembler;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /**
   * One timer per connection for every pending call's deadline (instead of a setTimeout per call): armed for the
   * earliest deadline it knows of, it fails the calls whose deadline passed when it fires and re-arms for the next one.
   * Referenced only while calls are pending, so an idle connection does not keep the process alive.
   */
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** performance.now() at which `timer` fires (Infinity when none is armed). */
  private timerAt = Number.POSITIVE_INFINITY;
  private readonly onTimer = (): void => this.expire();
  private readonly logger: Logger;
  private readonly maxMessageSize: number | undefined;
  /** Number of TCP connections opened so far (1 = never reconnected). */
  opened = 0;

  constructor(host: string, port: number, opts: ConnectionOptions = {}) {
    this.host = host;
    this.port = port;
    this.endpoint = `${host}:${port}`;
    this.logger = opts.logger ?? silentLogger;
    this.maxMessageSize = opts.maxMessageSize;
    this.assembler = new FrameAssembler(this.maxMessageSize);
  }

  get isOpen(): boolean {
    return this.state === "open";
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Sends a Request and resolves with the matching Reply (any reply status; the caller interprets it). */
  request(objectKey: Uint8Array, operation: string, body: RequestBody, opts: RequestOptions): Promise<ReplyMessage> {
    if (opts.signal?.aborted) return Promise.reject(this.abortError(opts, opts.signal.reason));
    const id = this.nextId;
    this.nextId = (this.nextId + 1) >>> 0 || 1;
    const message = encodeRequestFast(id, objectKey, operation, body);
    const timeoutMs = opts.timeoutMs;
    const deadline = performance.now() + timeoutMs;
    return new Promise<ReplyMessage>((resolve, reject) => {
      const p: Pending = {
        id,
        message,
        resolve,
        reject,
        deadline,
        timeoutMs,
        timeoutError: opts.timeoutError,
        sent: false,
        signal: opts.signal,
        onAbort: undefined,
      };
      if (this.timer === undefined || deadline < this.timerAt) this.arm(deadline);
      else if (this.pending.size === 0) this.timer.ref();
      if (opts.signal) {
        const signal = opts.signal;
        p.onAbort = () => this.fail(p, this.abortError(opts, signal.reason));
        signal.addEventListener("abort", p.onAbort, { once: true });
      }
      this.pending.set(id, p);
      if (this.state === "open") this.write(p);
      else this.open();
    });
  }

  /** Closes the socket; pending calls fail with COMM_FAILURE. Idempotent; a later request re-opens. */
  close(): void {
    this.teardown(
      new TransportFailure(REPO_COMM_FAILURE, MINOR_CONNECTION_CLOSED, "MAYBE", this.endpoint, "connection closed by the client"),
    );
  }

  private abortError(opts: RequestOptions, reason: unknown): Error {
    if (opts.abortError) return opts.abortError(reason);
    return reason instanceof Error ? reason : new TransportFailure(REPO_TRANSIENT, 0, "MAYBE", this.endpoint, "aborted");
  }

  private write(p: Pending): void {
    p.sent = true;
    (this.socket as Socket).write(p.message);
  }

  private settle(p: Pending): Pending | undefined {
    if (this.pending.get(p.id) !== p) return undefined;
    this.pending.delete(p.id);
    // The timer stays armed (a later call will most likely need it) but no longer keeps the process alive.
    if (this.pending.size === 0 && this.timer !== undefined) this.timer.unref();
    if (p.onAbort && p.signal) p.signal.removeEventListener("abort", p.onAbort);
    return p;
  }

  /** (Re-)arms the deadline timer for `at` (performance.now() time), referenced. */
  private arm(at: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = at;
    // setTimeout may fire up to ~1 ms early (libuv's cached loop time); expire() re-arms for what is left.
    this.timer = setTimeout(this.onTimer, Math.min(MAX_TIMER_DELAY, Math.max(0, Math.ceil(at - performance.now()))));
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  /** The deadline timer fired: fails the calls whose deadline passed, re-arms for the earliest remaining one. */
  private expire(): void {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    for (const p of [...this.pending.values()]) {
      if (p.deadline > now) {
        if (p.deadline < next) next = p.deadline;
        continue;
      }
      // Never sent: the connect did not complete in time (unreachable host) — a connection failure, not a slow server.
      if (!p.sent && this.state === "connecting") {
        this.fail(
          p,
          new TransportFailure(
            REPO_TRANSIENT,
            MINOR_CONNECT_FAILED,
            "NO",
            this.endpoint,
            `connect to ${this.endpoint} timed out after ${p.timeoutMs} ms`,
            true,
          ),
        );
      } else this.fail(p, p.timeoutError ?? REQUEST_TIMED_OUT);
    }
    // A failed call's handlers run later (promise jobs), so `pending` only lost the expired calls here.
    if (next !== Number.POSITIVE_INFINITY && this.pending.size > 0) this.arm(next);
  }

  private fail(p: Pending, err: Error | typeof REQUEST_TIMED_OUT): void {
    this.settle(p)?.reject(err);
  }

  private open(): void {
    if (this.state === "connecting") return;
    this.state = "connecting";
    this.assembler = new FrameAssembler(this.maxMessageSize);
    const socket = netConnect({ host: this.host, port: this.port, noDelay: true });
    this.socket = socket;
    this.opened++;
    // The socket never keeps the process alive: a pending call's timer does (so idle connections do not).
    socket.unref();
    socket.setNoDelay(true);
    socket.once("connect", () => {
      if (this.socket !== socket) return;
      this.state = "open";
      this.logger.debug("giop: connected", { endpoint: this.endpoint });
      for (const p of [...this.pending.values()]) if (!p.sent && this.pending.has(p.id)) this.write(p);
    });
    socket.on("data", (chunk: Buffer) => {
      if (this.socket === socket) this.onData(chunk);
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      if (this.socket !== socket) return;
      const connecting = this.state === "connecting";
      this.logger.debug("giop: socket error", { endpoint: this.endpoint, code: err.code, connecting });
      if (connecting) {
        this.teardown(
          new TransportFailure(
            REPO_TRANSIENT,
            MINOR_CONNECT_FAILED,
            "NO",
            this.endpoint,
            `connect to ${this.endpoint} failed: ${err.code ?? err.message}`,
            true,
          ),
        );
      } else {
        this.teardown(
          new TransportFailure(
            REPO_COMM_FAILURE,
            MINOR_CONNECTION_CLOSED,
            "MAYBE",
            this.endpoint,
            `socket error: ${err.code ?? err.message}`,
          ),
        );
      }
    });
    socket.on("close", () => {
      if (this.socket !== socket) return;
      const connecting = this.state === "connecting";
      this.teardown(
        connecting
          ? new TransportFailure(
              REPO_TRANSIENT,
              MINOR_CONNECT_FAILED,
              "NO",
              this.endpoint,
              `connect to ${this.endpoint} failed: closed`,
              true,
            )
          : new TransportFailure(REPO_COMM_FAILURE, MINOR_CONNECTION_CLOSED, "MAYBE", this.endpoint, "connection closed by the server"),
      );
    });
  }

  private onData(chunk: Buffer): void {
    let msgs: Buffer[];
    try {
      msgs = this.assembler.push(chunk);
    } catch (e) {
      this.teardown(
        new TransportFailure(REPO_MARSHAL, MINOR_MESSAGE_ERROR, "MAYBE", this.endpoint, `bad GIOP stream: ${(e as Error).message}`),
      );
      return;
    }
    for (const m of msgs) {
      const type = m[7];
      if (type === 1) {
        let reply: ReplyMessage;
        try {
          reply = decodeMessage(m, this.maxMessageSize) as ReplyMessage;
        } catch (e) {
          // A reply we cannot even frame: fail only that request if we can read its id.
          const le = ((m[6] as number) & 1) === 1;
          const id = m.length >= GIOP_HEADER_SIZE + 4 ? (le ? m.readUInt32LE(GIOP_HEADER_SIZE) : m.readUInt32BE(GIOP_HEADER_SIZE)) : -1;
          const p = this.pending.get(id);
          if (p)
            this.fail(p, new TransportFailure(REPO_MARSHAL, MINOR_MESSAGE_ERROR, "MAYBE", this.endpoint, (e as ProtocolError).message));
          continue;
        }
        const p = this.pending.get(reply.requestId);
        if (p) this.settle(p)?.resolve(reply);
      } else if (type === 5) {
        // CloseConnection: every request without a reply was not processed → safe to re-send.
        this.logger.debug("giop: CloseConnection received", { endpoint: this.endpoint, pending: this.pending.size });
        this.teardown(new TransportFailure(REPO_TRANSIENT, MINOR_CONNECTION_CLOSED, "NO", this.endpoint, "server sent CloseConnection"));
        return;
      } else if (type === 6) {
        this.teardown(new TransportFailure(REPO_COMM_FAILURE, MINOR_MESSAGE_ERROR, "MAYBE", this.endpoint, "server sent MessageError"));
        return;
      }
      // LocateReply / others: ignored (we never send LocateRequest).
    }
  }

  private teardown(err: TransportFailure): void {
    const socket = this.socket;
    this.socket = undefined;
    this.state = "closed";
    if (socket) {
      socket.removeAllListeners("data");
      socket.on("error", () => {});
      socket.destroy();
    }
    for (const p of [...this.pending.values()]) {
      // Requests that were never written are certainly not processed.
      const e =
        !p.sent && err.completed !== "NO"
          ? new TransportFailure(REPO_TRANSIENT, err.minor, "NO", this.endpoint, err.message, err.connectFailed)
          : err;
      this.fail(p, e);
    }
    this.disarm();
  }
}
