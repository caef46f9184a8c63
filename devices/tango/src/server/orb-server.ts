/**
 * Minimal CORBA object adapter over TCP: accepts GIOP 1.0-1.2, reassembles fragments, maps object keys to servants
 * (case-insensitive, `#dbase=no` stripped), answers LocateRequest, replies in the request's version and byte order.
 * Malformed input gets a MessageError and only that connection is closed.
 */
import { createServer, type Server, type Socket } from "node:net";
import type { CdrReader, CdrWriter } from "../cdr/cdr.ts";
import { makeIor, stringifyIor } from "../corba/ior.ts";
import { CorbaSystemException, DevFailed, MultiDevFailed, ProtocolError } from "../errors/errors.ts";
import {
  decodeMessage,
  encodeLocateReply,
  encodeReply,
  encodeSimple,
  FrameAssembler,
  LocateStatus,
  type RequestMessage,
  writeSystemException,
} from "../giop/giop.ts";
import { DEVICE_5_REPO_ID, REPO_DEVFAILED, REPO_MULTIDEVFAILED } from "../idl/constants.ts";
import { writeDevErrorList, writeNamedDevErrorList } from "../idl/structs.ts";
import { type Logger, silentLogger } from "../iiop/logger.ts";
import { giopAddress } from "./locking.ts";

export const REPO_OBJECT_NOT_EXIST = "IDL:omg.org/CORBA/OBJECT_NOT_EXIST:1.0";
export const REPO_BAD_OPERATION = "IDL:omg.org/CORBA/BAD_OPERATION:1.0";
export const REPO_MARSHAL = "IDL:omg.org/CORBA/MARSHAL:1.0";
export const REPO_UNKNOWN = "IDL:omg.org/CORBA/UNKNOWN:1.0";
/** OMG standard minor codes (0x4F4D0000 | n). */
const OMG_MINOR = 0x4f4d0000;

export interface IncomingRequest {
  readonly operation: string;
  /** Positioned at the first argument. */
  readonly body: CdrReader;
  /** Normalized key (lower-case, `#dbase=no` stripped). */
  readonly key: string;
  /** Remote address of the client. */
  readonly peer: string;
  /** The connection as omniORB names it (`giop:tcp:<ip>:<port>`): with the ClntIdent, the identity of a locker. */
  readonly address: string;
  readonly responseExpected: boolean;
}

/** Writes the NO_EXCEPTION reply body (undefined = empty body). */
export type ReplyBody = ((w: CdrWriter) => void) | undefined;

export interface Servant {
  dispatch(req: IncomingRequest): Promise<ReplyBody> | ReplyBody;
}

export function normalizeKey(key: string | Uint8Array): string {
  const s = typeof key === "string" ? key : Buffer.from(key).toString("latin1");
  const i = s.indexOf("#dbase=");
  return (i >= 0 ? s.slice(0, i) : s).toLowerCase();
}

export interface OrbServerOptions {
  /** Bind address (default 0.0.0.0). */
  readonly host?: string;
  /** Port (0 = ephemeral). */
  readonly port?: number;
  /** Host written in IORs (what `-ORBendPointPublish` does); default: the bind host, or 127.0.0.1 for 0.0.0.0. */
  readonly publishHost?: string;
  /** Port written in IORs (default: the bound port). */
  readonly publishPort?: number;
  readonly logger?: Logger;
}

interface Conn {
  readonly socket: Socket;
  readonly assembler: FrameAssembler;
  readonly peer: string;
  readonly address: string;
  closed: boolean;
  /** The object key of the connection's last request and its normalized form (clients repeat one key). */
  keyBytes: Uint8Array | undefined;
  key: string;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class OrbServer {
  readonly #servants = new Map<string, Servant>();
  readonly #conns = new Set<Conn>();
  readonly #opts: OrbServerOptions;
  readonly #logger: Logger;
  #server: Server | undefined;
  #port = 0;

  constructor(opts: OrbServerOptions = {}) {
    this.#opts = opts;
    this.#logger = opts.logger ?? silentLogger;
  }

  get port(): number {
    return this.#port;
  }
  get publishHost(): string {
    const h = this.#opts.publishHost ?? this.#opts.host ?? "0.0.0.0";
    return h === "0.0.0.0" || h === "::" ? "127.0.0.1" : h;
  }
  get publishPort(): number {
    return this.#opts.publishPort ?? this.#port;
  }
  get connectionCount(): number {
    return this.#conns.size;
  }

  register(key: string, servant: Servant): void {
    this.#servants.set(normalizeKey(key), servant);
  }
  unregister(key: string): void {
    this.#servants.delete(normalizeKey(key));
  }
  has(key: string): boolean {
    return this.#servants.has(normalizeKey(key));
  }

  /** Stringified IOR (IDL:Tango/Device_5:1.0) for a registered key, with the publish host/port. */
  iorFor(key: string, typeId: string = DEVICE_5_REPO_ID): string {
    return stringifyIor(makeIor(typeId, this.publishHost, this.publishPort, Buffer.from(normalizeKey(key), "latin1")));
  }

  async listen(opts: { signal?: AbortSignal } = {}): Promise<number> {
    const server = createServer({ noDelay: true }, (s) => this.#accept(s));
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error): void =>
        reject(
          DevFailed.from(
            "API_CantBind",
            `cannot listen on ${this.#opts.host ?? "0.0.0.0"}:${this.#opts.port ?? 0}: ${e.message}`,
            "OrbServer::listen",
            { cause: e },
          ),
        );
      server.once("error", onError);
      opts.signal?.addEventListener("abort", () => onError(new Error("aborted")), { once: true });
      server.listen(this.#opts.port ?? 0, this.#opts.host ?? "0.0.0.0", () => {
        server.off("error", onError);
        resolve();
      });
    });
    server.on("error", (e) => this.#logger.error("server socket error", { error: e.message }));
    const addr = server.address();
    this.#port = typeof addr === "object" && addr ? addr.port : 0;
    return this.#port;
  }

  /** Sends CloseConnection to every client, closes the sockets and stops listening. Idempotent. */
  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const c of this.#conns) {
      if (!c.closed) {
        c.closed = true;
        c.socket.end(encodeSimple("CloseConnection"));
        c.socket.destroySoon();
      }
    }
    this.#conns.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    socket.setNoDelay(true);
    const conn: Conn = {
      socket,
      assembler: new FrameAssembler(),
      peer: socket.remoteAddress ?? "?",
      address: giopAddress(socket.remoteAddress, socket.remotePort),
      closed: false,
      keyBytes: undefined,
      key: "",
    };
    this.#conns.add(conn);
    socket.on("data", (chunk: Buffer) => this.#onData(conn, chunk));
    socket.on("error", (e) => this.#logger.debug("client socket error", { peer: conn.peer, error: e.message }));
    socket.on("close", () => {
      conn.closed = true;
      this.#conns.delete(conn);
    });
  }

  #messageError(conn: Conn, why: string, minor = 2, littleEndian = true): void {
    this.#logger.warn("malformed GIOP input, closing the connection", { peer: conn.peer, error: why });
    if (conn.closed) return;
    conn.closed = true;
    conn.socket.end(encodeSimple("MessageError", { minor, littleEndian }));
    conn.socket.destroySoon();
  }

  #onData(conn: Conn, chunk: Buffer): void {
    if (conn.closed) return;
    let msgs: Buffer[];
    try {
      msgs = conn.assembler.push(chunk);
    } catch (e) {
      this.#messageError(conn, e instanceof Error ? e.message : String(e));
      return;
    }
    for (const buf of msgs) {
      if (conn.closed) return;
      let m: ReturnType<typeof decodeMessage>;
      try {
        m = decodeMessage(buf);
      } catch (e) {
        this.#messageError(
          conn,
          e instanceof Error ? e.message : String(e),
          buf[5] === 0 || buf[5] === 1 ? buf[5] : 2,
          (buf[6] ?? 1) % 2 === 1,
        );
        return;
      }
      switch (m.type) {
        case "Request":
          void this.#onRequest(conn, m);
          break;
        case "LocateRequest": {
          const found = this.#servants.has(normalizeKey(m.objectKey));
          conn.socket.write(
            encodeLocateReply(m.requestId, found ? LocateStatus.OBJECT_HERE : LocateStatus.UNKNOWN_OBJECT, {
              minor: m.header.minor,
              littleEndian: m.header.littleEndian,
            }),
          );
          break;
        }
        case "CancelRequest":
          break;
        case "CloseConnection":
          conn.closed = true;
          conn.socket.end();
          return;
        case "MessageError":
          conn.closed = true;
          conn.socket.destroy();
          return;
        default:
          this.#messageError(conn, `unexpected ${m.type} message from a client`, m.header.minor, m.header.littleEndian);
          return;
      }
    }
  }

  /** Dispatches a request; a servant that answers synchronously is replied to in this turn. */
  #onRequest(conn: Conn, m: RequestMessage): void {
    const enc = { minor: m.header.minor, littleEndian: m.header.littleEndian };
    let key = conn.key;
    if (!conn.keyBytes || !sameBytes(conn.keyBytes, m.objectKey)) {
      key = normalizeKey(m.objectKey);
      conn.keyBytes = m.objectKey;
      conn.key = key;
    }
    const servant = this.#servants.get(key);
    if (!servant) {
      this.#send(
        conn,
        m,
        encodeReply(
          { requestId: m.requestId, status: "SYSTEM_EXCEPTION" },
          (w) => writeSystemException(w, REPO_OBJECT_NOT_EXIST, OMG_MINOR | 1, 1),
          enc,
        ),
      );
      return;
    }
    let body: Promise<ReplyBody> | ReplyBody;
    try {
      body = servant.dispatch({
        operation: m.operation,
        body: m.body,
        key,
        peer: conn.peer,
        address: conn.address,
        responseExpected: m.responseExpected,
      });
    } catch (e) {
      this.#send(conn, m, this.#exceptionReply(m, e, enc));
      return;
    }
    if (body === undefined || typeof body === "function") {
      this.#send(conn, m, this.#encodeReply(m, body, enc));
      return;
    }
    body.then(
      (b) => this.#send(conn, m, this.#encodeReply(m, b, enc)),
      (e: unknown) => this.#send(conn, m, this.#exceptionReply(m, e, enc)),
    );
  }

  /** The NO_EXCEPTION reply, or the exception reply when writing the body fails. */
  #encodeReply(m: RequestMessage, body: ReplyBody, enc: { minor: number; littleEndian: boolean }): Buffer {
    try {
      return encodeReply({ requestId: m.requestId, status: "NO_EXCEPTION" }, body, enc);
    } catch (e) {
      return this.#exceptionReply(m, e, enc);
    }
  }

  #send(conn: Conn, m: RequestMessage, out: Buffer): void {
    if (!m.responseExpected || conn.closed) return;
    conn.socket.write(out);
  }

  #exceptionReply(m: RequestMessage, e: unknown, enc: { minor: number; littleEndian: boolean }): Buffer {
    const id = m.requestId;
    if (e instanceof MultiDevFailed) {
      return encodeReply(
        { requestId: id, status: "USER_EXCEPTION" },
        (w) => {
          w.string(REPO_MULTIDEVFAILED);
          writeNamedDevErrorList(w, e.namedErrors);
        },
        enc,
      );
    }
    if (e instanceof DevFailed) {
      return encodeReply(
        { requestId: id, status: "USER_EXCEPTION" },
        (w) => {
          w.string(REPO_DEVFAILED);
          writeDevErrorList(w, e.errors);
        },
        enc,
      );
    }
    let repo = REPO_UNKNOWN;
    let minor = OMG_MINOR | 1;
    let completed: 0 | 1 | 2 = 2;
    if (e instanceof CorbaSystemException) {
      repo = e.repoId;
      minor = e.minor;
      completed = e.completed === "YES" ? 0 : e.completed === "NO" ? 1 : 2;
    } else if (e instanceof ProtocolError) {
      repo = REPO_MARSHAL;
      minor = OMG_MINOR | 1;
      completed = 1;
      this.#logger.warn("cannot unmarshal request arguments", { op: m.operation, error: e.message });
    } else {
      this.#logger.error("servant failed with a non-Tango error", {
        op: m.operation,
        error: e instanceof Error ? (e.stack ?? e.message) : String(e),
      });
    }
    return encodeReply({ requestId: id, status: "SYSTEM_EXCEPTION" }, (w) => writeSystemException(w, repo, minor, completed), enc);
  }
}

export function badOperation(op: string): CorbaSystemException {
  return new CorbaSystemException(REPO_BAD_OPERATION, OMG_MINOR | 2, "NO", `unknown operation ${op}`);
}
