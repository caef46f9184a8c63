/**
 * In-process device test contexts (PyTango's DeviceTestContext / MultiDeviceTestContext): no database, free port on
 * 127.0.0.1, a connected DeviceProxy, `await using` disposable.
 *
 * ```ts
 * await using ctx = await DeviceTestContext.start(Counter, { properties: { Max: 10 } });
 * assert.equal(await ctx.proxy.command("increment"), 1);
 * ```
 */
import { TangoContext } from "../client/context.ts";
import { DeviceProxy } from "../client/device-proxy.ts";
import { DevFailed } from "../errors/errors.ts";
import type { Logger } from "../iiop/logger.ts";
import { getDeviceClassSpec } from "../server/decorators.ts";
import type { Device } from "../server/device.ts";
import type { DeviceClass, DeviceRuntime } from "../server/device-runtime.ts";
import { MemoryStore, type PropertyInput } from "../server/memory-store.ts";
import { DeviceServer } from "../server/server.ts";
import type { SerialModel } from "../server/spec.ts";

export interface TestDeviceSpec {
  readonly name: string;
  readonly properties?: Readonly<Record<string, PropertyInput>>;
}

export interface MultiDeviceTestContextOptions {
  readonly devices: readonly { readonly class: DeviceClass; readonly devices: readonly TestDeviceSpec[] }[];
  readonly serverName?: string;
  readonly instance?: string;
  readonly classProperties?: Readonly<Record<string, Readonly<Record<string, PropertyInput>>>>;
  /** Bind/publish host (default 127.0.0.1). */
  readonly host?: string;
  /** Default 0 (a free port). */
  readonly port?: number;
  readonly serialModel?: SerialModel;
  readonly logger?: Logger;
  /** Client timeout of the proxies (ms). */
  readonly timeoutMs?: number;
}

export class MultiDeviceTestContext implements AsyncDisposable {
  readonly server: DeviceServer;
  readonly context: TangoContext;
  readonly host: string;
  readonly #proxies = new Map<string, DeviceProxy>();
  readonly #timeoutMs: number | undefined;
  #closed: Promise<void> | undefined;

  private constructor(server: DeviceServer, context: TangoContext, host: string, timeoutMs: number | undefined) {
    this.server = server;
    this.context = context;
    this.host = host;
    this.#timeoutMs = timeoutMs;
  }

  static async start(o: MultiDeviceTestContextOptions): Promise<MultiDeviceTestContext> {
    const { server, context, host } = await startServer(o);
    return new MultiDeviceTestContext(server, context, host, o.timeoutMs);
  }

  get port(): number {
    return this.server.port;
  }
  get adminName(): string {
    return this.server.adminName;
  }

  /** `tango://127.0.0.1:<port>/<device>#dbase=no`. */
  fullName(device: string): string {
    return `tango://${this.host}:${this.port}/${device}#dbase=no`;
  }

  /** A connected proxy to one of the devices (or the admin device), cached. */
  async proxy(device: string): Promise<DeviceProxy> {
    const key = device.toLowerCase();
    let p = this.#proxies.get(key);
    if (!p) {
      p = await DeviceProxy.connect(this.fullName(device), {
        context: this.context,
        ...(this.#timeoutMs ? { timeoutMs: this.#timeoutMs } : {}),
      });
      this.#proxies.set(key, p);
    }
    return p;
  }

  /** The runtime of a served device (white-box access for tests). */
  runtime(device: string): DeviceRuntime {
    return this.server.device(device);
  }
  /** The user Device instance. */
  device<T extends Device = Device>(name: string): T {
    return this.server.device(name).device as T;
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      for (const p of this.#proxies.values()) await p.close().catch(() => undefined);
      await this.context.close();
      await this.server.close();
    })();
    return this.#closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

export interface DeviceTestContextOptions {
  /** Default `test/nodb/1` (PyTango's default). */
  readonly deviceName?: string;
  readonly properties?: Readonly<Record<string, PropertyInput>>;
  readonly classProperties?: Readonly<Record<string, PropertyInput>>;
  readonly serverName?: string;
  readonly instance?: string;
  readonly host?: string;
  readonly port?: number;
  readonly serialModel?: SerialModel;
  readonly logger?: Logger;
  readonly timeoutMs?: number;
}

export class DeviceTestContext implements AsyncDisposable {
  readonly deviceName: string;
  /** Connected proxy to the device under test. */
  readonly proxy: DeviceProxy;
  /** The underlying multi-device context (admin proxy, runtimes...). */
  readonly multi: MultiDeviceTestContext;

  private constructor(multi: MultiDeviceTestContext, deviceName: string, proxy: DeviceProxy) {
    this.multi = multi;
    this.deviceName = deviceName;
    this.proxy = proxy;
  }

  static async start<T extends Device>(Ctor: new () => T, o: DeviceTestContextOptions = {}): Promise<DeviceTestContext> {
    const deviceName = o.deviceName ?? "test/nodb/1";
    const cls = getDeviceClassSpec(Ctor).tangoClass;
    const multi = await MultiDeviceTestContext.start({
      devices: [{ class: Ctor, devices: [{ name: deviceName, properties: o.properties }] }],
      serverName: o.serverName,
      instance: o.instance,
      classProperties: o.classProperties ? { [cls]: o.classProperties } : undefined,
      host: o.host,
      port: o.port,
      serialModel: o.serialModel,
      logger: o.logger,
      timeoutMs: o.timeoutMs,
    });
    try {
      return new DeviceTestContext(multi, deviceName, await multi.proxy(deviceName));
    } catch (e) {
      await multi.close();
      throw e;
    }
  }

  get server(): DeviceServer {
    return this.multi.server;
  }
  get port(): number {
    return this.multi.port;
  }
  get host(): string {
    return this.multi.host;
  }
  get adminName(): string {
    return this.multi.adminName;
  }
  /** `tango://127.0.0.1:<port>/<device>#dbase=no` (the device under test by default). */
  fullName(device = this.deviceName): string {
    return this.multi.fullName(device);
  }
  /** The Device instance under test (white-box access). */
  instance<T extends Device = Device>(): T {
    return this.multi.device<T>(this.deviceName);
  }
  get runtime(): DeviceRuntime {
    return this.multi.runtime(this.deviceName);
  }
  /** A proxy to the admin device dserver/<Server>/<instance>. */
  adminProxy(): Promise<DeviceProxy> {
    return this.multi.proxy(this.adminName);
  }

  close(): Promise<void> {
    return this.multi.close();
  }
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

async function startServer(o: MultiDeviceTestContextOptions): Promise<{ server: DeviceServer; context: TangoContext; host: string }> {
  const host = o.host ?? "127.0.0.1";
  const first = o.devices[0];
  if (!first)
    throw DevFailed.from("API_WrongUsage", "MultiDeviceTestContext needs at least one class with devices", "MultiDeviceTestContext");
  const deviceProperties: Record<string, Readonly<Record<string, PropertyInput>>> = {};
  for (const c of o.devices) for (const d of c.devices) if (d.properties) deviceProperties[d.name] = d.properties;
  const server = new DeviceServer({
    serverName: o.serverName ?? getDeviceClassSpec(first.class).tangoClass,
    instance: o.instance ?? "test",
    classes: o.devices.map((c) => c.class),
    devices: o.devices.flatMap((c) => c.devices.map((d) => ({ name: d.name, tangoClass: getDeviceClassSpec(c.class).tangoClass }))),
    store: new MemoryStore({ deviceProperties, classProperties: o.classProperties }),
    host,
    port: o.port ?? 0,
    publishHost: host,
    serialModel: o.serialModel,
    logger: o.logger,
  });
  try {
    await server.start();
  } catch (e) {
    await server.close();
    throw e;
  }
  return { server, context: new TangoContext(o.logger ? { logger: o.logger } : {}), host };
}
