import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CdrReader, CdrWriter } from "../cdr/cdr.ts";
import { ProtocolError } from "../errors/errors.ts";
import { operationCodec, readSystemExceptionBody, readUserException, TANGO_OPERATIONS, writeUserException } from "./operations.ts";

describe("Tango operation codecs", () => {
  test("every operation's args and result decode to ProtocolError on a huge declared length", () => {
    for (const name of Object.keys(TANGO_OPERATIONS)) {
      const codec = operationCodec(name);
      assert.ok(codec, name);
      for (const side of [codec.args, codec.result]) {
        for (const n of [0xffffffff, 0x7fffffff, 0x01000000]) {
          const w = new CdrWriter();
          for (let i = 0; i < 4; i++) w.ulong(n);
          const before = process.memoryUsage().arrayBuffers;
          try {
            side.read(new CdrReader(w.finish()));
          } catch (e) {
            assert.ok(e instanceof ProtocolError, `${name}: ${e}`);
          }
          assert.ok(process.memoryUsage().arrayBuffers - before < 1 << 20, name);
        }
      }
    }
  });

  test("unknown operation names have no codec (not even Object.prototype members)", () => {
    assert.equal(operationCodec("toString"), undefined);
    assert.equal(operationCodec("no_such_op"), undefined);
  });

  test("user and system exception bodies round trip", () => {
    const w = new CdrWriter();
    writeUserException(w, {
      kind: "MultiDevFailed",
      repoId: "IDL:Tango/MultiDevFailed:1.0",
      namedErrors: [
        { name: "counter", indexInCall: 0, errors: [{ reason: "API_WAttrOutsideLimit", desc: "d", origin: "o", severity: "ERR" }] },
      ],
    });
    const u = readUserException(new CdrReader(w.finish()));
    assert.equal(u.kind, "MultiDevFailed");
    assert.equal(u.kind === "MultiDevFailed" && u.namedErrors[0]?.errors[0]?.reason, "API_WAttrOutsideLimit");
    const s = new CdrWriter();
    s.string("IDL:omg.org/CORBA/TRANSIENT:1.0");
    s.ulong(0x41540002);
    s.ulong(3);
    assert.throws(() => readSystemExceptionBody(new CdrReader(s.finish())), ProtocolError, "completion status 3");
  });
});
