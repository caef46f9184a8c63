/**
 * The in-process target: the database server and every device server run inside the test runner's process
 * (through the runtime's programmatic API), on ephemeral ports of 127.0.0.1. No process start-up cost, so it
 * is the fastest way to run the suite; "kill" closes the server (there is no process to SIGKILL).
 */
import { DataBaseServer, loadDsConfig, parseDsConfig } from "@tango-bdd/databaseds";
import type { LogFields, Logger } from "@tango-bdd/tango";
import { type DeviceClass, getDeviceClassSpec, type ServerHandle as RuntimeServer, runServer } from "@tango-bdd/tango/server";
import { InfraReason, InfrastructureFailure } from "../../errors.ts";
import type { ServerHandle, ServerSpec, StackSpec, StartedStack, TargetProvider } from "../../harness.ts";
import { waitForDevices } from "../../probes/readiness.ts";
import type { TangoClient, TangoClientFactory } from "../../tango-client.ts";
import { LogBuffer } from "../local/process.ts";

export interface InProcessProviderOptions {
  readonly clientFactory: TangoClientFactory;
  /** Log level kept in the per-server logs (default info). */
  readonly logLevel?: "debug" | "info" | "warn" | "error";
}

const LEVELS = ["debug", "info", "warn", "error"] as const;

/** A Logger writing into a LogBuffer (what the report attaches as the server's log). */
export function bufferLogger(buf: LogBuffer, min: (typeof LEVELS)[number] = "info", ns = ""): Logger {
  const rank = LEVELS.indexOf(min);
  const line = (level: (typeof LEVELS)[number], msg: string, f?: LogFields): void => {
    if (LEVELS.indexOf(level) < rank) return;
    const fields = f ? ` ${JSON.stringify(f, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))}` : "";
    buf.append(level === "error" || level === "warn" ? "err" : "out", `${level.toUpperCase()} ${ns ? `[${ns}] ` : ""}${msg}${fields}\n`);
  };
  return {
    debug: (m, f) => line("debug", m, f),
    info: (m, f) => line("info", m, f),
    warn: (m, f) => line("warn", m, f),
    error: (m, f) => line("error", m, f),
    child: (n) => bufferLogger(buf, min, n),
  };
}

/** Device classes exported by a module (any export the runtime recognises as a device class). */
export async function deviceClassesOf(module: string): Promise<DeviceClass[]> {
  const mod = (await import(module)) as Record<string, unknown>;
  const values = [...Object.values(mod), ...(Array.isArray(mod.classes) ? (mod.classes as unknown[]) : [])];
  const out = new Set<DeviceClass>();
  for (const v of values) {
    if (typeof v !== "function") continue;
    try {
      getDeviceClassSpec(v as DeviceClass);
      out.add(v as DeviceClass);
    } catch {
      // not a device class
    }
  }
  return [...out];
}

class InProcessServer implements ServerHandle {
  readonly id: string;
  readonly spec: ServerSpec;
  readonly log = new LogBuffer();
  runtime: RuntimeServer | undefined;
  ports: { port: number; heartbeat: number; event: number } | undefined;
  readonly #stack: InProcessStack;

  constructor(stack: InProcessStack, spec: ServerSpec) {
    this.#stack = stack;
    this.spec = spec;
    this.id = `${spec.server}/${spec.instance}`;
  }

  async start(): Promise<void> {
    const classes = await deviceClassesOf(this.spec.module);
    this.log.note(`starting ${this.id} in process (classes ${classes.map((c) => getDeviceClassSpec(c).tangoClass).join(", ")})`);
    this.runtime = await runServer({
      serverName: this.spec.server,
      instance: this.spec.instance,
      classes,
      tangoHost: this.#stack.tangoHost,
      host: "127.0.0.1",
      port: this.ports?.port ?? 0,
      ...(this.ports ? { heartbeatPort: this.ports.heartbeat, eventPort: this.ports.event } : {}),
      logger: bufferLogger(this.log, this.#stack.logLevel),
    });
    this.ports ??= { port: this.runtime.port, heartbeat: 0, event: 0 };
  }

  async kill(): Promise<void> {
    this.log.note("killed (closed in process)");
    await this.runtime?.close();
    this.runtime = undefined;
  }

  async restart(opts: { timeoutMs?: number } = {}): Promise<void> {
    if (this.runtime) await this.kill();
    await this.start();
    const client = this.#stack.probeClient;
    if (client)
      await waitForDevices(client, this.spec.readinessDevices ?? [], {
        timeoutMs: opts.timeoutMs ?? 15_000,
        origin: `InProcessServer(${this.id})`,
      });
  }

  async logs(): Promise<string> {
    return this.log.text();
  }
}

class InProcessStack implements StartedStack {
  readonly target = "inprocess" as const;
  readonly runId: string;
  readonly db: DataBaseServer;
  readonly dbLog: LogBuffer;
  readonly logLevel: (typeof LEVELS)[number];
  readonly inProcessServers = new Map<string, InProcessServer>();
  readonly environment: Record<string, string>;
  startupMs = 0;
  probeClient: TangoClient | undefined;
  #stopped: Promise<void> | undefined;

  constructor(runId: string, db: DataBaseServer, dbLog: LogBuffer, logLevel: (typeof LEVELS)[number]) {
    this.runId = runId;
    this.db = db;
    this.dbLog = dbLog;
    this.logLevel = logLevel;
    this.environment = {
      target: "inprocess",
      tango_host: db.tangoHost,
      run_id: runId,
      node: process.version,
      database: "@tango-bdd/databaseds (in memory, in process)",
    };
  }

  get tangoHost(): string {
    return this.db.tangoHost;
  }

  get servers(): ReadonlyMap<string, ServerHandle> {
    return this.inProcessServers;
  }

  async collectLogs(): Promise<Record<string, string>> {
    const out: Record<string, string> = { db: this.dbLog.text() };
    for (const [id, s] of this.inProcessServers) out[id] = s.log.text();
    return out;
  }

  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      await Promise.all([...this.inProcessServers.values()].map((s) => s.runtime?.close().catch(() => undefined)));
      await this.probeClient?.close().catch(() => undefined);
      await this.db.close();
    })();
    return this.#stopped;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

export class InProcessProvider implements TargetProvider {
  readonly name = "inprocess" as const;
  readonly #opts: InProcessProviderOptions;

  constructor(opts: InProcessProviderOptions) {
    this.#opts = opts;
  }

  async available(): Promise<{ ok: true } | { ok: false; why: string }> {
    return { ok: true };
  }

  async start(spec: StackSpec, opts: { signal?: AbortSignal } = {}): Promise<StartedStack> {
    const t0 = performance.now();
    const dbLog = new LogBuffer();
    const level = this.#opts.logLevel ?? "info";
    let db: DataBaseServer;
    try {
      db = await DataBaseServer.start({ file: ":memory:", port: 0, host: "127.0.0.1", logger: bufferLogger(dbLog, level) });
    } catch (e) {
      throw new InfrastructureFailure(
        InfraReason.StartFailed,
        `the in-process database did not start: ${(e as Error).message}`,
        "InProcessProvider",
        { cause: e },
      );
    }
    const stack = new InProcessStack(spec.runId, db, dbLog, level);
    try {
      await loadDsConfig(parseDsConfig(spec.config as unknown), async (c, v) => db.commands.execute(c, v));
      stack.probeClient = await this.#opts.clientFactory(db.tangoHost);
      for (const s of spec.servers) stack.inProcessServers.set(`${s.server}/${s.instance}`, new InProcessServer(stack, s));
      await Promise.all([...stack.inProcessServers.values()].map((s) => s.start()));
      const client = stack.probeClient;
      await Promise.all(
        [...stack.inProcessServers.values()].map((s) =>
          waitForDevices(client, s.spec.readinessDevices ?? [], {
            timeoutMs: spec.startTimeoutMs ?? 30_000,
            origin: `InProcessProvider(${s.id})`,
            ...(opts.signal ? { signal: opts.signal } : {}),
          }),
        ),
      );
      stack.startupMs = performance.now() - t0;
      return stack;
    } catch (e) {
      await stack.stop();
      throw e instanceof InfrastructureFailure
        ? e
        : new InfrastructureFailure(
            InfraReason.StartFailed,
            `the in-process stack did not start: ${(e as Error).message}`,
            "InProcessProvider",
            { cause: e },
          );
    }
  }
}
