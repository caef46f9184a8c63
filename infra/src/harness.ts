/**
 * The harness domain API shared by every target provider (local processes, Docker, Kubernetes).
 * Providers follow builder → start() → started handle with [Symbol.asyncDispose]; every resource they create is
 * labelled with the run id so that an interrupted run can be cleaned up.
 */

/** SKA dsconfig JSON (what ska-tango-util's Helm charts carry and json2tango loads). */
export interface DsConfig {
  readonly servers: Record<string, Record<string, Record<string, Record<string, DsDevice>>>>;
  readonly classes?: Record<string, { readonly properties?: Record<string, readonly string[]> }>;
}
export interface DsDevice {
  readonly properties?: Record<string, readonly string[]>;
  readonly attribute_properties?: Record<string, Record<string, readonly string[]>>;
}

/** One device-server process: `<server>/<instance>`, whose device classes come from `module`. */
export interface ServerSpec {
  /** Tango server executable name, e.g. "tabata". */
  readonly server: string;
  readonly instance: string;
  /** Package or path exporting `classes` (device classes), e.g. "@tango-bdd/tabata". */
  readonly module: string;
  /** Devices (of this server) that must answer before the stack counts as ready. */
  readonly readinessDevices?: readonly string[];
  /** Extra environment for the process/container. */
  readonly env?: Readonly<Record<string, string>>;
}

export interface StackSpec {
  /** Unique id of this run; labels every process/container/namespace. */
  readonly runId: string;
  readonly config: DsConfig;
  readonly servers: readonly ServerSpec[];
  /** Start the servers in this order, waiting for each to answer (dependencies). */
  readonly startTimeoutMs?: number;
}

export type TargetName = "local" | "inprocess" | "docker" | "k8s";

export interface ServerHandle {
  readonly id: string; // "<server>/<instance>"
  /** Kill the server process/container abruptly (SIGKILL or equivalent). */
  kill(): Promise<void>;
  /** Start it again after a kill; resolves when its devices answer. */
  restart(opts?: { timeoutMs?: number }): Promise<void>;
  /** Everything the server printed so far. */
  logs(): Promise<string>;
}

export interface StartedStack extends AsyncDisposable {
  readonly target: TargetName;
  readonly runId: string;
  /** TANGO_HOST as reachable from the test runner. */
  readonly tangoHost: string;
  readonly servers: ReadonlyMap<string, ServerHandle>;
  /** Milliseconds from start() until every readiness device answered. */
  readonly startupMs: number;
  /** Free-form facts for the report's environment section (versions, image ids, cluster context...). */
  readonly environment: Readonly<Record<string, string>>;
  /** Logs of every component (database + servers), keyed by component id. */
  collectLogs(): Promise<Record<string, string>>;
  /** Tear everything down; idempotent. */
  stop(): Promise<void>;
}

export interface TargetProvider {
  readonly name: TargetName;
  /** Can this provider run on this machine right now? (e.g. Docker engine reachable, kubeconfig present). */
  available(): Promise<{ ok: true } | { ok: false; why: string }>;
  start(spec: StackSpec, opts?: { signal?: AbortSignal }): Promise<StartedStack>;
}
