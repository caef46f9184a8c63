/**
 * Device locking in our server: DeviceLock on its own (cppTango's rules, with a fake time), then LockDevice & co.
 * through a running server over real sockets, with clients of different identities. The expected reasons, texts and
 * origins are what the cppTango 9.3 TangoTest of the reference stack answers to the same requests (probed once by
 * hand; the side-by-side run with PyTango is locking.interop.test.ts).
 */
import assert from "node:assert/strict";
import { lookupService } from "node:dns/promises";
import { after, before, describe, test } from "node:test";
import { TangoContext } from "../client/context.ts";
import { DeviceProxy } from "../client/device-proxy.ts";
import { RemoteObject } from "../client/remote-object.ts";
import { type AnyValue, readAny, writeAny } from "../corba/typecode.ts";
import { DevFailed } from "../errors/errors.ts";
import { DeviceLock, giopAddress, ipv4Of, type LockClient, lockClient, sameClient } from "./locking.ts";
import { MemoryStore } from "./memory-store.ts";
import { DeviceServer } from "./server.ts";
import { LockTest, type LockTestDevice } from "./test-fixtures/lock-device.ts";
import { toAny } from "./values.ts";

function throwsWith(fn: () => unknown, reason: string, desc?: string, origin?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DevFailed, `expected a DevFailed, got ${String(e)}`);
    assert.equal(e.errors[0]?.reason, reason);
    if (desc !== undefined) assert.equal(e.errors[0]?.desc, desc);
    if (origin !== undefined) assert.equal(e.errors[0]?.origin, origin);
    return true;
  });
}

async function rejectsWith(p: Promise<unknown>, reason: string, desc?: string | RegExp, origin?: string): Promise<DevFailed> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof DevFailed, `expected a DevFailed, got ${String(e)}`);
    assert.equal(e.errors[0]?.reason, reason, JSON.stringify(e.errors));
    if (typeof desc === "string") assert.equal(e.errors[0]?.desc, desc);
    else if (desc) assert.match(e.errors[0]?.desc ?? "", desc);
    if (origin !== undefined) assert.equal(e.errors[0]?.origin, origin);
    return e;
  }
  assert.fail(`expected ${reason}, but the call succeeded`);
}

// ------------------------------------------------------------------------------------------------ DeviceLock alone

const A = lockClient("giop:tcp:127.0.0.1:40000", { lang: "CPP", pid: 100 });
/** Same process as A, another connection: another client for cppTango. */
const A_OTHER_CONN = lockClient("giop:tcp:127.0.0.1:40001", { lang: "CPP", pid: 100 });
/** A's connection, an operation without ClntIdent (IDL 1-3). */
const A_NO_IDENT = lockClient("giop:tcp:127.0.0.1:40000");
const B = lockClient("giop:tcp:127.0.0.1:40002", { lang: "CPP", pid: 200 });
const UUID: readonly [bigint, bigint] = [0x0123456789abcdefn, 0xfedcba9876543210n];
const J = lockClient("giop:tcp:10.1.2.3:5000", { lang: "JAVA", mainClass: "org.tango.jive.Jive", uuid: UUID });
const DEV = "lock/test/1";
const stubHost = async (ip: string): Promise<string> => (ip === "127.0.0.1" ? "localhost" : `host-${ip}`);

describe("DeviceLock (cppTango's lock rules, fake time)", () => {
  test("who is who: CPP = pid and connection, JAVA = UUID, no ClntIdent = nobody", () => {
    assert.equal(sameClient(A, lockClient("giop:tcp:127.0.0.1:40000", { lang: "CPP", pid: 100 })), true);
    assert.equal(sameClient(A, A_OTHER_CONN), false);
    assert.equal(sameClient(A, A_NO_IDENT), false);
    assert.equal(sameClient(A, B), false);
    const tc = { traceParent: "", traceState: "" };
    assert.equal(sameClient(A, lockClient("giop:tcp:127.0.0.1:40000", { lang: "CPP_6", pid: 100, traceContext: tc })), true);
    assert.equal(sameClient(J, lockClient("giop:tcp:10.9.9.9:1", { lang: "JAVA", mainClass: "x", uuid: UUID })), true);
    assert.equal(
      sameClient(J, lockClient("giop:tcp:10.1.2.3:5000", { lang: "JAVA", mainClass: "org.tango.jive.Jive", uuid: [1n, 2n] })),
      false,
    );
    assert.equal(giopAddress("127.0.0.1", 4242), "giop:tcp:127.0.0.1:4242");
    assert.equal(giopAddress("::ffff:127.0.0.1", 4242), "giop:tcp:[::ffff:127.0.0.1]:4242");
    assert.equal(ipv4Of("giop:tcp:10.1.2.3:5000"), "10.1.2.3");
    assert.equal(ipv4Of("giop:tcp:[::ffff:127.0.0.1]:4242"), undefined);
    assert.equal(ipv4Of("garbage"), undefined);
  });

  test("nesting; validity counted in whole seconds; ReLockDevices renews; an expired lock is dropped by the next look", () => {
    let t = 1000;
    const l = new DeviceLock(DEV, () => t);
    l.lock(A, 2);
    l.lock(A, 2);
    assert.equal(l.counter, 2);
    t = 1002;
    assert.equal(l.held, true, "valid while now <= date + validity");
    l.relock(A);
    t = 1004;
    assert.equal(l.held, true, "re-locked at 1002");
    t = 1005;
    assert.equal(l.held, false);
    l.check("write_attributes_4", B); // nobody is refused by an expired lock; it is dropped
    assert.equal(l.counter, 0);
    assert.equal(l.locker, undefined);
    throwsWith(() => l.relock(A), "API_DeviceNotLocked", `${DEV}: Device ${DEV} is not locked. Can't re-lock it`, "Device_Impl::relock");

    l.lock(A, 10);
    l.lock(A, 10);
    assert.equal(l.unlock(A, false), 1);
    assert.equal(l.held, true);
    assert.equal(l.unlock(A, false), 0);
    assert.equal(l.held, false);
    assert.equal(l.unlock(A, false), 0, "unlocking an unlocked device does nothing");
  });

  test("other clients are refused with cppTango's texts; allowed commands pass; a forced unlock is reported to the former locker", () => {
    const t = 1000;
    const l = new DeviceLock(DEV, () => t);
    l.lock(A, 10);
    throwsWith(() => l.lock(B, 10), "API_DeviceLocked", `Device ${DEV} is already locked by another client`, "Device_Impl::lock");
    throwsWith(() => l.relock(B), "API_DeviceLocked", `${DEV}: Device ${DEV} is already locked by another client`, "Device_Impl::relock");
    throwsWith(
      () => l.unlock(B, false),
      "API_DeviceLocked",
      `Device ${DEV} is locked by another client, can't unlock it`,
      "Device_Impl::unlock",
    );
    for (const other of [B, A_OTHER_CONN, A_NO_IDENT, J]) {
      throwsWith(
        () => l.check("write_attributes_4", other),
        "API_DeviceLocked",
        `Device ${DEV} is locked by another client`,
        "Device_Impl::write_attributes_4",
      );
    }
    l.check("write_attributes_4", A);
    throwsWith(() => l.check("command_inout4", B, "Reset"), "API_DeviceLocked", undefined, "Device_Impl::command_inout4");
    l.check("command_inout4", B, "RESET", new Set(["reset"]));
    l.check("command_inout2", A_NO_IDENT, "Reset", new Set(["reset"]));
    throwsWith(
      () => l.checkOwner(B, "add_obj_polling", "LOCK/Test/1"),
      "API_DeviceLocked",
      "Device LOCK/Test/1 is locked by another client. Your request is not allowed while a device is locked.",
      "DServer::add_obj_polling",
    );
    throwsWith(() => l.checkOwner(A_NO_IDENT, "restart", DEV), "API_DeviceLocked", undefined, "DServer::restart");
    l.checkOwner(A, "restart", DEV);

    assert.equal(l.unlock(B, true), 0, "forced");
    assert.equal(l.held, false);
    const unlocked = `Device ${DEV} has been unlocked by an administrative client!!!`;
    throwsWith(() => l.check("write_attributes_4", A), "API_DeviceUnlocked", unlocked, "Device_Impl::write_attributes_4");
    throwsWith(() => l.check("command_inout4", A, "DevDouble"), "API_DeviceUnlocked", unlocked, "Device_Impl::command_inout4");
    throwsWith(() => l.relock(A), "API_DeviceNotLocked");
    l.check("write_attributes_4", B); // another client's call clears the memory of the former locker
    l.check("write_attributes_4", A);
  });

  test("DevLockStatus: cppTango's layout and sentence for CPP and JAVA lockers", async () => {
    const t = 1000;
    const l = new DeviceLock(DEV, () => t);
    const none = { lvalue: [0, 0, 0, 0, 0, 0], svalue: [`Device ${DEV} is not locked`, "Not defined", "Not defined"] };
    assert.deepEqual(await l.status(stubHost), none);
    l.lock(A, 10);
    assert.deepEqual(await l.status(stubHost), {
      lvalue: [1, 100, 0, 0, 0, 0],
      svalue: [`Device ${DEV} is locked by CPP or Python client with PID 100 from host localhost`, A.address, "Not defined"],
    });
    l.unlock(A, false);
    l.lock(J, 10);
    assert.deepEqual(await l.status(stubHost), {
      // The UUID as four signed 32-bit words, high word first (what DeviceProxy::get_locker reassembles).
      lvalue: [1, 0, 0x01234567, 0x89abcdef | 0, 0xfedcba98 | 0, 0x76543210],
      svalue: [
        `Device ${DEV} is locked by JAVA client class org.tango.jive.Jive from host host-10.1.2.3`,
        J.address,
        "org.tango.jive.Jive",
      ],
    });
    l.unlock(J, false);
    const v6: LockClient = lockClient("giop:tcp:[::1]:40000", { lang: "CPP", pid: 7 });
    l.lock(v6, 10);
    assert.equal(
      (await l.status(stubHost)).svalue[0],
      `Device ${DEV} is locked by CPP or Python client with PID 7 from host giop:tcp:[::1]:40000`,
    );
  });
});

// ------------------------------------------------------------------------------------------------ a running server

const SERVER = "LockTest";
const INSTANCE = "unit";
const ADMIN = `dserver/${SERVER}/${INSTANCE}`;
const D1 = "lock/unit/1";
const D2 = "lock/unit/2";
const HOLDER_PID = 91001;
const OTHER_PID = 91002;

let skewMs = 0;
let server: DeviceServer;
let holderCtx: TangoContext;
let otherCtx: TangoContext;
let holder: DeviceProxy;
let other: DeviceProxy;
let other2: DeviceProxy;
let adminH: DeviceProxy;
let adminO: DeviceProxy;
let localhostName = "127.0.0.1";

const name = (dev: string): string => `tango://127.0.0.1:${server.port}/${dev}#dbase=no`;
const lockArg = (validity: number, ...devs: string[]) => ({ lvalue: [validity], svalue: devs });

/** An IDL 1/2 operation without ClntIdent, on the context's (shared) connection to the server. */
function rawCommand(
  ctx: TangoContext,
  dev: string,
  op: "command_inout" | "command_inout_2",
  cmd: string,
  argin: AnyValue,
): Promise<AnyValue> {
  const obj = new RemoteObject({
    name: name(dev),
    address: { endpoints: [{ host: "127.0.0.1", port: server.port }], objectKey: new Uint8Array(Buffer.from(dev.toLowerCase(), "latin1")) },
    context: ctx,
  });
  return obj.invoke(
    op,
    (w) => {
      w.string(cmd);
      writeAny(w, argin.type, argin.value);
      if (op === "command_inout_2") w.ulong(0);
    },
    readAny,
  );
}

async function lockStatus(dev = D1): Promise<{ lvalue: number[]; svalue: string[] }> {
  return (await adminO.command("DevLockStatus", dev)) as { lvalue: number[]; svalue: string[] };
}

describe("LockDevice & co. on a running server, two clients", () => {
  before(async () => {
    server = new DeviceServer({
      serverName: SERVER,
      instance: INSTANCE,
      classes: [LockTest],
      devices: [D1, D2],
      store: new MemoryStore({ classProperties: { LockTest: { AllowedAccessCmd: ["Reset"] } } }),
      host: "127.0.0.1",
      port: 0,
      publishHost: "127.0.0.1",
      clock: { now: () => Date.now() + skewMs, monotonic: () => performance.now() },
    });
    await server.start();
    holderCtx = new TangoContext({ pid: HOLDER_PID });
    otherCtx = new TangoContext({ pid: OTHER_PID });
    holder = await DeviceProxy.connect(name(D1), { context: holderCtx });
    other = await DeviceProxy.connect(name(D1), { context: otherCtx });
    other2 = await DeviceProxy.connect(name(D2), { context: otherCtx });
    adminH = await DeviceProxy.connect(name(ADMIN), { context: holderCtx });
    adminO = await DeviceProxy.connect(name(ADMIN), { context: otherCtx });
    localhostName = await lookupService("127.0.0.1", 0).then(
      (r) => r.hostname,
      () => "127.0.0.1",
    );
  });

  after(async () => {
    await holderCtx?.close();
    await otherCtx?.close();
    await server?.close();
  });

  test("LockDevice, DevLockStatus, nested locks and UnLockDevice's counter", async () => {
    assert.deepEqual(await lockStatus(), {
      lvalue: [0, 0, 0, 0, 0, 0],
      svalue: [`Device ${D1} is not locked`, "Not defined", "Not defined"],
    });
    await adminH.command("LockDevice", lockArg(10, D1));
    const s = await lockStatus("LOCK/Unit/1");
    assert.deepEqual(s.lvalue, [1, HOLDER_PID, 0, 0, 0, 0]);
    assert.equal(s.svalue[0], `Device ${D1} is locked by CPP or Python client with PID ${HOLDER_PID} from host ${localhostName}`);
    assert.match(s.svalue[1] ?? "", /^giop:tcp:127\.0\.0\.1:\d+$/);
    assert.equal(s.svalue[2], "Not defined");
    await adminH.command("LockDevice", lockArg(10, D1));
    assert.equal(server.locks.entry(D1)?.counter, 2);
    assert.equal(await adminH.command("UnLockDevice", lockArg(0, D1)), 1);
    assert.equal((await lockStatus()).lvalue[0], 1);
    assert.equal(await adminH.command("UnLockDevice", lockArg(0, D1)), 0);
    assert.equal((await lockStatus()).lvalue[0], 0);
    assert.equal(await adminH.command("UnLockDevice", lockArg(0, D1)), 0, "unlocking an unlocked device does nothing");
  });

  test("a locked device refuses writes, commands and configuration to other clients; reads, State, Status and AllowedAccessCmd pass", async () => {
    await adminH.command("LockDevice", lockArg(10, D1));
    try {
      const locked = `Device ${D1} is locked by another client`;
      await rejectsWith(other.write("double_scalar", 1), "API_DeviceLocked", locked, "Device_Impl::write_attributes_4");
      await rejectsWith(other.writeRead("double_scalar", 1), "API_DeviceLocked", locked, "Device_Impl::write_read_attributes_5");
      await rejectsWith(other.command("DevDouble", 1), "API_DeviceLocked", locked, "Device_Impl::command_inout4");
      await rejectsWith(other.command("Init"), "API_DeviceLocked", locked, "Device_Impl::command_inout4");
      // The lock is checked before the command is looked up (our client checks names itself, hence the raw call).
      await rejectsWith(
        rawCommand(otherCtx, D1, "command_inout_2", "NoSuchCommand", toAny("DevVoid", undefined)),
        "API_DeviceLocked",
        locked,
        "Device_Impl::command_inout2",
      );
      await rejectsWith(
        other.updateAttributeConfig("double_scalar", { label: "x" }),
        "API_DeviceLocked",
        locked,
        "Device_Impl::set_attribute_config_5",
      );
      await rejectsWith(
        adminO.command("LockDevice", lockArg(10, D1)),
        "API_DeviceLocked",
        `Device ${D1} is already locked by another client`,
        "Device_Impl::lock",
      );
      await rejectsWith(
        adminO.command("UnLockDevice", lockArg(0, D1)),
        "API_DeviceLocked",
        `Device ${D1} is locked by another client, can't unlock it`,
      );

      assert.equal((await other.read("double_scalar")).value, 0);
      assert.equal(await other.command("State"), "ON");
      assert.equal(await other.command("status"), "The device is in ON state.");
      await other.command("Reset"); // class property AllowedAccessCmd = Reset
      assert.equal((server.device(D1).device as LockTestDevice).resets, 1);
      await other2.write("double_scalar", 5); // another device of the server is not locked

      await holder.write("double_scalar", 2.5);
      assert.equal((await holder.writeRead("double_scalar", 3.5)).value, 3.5);
      assert.equal(await holder.command("DevDouble", 4), 4);
      await holder.updateAttributeConfig("double_scalar", { label: "by the holder" });
      // The holder's own connection, without ClntIdent (IDL 2): not identified, refused; IDL 1 command_inout is not
      // checked at all (as in cppTango), State never is.
      await rejectsWith(
        rawCommand(holderCtx, D1, "command_inout_2", "DevDouble", toAny("DevDouble", 1)),
        "API_DeviceLocked",
        locked,
        "Device_Impl::command_inout2",
      );
      assert.equal((await rawCommand(holderCtx, D1, "command_inout", "DevDouble", toAny("DevDouble", 6))).value, 6);
      await rawCommand(otherCtx, D1, "command_inout_2", "State", toAny("DevVoid", undefined));
    } finally {
      assert.equal(await adminH.command("UnLockDevice", lockArg(0, D1)), 0);
    }
    await other.write("double_scalar", 1);
  });

  test("polling, logging and DevRestart on a locked device are the holder's; the lock survives DevRestart", async () => {
    await adminH.command("LockDevice", lockArg(10, D1));
    try {
      const refused = (cmdName: string): [string, string, string] => [
        "API_DeviceLocked",
        `Device ${D1} is locked by another client. Your request is not allowed while a device is locked.`,
        `DServer::${cmdName}`,
      ];
      await rejectsWith(
        adminO.command("AddObjPolling", { lvalue: [1000], svalue: [D1, "attribute", "double_scalar"] }),
        ...refused("add_obj_polling"),
      );
      await adminH.command("AddObjPolling", { lvalue: [1000], svalue: [D1, "attribute", "double_scalar"] });
      await rejectsWith(
        adminO.command("UpdObjPollingPeriod", { lvalue: [2000], svalue: [D1, "attribute", "double_scalar"] }),
        ...refused("upd_obj_polling_period"),
      );
      await rejectsWith(adminO.command("RemObjPolling", [D1, "attribute", "double_scalar"]), ...refused("rem_obj_polling"));
      await adminH.command("RemObjPolling", [D1, "attribute", "double_scalar"]);
      await rejectsWith(adminO.command("AddLoggingTarget", [D1, "device::tmp/log/1"]), ...refused("add_logging_target"));
      await rejectsWith(adminO.command("RemoveLoggingTarget", [D2, "device::x", D1, "device::x"]), ...refused("remove_logging_target"));
      await rejectsWith(adminO.command("SetLoggingLevel", { lvalue: [3], svalue: [D1] }), ...refused("set_logging_level"));
      await adminO.command("SetLoggingLevel", { lvalue: [3], svalue: [D2] });
      await adminH.command("SetLoggingLevel", { lvalue: [3], svalue: [D1] });
      await rejectsWith(adminO.command("DevRestart", D1), ...refused("restart"));

      await adminH.command("DevRestart", D1);
      const s = await lockStatus();
      assert.deepEqual(s.lvalue.slice(0, 2), [1, HOLDER_PID], "the lock survives DevRestart (cppTango set_locking_param)");
      await rejectsWith(other.write("double_scalar", 1), "API_DeviceLocked");
      await holder.write("double_scalar", 1);
    } finally {
      assert.equal(await adminH.command("UnLockDevice", lockArg(0, D1)), 0);
    }
  });

  test("refused requests: the admin device, unknown devices, validity < 2 s, missing arguments, clients without ClntIdent", async () => {
    await rejectsWith(
      adminH.command("LockDevice", lockArg(10, ADMIN)),
      "API_DeviceUnlockable",
      "Impossible to lock device server administration device",
      "DServer::lock_device",
    );
    await rejectsWith(
      adminH.command("LockDevice", lockArg(10, "a/b/c")),
      "API_DeviceNotFound",
      "Device a/b/c not found",
      "Util::get_device_by_name()",
    );
    await rejectsWith(adminH.command("DevLockStatus", "a/b/c"), "API_DeviceNotFound");
    await rejectsWith(adminH.command("UnLockDevice", lockArg(0, "a/b/c")), "API_DeviceNotFound");
    for (const v of [1, 0, -5, 2_000_001]) {
      await rejectsWith(
        adminH.command("LockDevice", lockArg(v, D1)),
        "API_MethodArgument",
        new RegExp(`\\(got ${v}\\)$`),
        "DServer::lock_device",
      );
    }
    await rejectsWith(adminH.command("LockDevice", { lvalue: [], svalue: [] }), "API_WrongNumberOfArgs");
    await rejectsWith(adminH.command("LockDevice", { lvalue: [10], svalue: [] }), "API_WrongNumberOfArgs");
    await rejectsWith(adminH.command("UnLockDevice", { lvalue: [], svalue: [D1] }), "API_WrongNumberOfArgs");
    // IDL 2 command_inout_2 carries no ClntIdent: such a client cannot lock (a forced unlock needs no identity).
    const lockV2 = toAny("DevVarLongStringArray", lockArg(10, D1));
    await rejectsWith(
      rawCommand(holderCtx, ADMIN, "command_inout_2", "LockDevice", lockV2),
      "API_ClientTooOld",
      "Your client cannot lock devices. You are using a too old Tango release. Please, update to tango V7 or more",
      "DServer::lock_device",
    );
    await rejectsWith(
      rawCommand(holderCtx, ADMIN, "command_inout_2", "UnLockDevice", toAny("DevVarLongStringArray", lockArg(0, D1))),
      "API_ClientTooOld",
    );
    await rejectsWith(
      rawCommand(holderCtx, ADMIN, "command_inout_2", "ReLockDevices", toAny("DevVarStringArray", [D1])),
      "API_ClientTooOld",
    );
    assert.equal(
      (await rawCommand(holderCtx, ADMIN, "command_inout_2", "UnLockDevice", toAny("DevVarLongStringArray", lockArg(1, D1)))).value,
      0,
    );
    assert.equal((await lockStatus()).lvalue[0], 0, "nothing was locked");
  });

  test("UnLockDevice with several devices answers 0 (cppTango); ReLockDevices tries every device and reports each failure", async () => {
    await adminH.command("LockDevice", lockArg(10, D1));
    await adminH.command("LockDevice", lockArg(10, D1));
    assert.equal(await adminH.command("UnLockDevice", lockArg(0, D1, D2)), 0);
    assert.equal(server.locks.entry(D1)?.counter, 1, "D1 went down one level only");
    const e = await rejectsWith(adminH.command("ReLockDevices", [D1, "a/b/c", D2]), "API_DeviceNotFound");
    assert.deepEqual(
      e.errors.map((x) => [x.reason, x.desc]),
      [
        ["API_DeviceNotFound", "Device a/b/c not found"],
        ["API_DeviceNotLocked", `${D2}: Device ${D2} is not locked. Can't re-lock it`],
        // the client's frame (cppTango's Connection::command_inout)
        ["API_CommandFailed", `Failed to execute command_inout on device ${ADMIN.toLowerCase()}, command ReLockDevices`],
      ],
    );
    await rejectsWith(
      adminO.command("ReLockDevices", [D1]),
      "API_DeviceLocked",
      `${D1}: Device ${D1} is already locked by another client`,
      "Device_Impl::relock",
    );
    assert.equal(await adminH.command("UnLockDevice", lockArg(0, D1)), 0);
  });

  test("validity: a lock not renewed in time is released; ReLockDevices keeps it (server clock moved forward)", async () => {
    try {
      await adminH.command("LockDevice", lockArg(2, D1));
      skewMs += 3000;
      assert.equal((await lockStatus()).lvalue[0], 0, "expired after 2 s (+1 s of whole-second rounding at most)");
      await other.write("double_scalar", 1);

      await adminH.command("LockDevice", lockArg(2, D1));
      for (let i = 0; i < 3; i++) {
        skewMs += 2000;
        await adminH.command("ReLockDevices", [D1]);
      }
      await rejectsWith(other.write("double_scalar", 1), "API_DeviceLocked");
      skewMs += 3000;
      await other.write("double_scalar", 1);
      await rejectsWith(
        adminH.command("ReLockDevices", [D1]),
        "API_DeviceNotLocked",
        `${D1}: Device ${D1} is not locked. Can't re-lock it`,
      );
    } finally {
      skewMs = 0;
      await adminH.command("UnLockDevice", lockArg(1, D1));
    }
  });

  test("a forced unlock: the former holder gets API_DeviceUnlocked until another client calls the device", async () => {
    await adminH.command("LockDevice", lockArg(10, D1));
    assert.equal(await adminO.command("UnLockDevice", lockArg(1, D1)), 0);
    const unlocked = `Device ${D1} has been unlocked by an administrative client!!!`;
    await rejectsWith(holder.write("double_scalar", 1), "API_DeviceUnlocked", unlocked, "Device_Impl::write_attributes_4");
    await rejectsWith(holder.command("DevDouble", 1), "API_DeviceUnlocked", unlocked, "Device_Impl::command_inout4");
    assert.equal(await holder.command("State"), "ON");
    await rejectsWith(adminH.command("ReLockDevices", [D1]), "API_DeviceNotLocked");
    await other.write("double_scalar", 1);
    await holder.write("double_scalar", 1);
  });
});
