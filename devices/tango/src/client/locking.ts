/**
 * Device locking, client side (cppTango DeviceProxy::lock/unlock + LockThread semantics).
 *
 * Locks are taken through the device server's admin device: `LockDevice` (DevVarLongStringArray
 * `{lvalue: [validity s], svalue: [device]}`), `UnLockDevice` (`{lvalue: [force 0|1], svalue: [device...]}` →
 * DevLong, the lock counter left on the server), `ReLockDevices` (DevVarStringArray) and `DevLockStatus`
 * (DevString → DevVarLongStringArray). The server recognises the locker by the ClntIdent sent with
 * command_inout_4 (pid) together with the address of the connection it came on, so every locking call of a
 * context goes through the context's one connection to that server.
 *
 * A server drops a lock that is not renewed within its validity. The LockKeeper of a context (one per
 * TangoContext) sends `ReLockDevices` to each admin device that has locks held, every `validity - 0.5 s`
 * (the smallest validity of that admin's locks), with one unref'd timer for the whole context that exists only
 * while locks are held. A device the server refuses to re-lock (API_DeviceNotLocked after a forced unlock by
 * another client, API_DeviceLocked) is dropped from the keeper, as cppTango's lock thread does.
 */
import { networkInterfaces } from "node:os";
import { DevFailed } from "../errors/errors.ts";
import type { ClntIdent } from "../idl/structs.ts";
import type { CallOptions, Logger } from "../iiop/logger.ts";
import type { CommandValue } from "./convert.ts";

/** cppTango DEFAULT_LOCK_VALIDITY (s). */
export const DEFAULT_LOCK_VALIDITY = 10;
/** cppTango MIN_LOCK_VALIDITY (s). */
export const MIN_LOCK_VALIDITY = 2;
/** Largest validity accepted (its re-lock period still fits a timer). */
export const MAX_LOCK_VALIDITY = 2_000_000;
/** How long before a lock expires it is renewed (cppTango's lock thread: validity - 0.5 s). */
const RELOCK_MARGIN_MS = 500;
/** Largest delay setTimeout accepts. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The one thing the keeper needs from an admin device proxy. */
export interface AdminLink {
  readonly name: string;
  command(command: string, argin?: unknown, opts?: CallOptions): Promise<CommandValue>;
}

/** DevLockStatus of a device, structured (cppTango `get_locker` + `locking_status`). */
export interface LockInfo {
  /** The device is locked (by any client). */
  readonly locked: boolean;
  /** The server's sentence, e.g. `Device sys/tg_test/1 is locked by CPP or Python client with PID 123 from host localhost`. */
  readonly status: string;
  /** Locked by this context's client identity (pid + host), cppTango `is_locked_by_me`. */
  readonly lockedByMe: boolean;
  /** `CPP` (C++ or Python locker, known by its pid) or `JAVA` (known by a UUID); undefined when not locked. */
  readonly lockerLanguage?: "CPP" | "JAVA" | undefined;
  /** Process id of a CPP/Python locker. */
  readonly lockerPid?: number | undefined;
  /** UUID of a Java locker, as four unsigned 32-bit words. */
  readonly lockerUuid?: readonly [number, number, number, number] | undefined;
  /** Java main class of a Java locker (`Not defined` for the others). */
  readonly lockerClass?: string | undefined;
  /** The locker's connection as the server saw it, e.g. `giop:tcp:127.0.0.1:40312`. */
  readonly lockerAddress?: string | undefined;
  /** The IP address of `lockerAddress` (`localhost` for a unix socket); not resolved to a name. */
  readonly lockerHost?: string | undefined;
  /** Nested lock() calls this proxy holds (cppTango's lock counter); 0 when it holds none. */
  readonly lockCount: number;
  /** Validity in seconds of the lock this proxy holds. */
  readonly validity?: number | undefined;
}

/** The raw DevLockStatus reply, decoded: lvalue = [locked, pid, uuid×4], svalue = [status, address, class]. */
export interface LockStatusReply {
  readonly lvalue: readonly number[];
  readonly svalue: readonly string[];
}

/**
 * The IP of a locker address: `giop:tcp:160.103.5.157:32989` → `160.103.5.157`,
 * `giop:tcp:[::ffff:127.0.0.1]:32989` → `127.0.0.1`, `giop:unix:/tmp/...` → `localhost`.
 */
export function lockerHostOf(address: string): string | undefined {
  if (address.includes(":unix:")) return "localhost";
  const m = /^[^:]+:[^:]+:(.+)$/.exec(address);
  if (!m) return undefined;
  const rest = m[1] as string;
  if (rest.startsWith("[")) {
    const end = rest.indexOf("]");
    if (end < 0) return undefined;
    const ip = rest.slice(1, end);
    return ip.toLowerCase().startsWith("::ffff:") && ip.includes(".") ? ip.slice(7) : ip;
  }
  const colon = rest.lastIndexOf(":");
  return colon < 0 ? rest : rest.slice(0, colon);
}

/** Addresses of this host's interfaces (loopback included), for "is the locker this host?". */
function isOwnHost(host: string): boolean {
  if (host === "localhost") return true;
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.address === host) return true;
  }
  return false;
}

/** The pid this client identity sends (0 for a Java identity). */
export function identPid(me: ClntIdent): number {
  return "pid" in me ? me.pid : 0;
}

/** A Java identity's UUID as the four 32-bit words DevLockStatus reports. */
function identUuid(me: ClntIdent): readonly number[] {
  if (!("uuid" in me)) return [0, 0, 0, 0];
  const w = (x: bigint, hi: boolean): number => Number((hi ? x >> 32n : x) & 0xffffffffn);
  return [w(me.uuid[0], true), w(me.uuid[0], false), w(me.uuid[1], true), w(me.uuid[1], false)];
}

/** Builds the structured view of a DevLockStatus reply; `me` is the ClntIdent this context sends. */
export function lockInfoOf(reply: LockStatusReply, me: ClntIdent, lockCount: number, validity: number | undefined): LockInfo {
  const l = (i: number): number => reply.lvalue[i] ?? 0;
  const status = reply.svalue[0] ?? "";
  if (l(0) === 0) return { locked: false, status, lockedByMe: false, lockCount: 0 };
  const address = reply.svalue[1] ?? "";
  const host = lockerHostOf(address);
  const uuid = [l(2) >>> 0, l(3) >>> 0, l(4) >>> 0, l(5) >>> 0] as const;
  // cppTango get_locker: a non-zero pid means a CPP (or Python) locker, otherwise a Java one.
  const java = l(1) === 0;
  const mine = identUuid(me);
  const sameIdent = java ? identPid(me) === 0 && uuid.every((x, i) => x === mine[i]) : l(1) === identPid(me) && uuid.every((x) => x === 0);
  const lockedByMe = sameIdent && host !== undefined && isOwnHost(host);
  return {
    locked: true,
    status,
    lockedByMe,
    lockerLanguage: java ? "JAVA" : "CPP",
    lockerPid: java ? undefined : l(1),
    lockerUuid: java ? uuid : undefined,
    lockerClass: reply.svalue[2] ?? "",
    lockerAddress: address,
    lockerHost: host,
    lockCount: lockedByMe ? lockCount : 0,
    validity: lockedByMe && lockCount > 0 ? validity : undefined,
  };
}

interface AdminGroup {
  readonly key: string;
  readonly admin: AdminLink;
  /** lower-case device key → device name as sent to the server, and its lock validity (s). */
  readonly devices: Map<string, { readonly name: string; readonly validity: number }>;
  periodMs: number;
  /** Monotonic ms of the next ReLockDevices. */
  nextDue: number;
}

export interface LockKeeperOptions {
  readonly logger: Logger;
  /** Monotonic milliseconds. */
  readonly monotonic: () => number;
  /** Timeout of the keeper's own calls (ReLockDevices, the unlock on close). */
  readonly timeoutMs: number;
}

/**
 * The locks a context holds, kept alive by periodic ReLockDevices (cppTango's lock threads, as one timer).
 * Keys: `adminKey` = the admin device's full name, `deviceKey` = the device's full name (both compared lower-case).
 */
export class LockKeeper {
  private readonly groups = new Map<string, AdminGroup>();
  private readonly opts: LockKeeperOptions;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  /** ReLockDevices calls sent (observability for tests). */
  relocks = 0;

  constructor(opts: LockKeeperOptions) {
    this.opts = opts;
  }

  /** True while the re-lock timer exists (only while at least one lock is held). */
  get timerActive(): boolean {
    return this.timer !== undefined;
  }

  /** Devices currently re-locked, as `admin → device names`. */
  get held(): ReadonlyMap<string, readonly string[]> {
    const out = new Map<string, string[]>();
    for (const g of this.groups.values())
      out.set(
        g.admin.name,
        [...g.devices.values()].map((d) => d.name),
      );
    return out;
  }

  /** Is `deviceKey` re-locked by this keeper? */
  holds(adminKey: string, deviceKey: string): boolean {
    return this.groups.get(adminKey.toLowerCase())?.devices.has(deviceKey.toLowerCase()) ?? false;
  }

  /** Called after a successful LockDevice: re-lock `device` every `validity - 0.5 s` from now on. */
  add(adminKey: string, admin: AdminLink, deviceKey: string, device: string, validity: number): void {
    if (this.closed) return;
    const now = this.opts.monotonic();
    const period = Math.min(MAX_TIMER_MS, Math.max(validity * 1000 - RELOCK_MARGIN_MS, RELOCK_MARGIN_MS));
    const key = adminKey.toLowerCase();
    let g = this.groups.get(key);
    if (!g) {
      g = { key, admin, devices: new Map(), periodMs: period, nextDue: now + period };
      this.groups.set(key, g);
    }
    g.devices.set(deviceKey.toLowerCase(), { name: device, validity });
    if (period < g.periodMs) g.periodMs = period;
    // A shorter lock must not wait for a longer lock's schedule (cppTango's thread would).
    g.nextDue = Math.min(g.nextDue, now + period);
    this.schedule();
  }

  /** Stops re-locking `deviceKey` (last unlock, forced unlock, or the lock was lost). */
  remove(adminKey: string, deviceKey: string): void {
    const key = adminKey.toLowerCase();
    const g = this.groups.get(key);
    if (!g) return;
    g.devices.delete(deviceKey.toLowerCase());
    if (g.devices.size === 0) this.groups.delete(key);
    else g.periodMs = periodOf(g);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.closed || this.groups.size === 0) return;
    let due = Number.POSITIVE_INFINITY;
    for (const g of this.groups.values()) due = Math.min(due, g.nextDue);
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, due - this.opts.monotonic()));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.tick();
    }, delay);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const now = this.opts.monotonic();
    const due = [...this.groups.values()].filter((g) => g.nextDue <= now + 5);
    for (const g of due) g.nextDue = now + g.periodMs;
    this.schedule();
    await Promise.all(due.map((g) => this.relock(g)));
  }

  private async relock(g: AdminGroup): Promise<void> {
    const names = [...g.devices.values()].map((d) => d.name);
    if (names.length === 0) return;
    this.relocks++;
    try {
      await g.admin.command("ReLockDevices", names, { timeoutMs: this.opts.timeoutMs });
    } catch (e) {
      // cppTango LockThread::one_more_lock: the server reports each device it could not re-lock as a DevError whose
      // desc starts with "<device>: "; those devices are dropped (their lock is gone). Anything else (timeout, server
      // down) is retried on the next period.
      const lost = new Set<string>();
      if (e instanceof DevFailed) {
        for (const err of e.errors) {
          if (err.reason !== "API_DeviceLocked" && err.reason !== "API_DeviceNotLocked" && err.reason !== "API_DeviceNotExported") continue;
          const colon = err.desc.indexOf(":");
          if (colon > 0) lost.add(err.desc.slice(0, colon).toLowerCase());
        }
      }
      this.opts.logger.warn("ReLockDevices failed", { admin: g.admin.name, devices: names, lost: [...lost], error: String(e) });
      if (lost.size > 0 && !this.closed) {
        for (const [k, d] of g.devices) if (lost.has(d.name.toLowerCase())) g.devices.delete(k);
        if (g.devices.size > 0) g.periodMs = periodOf(g);
        else if (this.groups.get(g.key) === g) this.groups.delete(g.key);
        this.schedule();
      }
    }
  }

  /**
   * Stops the timer and force-unlocks every device still held (cppTango's exit-time clean_lock: UnLockDevice with
   * force = 1 and every device of the admin). Best effort: failures are logged. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.release();
    return this.closing;
  }

  private async release(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const groups = [...this.groups.values()];
    this.groups.clear();
    await Promise.all(
      groups.map(async (g) => {
        const names = [...g.devices.values()].map((d) => d.name);
        try {
          await g.admin.command("UnLockDevice", { lvalue: [1], svalue: names }, { timeoutMs: this.opts.timeoutMs });
        } catch (e) {
          this.opts.logger.warn("UnLockDevice on close failed", { admin: g.admin.name, devices: names, error: String(e) });
        }
      }),
    );
  }
}

function periodOf(g: AdminGroup): number {
  let min = Number.POSITIVE_INFINITY;
  for (const d of g.devices.values()) min = Math.min(min, d.validity * 1000 - RELOCK_MARGIN_MS);
  return Math.min(MAX_TIMER_MS, Math.max(min, RELOCK_MARGIN_MS));
}
