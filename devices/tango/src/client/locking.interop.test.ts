/**
 * Device locking against the real cppTango TangoTest sys/tg_test/1 of the reference stack, with a real second client:
 * a PyTango 9.3 process (testing/fixtures/lock_peer.py, cppTango's own client library) that answers JSON requests on stdin.
 *
 * The device is shared: every test releases its lock in `finally`, `after` force-unlocks a lock left by this suite's
 * clients, and locks are held only for a few seconds (another suite writing to sys/tg_test/1 at that moment would get
 * API_DeviceLocked).
 */
import assert from "node:assert/strict";
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { DevFailed, InvalidArgumentError, NotAllowed } from "../errors/errors.ts";
import { TangoContext } from "./context.ts";
import { DeviceProxy } from "./device-proxy.ts";

const TANGO_HOST = "127.0.0.1:10000";
const TT = "sys/tg_test/1";
const PEER = fileURLToPath(new URL("../testing/fixtures/lock_peer.py", import.meta.url));
/** Long enough for a 2 s lock to expire on the server (validity counted in whole seconds of time()). */
const PAST_2S_VALIDITY_MS = 3500;

interface PeerReply {
  readonly ok: boolean;
  readonly errors?: { reason: string; desc: string; origin: string }[];
  readonly [k: string]: unknown;
}

/** The PyTango client process: one JSON request per line, one JSON reply per line. */
class Peer {
  readonly pid: number;
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;
  private readonly lines: AsyncIterator<string>;

  private constructor(child: ChildProcessByStdio<Writable, Readable, null>, lines: AsyncIterator<string>, pid: number) {
    this.child = child;
    this.lines = lines;
    this.pid = pid;
  }

  static async start(): Promise<Peer> {
    const child = spawn("/usr/bin/python3", [PEER, TT], {
      env: { ...process.env, TANGO_HOST, ORBclientTransportRule: "* tcp" },
      stdio: ["pipe", "pipe", "inherit"],
    });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const first = await lines.next();
    if (first.done) throw new Error("the PyTango peer exited before it was ready");
    const hello = JSON.parse(first.value) as { pid: number };
    return new Peer(child, lines, hello.pid);
  }

  async call(req: Record<string, unknown>): Promise<PeerReply> {
    this.child.stdin.write(`${JSON.stringify(req)}\n`);
    const line = await this.lines.next();
    if (line.done) throw new Error(`the PyTango peer exited during ${JSON.stringify(req)}`);
    return JSON.parse(line.value) as PeerReply;
  }

  /** The call must succeed. */
  async ok(req: Record<string, unknown>): Promise<PeerReply> {
    const r = await this.call(req);
    assert.equal(r.ok, true, `peer ${JSON.stringify(req)} failed: ${JSON.stringify(r)}`);
    return r;
  }

  /** The call must fail with `reason` as its root cause. */
  async fails(req: Record<string, unknown>, reason: string): Promise<PeerReply> {
    const r = await this.call(req);
    assert.equal(r.ok, false, `peer ${JSON.stringify(req)} succeeded, expected ${reason}`);
    assert.equal(r.errors?.[0]?.reason, reason, `peer ${JSON.stringify(req)}: ${JSON.stringify(r)}`);
    return r;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once("exit", r));
    this.child.stdin.end();
    const t = setTimeout(() => this.child.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(t);
  }
}

/** The ClntIdent pid of a context made for the closing test: the server must report this pid, not the process's. */
const CUSTOM_PID = 4242;
const WRITE = { op: "write", attr: "double_scalar", value: 2.5 };
const COMMAND = { op: "command", cmd: "DevDouble", arg: 1.5 };

let context: TangoContext;
let dev: DeviceProxy;
let peer: Peer | undefined;

async function rejectsWith(p: Promise<unknown>, reason: string, cls: new (...a: never[]) => DevFailed = DevFailed): Promise<DevFailed> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    assert.equal(e.reason, reason, `expected reason ${reason} in ${JSON.stringify(e.errors)}`);
    return e;
  }
  assert.fail(`expected a ${cls.name} with reason ${reason}, but the call succeeded`);
}

/** Releases every level of a lock `p` holds (plain unlocks: a forced one would make our next call API_DeviceUnlocked). */
async function release(p: DeviceProxy = dev): Promise<void> {
  try {
    if (!(await p.isLockedByMe())) return;
    for (let i = 0; i < 20 && (await p.unlock()) > 0; i++);
  } catch {
    await p.unlock(true).catch(() => undefined);
  }
}

function peerOf(): Peer {
  assert.ok(peer, "the PyTango peer is running");
  return peer;
}

before(async () => {
  context = new TangoContext({ tangoHost: TANGO_HOST });
  dev = await DeviceProxy.connect(TT, { context });
  const info = await dev.lockInfo();
  assert.equal(info.locked, false, `${TT} is locked by someone else (${info.status}): this suite needs it unlocked`);
  peer = await Peer.start();
});

after(async () => {
  try {
    // Whatever happened, leave the shared device unlocked if one of our clients holds it.
    const info = await dev.lockInfo();
    if (info.locked && [process.pid, process.pid + 1, CUSTOM_PID, peer?.pid].includes(info.lockerPid)) await dev.unlock(true);
  } finally {
    await peer?.stop();
    await context.close();
  }
  assert.equal(context.locks.timerActive, false);
});

describe("locking sys/tg_test/1 (cppTango) with a PyTango second client", () => {
  test("lock, nested lock, status and unlock", async () => {
    await dev.lock();
    try {
      assert.equal(await dev.isLocked(), true);
      assert.equal(await dev.isLockedByMe(), true);
      assert.match(
        await dev.lockingStatus(),
        new RegExp(`^Device ${TT} is locked by CPP or Python client with PID ${process.pid} from host `),
      );
      const info = await dev.lockInfo();
      assert.deepEqual(
        { ...info, lockerAddress: undefined, status: undefined },
        {
          locked: true,
          status: undefined,
          lockedByMe: true,
          lockerLanguage: "CPP",
          lockerPid: process.pid,
          lockerUuid: undefined,
          lockerClass: "Not defined",
          lockerAddress: undefined,
          lockerHost: "127.0.0.1",
          lockCount: 1,
          validity: 10,
        },
      );
      assert.match(info.lockerAddress ?? "", /^giop:tcp:127\.0\.0\.1:\d+$/);
      assert.equal(context.locks.timerActive, true);

      await dev.lock();
      assert.equal((await dev.lockInfo()).lockCount, 2);
      const e = await rejectsWith(dev.lock(5), "API_MethodArgument", InvalidArgumentError);
      assert.match(e.message, /already locked with another lock validity \(10 sec\)/);

      assert.equal(await dev.unlock(), 1, "the first unlock leaves one level");
      assert.equal(await dev.isLocked(), true);
      assert.equal((await dev.lockInfo()).lockCount, 1);
      assert.equal(await dev.unlock(), 0);
      assert.equal(await dev.isLocked(), false);
      assert.equal(await dev.lockingStatus(), `Device ${TT} is not locked`);
      assert.deepEqual(await dev.lockInfo(), { locked: false, status: `Device ${TT} is not locked`, lockedByMe: false, lockCount: 0 });
      assert.equal(context.locks.timerActive, false, "the re-lock timer goes with the last lock");
      assert.equal(await dev.unlock(), 0, "unlocking an unlocked device does nothing (as in cppTango)");
    } finally {
      await release();
    }
  });

  test("bad validities and database-less devices are refused before any I/O; the admin device is unlockable", async () => {
    await rejectsWith(dev.lock(1), "API_MethodArgument", InvalidArgumentError);
    await rejectsWith(dev.lock(2.5), "API_MethodArgument", InvalidArgumentError);
    await rejectsWith(dev.lock(Number.NaN), "API_MethodArgument", InvalidArgumentError);
    const direct = await DeviceProxy.connect(`tango://127.0.0.1:${dev.endpoint.port}/${TT}#dbase=no`, { context });
    await rejectsWith(direct.lock(), "API_NonDatabaseDevice", NotAllowed);
    await rejectsWith(direct.lockingStatus(), "API_NonDatabaseDevice", NotAllowed);
    // The server refuses to lock its admin device.
    const admin = await DeviceProxy.connect(await dev.adminName(), { context });
    await rejectsWith(admin.lock(), "API_DeviceUnlockable");
    assert.equal(context.locks.timerActive, false);
  });

  test("another client gets API_DeviceLocked on writes and commands while we hold the lock, and succeeds after unlock", async () => {
    const p = peerOf();
    const other = new TangoContext({ tangoHost: TANGO_HOST, pid: process.pid + 1 });
    try {
      await dev.lock();
      try {
        await p.fails(WRITE, "API_DeviceLocked");
        await p.fails(COMMAND, "API_DeviceLocked");
        await p.fails({ op: "lock", validity: 2 }, "API_DeviceLocked");
        await p.fails({ op: "unlock" }, "API_DeviceLocked");
        // Reads and the class's allowed commands (State, Status) stay open to everybody.
        await p.ok({ op: "read", attr: "double_scalar" });
        await p.ok({ op: "command", cmd: "State" });
        // The holder itself writes and runs commands.
        await dev.write("double_scalar", 3.5);
        assert.equal(await dev.command("DevDouble", 4), 4);

        // A second client of ours (other pid, other connection) is another client for the server too.
        const dev2 = await DeviceProxy.connect(TT, { context: other });
        await rejectsWith(dev2.write("double_scalar", 1), "API_DeviceLocked");
        await rejectsWith(dev2.command("DevDouble", 1), "API_DeviceLocked");
        await rejectsWith(dev2.lock(), "API_DeviceLocked");
        await rejectsWith(dev2.unlock(), "API_DeviceLocked");
        const seen = await dev2.lockInfo();
        assert.equal(seen.locked, true);
        assert.equal(seen.lockedByMe, false);
        assert.equal(seen.lockerPid, process.pid);
        assert.equal(other.locks.timerActive, false);
      } finally {
        await release();
      }
      await p.ok(WRITE);
      await p.ok(COMMAND);
    } finally {
      await other.close();
    }
  });

  test("lockInfo agrees with PyTango's get_locker and locking_status, both ways", async () => {
    const p = peerOf();
    await dev.lock();
    try {
      const mine = await dev.lockInfo();
      const theirs = await p.ok({ op: "status" });
      const locker = theirs.locker as { ll: string; li: number; locker_ip: string; locker_class: string };
      assert.equal(theirs.locked, true);
      assert.equal(theirs.is_locked_by_me, false);
      assert.equal(theirs.status, mine.status);
      assert.equal(locker.ll, "CPP");
      assert.equal(locker.li, mine.lockerPid);
      assert.equal(locker.li, context.clientIdent.lang === "CPP" ? context.clientIdent.pid : -1, "the pid we send in ClntIdent");
      assert.equal(locker.locker_class, mine.lockerClass);
      assert.equal(locker.locker_ip, mine.lockerHost);
    } finally {
      await release();
    }

    // The other way round: PyTango holds the lock, we observe it and are refused.
    await p.ok({ op: "lock", validity: 10 });
    try {
      const theirs = await p.ok({ op: "status" });
      const mine = await dev.lockInfo();
      assert.equal(theirs.is_locked_by_me, true);
      assert.equal(mine.status, theirs.status);
      assert.equal(mine.locked, true);
      assert.equal(mine.lockedByMe, false);
      assert.equal(mine.lockerPid, p.pid);
      assert.equal(mine.lockCount, 0);
      assert.equal(await dev.isLockedByMe(), false);
      await rejectsWith(dev.write("double_scalar", 1), "API_DeviceLocked");
      await rejectsWith(dev.command("DevDouble", 1), "API_DeviceLocked");
      await rejectsWith(dev.lock(), "API_DeviceLocked");
      await rejectsWith(dev.unlock(), "API_DeviceLocked");
      assert.equal(context.locks.timerActive, false);
    } finally {
      await p.call({ op: "unlock" });
    }
    assert.equal(await dev.isLocked(), false);
  });

  test("re-locking keeps a 2 s lock past its validity; without it the server drops the lock", async () => {
    const p = peerOf();
    await dev.lock(2);
    try {
      const relocks = context.locks.relocks;
      await sleep(PAST_2S_VALIDITY_MS);
      assert.ok(context.locks.relocks >= relocks + 2, `ReLockDevices every 1.5 s (sent ${context.locks.relocks - relocks})`);
      await p.fails(WRITE, "API_DeviceLocked");
      assert.equal(await dev.isLockedByMe(), true);
    } finally {
      await release();
    }

    // Control: the same 2 s lock taken with the bare admin command (nobody re-locks it) is gone after 3.5 s.
    const admin = await DeviceProxy.connect(await dev.adminName(), { context });
    await admin.command("LockDevice", { lvalue: [2], svalue: [TT] });
    try {
      await p.fails(WRITE, "API_DeviceLocked");
      await sleep(PAST_2S_VALIDITY_MS);
      await p.ok(WRITE);
      assert.equal(await dev.isLocked(), false);
    } finally {
      await admin.command("UnLockDevice", { lvalue: [0], svalue: [TT] }).catch(() => undefined);
    }
  });

  test("a forced unlock by another client: our next call gets API_DeviceUnlocked and the context stops re-locking", async () => {
    const p = peerOf();
    await dev.lock(2);
    try {
      await p.ok({ op: "unlock", force: true });
      const e = await rejectsWith(dev.write("double_scalar", 1), "API_DeviceUnlocked");
      assert.match(e.errors[0]?.desc ?? "", /unlocked by an administrative client/);
      // The next ReLockDevices (1.5 s) gets API_DeviceNotLocked for the device: the keeper drops it.
      const deadline = Date.now() + 4000;
      while (context.locks.timerActive && Date.now() < deadline) await sleep(100);
      assert.equal(context.locks.timerActive, false);
      assert.deepEqual([...context.locks.held], []);
      assert.equal((await dev.lockInfo()).lockCount, 0);
    } finally {
      await release();
      // The server answers API_DeviceUnlocked to the former locker until another client calls the device.
      await p.call(WRITE);
    }
    await dev.write("double_scalar", 1);
  });

  test("closing a proxy or a context releases its locks and the re-lock timer; the locker is the ClntIdent pid", async () => {
    const p = peerOf();
    const ctx2 = new TangoContext({ tangoHost: TANGO_HOST, pid: CUSTOM_PID });
    try {
      const a = await DeviceProxy.connect(TT, { context: ctx2 });
      await a.lock();
      await a.lock();
      await a.close();
      assert.equal(await dev.isLocked(), false, "DeviceProxy.close force-unlocks (cppTango ~DeviceProxy)");
      assert.equal(ctx2.locks.timerActive, false);

      const b = await DeviceProxy.connect(TT, { context: ctx2 });
      await b.lock(3);
      assert.equal(ctx2.locks.timerActive, true);
      // The server knows the locker by the pid the context sends in ClntIdent.
      const info = await b.lockInfo();
      assert.equal(info.lockerPid, CUSTOM_PID);
      assert.equal(info.lockedByMe, true);
      assert.equal(((await p.ok({ op: "status" })).locker as { li: number }).li, CUSTOM_PID);
      await p.fails(WRITE, "API_DeviceLocked");
      await ctx2.close();
      assert.equal(ctx2.locks.timerActive, false);
      assert.equal(await dev.isLocked(), false, "TangoContext.close force-unlocks what it still holds");
      await p.ok(WRITE);
    } finally {
      await ctx2.close();
    }
  });
});
