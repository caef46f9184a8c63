/**
 * TangoContext: everything a client needs that would otherwise be global — TANGO_HOST, the connection pool,
 * the databases, the logger, the clock, the default timeout and the client identification (pid).
 * Created by entry points (`TangoContext.fromEnv(process.env)`) and passed explicitly.
 */

import { devError, WrongNameSyntax } from "../errors/errors.ts";
import { DEFAULT_CLIENT_TIMEOUT_MS } from "../idl/constants.ts";
import type { ClntIdent } from "../idl/structs.ts";
import { type Clock, type Logger, silentLogger, systemClock } from "../iiop/logger.ts";
import { ConnectionPool } from "../iiop/pool.ts";
import { DbLink } from "./db-link.ts";
import { formatTangoHosts, parseTangoHost, type TangoHost } from "./device-name.ts";
import { LockKeeper } from "./locking.ts";

export interface TangoContextOptions {
  /** `host:port[,host:port]` or a parsed list. Optional: only needed for names resolved through the database. */
  readonly tangoHost?: string | readonly TangoHost[];
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Default per-call timeout in ms (Tango's default: 3000). */
  readonly timeoutMs?: number;
  /** Client process id sent in ClntIdent (default: process.pid). */
  readonly pid?: number;
}

export class TangoContext implements AsyncDisposable {
  readonly tangoHosts: readonly TangoHost[];
  readonly pool: ConnectionPool;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly timeoutMs: number;
  readonly clientIdent: ClntIdent;
  /** The device locks this context holds, re-locked before they expire (`DeviceProxy.lock`). */
  readonly locks: LockKeeper;
  private readonly databases = new Map<string, DbLink>();
  private closed = false;

  constructor(opts: TangoContextOptions = {}) {
    const th = opts.tangoHost;
    this.tangoHosts = th === undefined ? [] : typeof th === "string" ? parseTangoHost(th) : [...th];
    this.logger = opts.logger ?? silentLogger;
    this.clock = opts.clock ?? systemClock;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_CLIENT_TIMEOUT_MS;
    this.clientIdent = { lang: "CPP", pid: opts.pid ?? process.pid };
    this.pool = new ConnectionPool({ logger: this.logger });
    const clock = this.clock;
    this.locks = new LockKeeper({ logger: this.logger, monotonic: () => clock.monotonic(), timeoutMs: this.timeoutMs });
  }

  /** Builds a context from environment variables (TANGO_HOST). Only entry points should call this. */
  static fromEnv(env: Readonly<Record<string, string | undefined>>, opts: Omit<TangoContextOptions, "tangoHost"> = {}): TangoContext {
    const th = env.TANGO_HOST?.trim();
    return new TangoContext({ ...opts, ...(th ? { tangoHost: th } : {}) });
  }

  /** The link to the database of `hosts` (default: TANGO_HOST), shared by every proxy of this context. */
  databaseLink(hosts: readonly TangoHost[] = this.tangoHosts): DbLink {
    if (hosts.length === 0) {
      throw new WrongNameSyntax(
        devError(
          "API_TangoHostNotSet",
          "TANGO_HOST is not set: give --tango-host / TANGO_HOST=host:port, or use tango://host:port/... names",
          "TangoContext.databaseLink",
        ),
      );
    }
    const key = formatTangoHosts(hosts).toLowerCase();
    let db = this.databases.get(key);
    if (!db) {
      db = new DbLink(this, hosts);
      this.databases.set(key, db);
    }
    return db;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Releases the locks still held (forced UnLockDevice), then closes every connection. Idempotent. */
  async close(): Promise<void> {
    if (!this.closed) await this.locks.close();
    this.closed = true;
    this.databases.clear();
    this.pool.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
