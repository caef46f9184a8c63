/**
 * A CORBA object reached over the context's connection pool, with Tango's client semantics:
 * per-call deadline → DeviceTimeout, AbortSignal, transport failures → ConnectionFailed / CommunicationFailed,
 * fail-over across endpoints, and one re-import + retry when the request was certainly not processed
 * (connect refused, CloseConnection before the reply, OBJECT_NOT_EXIST / TRANSIENT COMPLETED_NO).
 */
import type { CdrReader } from "../cdr/cdr.ts";
import {
  CommunicationFailed,
  ConnectionFailed,
  CorbaSystemException,
  DevFailed,
  DeviceTimeout,
  devError,
  ProtocolError,
} from "../errors/errors.ts";
import {
  type GiopConnection,
  REPO_OBJECT_NOT_EXIST,
  REPO_TRANSIENT,
  REQUEST_TIMED_OUT,
  type RequestBody,
  TransportFailure,
} from "../iiop/connection.ts";
import type { CallOptions } from "../iiop/logger.ts";
import { replyBody } from "../iiop/reply.ts";
import type { TangoContext } from "./context.ts";
import type { TangoHost } from "./device-name.ts";

export interface ObjectAddress {
  readonly endpoints: readonly TangoHost[];
  readonly objectKey: Uint8Array;
}

export type Resolver = (opts: CallOptions) => Promise<ObjectAddress>;

export interface RemoteObjectOptions {
  /** Name used in error messages (device name or "database at h:p"). */
  readonly name: string;
  readonly address: ObjectAddress;
  readonly context: TangoContext;
  /** Re-imports the address (e.g. DbImportDevice) after a server restart. */
  readonly resolver?: Resolver;
  readonly timeoutMs?: number;
}

type RetryKind = "connect" | "resend" | "reimport";

function retryKind(e: unknown): RetryKind | undefined {
  if (e instanceof TransportFailure) {
    if (e.completed !== "NO") return undefined;
    return e.connectFailed ? "connect" : "resend";
  }
  if (e instanceof CorbaSystemException) {
    if (e.repoId === REPO_OBJECT_NOT_EXIST) return "reimport";
    if (e.repoId === REPO_TRANSIENT && e.completed === "NO") return "reimport";
  }
  return undefined;
}

export class RemoteObject {
  readonly name: string;
  private addr: ObjectAddress;
  private readonly context: TangoContext;
  private readonly resolver: Resolver | undefined;
  private endpointIndex = 0;
  private conn: GiopConnection | undefined;
  private connGeneration = -1;
  timeoutMs: number;
  /** How many times the address was re-imported (observability for tests). */
  reimports = 0;

  constructor(opts: RemoteObjectOptions) {
    this.name = opts.name;
    this.addr = opts.address;
    this.context = opts.context;
    this.resolver = opts.resolver;
    this.timeoutMs = opts.timeoutMs ?? opts.context.timeoutMs;
  }

  get address(): ObjectAddress {
    return this.addr;
  }

  get endpoint(): TangoHost {
    return this.addr.endpoints[this.endpointIndex] ?? (this.addr.endpoints[0] as TangoHost);
  }

  /** Calls `operation`; `write` marshals the arguments (or is them, pre-marshalled), `read` decodes the result. */
  async invoke<T>(operation: string, write: RequestBody, read: (r: CdrReader) => T, opts: CallOptions = {}): Promise<T> {
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const start = this.context.clock.monotonic();
    const signal = opts.signal;
    // Fast path: one request on the cached connection.
    try {
      const reply = await this.connection().request(
        this.addr.objectKey,
        operation,
        write,
        signal ? { timeoutMs, signal, abortError: (reason) => this.abortError(operation, reason) } : { timeoutMs },
      );
      return read(replyBody(reply, operation));
    } catch (e) {
      return this.recover(e, operation, write, read, { timeoutMs, signal, start });
    }
  }

  private connection(): GiopConnection {
    const pool = this.context.pool;
    if (this.conn === undefined || this.connGeneration !== pool.generation) {
      const ep = this.endpoint;
      this.conn = pool.get(ep.host, ep.port);
      this.connGeneration = pool.generation;
    }
    return this.conn;
  }

  private abortError(operation: string, reason: unknown): Error {
    return new DevFailed(devError("API_CallAborted", `call ${operation} on ${this.name} was aborted`, `${this.name} ${operation}`), {
      cause: reason,
    });
  }

  /**
   * The timeout error, created in the async call chain so that V8's async stack trace still names the caller.
   */
  private timeoutError(operation: string, timeoutMs: number): DeviceTimeout {
    return new DeviceTimeout(
      devError(
        "API_DeviceTimedOut",
        `Timeout (${timeoutMs} mS) exceeded on ${this.name} (operation ${operation})`,
        `${this.name} ${operation}`,
      ),
    );
  }

  private async recover<T>(
    first: unknown,
    operation: string,
    write: RequestBody,
    read: (r: CdrReader) => T,
    call: { timeoutMs: number; signal: AbortSignal | undefined; start: number },
  ): Promise<T> {
    const { timeoutMs, signal, start } = call;
    const origin = `${this.name} ${operation}`;
    if (first === REQUEST_TIMED_OUT) throw this.timeoutError(operation, timeoutMs);
    let pendingError: unknown = first;
    let reimported = false;
    let resends = 0;
    let tried = 1;
    for (;;) {
      if (pendingError === undefined) {
        const remaining = timeoutMs - (this.context.clock.monotonic() - start);
        if (remaining <= 0) throw this.timeoutError(operation, timeoutMs);
        try {
          const reply = await this.connection().request(this.addr.objectKey, operation, write, {
            timeoutMs: remaining,
            signal,
            abortError: (reason) => this.abortError(operation, reason),
          });
          return read(replyBody(reply, origin));
        } catch (e) {
          if (e === REQUEST_TIMED_OUT) throw this.timeoutError(operation, timeoutMs);
          pendingError = e;
        }
      }
      {
        const e = pendingError;
        pendingError = undefined;
        const kind = retryKind(e);
        if (kind === undefined || signal?.aborted) throw this.mapError(e, operation);
        // Out of time: report what went wrong (e.g. a connect that timed out) rather than retrying.
        if (timeoutMs - (this.context.clock.monotonic() - start) <= 0) throw this.mapError(e, operation);
        if (kind === "resend") {
          if (++resends > 2) throw this.mapError(e, operation);
          continue;
        }
        if (kind === "connect" && tried < this.addr.endpoints.length) {
          this.endpointIndex = (this.endpointIndex + 1) % this.addr.endpoints.length;
          this.conn = undefined;
          tried++;
          continue;
        }
        if (!this.resolver || reimported) throw this.mapError(e, operation);
        reimported = true;
        const left = timeoutMs - (this.context.clock.monotonic() - start);
        if (left <= 0) throw this.timeoutError(operation, timeoutMs);
        try {
          this.context.logger.debug("client: re-importing after a failure", { name: this.name, error: (e as Error).message });
          this.addr = await this.resolver({ timeoutMs: left, signal });
          this.endpointIndex = 0;
          this.conn = undefined;
          this.reimports++;
          tried = 1;
        } catch (re) {
          const mapped = this.mapError(e, operation);
          if (re instanceof DevFailed && !(re instanceof ConnectionFailed)) {
            // e.g. DB_DeviceNotDefined after the device was removed: the database's answer is the useful one.
            throw DevFailed.rethrow(
              re,
              mapped.errors[mapped.errors.length - 1]?.reason ?? "API_CantConnectToDevice",
              mapped.message,
              origin,
            );
          }
          throw mapped;
        }
      }
    }
  }

  /** Converts transport/CORBA failures into the DevFailed subclasses of the client API. */
  mapError(e: unknown, operation: string): DevFailed {
    const origin = `${this.name} ${operation}`;
    if (e instanceof DevFailed) return e;
    if (e instanceof TransportFailure) {
      const root = devError("API_CorbaException", `${e.shortName}: ${e.message}`, origin);
      if (e.connectFailed) {
        return new ConnectionFailed(
          [
            root,
            devError(
              "API_CantConnectToDevice",
              `Failed to connect to ${this.name} at ${e.endpoint}: the device server is not running or not reachable`,
              origin,
            ),
          ],
          { cause: e },
        );
      }
      if (e.completed === "NO") {
        return new ConnectionFailed(
          [
            root,
            devError(
              "API_CantConnectToDevice",
              `Connection to ${this.name} at ${e.endpoint} was closed before the request was processed`,
              origin,
            ),
          ],
          { cause: e },
        );
      }
      return new CommunicationFailed(
        [
          root,
          devError(
            "API_CommunicationFailed",
            `Communication with ${this.name} failed during ${operation}; the request may or may not have been executed`,
            origin,
          ),
        ],
        { cause: e },
      );
    }
    if (e instanceof CorbaSystemException) {
      const root = devError(
        "API_CorbaException",
        `CORBA system exception ${e.shortName} (minor 0x${e.minor.toString(16)}, completed ${e.completed})`,
        origin,
      );
      if (e.repoId === REPO_OBJECT_NOT_EXIST || e.repoId === REPO_TRANSIENT) {
        return new ConnectionFailed(
          [
            root,
            devError(
              "API_CantConnectToDevice",
              `${this.name} does not exist on ${this.endpoint.host}:${this.endpoint.port} (${e.shortName})`,
              origin,
            ),
          ],
          {
            cause: e,
          },
        );
      }
      return new CommunicationFailed(
        [root, devError("API_CommunicationFailed", `${operation} on ${this.name} failed with ${e.shortName}`, origin)],
        { cause: e },
      );
    }
    if (e instanceof ProtocolError) {
      return new CommunicationFailed(
        [
          devError("API_MarshallingError", e.message, origin),
          devError("API_CommunicationFailed", `bad reply from ${this.name} to ${operation}`, origin),
        ],
        {
          cause: e,
        },
      );
    }
    return DevFailed.rethrow(e, "API_CommunicationFailed", `${operation} on ${this.name} failed`, origin);
  }
}
