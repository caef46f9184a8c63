/**
 * Helm values for charts/tango-examples from a StackSpec: the dsconfig JSON becomes ska-tango-util
 * `deviceServers.servers` definitions (the chart turns them back into the same dsconfig JSON), dependencies between
 * server instances come from device properties naming devices of other instances, and the address plan decides
 * how device servers publish themselves (cluster DNS names for an in-cluster runner, a node address and nodePorts
 * for a runner outside the cluster).
 */
import type { DsConfig, DsDevice, ServerSpec, StackSpec } from "../../harness.ts";
import { devicesOf } from "../../stack-spec.ts";

/** ska-tango-util `{name, values}` property list. */
export interface PropertyList {
  readonly name: string;
  readonly values: readonly string[];
}

export interface DeviceDefinition {
  readonly name: string;
  readonly properties?: readonly PropertyList[];
  readonly attribute_properties?: readonly { readonly attribute: string; readonly properties: readonly PropertyList[] }[];
}

export interface InstanceDefinition {
  readonly name: string;
  readonly classes: readonly { readonly name: string; readonly devices: readonly DeviceDefinition[] }[];
  readonly depends_on?: readonly ({ readonly device: string } | { readonly host: string })[];
}

export interface ServerDefinition {
  /** null removes the chart's data file for a server of the same key. */
  readonly file: null;
  readonly instances: readonly string[];
  readonly entrypoints: readonly { readonly name: string; readonly path: string }[];
  readonly server: { readonly name: string; readonly instances: readonly InstanceDefinition[] };
  readonly class_properties?: readonly { readonly name: string; readonly properties: readonly PropertyList[] }[];
  readonly nodePorts?: Readonly<Record<string, InstancePorts>>;
  readonly env?: readonly { readonly name: string; readonly value: string }[];
}

export interface InstancePorts {
  readonly server: number;
  readonly heartbeat: number;
  readonly event: number;
}

/** The Helm key of a Tango server name: a lowercase DNS label (Services are named `<key>-<instance>`). */
export function serverKey(server: string): string {
  const key = server
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .replace(/-+$/g, "");
  if (key === "") throw new TypeError(`server name ${JSON.stringify(server)} gives no usable Kubernetes name`);
  return key;
}

/** Instance names must be DNS labels too (they name Services); Tango allows more. */
export function instanceKey(instance: string): string {
  const key = instance
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (key !== instance) {
    throw new TypeError(
      `instance ${JSON.stringify(instance)} is not a lowercase DNS label; the Kubernetes target needs one (e.g. ${JSON.stringify(key)})`,
    );
  }
  return key;
}

function propertyList(props: Readonly<Record<string, readonly string[]>> | undefined): PropertyList[] {
  return Object.entries(props ?? {}).map(([name, values]) => ({ name, values: [...values] }));
}

function deviceDefinition(name: string, body: DsDevice): DeviceDefinition {
  const properties = propertyList(body.properties);
  const attrs = Object.entries(body.attribute_properties ?? {}).map(([attribute, p]) => ({ attribute, properties: propertyList(p) }));
  return {
    name,
    ...(properties.length > 0 ? { properties } : {}),
    ...(attrs.length > 0 ? { attribute_properties: attrs } : {}),
  };
}

/**
 * For each `<server>/<instance>`, the devices of *other* instances that its device properties name
 * (e.g. Tabata's prepCounter → test/counter/prepare): one representative device per other instance, so the
 * instance's pod waits for that instance. Cycles are broken by dropping the edge that closes them.
 */
export function dependenciesOf(config: DsConfig): Map<string, string[]> {
  const all = devicesOf(config);
  const owner = new Map<string, string>(); // lower-case device name -> "<server>/<instance>"
  for (const d of all) owner.set(d.name.toLowerCase(), `${d.server}/${d.instance}`);
  const edges = new Map<string, Map<string, string>>(); // instance -> (other instance -> device)
  for (const d of all) {
    const me = `${d.server}/${d.instance}`;
    if (!edges.has(me)) edges.set(me, new Map());
    for (const values of Object.values(d.body.properties ?? {})) {
      for (const v of values) {
        const other = owner.get(v.toLowerCase());
        if (other !== undefined && other !== me && !edges.get(me)?.has(other)) edges.get(me)?.set(other, v);
      }
    }
  }
  const reaches = (from: string, to: string, seen = new Set<string>()): boolean => {
    if (from === to) return true;
    if (seen.has(from)) return false;
    seen.add(from);
    for (const next of edges.get(from)?.keys() ?? []) if (reaches(next, to, seen)) return true;
    return false;
  };
  const out = new Map<string, string[]>();
  for (const [me, deps] of edges) {
    const kept: string[] = [];
    for (const [other, device] of deps) {
      // keep the edge unless the other side already (transitively) depends on me
      if (reaches(other, me)) {
        edges.get(me)?.delete(other);
        continue;
      }
      kept.push(device);
    }
    out.set(me, kept);
  }
  return out;
}

export interface DeviceServersOptions {
  /** Module (entrypoint path) per `<server>/<instance>`; from the StackSpec's ServerSpec.module. */
  readonly modules?: ReadonlyMap<string, string>;
  readonly defaultModule?: string;
  /** nodePorts per `<server>/<instance>` (nodePort exposure only). */
  readonly ports?: ReadonlyMap<string, InstancePorts>;
  /** Extra environment per `<server>/<instance>`. */
  readonly env?: ReadonlyMap<string, Readonly<Record<string, string>>>;
}

/** `deviceServers.servers` for charts/tango-examples (and tango-device-server's `deviceServers`). */
export function deviceServersFromDsConfig(config: DsConfig, opts: DeviceServersOptions = {}): Record<string, ServerDefinition> {
  const deps = dependenciesOf(config);
  const out: Record<string, ServerDefinition> = {};
  const keys = new Map<string, string>();
  for (const [server, instances] of Object.entries(config.servers)) {
    const key = serverKey(server);
    const clash = keys.get(key);
    if (clash !== undefined)
      throw new TypeError(`servers ${JSON.stringify(clash)} and ${JSON.stringify(server)} map to the same Kubernetes name ${key}`);
    keys.set(key, server);
    const instanceDefs: InstanceDefinition[] = [];
    const entrypoints = new Map<string, { name: string; path: string }>();
    const nodePorts: Record<string, InstancePorts> = {};
    const env: Record<string, string> = {};
    for (const [instance, classes] of Object.entries(instances)) {
      const id = `${server}/${instance}`;
      const module = opts.modules?.get(id) ?? opts.defaultModule;
      const classDefs = Object.entries(classes).map(([cls, devices]) => {
        if (module !== undefined) entrypoints.set(`${cls}.${cls}`, { name: `${cls}.${cls}`, path: module });
        return { name: cls, devices: Object.entries(devices).map(([name, body]) => deviceDefinition(name, body)) };
      });
      const dependsOn = (deps.get(id) ?? []).map((device) => ({ device }));
      instanceDefs.push({ name: instanceKey(instance), classes: classDefs, ...(dependsOn.length > 0 ? { depends_on: dependsOn } : {}) });
      const ports = opts.ports?.get(id);
      if (ports) nodePorts[instance] = ports;
      Object.assign(env, opts.env?.get(id) ?? {});
    }
    const classProps = Object.entries(config.classes ?? {})
      .filter(([cls]) => instanceDefs.some((i) => i.classes.some((c) => c.name === cls)))
      .map(([name, c]) => ({ name, properties: propertyList(c.properties) }));
    out[key] = {
      file: null,
      instances: instanceDefs.map((i) => i.name),
      entrypoints: [...entrypoints.values()],
      server: { name: server, instances: instanceDefs },
      ...(classProps.length > 0 ? { class_properties: classProps } : {}),
      ...(Object.keys(nodePorts).length > 0 ? { nodePorts } : {}),
      ...(Object.keys(env).length > 0 ? { env: Object.entries(env).map(([name, value]) => ({ name, value })) } : {}),
    };
  }
  return out;
}

/** Where the test runner is: outside the cluster (published node address + nodePorts) or in it (DNS names). */
export type RunnerPlacement = "outside" | "in-cluster";

export interface AddressPlan {
  readonly mode: "clusterIP" | "nodePort";
  /** TANGO_HOST inside the cluster (`<db service>:<port>`). */
  readonly clusterTangoHost: string;
  /** TANGO_HOST for the test runner. */
  readonly runnerTangoHost: string;
  /** Published host of every server (nodePort: the node address). */
  readonly publishHost?: string;
  readonly databasePort: number;
  readonly ports: ReadonlyMap<string, InstancePorts>;
}

export const NODE_PORT_MIN = 30000;
export const NODE_PORT_MAX = 32767;
export const DATABASE_SERVICE = "tango-databaseds";

/**
 * Picks 1 + 3·n free nodePorts (database, then server/heartbeat/event per instance), starting at `base` and skipping
 * `used` (nodePorts of every Service in the cluster). Deterministic for the same inputs.
 */
export function allocateNodePorts(
  instances: readonly string[],
  opts: { base?: number; used?: ReadonlySet<number> } = {},
): { database: number; ports: Map<string, InstancePorts> } {
  const used = opts.used ?? new Set<number>();
  let next = opts.base ?? NODE_PORT_MIN;
  if (!Number.isInteger(next) || next < NODE_PORT_MIN || next > NODE_PORT_MAX) {
    throw new RangeError(`nodePort base ${next} is outside ${NODE_PORT_MIN}-${NODE_PORT_MAX}`);
  }
  const take = (): number => {
    while (used.has(next)) next++;
    if (next > NODE_PORT_MAX) {
      throw new RangeError(
        `not enough free nodePorts in ${opts.base ?? NODE_PORT_MIN}-${NODE_PORT_MAX} for ${instances.length} server instances`,
      );
    }
    return next++;
  };
  const database = take();
  const ports = new Map<string, InstancePorts>();
  for (const id of instances) ports.set(id, { server: take(), heartbeat: take(), event: take() });
  return { database, ports };
}

/** The address plan for a runner placement. `nodeAddress` is required outside the cluster. */
export function planAddresses(
  servers: readonly ServerSpec[],
  placement: RunnerPlacement,
  opts: { nodeAddress?: string; base?: number; used?: ReadonlySet<number> } = {},
): AddressPlan {
  if (placement === "in-cluster") {
    return {
      mode: "clusterIP",
      clusterTangoHost: `${DATABASE_SERVICE}:10000`,
      runnerTangoHost: `${DATABASE_SERVICE}:10000`,
      databasePort: 10000,
      ports: new Map(),
    };
  }
  if (!opts.nodeAddress) {
    throw new TypeError("a test runner outside the cluster needs a node address (TANGO_BDD_K8S_NODE_ADDRESS or a Ready node's InternalIP)");
  }
  const alloc = allocateNodePorts(
    servers.map((s) => `${s.server}/${s.instance}`),
    opts,
  );
  return {
    mode: "nodePort",
    clusterTangoHost: `${DATABASE_SERVICE}:${alloc.database}`,
    runnerTangoHost: `${opts.nodeAddress}:${alloc.database}`,
    publishHost: opts.nodeAddress,
    databasePort: alloc.database,
    ports: alloc.ports,
  };
}

export interface ReleaseValuesOptions {
  readonly image?: {
    readonly registry?: string;
    readonly repository: string;
    readonly tag: string;
    readonly pullPolicy: "IfNotPresent" | "Never" | "Always";
  };
  readonly persistence?: boolean;
  readonly readinessProbe?: "ping" | "tcp";
  readonly testRunner?: { readonly command: readonly string[]; readonly env?: Readonly<Record<string, string>> };
  /** Chart default servers that the spec does not contain are removed (null). */
  readonly chartServers?: readonly string[];
}

/** The complete values document for `helm upgrade --install <release> charts/tango-examples -f <it>`. */
export function releaseValues(spec: StackSpec, plan: AddressPlan, opts: ReleaseValuesOptions = {}): Record<string, unknown> {
  const modules = new Map(spec.servers.map((s) => [`${s.server}/${s.instance}`, s.module] as const));
  const env = new Map(spec.servers.filter((s) => s.env).map((s) => [`${s.server}/${s.instance}`, s.env ?? {}] as const));
  const servers: Record<string, unknown> = deviceServersFromDsConfig(spec.config, { modules, ports: plan.ports, env });
  for (const key of opts.chartServers ?? ["tabata", "asynctabata"]) if (!(key in servers)) servers[key] = null;
  const image = opts.image ?? { repository: "tango-bdd/runtime", tag: "local", pullPolicy: "IfNotPresent" as const };
  return {
    global: {
      tango_host: plan.clusterTangoHost,
      expose: plan.mode === "nodePort" ? { mode: "nodePort", host: plan.publishHost } : { mode: "clusterIP", host: "" },
      image: { registry: image.registry ?? "", repository: image.repository, tag: image.tag, pullPolicy: image.pullPolicy },
      labels: { "tango-bdd/run-id": spec.runId },
      probes: { readiness: opts.readinessProbe ?? "ping" },
    },
    "tango-stack": { enabled: true, databaseds: { persistence: { enabled: opts.persistence ?? false } } },
    deviceServers: { enabled: true, servers },
    testRunner: opts.testRunner
      ? {
          enabled: true,
          command: [...opts.testRunner.command],
          env: Object.entries(opts.testRunner.env ?? {}).map(([name, value]) => ({ name, value })),
        }
      : { enabled: false },
  };
}
