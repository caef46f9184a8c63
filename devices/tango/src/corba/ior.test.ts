import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ProtocolError } from "../errors/errors.ts";
import { decodeCapture, LIBRARY_SRC, loadRepoGolden } from "../testing/golden.ts";
import {
  CODESET_ISO8859_1,
  CODESET_UTF8,
  CODESET_UTF16,
  decodeCodeSets,
  decodeIiopProfile,
  decodeOmniUnixTransport,
  decodeOrbType,
  encodeIiopProfile,
  iiopProfiles,
  makeIor,
  OMNIORB_ORB_TYPE,
  parseCorbaloc,
  parseIor,
  profileEndpoints,
  stringifyIor,
  TAG_ALTERNATE_IIOP_ADDRESS,
  TAG_CODE_SETS,
  TAG_OMNIORB_UNIX_TRANS,
  TAG_ORB_TYPE,
} from "./ior.ts";
import type { AnyValue } from "./typecode.ts";

/** The IOR of sys/tg_test/1 as returned by the real DataBaseds (golden copy of basics-010). */
function capturedIor(): string {
  const [d] = decodeCapture([loadRepoGolden(join(LIBRARY_SRC, "idl", "basics-010-reply-command_inout_4.golden.hex"))]);
  assert.ok(d && d.body.kind === "result");
  const v = (d.body.value as AnyValue).value as { svalue: string[] };
  return v.svalue[1] as string;
}

describe("IOR", () => {
  test("parses the captured cppTango IOR and decodes its omniORB components", () => {
    const text = capturedIor();
    const ior = parseIor(text);
    assert.equal(ior.typeId, "IDL:Tango/Device_5:1.0");
    const [p] = iiopProfiles(ior);
    assert.ok(p);
    assert.deepEqual([p.major, p.minor, p.host, p.port], [1, 2, "127.0.0.1", 10001]);
    assert.equal(Buffer.from(p.objectKey).toString("hex"), "fe54c6056b00002e760000000000");
    assert.deepEqual(
      p.components.map((c) => c.tag),
      [TAG_ORB_TYPE, TAG_CODE_SETS, TAG_OMNIORB_UNIX_TRANS],
    );
    assert.equal(decodeOrbType(p.components[0]!), OMNIORB_ORB_TYPE);
    assert.deepEqual(decodeCodeSets(p.components[1]!), {
      charNative: CODESET_ISO8859_1,
      charConversion: [CODESET_UTF8],
      wcharNative: CODESET_UTF16,
      wcharConversion: [CODESET_UTF16],
    });
    const unix = decodeOmniUnixTransport(p.components[2]!);
    assert.equal(unix.host, "vm");
    assert.match(unix.filename, /^\/tmp\/omni-root\/\d+-\d+$/);
    assert.deepEqual(profileEndpoints(p), [{ host: "127.0.0.1", port: 10001 }]);
    // Stringify gives the same text (the profile bytes are kept verbatim, omniORB's padding included).
    assert.equal(stringifyIor(ior), text);
    // Re-encoding the decoded profile gives the same bytes modulo omniORB's padding garbage.
    const again = encodeIiopProfile(p);
    assert.equal(again.length, ior.profiles[0]?.data.length);
    assert.deepEqual(decodeIiopProfile(again), p);
  });

  test("makeIor builds an omniORB-like IOR that round trips, both byte orders", () => {
    const key = new Uint8Array(Buffer.from("sys/tg_test/1"));
    const ior = makeIor("IDL:Tango/Device_5:1.0", "10.0.0.1", 12345, key);
    for (const le of [true, false]) {
      const back = parseIor(stringifyIor(ior, le));
      assert.equal(back.typeId, ior.typeId);
      const [p] = iiopProfiles(back);
      assert.deepEqual([p?.host, p?.port], ["10.0.0.1", 12345]);
      assert.deepEqual(p?.objectKey, key);
      assert.equal(decodeOrbType(p!.components[0]!), OMNIORB_ORB_TYPE);
      assert.equal(decodeCodeSets(p!.components[1]!).charNative, CODESET_ISO8859_1);
    }
    const big = encodeIiopProfile(
      {
        major: 1,
        minor: 2,
        host: "h",
        port: 1,
        objectKey: key,
        components: [{ tag: TAG_ALTERNATE_IIOP_ADDRESS, data: encodeAlt("h2", 2) }],
      },
      false,
    );
    assert.deepEqual(profileEndpoints(decodeIiopProfile(big)), [
      { host: "h", port: 1 },
      { host: "h2", port: 2 },
    ]);
  });

  test("malformed IORs and corbaloc URLs → ProtocolError", () => {
    const text = capturedIor();
    for (const bad of [
      "",
      "IOR:",
      "IOR:0",
      "IOR:zz",
      "IOR:02",
      text.slice(0, 40),
      `${text.slice(0, 12)}ffffffff${text.slice(20)}`,
      `${text.slice(0, 92)}ffffff7f${text.slice(100)}`,
      "corbaloc::x/y",
    ]) {
      assert.throws(
        () => {
          const ior = parseIor(bad);
          for (const p of iiopProfiles(ior)) profileEndpoints(p);
        },
        ProtocolError,
        bad.slice(0, 50),
      );
    }
    for (const bad of ["corbaloc:iiop:h:1/%E0%A4%A", "corbaloc:rir:/x", "http://x"])
      assert.throws(() => parseCorbaloc(bad), ProtocolError, bad);
    assert.deepEqual(parseCorbaloc("corbaloc:iiop:1.2@127.0.0.1:10000,iiop:h2:2/database").endpoints, [
      { host: "127.0.0.1", port: 10000, minor: 2 },
      { host: "h2", port: 2, minor: 2 },
    ]);
  });
});

function encodeAlt(host: string, port: number): Uint8Array {
  const b = Buffer.alloc(4 + 4 + host.length + 1 + 2 + 1);
  b[0] = 1;
  b.writeUInt32LE(host.length + 1, 4);
  b.write(host, 8, "latin1");
  const p = 8 + host.length + 1;
  const aligned = p + (p % 2);
  const out = Buffer.alloc(aligned + 2);
  b.copy(out, 0, 0, p);
  out.writeUInt16LE(port, aligned);
  return out;
}
