/**
 * Device locking, server side (cppTango DeviceImpl::lock/relock/unlock/lock_status/check_lock, DServer::lock_device,
 * un_lock_device, re_lock_devices, dev_lock_status and check_lock_owner).
 *
 * The locker is the client identification of the request that took the lock: the ClntIdent sent with the IDL 4/5
 * operation (CPP: pid, JAVA: UUID and main class) together with the omniORB-style address of the connection it came
 * on (`giop:tcp:127.0.0.1:40312`). Two CPP clients are the same locker when pid AND address are equal (so one process
 * is one locker per connection); two JAVA clients when their UUIDs are equal. A request without ClntIdent
 * (IDL 1-3 operations) is "not identified" and never the locker.
 *
 * Validity is counted like cppTango, in whole seconds of the wall clock: a lock taken at second `t` with validity `v`
 * is valid while `now <= t + v`. Nothing runs in the background: an expired lock is noticed (and dropped) by the next
 * request that looks at it.
 *
 * The caller of an admin command is known through `LockTable.caller()`: the servant runs the admin device's commands
 * inside `LockTable.runAs(client, ...)` (cppTango keeps it in thread-specific storage).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { lookupService } from "node:dns/promises";
import { DevFailed } from "../errors/errors.ts";
import type { ClntIdent } from "../idl/structs.ts";
import type { Clock } from "../iiop/logger.ts";

/** cppTango MIN_LOCK_VALIDITY (s); cppTango's server takes any value, this one refuses smaller ones. */
export const MIN_LOCK_VALIDITY = 2;
/** Largest validity accepted (about 23 days; a DevLong would allow more, but the sum must not overflow). */
export const MAX_LOCK_VALIDITY = 2_000_000;
/** cppTango DATABASE_CLASS: database devices cannot be locked. */
export const DATABASE_CLASS = "DataBase";
/** How long a resolved locker host name is reused (ms). */
const HOST_CACHE_MS = 60_000;
const HOST_CACHE_MAX = 256;

/** The client identification of one request (cppTango client_addr). */
export interface LockClient {
  /** The request carried a ClntIdent (IDL 4/5 operations). */
  readonly identified: boolean;
  readonly lang: "CPP" | "JAVA";
  /** CPP: the client's pid; 0 for JAVA. */
  readonly pid: number;
  /** JAVA: the UUID; [0n, 0n] for CPP. */
  readonly uuid: readonly [bigint, bigint];
  /** JAVA: the main class. */
  readonly mainClass: string;
  /** omniORB-style peer address, e.g. `giop:tcp:127.0.0.1:40312`. */
  readonly address: string;
}

/** `giop:tcp:<ip>:<port>` (IPv6 in brackets), as omniORB's peeraddress(). */
export function giopAddress(ip: string | undefined, port: number | undefined): string {
  const host = ip ?? "?";
  return `giop:tcp:${host.includes(":") ? `[${host}]` : host}:${port ?? 0}`;
}

/** The client of a request coming from `address` with `ident` (undefined: an operation without ClntIdent). */
export function lockClient(address: string, ident?: ClntIdent): LockClient {
  if (!ident) return { identified: false, lang: "CPP", pid: 0, uuid: [0n, 0n], mainClass: "", address };
  if (ident.lang === "CPP" || ident.lang === "CPP_6") {
    return { identified: true, lang: "CPP", pid: ident.pid, uuid: [0n, 0n], mainClass: "", address };
  }
  return { identified: true, lang: "JAVA", pid: 0, uuid: [ident.uuid[0], ident.uuid[1]], mainClass: ident.mainClass, address };
}

/** cppTango client_addr::operator==. */
export function sameClient(a: LockClient, b: LockClient): boolean {
  if (a.identified !== b.identified || a.lang !== b.lang) return false;
  if (a.lang === "CPP") return a.pid === b.pid && a.address === b.address;
  return a.uuid[0] === b.uuid[0] && a.uuid[1] === b.uuid[1];
}

/** The IPv4 address inside `giop:tcp:a.b.c.d:port`, as cppTango's client_ip_2_client_name parses it. */
export function ipv4Of(address: string): string | undefined {
  const i1 = address.indexOf(":");
  const i2 = i1 < 0 ? -1 : address.indexOf(":", i1 + 1);
  if (i2 < 0) return undefined;
  const rest = address.slice(i2 + 1);
  const i3 = rest.indexOf(":");
  if (i3 < 0) return undefined;
  const ip = rest.slice(0, i3);
  return /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip) ? ip : undefined;
}

/** A DevVarLongStringArray (DevLockStatus reply). */
export interface LockStatus {
  readonly lvalue: number[];
  readonly svalue: string[];
}

/** The lock state of one device (cppTango's DeviceImpl lock members). */
export class DeviceLock {
  /** The device name as served (used in every message). */
  readonly name: string;
  readonly #seconds: () => number;
  #locked = false;
  #locker: LockClient | undefined;
  /** The locker a forced unlock took the lock from (cppTango old_locker_client). */
  #oldLocker: LockClient | undefined;
  #date = 0;
  #validity = 0;
  #ctr = 0;

  constructor(name: string, seconds: () => number) {
    this.name = name;
    this.#seconds = seconds;
  }

  /** Locked and not expired. */
  get held(): boolean {
    return this.#locked && this.#valid();
  }
  /** The current locker (also when expired but not yet dropped). */
  get locker(): LockClient | undefined {
    return this.#locker;
  }
  /** Nested LockDevice calls of the locker (cppTango lock_ctr). */
  get counter(): number {
    return this.#ctr;
  }
  get validity(): number {
    return this.#validity;
  }

  #valid(): boolean {
    return this.#seconds() <= this.#date + this.#validity;
  }

  #basicUnlock(forced = false): void {
    this.#locked = false;
    this.#oldLocker = forced ? this.#locker : this.#oldLocker;
    this.#locker = undefined;
    this.#ctr = 0;
  }

  /** LockDevice: takes the lock, or nests it for the same client (the validity becomes the new one). */
  lock(cl: LockClient, validity: number): void {
    if (this.#locked) {
      if (this.#valid()) {
        if (this.#locker && !sameClient(cl, this.#locker)) {
          throw DevFailed.from("API_DeviceLocked", `Device ${this.name} is already locked by another client`, "Device_Impl::lock");
        }
      } else {
        this.#basicUnlock();
      }
    }
    this.#locked = true;
    this.#locker ??= cl;
    this.#date = this.#seconds();
    this.#validity = validity;
    this.#ctr++;
  }

  /** ReLockDevices for one device: renews the locking date. The desc starts with `<device>: ` (clients parse it). */
  relock(cl: LockClient): void {
    if (this.#locked && this.#valid()) {
      if (this.#locker && !sameClient(cl, this.#locker)) {
        throw DevFailed.from(
          "API_DeviceLocked",
          `${this.name}: Device ${this.name} is already locked by another client`,
          "Device_Impl::relock",
        );
      }
      this.#date = this.#seconds();
      return;
    }
    throw DevFailed.from("API_DeviceNotLocked", `${this.name}: Device ${this.name} is not locked. Can't re-lock it`, "Device_Impl::relock");
  }

  /**
   * UnLockDevice for one device: one level less, unlocked at 0. `forced` unlocks whoever holds it, whatever the
   * counter, and remembers the former locker (its next call gets API_DeviceUnlocked). Returns the counter left.
   */
  unlock(cl: LockClient, forced: boolean): number {
    if (this.#locked && this.#valid() && !forced && this.#locker && !sameClient(cl, this.#locker)) {
      throw DevFailed.from("API_DeviceLocked", `Device ${this.name} is locked by another client, can't unlock it`, "Device_Impl::unlock");
    }
    if (this.#ctr > 0) this.#ctr--;
    if (this.#ctr <= 0 || forced) this.#basicUnlock(forced);
    return this.#ctr;
  }

  /**
   * cppTango DeviceImpl::check_lock, for the operations a lock guards: a client other than the locker gets
   * API_DeviceLocked (except for `allowed` commands); after a forced unlock, the former locker gets API_DeviceUnlocked
   * until another client calls a guarded operation of the device.
   */
  check(meth: string, cl: LockClient, cmd?: string, allowed?: ReadonlySet<string>): void {
    if (this.#locked) {
      if (!this.#valid()) {
        this.#basicUnlock();
        return;
      }
      if (this.#locker && sameClient(cl, this.#locker)) return;
      if (cmd !== undefined && allowed?.has(cmd.toLowerCase())) return;
      throw DevFailed.from("API_DeviceLocked", `Device ${this.name} is locked by another client`, `Device_Impl::${meth}`);
    }
    if (!this.#oldLocker) return;
    if (sameClient(cl, this.#oldLocker)) {
      throw DevFailed.from(
        "API_DeviceUnlocked",
        `Device ${this.name} has been unlocked by an administrative client!!!`,
        `Device_Impl::${meth}`,
      );
    }
    this.#oldLocker = undefined;
  }

  /** cppTango DServer::check_lock_owner: admin commands acting on a device locked by another client are refused. */
  checkOwner(cl: LockClient, cmdName: string, devName: string): void {
    if (!this.#locked || !this.#valid()) return;
    if (cl.identified && this.#locker && sameClient(cl, this.#locker)) return;
    throw DevFailed.from(
      "API_DeviceLocked",
      `Device ${devName} is locked by another client. Your request is not allowed while a device is locked.`,
      `DServer::${cmdName}`,
    );
  }

  /**
   * DevLockStatus: lvalue = [locked, pid, uuid×4], svalue = [status, locker address, Java main class]; an expired lock
   * is dropped and reported as not locked. `hostName` turns the locker's IPv4 address into a host name.
   */
  async status(hostName: (ip: string) => Promise<string>): Promise<LockStatus> {
    if (this.#locked && !this.#valid()) this.#basicUnlock();
    const cl = this.#locker;
    if (!this.#locked || !cl) {
      return { lvalue: [0, 0, 0, 0, 0, 0], svalue: [`Device ${this.name} is not locked`, "Not defined", "Not defined"] };
    }
    const ip = ipv4Of(cl.address);
    const host = ip === undefined ? cl.address : await hostName(ip);
    const who =
      cl.lang === "CPP"
        ? `CPP or Python client with PID ${cl.pid} from host ${host}`
        : `JAVA client class ${cl.mainClass} from host ${host}`;
    const word = (x: bigint, hi: boolean): number => Number(BigInt.asIntN(32, hi ? x >> 32n : x));
    const uuid =
      cl.lang === "JAVA"
        ? [word(cl.uuid[0], true), word(cl.uuid[0], false), word(cl.uuid[1], true), word(cl.uuid[1], false)]
        : [0, 0, 0, 0];
    return {
      lvalue: [1, cl.pid | 0, ...uuid],
      svalue: [`Device ${this.name} is locked by ${who}`, cl.address, cl.lang === "JAVA" ? cl.mainClass : "Not defined"],
    };
  }
}

export interface LockTableOptions {
  readonly clock: Clock;
  /** IPv4 → host name for DevLockStatus (default: reverse lookup, the IP itself when there is no name). */
  readonly hostName?: (ip: string) => Promise<string>;
}

/** The devices of one server that were ever locked, by lower-case name; and who is calling the admin device. */
export class LockTable {
  readonly #locks = new Map<string, DeviceLock>();
  readonly #caller = new AsyncLocalStorage<LockClient>();
  readonly #clock: Clock;
  readonly #hostName: (ip: string) => Promise<string>;
  readonly #hosts = new Map<string, { name: string; at: number }>();

  constructor(opts: LockTableOptions) {
    this.#clock = opts.clock;
    this.#hostName = opts.hostName ?? ((ip) => this.#lookup(ip));
  }

  /** The lock state of a device, if it was ever locked (a cheap test for the request path). */
  entry(lname: string): DeviceLock | undefined {
    return this.#locks.get(lname);
  }

  /** The lock state of a device, created on first use. Kept across DevRestart (cppTango set_locking_param). */
  of(name: string): DeviceLock {
    const key = name.toLowerCase();
    let l = this.#locks.get(key);
    if (!l) {
      l = new DeviceLock(name, () => Math.floor(this.#clock.now() / 1000));
      this.#locks.set(key, l);
    }
    return l;
  }

  /** Runs `fn` (an admin command) with `client` as the caller seen by caller(). */
  runAs<T>(client: LockClient, fn: () => T): T {
    return this.#caller.run(client, fn);
  }

  /** The client of the admin request being executed (undefined outside one, e.g. a call from the server itself). */
  caller(): LockClient | undefined {
    return this.#caller.getStore();
  }

  status(name: string): Promise<LockStatus> {
    return this.of(name).status(this.#hostName);
  }

  /** Reverse lookup with a small cache; like getnameinfo without NI_NAMEREQD, the IP itself when there is no name. */
  async #lookup(ip: string): Promise<string> {
    const now = this.#clock.now();
    const hit = this.#hosts.get(ip);
    if (hit && now - hit.at < HOST_CACHE_MS) return hit.name;
    let name = ip;
    try {
      name = (await lookupService(ip, 0)).hostname;
    } catch {
      // no name for this address: the address itself
    }
    if (this.#hosts.size >= HOST_CACHE_MAX) this.#hosts.clear();
    this.#hosts.set(ip, { name, at: now });
    return name;
  }
}
