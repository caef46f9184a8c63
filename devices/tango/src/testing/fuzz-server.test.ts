/**
 * The server fuzzer itself: seeds are re-targeted with their captured bodies, argument mutations keep the request
 * header, and a misbehaving server (a request left unanswered, a non-Tango error, a failing health check) is
 * reported as failures. The fuzzing of our servers is in server/fuzz-server.test.ts and databaseds/src/fuzz.test.ts.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeMessage } from "../giop/giop.ts";
import { OrbServer } from "../server/orb-server.ts";
import { encodeSeed, fuzzServer, mutateArguments, requestSeeds, synthSeed } from "./fuzz-server.ts";
import { decodeCapture, findReferenceDir, prng, wireCorpus } from "./golden.ts";

const key = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "latin1"));

test("captured requests re-targeted: same operation and body bytes under a new object key", () => {
  const seeds = requestSeeds(decodeCapture(wireCorpus(findReferenceDir(process.env))));
  assert.ok(seeds.length > 100, `${seeds.length} requests`);
  const read = seeds.find((s) => s.operation === "read_attributes_5" && s.rawBody);
  assert.ok(read?.rawBody);
  const m = decodeMessage(encodeSeed(read, key("my/dev/1"), 77));
  assert.ok(m.type === "Request");
  assert.equal(Buffer.from(m.objectKey).toString("latin1"), "my/dev/1");
  assert.equal(m.operation, "read_attributes_5");
  assert.equal(m.requestId, 77);
  assert.deepEqual(new Uint8Array(m.body.raw(m.body.remaining)), read.rawBody);
  // A GIOP 1.0 capture is re-marshalled at its own version.
  const old = seeds.find((s) => s.minor === 0 && s.operation === "command_inout_4");
  assert.ok(old);
  const m0 = decodeMessage(encodeSeed(old, key("database"), 5));
  assert.ok(m0.type === "Request" && m0.header.minor === 0 && m0.operation === "command_inout_4");
});

test("mutateArguments changes only the arguments, deterministically for a seed", () => {
  const frame = encodeSeed(
    synthSeed("read_attributes_5", { names: ["a", "bb"], source: 0, client: { lang: "CPP", pid: 1 } }),
    key("k/k/k"),
    9,
  );
  const head = (decodeMessage(frame) as { body: { pos: number } }).body.pos;
  for (let s = 0; s < 50; s++) {
    const a = mutateArguments(frame, prng(s));
    assert.deepEqual(a, mutateArguments(frame, prng(s)));
    assert.deepEqual(a.bytes.subarray(12, head), frame.subarray(12, head), a.mutation);
    assert.equal(a.bytes.readUInt32LE(8), a.bytes.length - 12, "GIOP size kept consistent");
  }
});

test("a server that leaves requests unanswered or leaks non-Tango errors fails the run", async () => {
  const orb = new OrbServer({ host: "127.0.0.1", port: 0 });
  orb.register("bad/dev/1", {
    dispatch: (req) => {
      if (req.operation === "hang") return new Promise(() => undefined);
      if (req.operation === "boom") throw new TypeError("x is undefined");
      return undefined;
    },
  });
  const port = await orb.listen();
  let checks = 0;
  try {
    const report = await fuzzServer({
      port,
      cases: [
        { seed: synthSeed("hang", undefined), objectKey: key("bad/dev/1") },
        { seed: synthSeed("boom", undefined), objectKey: key("bad/dev/1") },
      ],
      seed: 3,
      iterations: 60,
      pingKey: key("bad/dev/1"),
      timeoutMs: 200,
      batchSize: 30,
      healthCheck: async () => {
        if (++checks === 2) throw new Error("fresh client refused");
      },
    });
    const problems = report.failures.map((f) => f.problem);
    assert.ok(
      problems.some((p) => p.startsWith("no answer within 200 ms (expected reply")),
      problems.join("\n"),
    );
    assert.ok(problems.includes("CORBA UNKNOWN: a non-Tango error escaped the servant"), problems.join("\n"));
    assert.ok(problems.some((p) => p.includes("health check after request 59 failed: fresh client refused")));
    assert.ok((report.outcomes["MessageError+close"] ?? 0) > 0);
  } finally {
    await orb.close();
  }
});
