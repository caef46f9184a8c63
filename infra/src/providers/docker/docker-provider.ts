/**
 * The docker target: the Tango stack in containers of `tango-bdd/runtime:local`, started with testcontainers.
 *
 * Layout of one run (everything labelled with the run id, see labels.ts):
 * - one bridge network `tango-bdd-<runId>` with its own /24 (picked to overlap no host route, see subnet.ts);
 * - the database container, alias `databaseds`, listening on 10000 (`databaseds:10000` inside the network), also
 *   published on 127.0.0.1:<free port> for people and tools on the host;
 * - one container per `<server>/<instance>`, alias `<server>-<instance>`, started in spec order, each once the
 *   previous one answered.
 *
 * Addresses. Tango IORs and ZMQ event endpoints carry host:port, and the same IOR (stored in the database) is used by
 * the runner on the host and by the other device servers in the network, so every announced address must be valid on
 * both sides. Two ways:
 * - "container-ip" (default): each container gets a fixed address in the run's subnet (kept across kill/restart) and
 *   announces it (`--publish-host <its IP>`). The host routes to the subnet through the bridge and the containers share
 *   it, so every connection is a plain TCP connection to the server itself: no NAT, no docker-proxy. The runner's
 *   TANGO_HOST is the database's address, <subnet>.2:10000.
 * - "gateway": each server gets three free host ports P (GIOP), H, E (ZMQ heartbeat/events), listens on the same
 *   numbers inside, publishes them at the network gateway G only, and announces G. The host reaches G directly;
 *   containers reach G:P through docker-proxy (which accepts connections even for a server being killed, so a client
 *   sees "closed during the call" where a direct connection would be refused). TANGO_HOST is 127.0.0.1:<port>.
 */

import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type { Logger } from "@tango-bdd/tango";
import { silentLogger } from "@tango-bdd/tango";
import type Dockerode from "dockerode";
import type { StartedTestContainer, WaitStrategy } from "testcontainers";
import { InfraReason, type InfraReasonName, InfrastructureFailure, tail } from "../../errors.ts";
import type { ServerHandle, ServerSpec, StackSpec, StartedStack, TargetName, TargetProvider } from "../../harness.ts";
import { demuxLogs } from "./docker-logs.ts";
import { Label, RunGuard, removeRun, sweepOrphans } from "./labels.ts";
import { freePorts, portFree } from "./ports.ts";
import { type Probe, tangoPingProbe, tcpProbe, waitUntil } from "./readiness.ts";
import { formatCidr, hostAddress, parseProcRoutes, pickSubnet, type Subnet } from "./subnet.ts";

type Testcontainers = typeof import("testcontainers");
type RuntimeClient = Awaited<ReturnType<Testcontainers["getContainerRuntimeClient"]>>;

export const DEFAULT_RUNTIME_IMAGE = "tango-bdd/runtime:local";
/** The database's port inside the network (`databaseds:10000`). */
export const DATABASE_PORT = 10000;
export const DATABASE_ALIAS = "databaseds";
const TANGO_CLI = "devices/tango/bin/tango.mjs";
/** Server ports inside each container in "container-ip" addressing (every container has its own address). */
export const CONTAINER_SERVER_PORTS: ServerPorts = { giop: 45450, heartbeat: 45451, event: 45452 };
/** Host numbers in the run subnet: .1 gateway, .2 database, .10+ servers in spec order. */
const DB_HOST_INDEX = 2;
const FIRST_SERVER_HOST_INDEX = 10;
const CONFIG_PATH = "/tmp/dsconfig.json";

export interface ServerPorts {
  readonly giop: number;
  readonly heartbeat: number;
  readonly event: number;
}

/** Command lines run in the containers (docs/conventions.md); replaceable for tests of the provider itself. */
export interface DockerCommands {
  /** The database server, listening on `port` inside its container, announcing `publishHost` when given. */
  database(port: number, publishHost?: string): string[];
  /** Loads the dsconfig JSON at `path`; run inside the database container with TANGO_HOST=localhost:<port>. */
  loadConfig(path: string): string[];
  /** A device server listening on `ports` (same numbers inside and outside) and announcing `publishHost`. */
  server(spec: ServerSpec, ports: ServerPorts, publishHost: string): string[];
}

export const tangoCommands: DockerCommands = {
  database: (port, publishHost) => [
    "node",
    TANGO_CLI,
    "db",
    "--port",
    String(port),
    "--file",
    "/data/tango.sqlite",
    ...(publishHost ? ["--publish-host", publishHost] : []),
  ],
  loadConfig: (path) => ["node", TANGO_CLI, "db", "load", path],
  server: (spec, ports, publishHost) => [
    "node",
    TANGO_CLI,
    "serve",
    `${spec.server}/${spec.instance}`,
    "--module",
    spec.module,
    "--port",
    String(ports.giop),
    "--publish-host",
    publishHost,
    "--heartbeat-port",
    String(ports.heartbeat),
    "--event-port",
    String(ports.event),
  ],
};

export type DockerAddressing = "container-ip" | "gateway";

export interface DockerProviderOptions {
  /** Image of the database and the device servers (default tango-bdd/runtime:local, built by `npm run images`). */
  readonly image?: string;
  readonly logger?: Logger;
  readonly commands?: DockerCommands;
  /**
   * "tango" (default): the database device and every readiness device answer a Tango ping from the runner.
   * "tcp": the component's first port accepts a TCP connection (for components that are not Tango servers).
   */
  readonly readiness?: "tango" | "tcp";
  /** How servers are addressed (see the module comment); default "container-ip". */
  readonly addressing?: DockerAddressing;
  /** "gateway" addressing: the address servers announce and publish on (default: the run network's gateway). */
  readonly publishHost?: string;
  /** Remove the leftovers of runs whose runner process died, before starting (default true). */
  readonly sweepOrphans?: boolean;
  /** Time for each component to answer when StackSpec.startTimeoutMs is not set (default 60 s). */
  readonly startTimeoutMs?: number;
}

/**
 * Testcontainers defaults that cannot work without Docker Hub: Ryuk (its reaper image; this provider removes its
 * resources itself) and the alpine probe of the gateway (the engine is local). Set once, before testcontainers runs;
 * an explicit setting by the caller wins.
 */
function configureTestcontainers(env: NodeJS.ProcessEnv): void {
  env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
  env.TESTCONTAINERS_HOST_OVERRIDE ??= "localhost";
}

async function loadTestcontainers(): Promise<Testcontainers> {
  configureTestcontainers(process.env);
  return import("testcontainers");
}

/** Readiness is ours (Tango ping/TCP from the runner), so testcontainers' own wait is a no-op. */
const startedWait: WaitStrategy = {
  waitUntilReady: () => Promise.resolve(),
  withStartupTimeout() {
    return this;
  },
  isStartupTimeoutSet: () => false,
  getStartupTimeout: () => 60_000,
};

interface PortPublish {
  readonly containerPort: number;
  readonly hostIp: string;
  readonly hostPort: number;
}

/**
 * GenericContainer with host-IP-specific port bindings (testcontainers binds every interface) and a network endpoint
 * with alias and fixed address (testcontainers' withNetworkAliases also attaches the default bridge).
 */
function publishingContainerClass(tc: Testcontainers) {
  return class PublishingContainer extends tc.GenericContainer {
    withRunNetwork(network: string, alias: string, ipv4: string): this {
      this.withNetworkMode(network);
      this.createOpts.NetworkingConfig = { EndpointsConfig: { [network]: { Aliases: [alias], IPAMConfig: { IPv4Address: ipv4 } } } };
      return this;
    }

    withPublishedPorts(ports: readonly PortPublish[]): this {
      const byPort = new Map<number, PortPublish[]>();
      for (const p of ports) byPort.set(p.containerPort, [...(byPort.get(p.containerPort) ?? []), p]);
      this.withExposedPorts(...[...byPort.keys()].map((c) => ({ container: c, host: byPort.get(c)?.[0]?.hostPort ?? c })));
      const bindings = { ...this.hostConfig.PortBindings };
      for (const [c, list] of byPort) bindings[`${c}/tcp`] = list.map((p) => ({ HostIp: p.hostIp, HostPort: String(p.hostPort) }));
      this.hostConfig.PortBindings = bindings;
      return this;
    }
  };
}

/** Label-safe and DNS-safe name part. */
function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class DockerProvider implements TargetProvider {
  readonly name: TargetName = "docker";
  readonly #opts: DockerProviderOptions;

  constructor(opts: DockerProviderOptions = {}) {
    this.#opts = opts;
  }

  get image(): string {
    return this.#opts.image ?? DEFAULT_RUNTIME_IMAGE;
  }

  async available(): Promise<{ ok: true } | { ok: false; why: string }> {
    try {
      const tc = await loadTestcontainers();
      const client = await withTimeout(tc.getContainerRuntimeClient(), 15_000, "the Docker engine did not answer within 15 s");
      if (!(await client.image.exists(tc.ImageName.fromString(this.image)))) {
        return { ok: false, why: `image ${this.image} is missing: run \`npm run images\`` };
      }
      return { ok: true };
    } catch (err) {
      return { ok: false, why: `no Docker engine reachable (${errorText(err)}): run \`bash scripts/docker-engine.sh\`` };
    }
  }

  async start(spec: StackSpec, opts: { signal?: AbortSignal } = {}): Promise<StartedStack> {
    const t0 = performance.now();
    const tc = await loadTestcontainers();
    let client: RuntimeClient;
    try {
      client = await withTimeout(tc.getContainerRuntimeClient(), 15_000, "the Docker engine did not answer within 15 s");
    } catch (err) {
      throw new InfrastructureFailure(
        InfraReason.ProviderUnavailable,
        `no Docker engine reachable (${errorText(err)}): run \`bash scripts/docker-engine.sh\``,
        "DockerProvider.start",
        { cause: err },
      );
    }
    const logger = this.#opts.logger ?? silentLogger;
    const docker = client.container.dockerode;
    if (this.#opts.sweepOrphans ?? true) {
      const swept = await sweepOrphans(docker, hostname()).catch(() => []);
      if (swept.length > 0) logger.info("removed leftovers of dead runs", { runs: swept });
    }
    const stack = new DockerStack({
      tc,
      client,
      spec,
      image: this.image,
      logger,
      commands: this.#opts.commands ?? tangoCommands,
      readiness: this.#opts.readiness ?? "tango",
      publishHost: this.#opts.publishHost,
      addressing: this.#opts.addressing ?? "container-ip",
      timeoutMs: spec.startTimeoutMs ?? this.#opts.startTimeoutMs ?? 60_000,
    });
    try {
      await stack.boot(opts.signal);
    } catch (err) {
      const logs: Record<string, string> = await stack.collectLogs().catch(() => ({}));
      await stack.stop();
      if (opts.signal?.aborted) throw err;
      const component = stack.bootingComponent;
      const logTail = component ? tail(logs[component] ?? "", 30) : "";
      throw new InfrastructureFailure(
        infraReasonOf(err),
        `docker target, run ${spec.runId}: ${component ?? "stack"} failed to start: ${errorText(err)}` +
          (logTail ? `\n--- last lines of ${component} ---\n${logTail}` : ""),
        "DockerProvider.start",
        { cause: err, logTail },
      );
    }
    stack.startupMs = Math.round(performance.now() - t0);
    return stack;
  }
}

const infraReasons: readonly string[] = Object.values(InfraReason);
function isInfraReason(r: string | undefined): r is InfraReasonName {
  return r !== undefined && infraReasons.includes(r);
}
/** The reason of an InfrastructureFailure (kept when wrapping it), StartFailed for anything else. */
function infraReasonOf(err: unknown): InfraReasonName {
  const reason = err instanceof InfrastructureFailure ? err.errors[0]?.reason : undefined;
  return isInfraReason(reason) ? reason : InfraReason.StartFailed;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(what)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

interface StackDeps {
  readonly tc: Testcontainers;
  readonly client: RuntimeClient;
  readonly spec: StackSpec;
  readonly image: string;
  readonly logger: Logger;
  readonly commands: DockerCommands;
  readonly readiness: "tango" | "tcp";
  readonly publishHost: string | undefined;
  readonly addressing: DockerAddressing;
  readonly timeoutMs: number;
}

interface Component {
  readonly id: string;
  readonly container: Dockerode.Container;
  readonly started: StartedTestContainer;
}

class DockerStack implements StartedStack {
  readonly target: TargetName = "docker";
  readonly runId: string;
  tangoHost = "";
  startupMs = 0;
  readonly servers = new Map<string, ServerHandle>();
  readonly environment: Record<string, string> = {};
  /** The component being started when boot() failed. */
  bootingComponent: string | undefined;
  readonly #d: StackDeps;
  readonly #docker: Dockerode;
  readonly #guard: RunGuard;
  readonly #labels: Record<string, string>;
  readonly #components = new Map<string, Component>();
  /** Logs captured just before the containers were removed. */
  readonly #finalLogs = new Map<string, string>();
  #network: Dockerode.Network | undefined;
  #publishHost = "";
  #stopping: Promise<void> | undefined;

  constructor(deps: StackDeps) {
    this.#d = deps;
    this.runId = deps.spec.runId;
    this.#docker = deps.client.container.dockerode;
    this.#guard = new RunGuard(this.#docker, this.runId);
    this.#labels = {
      [Label.Managed]: "true",
      [Label.Run]: this.runId,
      [Label.OwnerPid]: String(process.pid),
      [Label.OwnerHost]: hostname(),
    };
  }

  async boot(signal: AbortSignal | undefined): Promise<void> {
    const { tc, spec, logger } = this.#d;
    const run = slug(this.runId);
    const byIp = this.#d.addressing === "container-ip";
    this.#guard.install();

    // 1. The network, with its own subnet (fixed container addresses need one).
    this.bootingComponent = "network";
    const netName = `tango-bdd-${run}`;
    const { network, subnet, gateway } = await this.#createNetwork(netName);
    this.#network = network;
    this.#publishHost = byIp ? "" : (this.#d.publishHost ?? gateway);
    signal?.throwIfAborted();

    // 2. The database, with the dsconfig copied in and loaded. It is also published on 127.0.0.1:<free port>. In
    //    gateway addressing the runner uses that; when G:10000 is free (no wildcard listener on 10000) it is
    //    published there too and announces G, so that the IOR of sys/database/2 is valid everywhere.
    this.bootingComponent = DATABASE_ALIAS;
    const dbIp = hostAddress(subnet, DB_HOST_INDEX);
    const [dbHostPort = 0] = await freePorts(1);
    const dbAtGateway = !byIp && this.#publishHost !== "127.0.0.1" && (await portFree(this.#publishHost, DATABASE_PORT));
    const dbAnnounced = byIp ? dbIp : dbAtGateway ? this.#publishHost : undefined;
    this.tangoHost = byIp ? `${dbIp}:${DATABASE_PORT}` : `127.0.0.1:${dbHostPort}`;
    const Publishing = publishingContainerClass(tc);
    const dbContainer = new Publishing(this.#d.image)
      .withName(`tango-bdd-${run}-${DATABASE_ALIAS}`)
      .withHostname(DATABASE_ALIAS)
      .withRunNetwork(netName, DATABASE_ALIAS, dbIp)
      .withLabels({ ...this.#labels, [Label.Component]: DATABASE_ALIAS })
      .withCommand(this.#d.commands.database(DATABASE_PORT, dbAnnounced))
      .withCopyContentToContainer([{ content: JSON.stringify(spec.config, null, 2), target: CONFIG_PATH, mode: 0o644 }])
      .withPublishedPorts([
        { containerPort: DATABASE_PORT, hostIp: "127.0.0.1", hostPort: dbHostPort },
        ...(dbAtGateway ? [{ containerPort: DATABASE_PORT, hostIp: this.#publishHost, hostPort: DATABASE_PORT }] : []),
      ])
      .withDroppedCapabilities("ALL")
      .withSecurityOpt("no-new-privileges")
      .withWaitStrategy(startedWait);
    const db = await this.#startComponent(DATABASE_ALIAS, dbContainer);
    const [dbHost = "", dbPort = ""] = this.tangoHost.split(":");
    const dbProbe: Probe =
      this.#d.readiness === "tango"
        ? tangoPingProbe(this.tangoHost, [`tango://${this.tangoHost}/sys/database/2#dbase=no`])
        : tcpProbe(dbHost, Number(dbPort));
    await this.#waitReady(DATABASE_ALIAS, dbProbe, signal);
    const load = await db.started.exec(this.#d.commands.loadConfig(CONFIG_PATH), {
      env: { TANGO_HOST: `localhost:${DATABASE_PORT}` },
    });
    if (load.exitCode !== 0) {
      throw new InfrastructureFailure(
        InfraReason.StartFailed,
        `loading the dsconfig into the database failed (exit ${load.exitCode}): ${tail(load.output, 15)}`,
        "DockerStack.boot",
      );
    }
    logger.info("database ready", { runId: this.runId, tangoHost: this.tangoHost });

    // 3. The device servers, in order, each once the previous one answers.
    const addresses: string[] = [];
    for (const [index, server] of spec.servers.entries()) {
      signal?.throwIfAborted();
      const id = `${server.server}/${server.instance}`;
      this.bootingComponent = id;
      const ip = hostAddress(subnet, FIRST_SERVER_HOST_INDEX + index);
      let ports = CONTAINER_SERVER_PORTS;
      let published: PortPublish[] = [];
      if (!byIp) {
        const [giop = 0, heartbeat = 0, event = 0] = await freePorts(3);
        ports = { giop, heartbeat, event };
        published = [giop, heartbeat, event].map((p) => ({ containerPort: p, hostIp: this.#publishHost, hostPort: p }));
      }
      const announced = byIp ? ip : this.#publishHost;
      const alias = slug(`${server.server}-${server.instance}`);
      const container = new Publishing(this.#d.image)
        .withName(`tango-bdd-${run}-${alias}`)
        .withHostname(alias)
        .withRunNetwork(netName, alias, ip)
        .withLabels({ ...this.#labels, [Label.Component]: id })
        .withEnvironment({ TANGO_HOST: `${DATABASE_ALIAS}:${DATABASE_PORT}`, ...(server.env ?? {}) })
        .withCommand(this.#d.commands.server(server, ports, announced))
        .withPublishedPorts(published)
        .withDroppedCapabilities("ALL")
        .withSecurityOpt("no-new-privileges")
        .withWaitStrategy(startedWait);
      const component = await this.#startComponent(id, container);
      const probe = this.#serverProbe(server, announced, ports);
      await this.#waitReady(id, probe, signal);
      this.servers.set(id, new DockerServerHandle(id, component.container, probe, this));
      addresses.push(`${id}=${announced}:${ports.giop}`);
      logger.info("server ready", { runId: this.runId, server: id, host: announced, ports });
    }
    this.bootingComponent = undefined;

    const version = await this.#docker.version().catch(() => undefined);
    const image = await this.#docker
      .getImage(this.#d.image)
      .inspect()
      .catch(() => undefined);
    Object.assign(this.environment, {
      target: "docker",
      "docker.engine": version ? `${version.Version} (API ${version.ApiVersion})` : "unknown",
      "docker.image": `${this.#d.image}${image ? ` ${image.Id.slice(7, 19)}` : ""}`,
      "docker.network": `${netName} ${formatCidr(subnet)}`,
      "docker.addressing": this.#d.addressing,
      ...(byIp ? {} : { "docker.publishHost": this.#publishHost }),
      "docker.servers": addresses.join(", "),
      tangoHost: this.tangoHost,
      "tangoHost.inNetwork": `${DATABASE_ALIAS}:${DATABASE_PORT}`,
      "tangoHost.published": `127.0.0.1:${dbHostPort}`,
      "docker.databaseAnnounced": `${dbAnnounced ?? DATABASE_ALIAS}:${DATABASE_PORT}`,
    });
  }

  /** Creates the run's network on a free /24 (retrying when docker reports an overlap with another network). */
  async #createNetwork(name: string): Promise<{ network: Dockerode.Network; subnet: Subnet; gateway: string }> {
    let routes: Subnet[] = [];
    try {
      routes = parseProcRoutes(readFileSync("/proc/net/route", "utf8"));
    } catch {
      // not Linux: docker's own overlap check still applies
    }
    const taken = [...routes];
    for (let attempt = 1; ; attempt++) {
      const subnet = pickSubnet(taken);
      const gateway = hostAddress(subnet, 1);
      try {
        const network = await this.#docker.createNetwork({
          Name: name,
          Driver: "bridge",
          CheckDuplicate: true,
          Labels: { ...this.#labels, [Label.Component]: "network" },
          IPAM: { Driver: "default", Config: [{ Subnet: formatCidr(subnet), Gateway: gateway }] },
        });
        return { network, subnet, gateway };
      } catch (err) {
        if (attempt >= 10 || !/overlap/i.test(errorText(err))) throw err;
        taken.push(subnet);
      }
    }
  }

  #serverProbe(server: ServerSpec, host: string, ports: ServerPorts): Probe {
    if (this.#d.readiness === "tcp" || (server.readinessDevices ?? []).length === 0) return tcpProbe(host, ports.giop);
    return tangoPingProbe(this.tangoHost, server.readinessDevices ?? []);
  }

  async #startComponent(id: string, container: { start(): Promise<StartedTestContainer> }): Promise<Component> {
    const started = await container.start();
    const component = { id, container: this.#docker.getContainer(started.getId()), started };
    this.#components.set(id, component);
    return component;
  }

  /** Waits until `probe` passes; stops early when the container exited. */
  async #waitReady(id: string, probe: Probe, signal: AbortSignal | undefined, timeoutMs = this.#d.timeoutMs): Promise<void> {
    const component = this.#components.get(id);
    await waitUntil(probe, {
      what: `${id} (run ${this.runId})`,
      timeoutMs,
      ...(signal ? { signal } : {}),
      gone: async () => {
        if (!component) return undefined;
        const state = await component.container.inspect().then(
          (i) => i.State,
          () => undefined,
        );
        if (state === undefined) return "the container is gone";
        return state.Running ? undefined : `container ${state.Status}, exit code ${state.ExitCode}`;
      },
    });
  }

  /** Used by handles: waits for a restarted server. */
  waitReady(id: string, probe: Probe, timeoutMs?: number): Promise<void> {
    return this.#waitReady(id, probe, undefined, timeoutMs);
  }

  async logsOf(id: string): Promise<string> {
    const component = this.#components.get(id);
    if (!component) return this.#finalLogs.get(id) ?? "";
    try {
      const buf = await component.container.logs({ stdout: true, stderr: true, timestamps: true, follow: false });
      return demuxLogs(Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf)));
    } catch {
      return this.#finalLogs.get(id) ?? "";
    }
  }

  async collectLogs(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const id of new Set([...this.#finalLogs.keys(), ...this.#components.keys()])) out[id] = await this.logsOf(id);
    return out;
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#teardown();
    return this.#stopping;
  }

  async #teardown(): Promise<void> {
    for (const id of this.#components.keys()) this.#finalLogs.set(id, await this.logsOf(id));
    const components = [...this.#components.values()];
    this.#components.clear();
    await Promise.allSettled(components.map((c) => c.container.remove({ force: true, v: true })));
    if (this.#network) await this.#network.remove().catch(() => undefined);
    // Anything else carrying the run label (e.g. a container created while start() was interrupted).
    await removeRun(this.#docker, this.runId).catch(() => undefined);
    this.#guard.uninstall();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

class DockerServerHandle implements ServerHandle {
  readonly id: string;
  readonly #container: Dockerode.Container;
  readonly #probe: Probe;
  readonly #stack: DockerStack;

  constructor(id: string, container: Dockerode.Container, probe: Probe, stack: DockerStack) {
    this.id = id;
    this.#container = container;
    this.#probe = probe;
    this.#stack = stack;
  }

  /** SIGKILL to the container's main process; the container stays (stopped) with its logs, ports and name. */
  async kill(): Promise<void> {
    await this.#container.kill({ signal: "SIGKILL" }).catch((err: unknown) => {
      // 409: not running (already dead) is what we wanted.
      if ((err as { statusCode?: number }).statusCode !== 409) throw err;
    });
    await this.#container.wait({ condition: "not-running" }).catch(() => undefined);
  }

  /** Starts the same container again (same ports and addresses) and waits until its devices answer. */
  async restart(opts: { timeoutMs?: number } = {}): Promise<void> {
    const state = (await this.#container.inspect()).State;
    if (state.Running) await this.kill();
    await this.#container.start();
    await this.#stack.waitReady(this.id, this.#probe, opts.timeoutMs);
  }

  logs(): Promise<string> {
    return this.#stack.logsOf(this.id);
  }
}
