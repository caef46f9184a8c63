/**
 * DeviceProxy.read sends its read_attributes_5 arguments from a per-attribute cache of marshalled bytes: the requests
 * it puts on the wire must be exactly what marshalling them each time gives (giop.encodeRequest), for repeated and
 * different attributes and after the proxy's source changes. A scripted in-process GIOP peer records the requests.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { after, describe, test } from "node:test";
import { CdrWriter } from "../cdr/cdr.ts";
import { decodeMessage, encodeRequest, FrameAssembler, type RequestMessage } from "../giop/giop.ts";
import { DevSource } from "../idl/constants.ts";
import { encodeRequestFast } from "../iiop/connection.ts";
import { TangoContext } from "./context.ts";
import { DeviceProxy } from "./device-proxy.ts";
import { writeReadAttributes5Args } from "./tango-ops.ts";

/** A real cppTango reply to read_attributes_5(double_scalar); its request id is patched per request. */
const REPLY = Buffer.from(
  readFileSync(new URL("../idl/read-018-reply-read_attributes_5.golden.hex", import.meta.url), "utf8")
    .split("\n")
    .filter((l) => !l.startsWith("#"))
    .join("")
    .replace(/\s+/g, ""),
  "hex",
);

const sockets = new Set<Socket>();
const requests: { bytes: Buffer; msg: RequestMessage }[] = [];
const server: Server = createServer((sock) => {
  sockets.add(sock);
  sock.on("close", () => sockets.delete(sock));
  sock.on("error", () => {});
  const fa = new FrameAssembler();
  sock.on("data", (chunk) => {
    for (const m of fa.push(chunk)) {
      const msg = decodeMessage(m) as RequestMessage;
      requests.push({ bytes: Buffer.from(m), msg });
      const reply = Buffer.from(REPLY);
      reply.writeUInt32LE(msg.requestId, 12);
      sock.write(reply);
    }
  });
});
after(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
});

describe("read_attributes_5 arguments from the cache", () => {
  test("encodeRequestFast with pre-marshalled arguments gives the bytes of marshalling them", () => {
    const key = new Uint8Array([1, 2, 3, 4, 5]);
    const bodies: ((w: CdrWriter) => void)[] = [
      (w) => w.double(1.5),
      (w) => {
        w.string("abc"); // the double after it is padded: alignment inside the arguments must not move
        w.double(-2);
      },
      () => {}, // no arguments: no padding after the header
    ];
    // Operation names of every length mod 8 move the end of the header template across the 8-byte padding.
    for (const op of ["a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh"]) {
      bodies.forEach((args, i) => {
        const w = new CdrWriter({ littleEndian: true, origin: 0 });
        args(w);
        const want = encodeRequest({ requestId: 77, objectKey: key, operation: op }, args);
        assert.deepEqual(encodeRequestFast(77, key, op, new Uint8Array(w.finish())), want, `${op} body ${i}`);
        assert.deepEqual(encodeRequestFast(77, key, op, args), want, `${op} body ${i} (marshalled in place)`);
      });
    }
  });

  test("repeated reads, another attribute, a changed source: the same bytes as marshalling each request", async () => {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    await using context = new TangoContext({ pid: 4242 });
    const dev = await DeviceProxy.connect(`tango://127.0.0.1:${port}/test/read/args#dbase=no`, { context });
    const plan: [string, number][] = [];
    for (const [name, source] of [
      ["double_scalar", "DEV"],
      ["double_scalar", "DEV"],
      ["Long_Attribute_With_A_Longer_Name", "DEV"],
      ["double_scalar", "CACHE_DEV"],
      ["double_scalar", "CACHE_DEV"],
      ["Long_Attribute_With_A_Longer_Name", "CACHE"],
    ] as const) {
      dev.source = DevSource[source];
      const r = await dev.read(name);
      assert.equal(typeof r.value, "number");
      plan.push([name, DevSource[source]]);
    }
    assert.equal(requests.length, plan.length);
    requests.forEach(({ bytes, msg }, i) => {
      const [name, source] = plan[i] as [string, number];
      const want = encodeRequest({ requestId: msg.requestId, objectKey: msg.objectKey, operation: "read_attributes_5" }, (w) =>
        writeReadAttributes5Args(w, [name], source, { lang: "CPP", pid: 4242 }),
      );
      assert.deepEqual(bytes, want, `request ${i} (${name}, source ${source})`);
    });
  });
});
