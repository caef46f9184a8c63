/**
 * Device locking, ours against cppTango's, side by side: the same scenario runs at the same time against
 * - a private cppTango 9.3 TangoTest (/usr/lib/tango/TangoTest, its own instance; the shared sys/tg_test/1 is not
 *   touched), and
 * - our server (class LockTest: TangoTest's double_scalar and DevDouble),
 * both registered in the reference database for the suite and removed afterwards. Each target has a PyTango 9.3
 * second client (testing/fixtures/lock_peer.py) and our own client (DeviceProxy.lock & co.). What every step
 * saw (reasons, descriptions and origins of the errors, lock status texts, lockInfo, PyTango's get_locker) is
 * normalised (device names, pids) and must be identical for both targets; our server's observations are also
 * checked against the expected values, so that a behaviour both got wrong the same way still fails.
 */
import assert from "node:assert/strict";
import { type ChildProcess, type ChildProcessByStdio, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { TangoContext } from "../client/context.ts";
import { DeviceProxy } from "../client/device-proxy.ts";
import { Database } from "../database/database.ts";
import { DevFailed } from "../errors/errors.ts";
import { freePort } from "../testing/free-port.ts";
import { runServer, type ServerHandle } from "./run-server.ts";
import { LockTest } from "./test-fixtures/lock-device.ts";

const TANGO_HOST = "127.0.0.1:10000";
const TANGO_TEST = "/usr/lib/tango/TangoTest";
const PEER = fileURLToPath(new URL("../testing/fixtures/lock_peer.py", import.meta.url));
const INSTANCE = `lockcmp${process.pid}`;
const TT_SERVER = `TangoTest/${INSTANCE}`;
const TT_DEVICE = `qa/locktt/${process.pid}`;
const TS_SERVER = `LockTest/${INSTANCE}`;
const TS_DEVICE = `qa/lockts/${process.pid}`;
/** Long enough for a 2 s lock to expire (validity counted in whole seconds on both servers). */
const PAST_2S_VALIDITY_MS = 3500;

interface PeerError {
  readonly reason: string;
  readonly desc: string;
  readonly origin: string;
}
interface PeerReply {
  readonly ok: boolean;
  readonly errors?: PeerError[];
  readonly [k: string]: unknown;
}

/** The PyTango client process: one JSON request per line, one JSON reply per line. */
class Peer {
  readonly pid: number;
  readonly #child: ChildProcessByStdio<Writable, Readable, null>;
  readonly #lines: AsyncIterator<string>;

  private constructor(child: ChildProcessByStdio<Writable, Readable, null>, lines: AsyncIterator<string>, pid: number) {
    this.#child = child;
    this.#lines = lines;
    this.pid = pid;
  }

  static async start(device: string): Promise<Peer> {
    const child = spawn("/usr/bin/python3", [PEER, device], {
      env: { ...process.env, TANGO_HOST, ORBclientTransportRule: "* tcp" },
      stdio: ["pipe", "pipe", "inherit"],
    });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const first = await lines.next();
    if (first.done) throw new Error(`the PyTango peer of ${device} exited before it was ready`);
    return new Peer(child, lines, (JSON.parse(first.value) as { pid: number }).pid);
  }

  async call(req: Record<string, unknown>): Promise<PeerReply> {
    this.#child.stdin.write(`${JSON.stringify(req)}\n`);
    const line = await this.#lines.next();
    if (line.done) throw new Error(`the PyTango peer exited during ${JSON.stringify(req)}`);
    return JSON.parse(line.value) as PeerReply;
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise((r) => this.#child.once("exit", r));
    this.#child.stdin.end();
    const t = setTimeout(() => this.#child.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(t);
  }
}

/** One server under test: its device, our client of it, and its PyTango peer. */
interface Target {
  readonly label: string;
  readonly device: string;
  readonly context: TangoContext;
  readonly dev: DeviceProxy;
  readonly admin: DeviceProxy;
  readonly peer: Peer;
}

const WRITE = { op: "write", attr: "double_scalar", value: 2.5 };
const COMMAND = { op: "command", cmd: "DevDouble", arg: 1.5 };

/** Replaces what legitimately differs between the two targets (names, pids, ports). */
function normalize(t: Target, v: unknown): unknown {
  const pids = new Map<number, string>([
    [process.pid, "<pid>"],
    [process.pid + 1, "<pid+1>"],
    [t.peer.pid, "<peer-pid>"],
  ]);
  const walk = (x: unknown): unknown => {
    if (typeof x === "string") {
      let s = x.split(t.device).join("<dev>");
      for (const [pid, tag] of pids) s = s.replace(new RegExp(`\\bPID ${pid}\\b`, "g"), `PID ${tag}`);
      return s.replace(/giop:tcp:127\.0\.0\.1:\d+/g, "giop:tcp:127.0.0.1:<port>");
    }
    if (typeof x === "number" && pids.has(x)) return pids.get(x);
    if (Array.isArray(x)) return x.map(walk);
    if (x && typeof x === "object") return Object.fromEntries(Object.entries(x).map(([k, y]) => [k, walk(y)]));
    return x;
  };
  return walk(v);
}

/** The outcome of a call of ours: "ok" or the root error. */
async function outcome(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
    return "ok";
  } catch (e) {
    if (!(e instanceof DevFailed)) throw e;
    const r = e.errors[0];
    return { reason: r?.reason, desc: r?.desc, origin: r?.origin };
  }
}

/** The outcome of a PyTango call: "ok" or the root error. */
async function peerOutcome(t: Target, req: Record<string, unknown>): Promise<unknown> {
  const r = await t.peer.call(req);
  if (r.ok) return "ok";
  assert.ok(!r.errors?.[0]?.reason.startsWith("PEER_"), `peer ${JSON.stringify(req)}: ${JSON.stringify(r)}`);
  return r.errors?.[0];
}

/** Releases every level of a lock our client holds (plain unlocks; a forced one would be reported to us). */
async function release(t: Target): Promise<void> {
  try {
    if (!(await t.dev.isLockedByMe())) return;
    for (let i = 0; i < 20 && (await t.dev.unlock()) > 0; i++);
  } catch {
    await t.dev.unlock(true).catch(() => undefined);
  }
}

/** Runs `scenario` against both targets at once; the normalised observations must agree. Returns ours. */
async function sideBySide(scenario: (t: Target) => Promise<Record<string, unknown>>): Promise<Record<string, unknown>> {
  const [cpp, ours] = await Promise.all([scenario(tt), scenario(ts)]);
  const theirs = normalize(tt, cpp);
  const mine = normalize(ts, ours) as Record<string, unknown>;
  assert.deepEqual(mine, theirs, "our server must behave as cppTango's TangoTest");
  return mine;
}

const children = new Set<ChildProcess>();
let context: TangoContext;
let db: Database;
let handle: ServerHandle | undefined;
let tt: Target;
let ts: Target;

async function waitUntilUp(name: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const probe = new TangoContext({ tangoHost: TANGO_HOST, timeoutMs: 1000 });
    try {
      await (await DeviceProxy.connect(name, { context: probe })).ping();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
    } finally {
      await probe.close();
    }
    await sleep(200);
  }
}

async function target(label: string, device: string): Promise<Target> {
  const ctx = new TangoContext({ tangoHost: TANGO_HOST });
  const dev = await DeviceProxy.connect(device, { context: ctx });
  const admin = await DeviceProxy.connect(await dev.adminName(), { context: ctx });
  return { label, device, context: ctx, dev, admin, peer: await Peer.start(device) };
}

before(async () => {
  assert.ok(existsSync(TANGO_TEST), `${TANGO_TEST} is needed (Debian package tango-test)`);
  context = new TangoContext({ tangoHost: TANGO_HOST });
  db = await Database.connect({ context });
  await db.deleteServer(TT_SERVER).catch(() => undefined);
  await db.deleteServer(TS_SERVER).catch(() => undefined);
  await db.addDevice(TT_SERVER, TT_DEVICE, "TangoTest");
  await db.addDevice(TS_SERVER, TS_DEVICE, "LockTest");
  const child = spawn(TANGO_TEST, [INSTANCE, "-ORBendPoint", `giop:tcp:127.0.0.1:${await freePort()}`], {
    env: { ...process.env, TANGO_HOST },
    stdio: "ignore",
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  handle = await runServer({ serverName: "LockTest", instance: INSTANCE, classes: [LockTest], tangoHost: TANGO_HOST, host: "127.0.0.1" });
  await waitUntilUp(TT_DEVICE);
  [tt, ts] = await Promise.all([target("TangoTest", TT_DEVICE), target("ours", TS_DEVICE)]);
});

after(async () => {
  for (const t of [tt, ts]) {
    if (!t) continue;
    await t.peer.stop();
    await t.context.close();
  }
  for (const c of [...children]) {
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGKILL");
    await exited;
  }
  await handle?.close();
  try {
    for (const d of [TT_DEVICE, TS_DEVICE]) {
      await db.command("DbDeleteAllDeviceAttributeProperty", [d, "double_scalar"], "DevVarStringArray").catch(() => undefined);
    }
    await db.deleteServer(TT_SERVER);
    await db.deleteServer(TS_SERVER);
  } finally {
    await context.close();
  }
});

describe("locking: our server side by side with cppTango's TangoTest (PyTango and our client)", () => {
  test("lock, nested lock, DevLockStatus text, lockInfo, unlock; the admin device cannot be locked", async () => {
    const seen = await sideBySide(async (t) => {
      const o: Record<string, unknown> = {};
      await t.dev.lock();
      try {
        o.isLocked = await t.dev.isLocked();
        o.isLockedByMe = await t.dev.isLockedByMe();
        o.status = await t.dev.lockingStatus();
        const info = await t.dev.lockInfo();
        o.address = info.lockerAddress;
        o.info = { ...info, lockerAddress: undefined };
        await t.dev.lock();
        o.nested = (await t.dev.lockInfo()).lockCount;
        o.unlock1 = await t.dev.unlock();
        o.stillLocked = await t.dev.isLocked();
        o.unlock2 = await t.dev.unlock();
        o.after = await t.dev.lockInfo();
        o.unlockAgain = await t.dev.unlock();
      } finally {
        await release(t);
      }
      o.admin = await outcome(t.admin.lock());
      return o;
    });
    assert.equal(seen.status, "Device <dev> is locked by CPP or Python client with PID <pid> from host localhost");
    assert.equal(seen.address, "giop:tcp:127.0.0.1:<port>");
    assert.deepEqual(seen.info, {
      locked: true,
      status: "Device <dev> is locked by CPP or Python client with PID <pid> from host localhost",
      lockedByMe: true,
      lockerLanguage: "CPP",
      lockerPid: "<pid>",
      lockerUuid: undefined,
      lockerClass: "Not defined",
      lockerAddress: undefined,
      lockerHost: "127.0.0.1",
      lockCount: 1,
      validity: 10,
    });
    assert.deepEqual([seen.nested, seen.unlock1, seen.stillLocked, seen.unlock2, seen.unlockAgain], [2, 1, true, 0, 0]);
    assert.deepEqual(seen.after, { locked: false, status: "Device <dev> is not locked", lockedByMe: false, lockCount: 0 });
    assert.deepEqual(seen.admin, {
      reason: "API_DeviceUnlockable",
      desc: "Impossible to lock device server administration device",
      origin: "DServer::lock_device",
    });
  });

  test("while we hold the lock, PyTango and a second client of ours get API_DeviceLocked on writes, commands, config and lock; reads, State, Status pass", async () => {
    const seen = await sideBySide(async (t) => {
      const o: Record<string, unknown> = {};
      const other = new TangoContext({ tangoHost: TANGO_HOST, pid: process.pid + 1 });
      try {
        await t.dev.lock();
        try {
          o.peerWrite = await peerOutcome(t, WRITE);
          o.peerCommand = await peerOutcome(t, COMMAND);
          o.peerInit = await peerOutcome(t, { op: "command", cmd: "Init" });
          o.peerLabel = await peerOutcome(t, { op: "label", attr: "double_scalar", label: "not mine" });
          o.peerLock = await peerOutcome(t, { op: "lock", validity: 2 });
          o.peerUnlock = await peerOutcome(t, { op: "unlock" });
          o.peerRead = await peerOutcome(t, { op: "read", attr: "double_scalar" });
          o.peerState = await peerOutcome(t, { op: "command", cmd: "State" });
          o.peerStatus = await peerOutcome(t, { op: "command", cmd: "Status" });
          o.peerSees = await t.peer.call({ op: "status" });
          o.holderWrite = await outcome(t.dev.write("double_scalar", 3.5));
          o.holderCommand = await t.dev.command("DevDouble", 4);
          const dev2 = await DeviceProxy.connect(t.device, { context: other });
          o.otherWrite = await outcome(dev2.write("double_scalar", 1));
          o.otherCommand = await outcome(dev2.command("DevDouble", 1));
          o.otherUnlock = await outcome(dev2.unlock());
          o.otherInfo = await dev2.lockInfo();
        } finally {
          await release(t);
        }
        o.peerWriteAfter = await peerOutcome(t, WRITE);
      } finally {
        await other.close();
      }
      return o;
    });
    const locked = { reason: "API_DeviceLocked", desc: "Device <dev> is locked by another client" };
    assert.deepEqual(seen.peerWrite, { ...locked, origin: "Device_Impl::write_attributes_4" });
    assert.deepEqual(seen.peerCommand, { ...locked, origin: "Device_Impl::command_inout4" });
    assert.deepEqual(seen.peerInit, { ...locked, origin: "Device_Impl::command_inout4" });
    assert.deepEqual(seen.peerLabel, { ...locked, origin: "Device_Impl::set_attribute_config_5" });
    assert.deepEqual(seen.peerLock, {
      reason: "API_DeviceLocked",
      desc: "Device <dev> is already locked by another client",
      origin: "Device_Impl::lock",
    });
    assert.deepEqual(seen.peerUnlock, {
      reason: "API_DeviceLocked",
      desc: "Device <dev> is locked by another client, can't unlock it",
      origin: "Device_Impl::unlock",
    });
    assert.deepEqual(
      [seen.peerRead, seen.peerState, seen.peerStatus, seen.holderWrite, seen.peerWriteAfter],
      ["ok", "ok", "ok", "ok", "ok"],
    );
    assert.equal(seen.holderCommand, 4);
    assert.deepEqual(seen.peerSees, {
      ok: true,
      locked: true,
      status: "Device <dev> is locked by CPP or Python client with PID <pid> from host localhost",
      is_locked_by_me: false,
      locker: { ll: "CPP", li: "<pid>", locker_host: "localhost", locker_ip: "127.0.0.1", locker_class: "Not defined" },
    });
    assert.deepEqual(seen.otherWrite, { ...locked, origin: "Device_Impl::write_attributes_4" });
    assert.deepEqual(seen.otherCommand, { ...locked, origin: "Device_Impl::command_inout4" });
    assert.equal((seen.otherUnlock as { reason: string }).reason, "API_DeviceLocked");
    assert.equal((seen.otherInfo as { lockedByMe: boolean; lockerPid: unknown }).lockedByMe, false);
    assert.equal((seen.otherInfo as { lockerPid: unknown }).lockerPid, "<pid>");
  });

  test("PyTango holds the lock: our client sees it (lockInfo = get_locker) and is refused", async () => {
    const seen = await sideBySide(async (t) => {
      const o: Record<string, unknown> = {};
      o.lock = await peerOutcome(t, { op: "lock", validity: 10 });
      try {
        o.peerSees = await t.peer.call({ op: "status" });
        o.weSee = await t.dev.lockInfo();
        o.write = await outcome(t.dev.write("double_scalar", 1));
        o.command = await outcome(t.dev.command("DevDouble", 1));
        o.lockToo = await outcome(t.dev.lock());
        o.timer = t.context.locks.timerActive;
      } finally {
        o.unlock = await peerOutcome(t, { op: "unlock" });
      }
      o.after = await t.dev.isLocked();
      return o;
    });
    assert.deepEqual(seen.peerSees, {
      ok: true,
      locked: true,
      status: "Device <dev> is locked by CPP or Python client with PID <peer-pid> from host localhost",
      is_locked_by_me: true,
      locker: { ll: "CPP", li: "<peer-pid>", locker_host: "localhost", locker_ip: "127.0.0.1", locker_class: "Not defined" },
    });
    const weSee = seen.weSee as Record<string, unknown>;
    assert.deepEqual([weSee.locked, weSee.lockedByMe, weSee.lockerPid, weSee.lockCount], [true, false, "<peer-pid>", 0]);
    assert.equal((seen.write as { reason: string }).reason, "API_DeviceLocked");
    assert.equal((seen.lockToo as { reason: string }).reason, "API_DeviceLocked");
    assert.deepEqual([seen.lock, seen.unlock, seen.timer, seen.after], ["ok", "ok", false, false]);
  });

  test("validity: re-locking keeps a 2 s lock past its validity; a 2 s lock nobody renews is released", async () => {
    const seen = await sideBySide(async (t) => {
      const o: Record<string, unknown> = {};
      await t.dev.lock(2);
      try {
        const relocks = t.context.locks.relocks;
        await sleep(PAST_2S_VALIDITY_MS);
        o.relocked = t.context.locks.relocks - relocks >= 2;
        o.peerWrite = await peerOutcome(t, WRITE);
        o.stillMine = await t.dev.isLockedByMe();
      } finally {
        await release(t);
      }
      // The same 2 s lock taken with the bare admin command: nobody renews it.
      await t.admin.command("LockDevice", { lvalue: [2], svalue: [t.device] });
      try {
        o.peerWriteLocked = await peerOutcome(t, WRITE);
        await sleep(PAST_2S_VALIDITY_MS);
        o.peerWriteExpired = await peerOutcome(t, WRITE);
        o.lockedAfter = await t.dev.isLocked();
        o.statusAfter = await t.dev.lockingStatus();
      } finally {
        await t.admin.command("UnLockDevice", { lvalue: [0], svalue: [t.device] }).catch(() => undefined);
      }
      return o;
    });
    assert.equal(seen.relocked, true);
    assert.equal((seen.peerWrite as { reason: string }).reason, "API_DeviceLocked");
    assert.equal(seen.stillMine, true);
    assert.equal((seen.peerWriteLocked as { reason: string }).reason, "API_DeviceLocked");
    assert.deepEqual([seen.peerWriteExpired, seen.lockedAfter, seen.statusAfter], ["ok", false, "Device <dev> is not locked"]);
  });

  test("forced unlock by PyTango: our next calls get API_DeviceUnlocked until another client calls; our keeper stops re-locking", async () => {
    const seen = await sideBySide(async (t) => {
      const o: Record<string, unknown> = {};
      await t.dev.lock(2);
      try {
        o.force = await peerOutcome(t, { op: "unlock", force: true });
        o.write1 = await outcome(t.dev.write("double_scalar", 1));
        o.write2 = await outcome(t.dev.command("DevDouble", 1));
        o.state = await t.dev.command("State").then(() => "ok");
        const deadline = Date.now() + 4000;
        while (t.context.locks.timerActive && Date.now() < deadline) await sleep(100);
        o.keeper = [t.context.locks.timerActive, [...t.context.locks.held]];
        o.lockCount = (await t.dev.lockInfo()).lockCount;
      } finally {
        await release(t);
      }
      o.peerWrite = await peerOutcome(t, WRITE);
      o.writeAfter = await outcome(t.dev.write("double_scalar", 1));
      return o;
    });
    const unlocked = { reason: "API_DeviceUnlocked", desc: "Device <dev> has been unlocked by an administrative client!!!" };
    assert.equal(seen.force, "ok");
    assert.deepEqual(seen.write1, { ...unlocked, origin: "Device_Impl::write_attributes_4" });
    assert.deepEqual(seen.write2, { ...unlocked, origin: "Device_Impl::command_inout4" });
    assert.deepEqual([seen.state, seen.keeper, seen.lockCount, seen.peerWrite, seen.writeAfter], ["ok", [false, []], 0, "ok", "ok"]);
  });
});
