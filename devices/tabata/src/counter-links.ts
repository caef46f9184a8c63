/**
 * The Tabata devices' client side: proxies to the five counters (cached per name, like the originals' DevFactory)
 * and the stateless subscriptions to their `value` change events, delivered one at a time to a single handler in
 * arrival order (the originals' callbacks all run on the one Tango event-consumer thread).
 */
import { DeviceProxy, type Logger, parseDeviceName, type TangoContext } from "@tango-bdd/tango";
import { type EventItem, type EventSubscription, subscribeByName } from "@tango-bdd/tango/events";
import { COUNTER_ROLES, type CounterPort, type CounterRole } from "./workout.ts";

/** `a/b/c` in lower case for any accepted form of a device name (`tango://h:p/a/b/c#dbase=no`...). */
export function deviceKey(name: string): string {
  try {
    const p = parseDeviceName(name);
    return (p.device ?? p.alias ?? name).toLowerCase();
  } catch {
    return name.trim().toLowerCase();
  }
}

export type CounterNames = Readonly<Record<CounterRole, string>>;

export type CounterEventHandler = (roles: readonly CounterRole[], item: EventItem) => Promise<void>;

export class CounterLinks {
  readonly #context: TangoContext;
  readonly #names: CounterNames;
  readonly #logger: Logger;
  readonly #proxies = new Map<string, Promise<DeviceProxy>>();
  readonly #subs: EventSubscription[] = [];
  readonly #pumps: Promise<void>[] = [];
  #chain: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(context: TangoContext, names: CounterNames, logger: Logger) {
    this.#context = context;
    this.#names = names;
    this.#logger = logger;
  }

  /** The proxy to a counter, created on first use (a failed creation is retried on the next call). */
  proxy(role: CounterRole): Promise<DeviceProxy> {
    const name = this.#names[role];
    let p = this.#proxies.get(name);
    if (!p) {
      p = DeviceProxy.connect(name, { context: this.#context });
      this.#proxies.set(name, p);
      p.catch(() => this.#proxies.delete(name));
    }
    return p;
  }

  port(role: CounterRole): CounterPort {
    return {
      decrement: async () => (await this.proxy(role)).command("decrement"),
      reset: async (value) => (await this.proxy(role)).command("CounterReset", value),
    };
  }

  /** The roles whose configured counter is the device `name`. */
  rolesOf(name: string): CounterRole[] {
    const key = deviceKey(name);
    return COUNTER_ROLES.filter((r) => deviceKey(this.#names[r]) === key);
  }

  /**
   * Subscribes (stateless: a counter that is not up is retried until it is) to CHANGE events of `value` on the five
   * counters, in order, with one shared handler. Resolves when the items already received (the synchronous reads)
   * have been handled, as PyTango runs the first callback inside subscribe_event.
   */
  async subscribe(handler: CounterEventHandler): Promise<void> {
    for (const role of COUNTER_ROLES) {
      const name = this.#names[role];
      const sub = await subscribeByName(this.#context, name, "value", "change", { stateless: true });
      if (this.#closed) {
        await sub.close();
        return;
      }
      this.#subs.push(sub);
      const roles = this.rolesOf(name);
      this.#pumps.push(this.#pump(sub, roles, handler));
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
    await this.#chain;
  }

  async #pump(sub: EventSubscription, roles: readonly CounterRole[], handler: CounterEventHandler): Promise<void> {
    for await (const item of sub) {
      this.#chain = this.#chain.then(() =>
        handler(roles, item).catch((e: unknown) => {
          this.#logger.error("counter event handler failed", { device: sub.device, error: e instanceof Error ? e.message : String(e) });
        }),
      );
    }
  }

  /** Closes the subscriptions and proxies (the context belongs to the caller). Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#subs.splice(0)) await s.close().catch(() => undefined);
    await Promise.all(this.#pumps.splice(0));
    for (const p of this.#proxies.values()) {
      const proxy = await p.catch(() => undefined);
      await proxy?.close().catch(() => undefined);
    }
    this.#proxies.clear();
  }
}
