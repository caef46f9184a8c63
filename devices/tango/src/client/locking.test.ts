/**
 * DevLockStatus decoding for the forms the reference stack does not produce here (IPv6-mapped and unix-socket
 * locker addresses, Java lockers); the real exchanges are in locking.interop.test.ts.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { lockerHostOf, lockInfoOf } from "./locking.ts";

describe("locker address", () => {
  test("IPv4, IPv6-mapped IPv4, IPv6, unix socket, garbage", () => {
    assert.equal(lockerHostOf("giop:tcp:160.103.5.157:32989"), "160.103.5.157");
    assert.equal(lockerHostOf("giop:tcp:[::ffff:160.103.5.157]:32989"), "160.103.5.157");
    assert.equal(lockerHostOf("giop:tcp:[::1]:32989"), "::1");
    assert.equal(lockerHostOf("giop:unix:/tmp/omni-tango/000001 12"), "localhost");
    assert.equal(lockerHostOf("Not defined"), undefined);
    assert.equal(lockerHostOf("giop:tcp:[::1"), undefined);
  });
});

describe("lockInfoOf", () => {
  const me = { lang: "CPP", pid: 1234 } as const;

  test("not locked", () => {
    const r = { lvalue: [0, 0, 0, 0, 0, 0], svalue: ["Device a/b/c is not locked", "Not defined", "Not defined"] };
    assert.deepEqual(lockInfoOf(r, me, 3, 10), { locked: false, status: "Device a/b/c is not locked", lockedByMe: false, lockCount: 0 });
  });

  test("a CPP locker from this host with our pid is us; another pid or another host is not", () => {
    const r = (pid: number, ip: string) => ({ lvalue: [1, pid, 0, 0, 0, 0], svalue: ["s", `giop:tcp:${ip}:40000`, "Not defined"] });
    const mine = lockInfoOf(r(1234, "127.0.0.1"), me, 2, 5);
    assert.equal(mine.lockedByMe, true);
    assert.equal(mine.lockCount, 2);
    assert.equal(mine.validity, 5);
    assert.equal(mine.lockerLanguage, "CPP");
    assert.equal(mine.lockerPid, 1234);
    assert.equal(lockInfoOf(r(999, "127.0.0.1"), me, 2, 5).lockedByMe, false);
    const remote = lockInfoOf(r(1234, "192.0.2.1"), me, 2, 5); // TEST-NET-1: never an address of this host
    assert.equal(remote.lockedByMe, false);
    assert.equal(remote.lockCount, 0);
    assert.equal(remote.lockerHost, "192.0.2.1");
  });

  test("a Java locker: pid 0, the UUID as four unsigned words, its main class", () => {
    const r = { lvalue: [1, 0, -1, 2, 3, -2147483648], svalue: ["s", "giop:tcp:127.0.0.1:40000", "org.tango.Main"] };
    const info = lockInfoOf(r, me, 0, undefined);
    assert.equal(info.lockerLanguage, "JAVA");
    assert.equal(info.lockerPid, undefined);
    assert.deepEqual(info.lockerUuid, [0xffffffff, 2, 3, 0x80000000]);
    assert.equal(info.lockerClass, "org.tango.Main");
    assert.equal(info.lockedByMe, false);
    const javaMe = { lang: "JAVA", mainClass: "org.tango.Main", uuid: [0xffffffff00000002n, 0x0000000380000000n] } as const;
    assert.equal(lockInfoOf(r, javaMe, 1, 10).lockedByMe, true);
  });
});
