/**
 * TangoClient over @tango-bdd/tango: one TangoContext per client (TANGO_HOST of the stack under test), cached
 * DeviceProxy objects, the Database client for look-ups, and event subscriptions yielding ReceivedEvent items.
 */
import { Database, DeviceProxy, type DeviceProxy as DeviceProxyType, type Logger, TangoContext } from "@tango-bdd/tango";
import { loadDsConfigThroughContext } from "./dsconfig-loader.ts";
import type { DsConfig } from "./harness.ts";
import type { DeviceClient, DeviceDbInfo, EventKind, IoOptions, ReceivedEvent, Subscription, TangoClient } from "./tango-client.ts";

/** Subscribes through the library's event consumer; injected so the adapter works before/without events. */
export type SubscribeFn = (proxy: DeviceProxyType, attribute: string, kind: EventKind, opts?: IoOptions) => Promise<Subscription>;

export interface TangoAdapterOptions {
  readonly logger?: Logger;
  /** Default per-call timeout (ms). */
  readonly timeoutMs?: number;
  readonly subscribe?: SubscribeFn;
  /** Called by close() after the context's connections are closed (e.g. closing the event consumer). */
  readonly onClose?: (context: TangoContext) => Promise<void>;
}

function callOpts(opts?: IoOptions): { timeoutMs?: number; signal?: AbortSignal } {
  const out: { timeoutMs?: number; signal?: AbortSignal } = {};
  if (opts?.timeoutMs !== undefined) out.timeoutMs = opts.timeoutMs;
  if (opts?.signal !== undefined) out.signal = opts.signal;
  return out;
}

class ProxyClient implements DeviceClient {
  readonly name: string;
  readonly proxy: DeviceProxyType;
  readonly #subscribe: SubscribeFn | undefined;
  readonly #enumLabels = new Map<string, readonly string[]>();

  constructor(proxy: DeviceProxyType, subscribe: SubscribeFn | undefined) {
    this.proxy = proxy;
    this.name = proxy.name;
    this.#subscribe = subscribe;
  }

  ping(opts?: IoOptions): Promise<number> {
    return this.proxy.ping(callOpts(opts));
  }
  state(opts?: IoOptions): Promise<string> {
    return this.proxy.state(callOpts(opts));
  }
  status(opts?: IoOptions): Promise<string> {
    return this.proxy.status(callOpts(opts));
  }
  async read(attribute: string, opts?: IoOptions): Promise<unknown> {
    return (await this.proxy.read(attribute, callOpts(opts))).value;
  }
  write(attribute: string, value: unknown, opts?: IoOptions): Promise<void> {
    return this.proxy.write(attribute, value, callOpts(opts));
  }
  command(name: string, argin?: unknown, opts?: IoOptions): Promise<unknown> {
    return this.proxy.command(name, argin, callOpts(opts));
  }
  async subscribe(attribute: string, kind: EventKind, opts?: IoOptions): Promise<Subscription> {
    if (!this.#subscribe) throw new RangeError("events are not available in this client (no subscribe function was given)");
    return this.#subscribe(this.proxy, attribute, kind, opts);
  }
  /** Labels of a DevEnum attribute (cached), or [] for other types. */
  async enumLabels(attribute: string, opts?: IoOptions): Promise<readonly string[]> {
    const key = attribute.toLowerCase();
    let labels = this.#enumLabels.get(key);
    if (!labels) {
      labels = (await this.proxy.attributeQuery(attribute, callOpts(opts))).enumLabels;
      this.#enumLabels.set(key, labels);
    }
    return labels;
  }
}

export class TangoAdapter implements TangoClient {
  readonly tangoHost: string;
  readonly context: TangoContext;
  readonly #opts: TangoAdapterOptions;
  readonly #devices = new Map<string, Promise<ProxyClient>>();
  #db: Promise<Database> | undefined;

  constructor(tangoHost: string, opts: TangoAdapterOptions = {}) {
    this.tangoHost = tangoHost;
    this.#opts = opts;
    this.context = new TangoContext({
      tangoHost,
      ...(opts.logger ? { logger: opts.logger } : {}),
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    });
  }

  device(name: string, opts?: IoOptions): Promise<DeviceClient> {
    const key = name.toLowerCase();
    let p = this.#devices.get(key);
    if (!p) {
      p = DeviceProxy.connect(name, { context: this.context, ...callOpts(opts) }).then(
        (proxy) => new ProxyClient(proxy, this.#opts.subscribe),
      );
      this.#devices.set(key, p);
      // A failed import (device not exported yet) must not be cached.
      p.catch(() => this.#devices.delete(key));
    }
    return p;
  }

  #database(opts?: IoOptions): Promise<Database> {
    this.#db ??= Database.connect({ context: this.context, ...callOpts(opts) });
    this.#db.catch(() => {
      this.#db = undefined;
    });
    return this.#db;
  }

  async deviceNames(pattern: string, opts?: IoOptions): Promise<string[]> {
    const db = await this.#database(opts);
    const re = globRegExp(pattern);
    const [domain = "*", family = "*"] = pattern.toLowerCase().split("/");
    const out: string[] = [];
    const list = async (cmd: string, arg: string): Promise<string[]> => strings(await db.command(cmd, arg, "DevString", callOpts(opts)));
    for (const d of (await list("DbGetDeviceDomainList", "*")).filter((x) => globRegExp(domain).test(x))) {
      for (const f of (await list("DbGetDeviceFamilyList", `${d}/*`)).filter((x) => globRegExp(family).test(x))) {
        for (const m of await list("DbGetDeviceMemberList", `${d}/${f}/*`)) {
          const name = `${d}/${f}/${m}`.toLowerCase();
          if (re.test(name)) out.push(name);
        }
      }
    }
    return out;
  }

  async deviceInfo(name: string, opts?: IoOptions): Promise<DeviceDbInfo> {
    const info = await (await this.#database(opts)).getDeviceInfo(name, callOpts(opts));
    return { name: info.name, exported: info.exported, server: info.server, tangoClass: info.className };
  }

  async deviceProperty(device: string, property: string, opts?: IoOptions): Promise<string[]> {
    const props = await (await this.#database(opts)).getDeviceProperty(device, [property], callOpts(opts));
    return props[property] ?? Object.entries(props).find(([k]) => k.toLowerCase() === property.toLowerCase())?.[1] ?? [];
  }

  async putDeviceProperty(device: string, property: string, values: readonly string[], opts?: IoOptions): Promise<void> {
    await (await this.#database(opts)).putDeviceProperty(device, { [property]: [...values] }, callOpts(opts));
  }

  /** Loads a dsconfig document into this client's database. */
  loadDsConfig(config: DsConfig, opts?: IoOptions): Promise<void> {
    return loadDsConfigThroughContext(this.context, config, opts?.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs });
  }

  async close(): Promise<void> {
    await this.#opts.onClose?.(this.context);
    await this.context.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** `*` wildcard pattern → case-insensitive anchored RegExp. */
export function globRegExp(pattern: string): RegExp {
  const body = pattern
    .split("*")
    .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`, "i");
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

/** Narrows an event item of the library to what the harness records. */
export function toReceivedEvent(item: {
  readonly kind: string;
  readonly value?: unknown;
  readonly quality?: string;
  readonly error?: unknown;
  readonly synchronous?: boolean;
  readonly receivedAt?: number;
}): ReceivedEvent | undefined {
  if (item.kind === "value") {
    return {
      kind: "value",
      value: item.value,
      ...(item.quality ? { quality: item.quality } : {}),
      ...(item.synchronous ? { synchronous: true } : {}),
      ...(item.receivedAt !== undefined ? { receivedAt: item.receivedAt } : {}),
    };
  }
  if (item.kind === "error")
    return { kind: "error", error: item.error, ...(item.receivedAt !== undefined ? { receivedAt: item.receivedAt } : {}) };
  return undefined;
}
