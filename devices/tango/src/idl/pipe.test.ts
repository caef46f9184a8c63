/**
 * Pipe codecs (idl/pipe.ts): the GIOP messages PyTango 9.3 / cppTango 9.3 exchanged for pipes
 * (idl/pipe-*.golden.hex, captured by client/fixtures/capture-pipes.sh) decode exactly, re-encode to the same bytes
 * modulo padding and reassemble from random splits; synthetic values round-trip in both byte orders; malformed bytes
 * raise ProtocolError before any large allocation.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { CdrReader, CdrWriter } from "../cdr/cdr.ts";
import { ProtocolError } from "../errors/errors.ts";
import { decodeMessage, FrameAssembler, type GiopMessage } from "../giop/giop.ts";
import { compareModuloPadding, type DecodedBody, decodeBody, parseHex, parseHexHeaders, prng, reencode } from "../testing/golden.ts";
import type { SetPipeConfig5Args, WritePipe5Args } from "./operations.ts";
import {
  ALL_PIPES,
  type DevPipeData,
  type DevPipeDataElt,
  MAX_PIPE_DEPTH,
  type PipeConfig,
  readDevPipeData,
  readPipeConfigList,
  writeDevPipeData,
  writePipeConfigList,
} from "./pipe.ts";

const CLIENT_DIR = new URL("./", import.meta.url);
const GOLDEN = readdirSync(CLIENT_DIR)
  .filter((f) => f.startsWith("pipe-") && f.endsWith(".golden.hex"))
  .sort();

function load(file: string): { bytes: Buffer; headers: Record<string, string> } {
  const text = readFileSync(new URL(file, CLIENT_DIR), "utf8");
  return { bytes: parseHex(text), headers: parseHexHeaders(text) };
}

/** The operation a golden file holds, from its name (replies carry none on the wire): `…-(request|reply)-<op>.golden.hex`. */
function operationOf(file: string): string {
  const m = /-(?:request|reply)-(\w+)\.golden\.hex$/.exec(file);
  if (!m?.[1]) throw new Error(`no operation in ${file}`);
  return m[1];
}

function decodeFile(file: string): { msg: GiopMessage; body: DecodedBody; bytes: Buffer } {
  const { bytes } = load(file);
  const msg = decodeMessage(bytes);
  return { msg, body: decodeBody(msg, operationOf(file)), bytes };
}

/** The decoded value of a request (its arguments) or NO_EXCEPTION reply (its result). */
function decodedValue(file: string): unknown {
  const { body } = decodeFile(file);
  if (body.kind !== "args" && body.kind !== "result") throw new Error(`${file}: ${body.kind} body`);
  return body.value;
}

const elt = (name: string, value: DevPipeDataElt["value"], kind = "Scalar"): DevPipeDataElt => ({
  name,
  value,
  innerBlob: [],
  innerBlobName: kind,
});

describe("pipe codecs: captured cppTango/PyTango messages", () => {
  test("the vectors are there, each with its origin", () => {
    assert.equal(GOLDEN.length, 7, GOLDEN.join(", "));
    for (const f of GOLDEN) assert.match(load(f).headers.origin ?? "", /capture-pipes\.sh/, f);
  });

  for (const file of GOLDEN) {
    test(`${file}: decodes exactly, re-encodes modulo padding, reassembles from splits`, () => {
      const { msg, body, bytes } = decodeFile(file);
      assert.ok(body.kind === "args" || body.kind === "result", `${file}: modelled body (${body.kind})`);
      const op = operationOf(file);
      const [pad00, padFF] = [reencode(msg, body, op, 0x00), reencode(msg, body, op, 0xff)];
      assert.ok(pad00 && padFF, "encodable");
      const cmp = compareModuloPadding(bytes, pad00, padFF);
      assert.ok(cmp.equalModuloPadding, `first difference at ${cmp.firstDifference}`);

      const rand = prng(bytes.length);
      for (const split of ["bytes", "random"] as const) {
        const fa = new FrameAssembler();
        const out: Buffer[] = [];
        for (let i = 0; i < bytes.length; ) {
          const n = split === "bytes" ? 1 : 1 + Math.floor(rand() * 40);
          out.push(...fa.push(bytes.subarray(i, i + n)));
          i += n;
        }
        assert.equal(out.length, 1);
        assert.deepEqual(out[0], bytes);
      }
    });
  }

  test("TangoTest's string_long_short_ro: the three data elements PyTango shows", () => {
    const d = decodedValue("pipe-tangotest-reply-read_pipe_5.golden.hex") as DevPipeData;
    assert.equal(d.name, "string_long_short_ro");
    assert.equal(d.blob.name, "");
    assert.deepEqual(d.blob.data, [
      elt("FirstDE", { d: 10, v: ["The string"] }),
      elt("SecondDE", { d: 2, v: [666] }),
      elt("ThirdDE", { d: 1, v: [12] }),
    ]);
  });

  test("PyTango's write_pipe_5: scalars and arrays marked Scalar / Array, the nested blob in inner_blob", () => {
    const { data } = decodedValue("pipe-request-write_pipe_5.golden.hex") as WritePipe5Args;
    assert.equal(data.name, "rw");
    assert.equal(data.blob.name, "written");
    const [text, n, x, vals, longs, sub] = data.blob.data;
    assert.deepEqual(text, elt("text", { d: 10, v: ["abc"] }));
    assert.deepEqual(n, elt("n", { d: 3, v: [5n] }));
    assert.deepEqual(x, elt("x", { d: 5, v: [2.5] }));
    assert.deepEqual(vals, elt("vals", { d: 5, v: [1, 2, 3] }, "Array"));
    assert.deepEqual(longs, elt("longs", { d: 2, v: [7] }, "Array"));
    assert.deepEqual(sub, {
      name: "sub",
      value: { d: 14, v: true },
      innerBlob: [elt("ok", { d: 0, v: [true] }), elt("names", { d: 10, v: ["p", "q"] }, "Array")],
      innerBlobName: "subblob",
    });
  });

  test("get_pipe_config_5: names in, PipeConfig (label, description, level, writable) out", () => {
    assert.deepEqual(decodedValue("pipe-request-get_pipe_config_5.golden.hex"), ["rw", "typed"]);
    assert.deepEqual(decodedValue("pipe-reply-get_pipe_config_5.golden.hex"), [
      { name: "rw", description: "Echoes what was written", label: "Read-write pipe", level: 0, writable: 1, extensions: [] },
      { name: "typed", description: "One element of each type", label: "typed", level: 0, writable: 0, extensions: [] },
    ]);
  });

  test("set_pipe_config_5: the PipeConfig list then the client's ClntIdent (as set_attribute_config_5)", () => {
    const { configs, client } = decodedValue("pipe-request-set_pipe_config_5.golden.hex") as SetPipeConfig5Args;
    assert.deepEqual(configs, [{ name: "rw", description: "set by PyTango", label: "Relabelled", level: 0, writable: 1, extensions: [] }]);
    assert.equal(client.lang, "CPP");
    assert.ok(typeof client.pid === "number" && client.pid > 0);
  });
});

describe("pipe codecs: synthetic values", () => {
  const data: DevPipeData = {
    name: "p",
    time: { sec: 1_700_000_000, usec: 123_456, nsec: 0 },
    blob: {
      name: "root",
      data: [
        elt("b", { d: 0, v: [true, false] }, "Array"),
        elt("h", { d: 1, v: [-2] }),
        elt("q", { d: 3, v: [-(2n ** 63n)] }),
        elt("f", { d: 4, v: [0.5] }),
        elt("u8", { d: 6, v: new Uint8Array([0, 255]) }, "Array"),
        elt("Q", { d: 9, v: [2n ** 64n - 1n] }),
        elt("s", { d: 10, v: ["é", ""] }, "Array"),
        elt("st", { d: 11, v: [6] }),
        elt("enc", { d: 13, v: [{ format: "raw", data: new Uint8Array([1, 2, 3]) }] }),
        {
          name: "nested",
          value: { d: 14, v: true },
          innerBlob: [{ name: "deeper", value: { d: 14, v: true }, innerBlob: [elt("d", { d: 5, v: [1.25] })], innerBlobName: "lvl2" }],
          innerBlobName: "lvl1",
        },
      ],
    },
  };

  for (const littleEndian of [true, false]) {
    test(`DevPipeData round-trips (${littleEndian ? "little" : "big"} endian)`, () => {
      const w = new CdrWriter({ littleEndian });
      writeDevPipeData(w, data);
      const r = new CdrReader(w.finish(), { littleEndian });
      assert.deepEqual(readDevPipeData(r), data);
      assert.equal(r.remaining, 0);
    });
  }

  test("PipeConfigList round-trips; ALL_PIPES is cppTango's AllPipe", () => {
    const list: PipeConfig[] = [{ name: "a", description: "d", label: "l", level: 1, writable: 1, extensions: ["x=1"] }];
    const w = new CdrWriter();
    writePipeConfigList(w, list);
    assert.deepEqual(readPipeConfigList(new CdrReader(w.finish())), list);
    assert.equal(ALL_PIPES, "All pipes");
  });
});

describe("pipe codecs: malformed bytes", () => {
  function encoded(d: DevPipeData): Buffer {
    const w = new CdrWriter();
    writeDevPipeData(w, d);
    return w.finish();
  }
  const one: DevPipeData = { name: "p", time: { sec: 0, usec: 0, nsec: 0 }, blob: { name: "", data: [elt("x", { d: 2, v: [1] })] } };

  test("every truncation raises ProtocolError", () => {
    const full = encoded(one);
    for (let n = 0; n < full.length; n++) {
      assert.throws(() => readDevPipeData(new CdrReader(full.subarray(0, n))), ProtocolError, `truncated at ${n}`);
    }
  });

  test("an element count larger than the bytes left is refused before allocating", () => {
    const b = Buffer.from(encoded(one));
    // name "p" (4 + 2, padded to 8), TimeVal (12), blob name "" (4 + 1, padded), then the element count.
    const at = 8 + 12 + 8;
    assert.equal(b.readUInt32LE(at), 1);
    b.writeUInt32LE(0xfffffff0, at);
    assert.throws(() => readDevPipeData(new CdrReader(b)), /DevVarPipeDataEltArray length 4294967280 exceeds/);
  });

  test(`nesting deeper than ${MAX_PIPE_DEPTH} blobs is refused on decode and on encode`, () => {
    let inner: DevPipeDataElt[] = [elt("leaf", { d: 2, v: [1] })];
    for (let i = 0; i < MAX_PIPE_DEPTH; i++)
      inner = [{ name: `l${i}`, value: { d: 14, v: true }, innerBlob: inner, innerBlobName: `b${i}` }];
    const deep: DevPipeData = { ...one, blob: { name: "", data: inner } };
    assert.throws(() => encoded(deep), /nesting deeper than 64/);
    // Build the bytes by hand: MAX_PIPE_DEPTH + 1 levels of a one-element sequence.
    const w = new CdrWriter();
    w.string("p");
    w.long(0);
    w.long(0);
    w.long(0);
    w.string("");
    for (let i = 0; i <= MAX_PIPE_DEPTH; i++) {
      w.ulong(1);
      w.string("n");
      w.ulong(14);
      w.boolean(true);
    }
    w.ulong(0);
    for (let i = 0; i <= MAX_PIPE_DEPTH; i++) w.string("");
    assert.throws(
      () => readDevPipeData(new CdrReader(w.finish())),
      (e) => e instanceof ProtocolError && /nesting deeper/.test(e.message),
    );
    // One level less decodes.
    const ok: DevPipeData = { ...one, blob: { name: "", data: (inner[0] as DevPipeDataElt).innerBlob } };
    assert.deepEqual(readDevPipeData(new CdrReader(encoded(ok))), ok);
  });

  test("out-of-range enums and union discriminators raise ProtocolError", () => {
    const w = new CdrWriter();
    writePipeConfigList(w, [{ name: "a", description: "", label: "", level: 0, writable: 7, extensions: [] }]);
    assert.throws(() => readPipeConfigList(new CdrReader(w.finish())), /PipeWriteType\): ordinal 7/);
    const b = Buffer.from(encoded(one));
    const at = 8 + 12 + 8 + 4 + 8; // element count, then the name "x" (4 + 2, padded): the union discriminator
    assert.equal(b.readUInt32LE(at), 2);
    b.writeUInt32LE(15, at);
    assert.throws(() => readDevPipeData(new CdrReader(b)), /AttrValUnion: unknown discriminator 15/);
  });
});
