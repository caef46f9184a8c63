/**
 * JS pipe blobs ↔ DevPipeBlob (pipe-blob.ts), checked against what PyTango 9.3 reads and sends
 * (idl/pipe-*.golden.hex, captured by fixtures/capture-pipes.sh): the types and values PyTango shows for each element,
 * our write_pipe_5 request byte-identical to PyTango's for the same blob, type inference and refused values.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { CdrWriter } from "../cdr/cdr.ts";
import { InvalidArgumentError } from "../errors/errors.ts";
import { decodeMessage, type ReplyMessage, type RequestMessage } from "../giop/giop.ts";
import { type DevPipeBlob, MAX_PIPE_DEPTH, readDevPipeData, readPipeConfigList } from "../idl/pipe.ts";
import { readClntIdent } from "../idl/structs.ts";
import { encodeRequestFast } from "../iiop/connection.ts";
import { compareModuloPadding, parseHex } from "../testing/golden.ts";
import { fromDevPipeBlob, inferPipeDataType, type PipeBlobInput, toDevPipeBlob } from "./pipe-blob.ts";
import { writeReadPipe5Args, writeSetPipeConfig5Args, writeWritePipe5Args } from "./tango-ops.ts";

function golden(file: string): ReturnType<typeof decodeMessage> & { bytes: Buffer } {
  const bytes = parseHex(readFileSync(new URL(`../idl/${file}.golden.hex`, import.meta.url), "utf8"));
  return Object.assign(decodeMessage(bytes), { bytes });
}

function replyBlob(file: string): DevPipeBlob {
  return readDevPipeData((golden(file) as ReplyMessage).body).blob;
}

/** Our request for the same arguments, compared with the captured one modulo alignment padding. */
function sameRequest(file: string, body: (w: CdrWriter) => void): void {
  const g = golden(file) as RequestMessage & { bytes: Buffer };
  const enc = (padByte: number): Buffer => {
    const orig = CdrWriter.prototype.align;
    // encodeRequestFast has no pad option: patch align to write `padByte` in the body's padding.
    CdrWriter.prototype.align = function (this: CdrWriter, n: number): void {
      const at = this.pos;
      orig.call(this, n);
      if (padByte !== 0) for (let i = at; i < this.pos; i++) (this as unknown as { buf: Buffer }).buf[i] = padByte;
    };
    try {
      return Buffer.from(encodeRequestFast(g.requestId, new Uint8Array(g.objectKey), g.operation, body));
    } finally {
      CdrWriter.prototype.align = orig;
    }
  };
  const cmp = compareModuloPadding(g.bytes, enc(0), enc(0xff));
  assert.ok(cmp.equalModuloPadding, `${file}: first difference at ${cmp.firstDifference}`);
}

describe("pipe blobs: what PyTango reads", () => {
  test("TangoTest string_long_short_ro: ('', FirstDE DevString, SecondDE DevLong, ThirdDE DevShort)", () => {
    assert.deepEqual(fromDevPipeBlob(replyBlob("pipe-tangotest-reply-read_pipe_5")), {
      name: "",
      elements: [
        { name: "FirstDE", dtype: "DevString", value: "The string" },
        { name: "SecondDE", dtype: "DevLong", value: 666 },
        { name: "ThirdDE", dtype: "DevShort", value: 12 },
      ],
    });
  });

  test("the typed blob: every element's dtype and value as PyTango 9.3 shows them", () => {
    const b = fromDevPipeBlob(replyBlob("pipe-typed-reply-read_pipe_5"));
    assert.equal(b.name, "typed");
    // PyTango: ('typed', [{'name': 'str', 'dtype': DevString, 'value': 'hello'}, ...]) — see fixtures/pipe_device.py.
    assert.deepEqual(b.elements, [
      { name: "str", dtype: "DevString", value: "hello" },
      { name: "i64", dtype: "DevLong64", value: 42n },
      { name: "dbl", dtype: "DevDouble", value: 1.5 },
      { name: "flag", dtype: "DevBoolean", value: true },
      { name: "short", dtype: "DevShort", value: -3 },
      { name: "ushort", dtype: "DevUShort", value: 65535 },
      { name: "long", dtype: "DevLong", value: -70000 },
      { name: "ulong", dtype: "DevULong", value: 4000000000 },
      { name: "u64", dtype: "DevULong64", value: 2n ** 63n + 5n },
      { name: "flt", dtype: "DevFloat", value: 0.25 },
      { name: "state", dtype: "DevState", value: "MOVING" },
      { name: "strs", dtype: "DevVarStringArray", value: ["a", "bb", "ccc"] },
      { name: "i64s", dtype: "DevVarLong64Array", value: [1n, -2n, 3n] },
      { name: "dbls", dtype: "DevVarDoubleArray", value: [0.5, -1.5] },
      { name: "flts", dtype: "DevVarFloatArray", value: [1, 2] },
      { name: "shorts", dtype: "DevVarShortArray", value: [1, 2, 3] },
      { name: "bools", dtype: "DevVarBooleanArray", value: [true, false, true] },
      { name: "uchars", dtype: "DevVarCharArray", value: new Uint8Array([1, 2, 255]) },
      { name: "u64s", dtype: "DevVarULong64Array", value: [0n, 2n ** 64n - 1n] },
      // A one-element array stays an array (inner_blob_name "Array"), an empty one too, as in PyTango.
      { name: "one", dtype: "DevVarLongArray", value: [9] },
      { name: "none", dtype: "DevVarDoubleArray", value: [] },
      { name: "enc", dtype: "DevEncoded", value: { format: "fmt", data: new Uint8Array([1, 2]) } },
      {
        name: "inner",
        dtype: "DevPipeBlob",
        value: {
          name: "innerblob",
          elements: [
            { name: "x", dtype: "DevLong64", value: 7n },
            { name: "deeper", dtype: "DevPipeBlob", value: { name: "d", elements: [{ name: "s", dtype: "DevString", value: "deep" }] } },
          ],
        },
      },
    ]);
  });

  test("a read blob written back gives the same wire elements (Scalar / Array markers included)", () => {
    for (const file of ["pipe-typed-reply-read_pipe_5", "pipe-tangotest-reply-read_pipe_5"]) {
      const wire = replyBlob(file);
      assert.deepEqual(toDevPipeBlob(fromDevPipeBlob(wire)), wire, file);
    }
  });
});

describe("pipe blobs: what PyTango sends", () => {
  // PyTango: write_pipe('rw', ('written', [{'name': 'text', 'value': 'abc'}, {'name': 'n', 'value': 5},
  //   {'name': 'x', 'value': 2.5}, {'name': 'vals', 'value': [1.0, 2.0, 3.0]},
  //   {'name': 'longs', 'value': [7], 'dtype': (DevLong,)}, {'name': 'sub', 'value': ('subblob', [...])}]))
  const blob: PipeBlobInput = {
    name: "written",
    elements: [
      { name: "text", value: "abc" },
      { name: "n", value: 5 },
      { name: "x", value: 2.5 },
      // JS has no 1.0 distinct from 1: a Float64Array (or dtype DevVarDoubleArray) says "doubles".
      { name: "vals", value: new Float64Array([1, 2, 3]) },
      { name: "longs", value: [7], dtype: "DevVarLongArray" },
      { name: "sub", value: { name: "subblob", elements: { ok: true, names: ["p", "q"] } } },
    ],
  };

  test("write_pipe_5: our request equals PyTango's for the same blob (time stamp and pid taken from it)", () => {
    const g = golden("pipe-request-write_pipe_5") as RequestMessage;
    const theirs = readDevPipeData(g.body);
    const ident = readClntIdent(g.body);
    assert.deepEqual(toDevPipeBlob(blob), theirs.blob);
    sameRequest("pipe-request-write_pipe_5", (w) =>
      writeWritePipe5Args(w, { name: "rw", time: theirs.time, blob: toDevPipeBlob(blob) }, ident),
    );
  });

  test("set_pipe_config_5: our request equals PyTango's (configurations, then the ClntIdent)", () => {
    const g = golden("pipe-request-set_pipe_config_5") as RequestMessage;
    const configs = readPipeConfigList(g.body);
    const ident = readClntIdent(g.body);
    assert.deepEqual(configs, [{ name: "rw", description: "set by PyTango", label: "Relabelled", level: 0, writable: 1, extensions: [] }]);
    sameRequest("pipe-request-set_pipe_config_5", (w) => writeSetPipeConfig5Args(w, configs, ident));
  });

  test("read_pipe_5: our request equals PyTango's", () => {
    const g = golden("pipe-tangotest-request-read_pipe_5") as RequestMessage;
    const name = g.body.string();
    const ident = readClntIdent(g.body);
    assert.equal(name, "string_long_short_ro");
    sameRequest("pipe-tangotest-request-read_pipe_5", (w) => writeReadPipe5Args(w, name, ident));
  });
});

describe("pipe blobs: types", () => {
  test("inference follows PyTango (str, bool, int → DevLong64, float, sequences by their first element)", () => {
    assert.equal(inferPipeDataType("s"), "DevString");
    assert.equal(inferPipeDataType(true), "DevBoolean");
    assert.equal(inferPipeDataType(3), "DevLong64");
    assert.equal(inferPipeDataType(3n), "DevLong64");
    assert.equal(inferPipeDataType(0.5), "DevDouble");
    assert.equal(inferPipeDataType(["a"]), "DevVarStringArray");
    assert.equal(inferPipeDataType([false]), "DevVarBooleanArray");
    assert.equal(inferPipeDataType([1, 2]), "DevVarLong64Array");
    assert.equal(inferPipeDataType([1, 2.5]), "DevVarDoubleArray");
    assert.equal(inferPipeDataType([1n]), "DevVarLong64Array");
    assert.equal(inferPipeDataType({ format: "f", data: new Uint8Array() }), "DevEncoded");
    assert.equal(inferPipeDataType({ name: "b", elements: [] }), "DevPipeBlob");
    assert.equal(inferPipeDataType({ elements: { a: 1 } }), "DevPipeBlob");
    assert.equal(inferPipeDataType(new Uint8Array(1)), "DevVarCharArray");
    assert.equal(inferPipeDataType(new Int16Array(1)), "DevVarShortArray");
    assert.equal(inferPipeDataType(new Uint32Array(1)), "DevVarULongArray");
    assert.equal(inferPipeDataType(new Float32Array(1)), "DevVarFloatArray");
    assert.equal(inferPipeDataType(new BigUint64Array(1)), "DevVarULong64Array");
  });

  test("explicit dtypes: each scalar and array type, DevState by name, scalars marked Scalar, arrays Array", () => {
    const b = toDevPipeBlob({
      name: "x",
      elements: [
        { name: "h", value: -1, dtype: "DevShort" },
        { name: "us", value: [1, 2], dtype: "DevVarUShortArray" },
        { name: "st", value: "ALARM", dtype: "DevState" },
        { name: "sts", value: ["ON", 8], dtype: "DevVarStateArray" },
        { name: "u8", value: 255, dtype: "DevUChar" },
        { name: "f", value: 1.5, dtype: "DevFloat" },
        { name: "Q", value: 5, dtype: "DevULong64" },
        { name: "e", value: { format: "j", data: [1] }, dtype: "DevEncoded" },
      ],
    });
    assert.deepEqual(
      b.data.map((e) => [e.name, e.value, e.innerBlobName]),
      [
        ["h", { d: 1, v: [-1] }, "Scalar"],
        ["us", { d: 7, v: [1, 2] }, "Array"],
        ["st", { d: 11, v: [11] }, "Scalar"],
        ["sts", { d: 11, v: [0, 8] }, "Array"],
        ["u8", { d: 6, v: new Uint8Array([255]) }, "Scalar"],
        ["f", { d: 4, v: [1.5] }, "Scalar"],
        ["Q", { d: 9, v: [5n] }, "Scalar"],
        ["e", { d: 13, v: [{ format: "j", data: new Uint8Array([1]) }] }, "Scalar"],
      ],
    );
    assert.deepEqual(fromDevPipeBlob(b).elements[3], { name: "sts", dtype: "DevVarStateArray", value: ["ON", "FAULT"] });
  });

  const refused: [string, PipeBlobInput, RegExp, string][] = [
    [
      "out of range",
      { elements: [{ name: "h", value: 40000, dtype: "DevShort" }] },
      /pipe blob element h: expected an integer in \[-32768, 32767\]/,
      "API_IncompatibleArgumentType",
    ],
    [
      "array for a scalar type",
      { elements: [{ name: "s", value: ["a"], dtype: "DevString" }] },
      /one DevString value \(not an array\)/,
      "API_IncompatibleArgumentType",
    ],
    [
      "scalar for an array type",
      { elements: [{ name: "a", value: 1, dtype: "DevVarLongArray" }] },
      /expected an array/,
      "API_IncompatibleArgumentType",
    ],
    ["empty array without dtype", { elements: { e: [] } }, /type of an empty array cannot be inferred/, "API_IncompatibleArgumentType"],
    ["no inferable type", { elements: { n: null } }, /expected a pipe value/, "API_IncompatibleArgumentType"],
    ["unknown dtype", { elements: [{ name: "v", value: 1, dtype: "DevVoid" }] }, /DevVoid is not a pipe data type/, "API_NotSupported"],
    [
      "duplicate names",
      {
        elements: [
          { name: "A", value: 1 },
          { name: "a", value: 2 },
        ],
      },
      /several data elements named a/,
      "API_PipeDuplicateDEName",
    ],
    ["bad state name", { elements: [{ name: "s", value: "SLEEPING", dtype: "DevState" }] }, /a DevState/, "API_IncompatibleArgumentType"],
    [
      "nested error path",
      { elements: { sub: { name: "i", elements: { x: 1.5, y: [true, 3] } } } },
      /pipe blob element sub element y\[1\]: expected a boolean/,
      "API_IncompatibleArgumentType",
    ],
  ];
  for (const [what, blob, desc, reason] of refused) {
    test(`refused before sending: ${what} (${reason})`, () => {
      assert.throws(
        () => toDevPipeBlob(blob),
        (e) => e instanceof InvalidArgumentError && e.reason === reason && desc.test(e.errors[0]?.desc ?? ""),
      );
    });
  }

  test(`nesting deeper than ${MAX_PIPE_DEPTH} blobs is refused (a cyclic object too)`, () => {
    const cyc: { name: string; elements: Record<string, unknown> } = { name: "c", elements: {} };
    cyc.elements.self = cyc;
    assert.throws(() => toDevPipeBlob(cyc), /blobs nested at most 64 deep/);
  });
});
