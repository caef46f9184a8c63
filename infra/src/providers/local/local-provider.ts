/**
 * The local target: our database server and the device servers as child processes on free ports of 127.0.0.1.
 * start(): db + every server at once (servers gated: they load their code, then wait on stdin) → db answers →
 * dsconfig loaded → gates opened → wait until every readiness device answers. Without pre-spawning: db → dsconfig →
 * every server (concurrently) → readiness.
 * Every process runs in its own process group, is labelled with the run id (env TANGO_BDD_RUN_ID) and is killed
 * on stop(), on failure while starting, and when the runner exits or gets SIGINT/SIGTERM (ProcessRegistry).
 */
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InfraReason, InfrastructureFailure, tail } from "../../errors.ts";
import type { ServerHandle, ServerSpec, StackSpec, StartedStack, TargetProvider } from "../../harness.ts";
import { waitForDevice, waitForDevices } from "../../probes/readiness.ts";
import type { TangoClient, TangoClientFactory } from "../../tango-client.ts";
import { freePorts, ManagedProcess, ProcessRegistry } from "./process.ts";

/** The repository root (this file is infra/src/providers/local/local-provider.ts). */
export const REPO_ROOT = new URL("../../../../", import.meta.url).pathname;

export interface LocalProviderOptions {
  /** Makes the client used for readiness pings (and handed to nobody else). */
  readonly clientFactory: TangoClientFactory;
  /** `[executable, ...args]` that runs the tango CLI. Default: node devices/tango/bin/tango.mjs. */
  readonly tangoCommand?: readonly string[];
  readonly registry?: ProcessRegistry;
  readonly host?: string;
  /** Where run files (the dsconfig copy) go. Default: $TMPDIR/tango-bdd/<runId>. */
  readonly workDir?: string;
  /** Extra environment for every process (e.g. log levels). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * How the dsconfig reaches the database: "cli" runs `tango db load <file>` (the documented command line);
   * a function loads it through the readiness client (faster, no extra process). Default "cli".
   */
  readonly configLoader?: "cli" | ((client: TangoClient, config: StackSpec["config"]) => Promise<void>);
  /** Environment the children inherit (entry points pass process.env). Default: PATH and HOME only. */
  readonly baseEnv?: Readonly<Record<string, string | undefined>>;
  /**
   * Spawn the device servers together with the database, gated (env TANGO_START_GATE=stdin: the CLI loads its code,
   * then waits for a line on stdin), and open the gates once the dsconfig is loaded, so module loading overlaps the
   * database start. The `tangoCommand` must honour the gate. Default true.
   */
  readonly preSpawnServers?: boolean;
  /** Longest pause between readiness pings (ms). Default 25. */
  readonly readinessMaxDelayMs?: number;
}

interface ServerPorts {
  readonly port: number;
  readonly heartbeat: number;
  readonly event: number;
}

function describeExit(p: ManagedProcess): string | undefined {
  const s = p.exitStatus;
  return s ? `process ${p.id} exited (code ${s.code}, signal ${s.signal})` : undefined;
}

export class LocalProvider implements TargetProvider {
  readonly name = "local" as const;
  readonly #opts: LocalProviderOptions;

  constructor(opts: LocalProviderOptions) {
    this.#opts = opts;
  }

  get tangoCommand(): readonly string[] {
    return this.#opts.tangoCommand ?? [process.execPath, join(REPO_ROOT, "devices/tango/bin/tango.mjs")];
  }

  async available(): Promise<{ ok: true } | { ok: false; why: string }> {
    const cli = this.tangoCommand[1];
    if (this.#opts.tangoCommand === undefined && cli !== undefined && !existsSync(cli)) {
      return { ok: false, why: `the tango CLI (${cli}) is missing` };
    }
    return { ok: true };
  }

  async start(spec: StackSpec, opts: { signal?: AbortSignal } = {}): Promise<StartedStack> {
    const avail = await this.available();
    if (!avail.ok) throw new InfrastructureFailure(InfraReason.ProviderUnavailable, avail.why, "LocalProvider.start");
    const t0 = performance.now();
    const host = this.#opts.host ?? "127.0.0.1";
    const registry = this.#opts.registry ?? new ProcessRegistry();
    const workDir = this.#opts.workDir ?? join(tmpdir(), "tango-bdd", spec.runId);
    await mkdir(workDir, { recursive: true });
    const timeoutMs = spec.startTimeoutMs ?? 30_000;
    const ports = await freePorts(1 + spec.servers.length * 3, host);
    const dbPort = ports[0] as number;
    const tangoHost = `${host}:${dbPort}`;
    const stack = new LocalStack({
      spec,
      tangoHost,
      registry,
      workDir,
      ownsWorkDir: this.#opts.workDir === undefined,
      tangoCommand: this.tangoCommand,
      env: {
        ...pickBaseEnv(this.#opts.baseEnv),
        ...(this.#opts.env ?? {}),
        TANGO_HOST: tangoHost,
        TANGO_BDD_RUN_ID: spec.runId,
      },
      host,
      readinessMaxDelayMs: this.#opts.readinessMaxDelayMs ?? 25,
    });
    const preSpawn = this.#opts.preSpawnServers ?? true;
    const maxDelayMs = stack.readinessMaxDelayMs;
    const serverPorts = (i: number): ServerPorts => ({
      port: ports[1 + i * 3] as number,
      heartbeat: ports[2 + i * 3] as number,
      event: ports[3 + i * 3] as number,
    });
    let client: TangoClient | undefined;
    try {
      // 1. database (and the gated servers, which load their code meanwhile)
      const db = stack.spawnDb(dbPort);
      if (preSpawn) for (const [i, s] of spec.servers.entries()) stack.addServer(s, serverPorts(i), { gated: true });
      client = await this.#opts.clientFactory(tangoHost);
      stack.probeClient = client;
      stack.startupPhases.dbSpawned = performance.now() - t0;
      await waitForDevice(client, "sys/database/2", {
        timeoutMs,
        maxDelayMs,
        checkAlive: () => describeExit(db),
        origin: "LocalProvider(db)",
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      stack.startupPhases.dbAnswered = performance.now() - t0;
      // 2. configuration
      const configFile = join(workDir, "dsconfig.json");
      await writeFile(configFile, JSON.stringify(spec.config, null, 2));
      const loader = this.#opts.configLoader ?? "cli";
      if (loader === "cli") await stack.loadConfig(configFile, timeoutMs);
      else {
        await loader(client, spec.config).catch((e: unknown) => {
          throw new InfrastructureFailure(
            InfraReason.StartFailed,
            `loading the dsconfig failed: ${(e as Error)?.message ?? e}`,
            "LocalProvider",
            { cause: e },
          );
        });
      }
      stack.startupPhases.configLoaded = performance.now() - t0;
      // 3. device servers, all at once (the examples subscribe lazily, so no ordering is needed)
      if (preSpawn) for (const srv of stack.localServers.values()) srv.release();
      else for (const [i, s] of spec.servers.entries()) stack.addServer(s, serverPorts(i));
      stack.startupPhases.serversSpawned = performance.now() - t0;
      await Promise.all(
        [...stack.localServers.values()].map((srv) =>
          waitForDevices(client as TangoClient, srv.spec.readinessDevices ?? [], {
            timeoutMs: Math.max(1, timeoutMs - (performance.now() - t0)),
            maxDelayMs,
            checkAlive: () => (srv.process ? describeExit(srv.process) : "not started"),
            origin: `LocalProvider(${srv.id})`,
            ...(opts.signal ? { signal: opts.signal } : {}),
          }).catch((e: unknown) => {
            throw stack.withLogs(e, srv.id);
          }),
        ),
      );
      stack.startupMs = performance.now() - t0;
      stack.startupPhases.allAnswered = stack.startupMs;
      return stack;
    } catch (e) {
      const err =
        e instanceof InfrastructureFailure
          ? e
          : new InfrastructureFailure(InfraReason.StartFailed, String((e as Error)?.message ?? e), "LocalProvider.start", { cause: e });
      await stack.stop();
      throw err;
    }
  }
}

function pickBaseEnv(base: Readonly<Record<string, string | undefined>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(base ?? {})) if (v !== undefined) out[k] = v;
  return out;
}

interface LocalStackInit {
  readonly spec: StackSpec;
  readonly tangoHost: string;
  readonly registry: ProcessRegistry;
  readonly workDir: string;
  readonly ownsWorkDir: boolean;
  readonly tangoCommand: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly host: string;
  readonly readinessMaxDelayMs: number;
}

/** One device server of the local stack (kill/restart keep its ports). */
export class LocalServer implements ServerHandle {
  readonly id: string;
  readonly spec: ServerSpec;
  readonly ports: ServerPorts;
  process: ManagedProcess | undefined;
  readonly #stack: LocalStack;
  /** Previous incarnations (before a kill); their logs are read late, as output may still be arriving. */
  readonly #previous: ManagedProcess[] = [];

  constructor(stack: LocalStack, spec: ServerSpec, ports: ServerPorts) {
    this.#stack = stack;
    this.spec = spec;
    this.ports = ports;
    this.id = `${spec.server}/${spec.instance}`;
  }

  /** Starts the server; `gated`: it waits for release() before running (see LocalProviderOptions.preSpawnServers). */
  spawn(opts: { gated?: boolean } = {}): void {
    if (this.process) this.#previous.push(this.process);
    this.process = this.#stack.spawnTango(
      this.id,
      [
        "serve",
        this.id,
        "--module",
        this.spec.module,
        "--port",
        String(this.ports.port),
        "--heartbeat-port",
        String(this.ports.heartbeat),
        "--event-port",
        String(this.ports.event),
        "--publish-host",
        this.#stack.host,
      ],
      opts.gated ? { ...(this.spec.env ?? {}), TANGO_START_GATE: "stdin" } : this.spec.env,
      opts.gated ? "pipe" : "ignore",
    );
  }

  /** Opens the start gate of a gated spawn. */
  release(): void {
    this.process?.release();
  }

  async kill(): Promise<void> {
    await this.process?.kill();
  }

  async restart(opts: { timeoutMs?: number } = {}): Promise<void> {
    if (this.process?.running) await this.process.kill();
    this.spawn();
    const client = this.#stack.probeClient;
    if (!client) return;
    const proc = this.process;
    await waitForDevices(client, this.spec.readinessDevices ?? [], {
      timeoutMs: opts.timeoutMs ?? 15_000,
      maxDelayMs: this.#stack.readinessMaxDelayMs,
      checkAlive: () => (proc ? describeExit(proc) : undefined),
      origin: `LocalServer.restart(${this.id})`,
    });
  }

  async logs(): Promise<string> {
    return this.#previous.map((p) => p.log.text()).join("") + (this.process?.log.text() ?? "");
  }

  async stop(): Promise<void> {
    await this.process?.stop(1500);
  }
}

export class LocalStack implements StartedStack {
  readonly target = "local" as const;
  readonly runId: string;
  readonly tangoHost: string;
  readonly host: string;
  readonly localServers = new Map<string, LocalServer>();
  readonly environment: Record<string, string>;
  /** Longest pause between readiness pings (start and restart). */
  readonly readinessMaxDelayMs: number;
  startupMs = 0;
  /** Milliseconds since start() at which each start-up phase ended (for benchmarks and reports). */
  readonly startupPhases: Record<string, number> = {};
  probeClient: TangoClient | undefined;
  db: ManagedProcess | undefined;
  readonly #init: LocalStackInit;
  #stopped: Promise<void> | undefined;
  #loadLog = "";

  constructor(init: LocalStackInit) {
    this.#init = init;
    this.runId = init.spec.runId;
    this.tangoHost = init.tangoHost;
    this.host = init.host;
    this.readinessMaxDelayMs = init.readinessMaxDelayMs;
    this.environment = {
      target: "local",
      tango_host: init.tangoHost,
      run_id: init.spec.runId,
      node: process.version,
      database: "@tango-bdd/databaseds (in memory)",
      servers: init.spec.servers.map((s) => `${s.server}/${s.instance}`).join(", "),
    };
  }

  get servers(): ReadonlyMap<string, ServerHandle> {
    return this.localServers;
  }

  spawnTango(
    id: string,
    args: readonly string[],
    extraEnv?: Readonly<Record<string, string>>,
    stdin: "ignore" | "pipe" = "ignore",
  ): ManagedProcess {
    const [cmd, ...pre] = this.#init.tangoCommand;
    return ManagedProcess.spawn({
      id,
      command: cmd as string,
      args: [...pre, ...args],
      env: { ...this.#init.env, ...(extraEnv ?? {}) },
      cwd: REPO_ROOT,
      registry: this.#init.registry,
      stdin,
    });
  }

  spawnDb(port: number): ManagedProcess {
    this.db = this.spawnTango("db", ["db", "--port", String(port), "--memory"]);
    return this.db;
  }

  async loadConfig(file: string, timeoutMs: number): Promise<void> {
    const p = this.spawnTango("db load", ["db", "load", file]);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((r) => {
      timer = setTimeout(() => r("timeout"), timeoutMs);
    });
    const res = await Promise.race([p.exited, timeout]);
    clearTimeout(timer);
    this.#loadLog = p.log.text();
    if (res === "timeout") {
      await p.kill();
      throw new InfrastructureFailure(InfraReason.StartTimeout, `db load did not finish within ${timeoutMs} ms`, "LocalStack.loadConfig", {
        logTail: tail(this.#loadLog),
      });
    }
    if (res.code !== 0) {
      throw new InfrastructureFailure(
        InfraReason.StartFailed,
        `db load ${file} failed (exit ${res.code}, signal ${res.signal}):\n${tail(this.#loadLog)}`,
        "LocalStack.loadConfig",
        { logTail: tail(this.#loadLog) },
      );
    }
  }

  addServer(spec: ServerSpec, ports: ServerPorts, opts: { gated?: boolean } = {}): LocalServer {
    const srv = new LocalServer(this, spec, ports);
    this.localServers.set(srv.id, srv);
    srv.spawn(opts);
    return srv;
  }

  /** Adds the failing component's log tail to a start error. */
  withLogs(e: unknown, id: string): InfrastructureFailure {
    const srv = this.localServers.get(id);
    const log = srv?.process?.log.text() ?? "";
    const base = e instanceof Error ? e.message : String(e);
    const reason = e instanceof InfrastructureFailure ? e.reason : "";
    const r = Object.values(InfraReason).find((x) => x === reason) ?? InfraReason.StartFailed;
    return new InfrastructureFailure(r, `${base}\n--- ${id} log (tail) ---\n${tail(log)}`, `LocalStack(${id})`, {
      cause: e,
      logTail: tail(log),
    });
  }

  async collectLogs(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    if (this.db) out.db = this.db.log.text();
    if (this.#loadLog) out["db load"] = this.#loadLog;
    for (const [id, srv] of this.localServers) out[id] = await srv.logs();
    return out;
  }

  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  async #stop(): Promise<void> {
    await Promise.all([...this.localServers.values()].map((s) => s.stop()));
    await this.probeClient?.close().catch(() => undefined);
    await this.db?.stop(1500);
    if (this.#init.ownsWorkDir) await rm(this.#init.workDir, { recursive: true, force: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
