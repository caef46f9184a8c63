/** One GIOP connection per endpoint (host:port), shared by every proxy of a TangoContext. */
import { GiopConnection } from "./connection.ts";
import { type Logger, silentLogger } from "./logger.ts";

export class ConnectionPool {
  private readonly connections = new Map<string, GiopConnection>();
  private readonly logger: Logger;
  private closed = false;
  /** Incremented by close(): holders of cached connections must get them again. */
  generation = 0;

  constructor(opts: { logger?: Logger } = {}) {
    this.logger = opts.logger ?? silentLogger;
  }

  /** The shared connection to host:port (created on first use, opened lazily by the first request). */
  get(host: string, port: number): GiopConnection {
    const key = `${host.toLowerCase()}:${port}`;
    let c = this.connections.get(key);
    if (!c) {
      c = new GiopConnection(host, port, { logger: this.logger });
      this.connections.set(key, c);
      // A pool that was closed can be used again (connections re-open lazily).
      this.closed = false;
    }
    return c;
  }

  get size(): number {
    return this.connections.size;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Closes every connection (pending calls fail). Idempotent. */
  close(): void {
    this.closed = true;
    this.generation++;
    for (const c of this.connections.values()) c.close();
    this.connections.clear();
  }
}
