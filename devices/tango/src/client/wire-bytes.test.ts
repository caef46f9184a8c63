/**
 * Byte-for-byte check of the requests this client sends against the ones PyTango/cppTango sent in the captured
 * reference traffic (../shared/tango-reference/vectors): same request id, object key, pid and values → same bytes,
 * except alignment padding (omniORB leaves whatever was in its buffer there; we write zeros).
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { CdrWriter } from "../cdr/cdr.ts";
import { readAny } from "../corba/typecode.ts";
import { decodeMessage, type RequestMessage } from "../giop/giop.ts";
import { readAttributeValue5, readClntIdent } from "../idl/structs.ts";
import { argTypeOfTypeCode } from "../idl/typecodes.ts";
import { encodeRequestFast } from "../iiop/connection.ts";
import { decodeArgout, encodeArgin, makeWriteValue, unionElements } from "./convert.ts";
import { writeCommandInout4Args, writeReadAttributes5Args, writeWriteAttributes4Args } from "./tango-ops.ts";

const VECTORS = new URL("../../../../../shared/tango-reference/vectors/", import.meta.url);
const present = existsSync(VECTORS);

function load(file: string): { bytes: Buffer; msg: RequestMessage } {
  const scenario = file.split("-")[0] as string;
  const bytes = Buffer.from(readFileSync(new URL(`${scenario}/${file}`, VECTORS), "utf8").replace(/\s+/g, ""), "hex");
  const msg = decodeMessage(bytes);
  assert.equal(msg.type, "Request");
  return { bytes, msg: msg as RequestMessage };
}

/** Equal, or differing only at the alignment padding positions of our encoding. */
function assertSameBytes(ours: { bytes: Buffer; pads: ReadonlySet<number> }, theirs: Buffer): void {
  assert.equal(ours.bytes.length, theirs.length, "message length");
  const bad: string[] = [];
  for (let i = 0; i < theirs.length; i++) {
    if (ours.bytes[i] !== theirs[i] && !ours.pads.has(i)) bad.push(`@${i}: ${ours.bytes[i]} vs ${theirs[i]}`);
  }
  assert.deepEqual(bad, [], "bytes differ outside padding");
}

/** Encodes and records the padding written by CdrWriter.align in the top-level message writer. */
function encode(msg: RequestMessage, body: (w: CdrWriter) => void): { bytes: Buffer; pads: Set<number> } {
  const orig = CdrWriter.prototype.align;
  const pads = new Map<CdrWriter, Set<number>>();
  CdrWriter.prototype.align = function (this: CdrWriter, n: number): void {
    const a = this.pos;
    orig.call(this, n);
    let set = pads.get(this);
    if (!set) pads.set(this, (set = new Set()));
    for (let i = a; i < this.pos; i++) set.add(i);
  };
  try {
    // A fresh object key so that the cached request template (with its header padding) is built under the hook.
    const bytes = Buffer.from(encodeRequestFast(msg.requestId, new Uint8Array(msg.objectKey), msg.operation, body));
    // Writers of encapsulations (TypeCode parameters) count from the encapsulation start: find their bytes in the
    // message to place their padding. The message and header-template writers count from "GIOP" (offset 0).
    const all = new Set<number>();
    for (const [w, set] of pads) {
      const at = bytes.indexOf(w.finish());
      const shift = Math.max(at, 0);
      for (const i of set) all.add(i + shift);
    }
    return { bytes, pads: all };
  } finally {
    CdrWriter.prototype.align = orig;
  }
}

describe("requests are byte-identical to cppTango's", { skip: !present && "reference vectors not found" }, () => {
  for (const file of [
    "commands-017-request-command_inout_4.hex",
    "commands-021-request-command_inout_4.hex",
    "commands-025-request-command_inout_4.hex",
    "commands-029-request-command_inout_4.hex",
    "commands-033-request-command_inout_4.hex",
    "commands-037-request-command_inout_4.hex",
  ]) {
    test(`${file}: command_inout_4 through encodeArgin`, () => {
      const { bytes, msg } = load(file);
      const r = msg.body;
      const command = r.string();
      const any = readAny(r);
      const source = r.ulong();
      const ident = readClntIdent(r);
      const type = argTypeOfTypeCode(any.type);
      assert.ok(type, `argument type of ${command}`);
      const argin = encodeArgin(type, decodeArgout(any, type));
      assertSameBytes(
        encode(msg, (w) => writeCommandInout4Args(w, command, argin, source, ident)),
        bytes,
      );
    });
  }

  for (const file of [
    "read-017-request-read_attributes_5.hex",
    "read-019-request-read_attributes_5.hex",
    "read-023-request-read_attributes_5.hex",
  ]) {
    test(`${file}: read_attributes_5`, () => {
      const { bytes, msg } = load(file);
      const r = msg.body;
      const names = r.stringSeq();
      const source = r.ulong();
      const ident = readClntIdent(r);
      assertSameBytes(
        encode(msg, (w) => writeReadAttributes5Args(w, names, source, ident)),
        bytes,
      );
    });
  }

  for (const file of ["write-019-request-write_attributes_4.hex"]) {
    test(`${file}: write_attributes_4 through makeWriteValue`, () => {
      const { bytes, msg } = load(file);
      const r = msg.body;
      const values = r.sequence(40, (x) => readAttributeValue5(x, false));
      const ident = readClntIdent(r);
      const dataTypeOf: Record<number, number> = { 1: 2, 2: 3, 5: 5, 10: 8 };
      const ours = values.map((v) => {
        const el = unionElements(v.value) ?? [];
        return makeWriteValue({ name: v.name, dataType: dataTypeOf[v.value.d] ?? -1, dataFormat: 0 }, el[0]);
      });
      assertSameBytes(
        encode(msg, (w) => writeWriteAttributes4Args(w, ours, ident)),
        bytes,
      );
    });
  }
});
