/** A bounded run of the wire fuzzer (scripts/fuzz-wire.ts runs it for longer). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { corpusFrom, fuzzWire, mutateFrame } from "./fuzz-wire.ts";
import { decodeCapture, findReferenceDir, prng, wireCorpus } from "./golden.ts";

const refDir = findReferenceDir(process.env);
const messages = wireCorpus(refDir);

test("fuzzing the captured frames raises only ProtocolError and allocates nothing beyond the frame size", (t) => {
  const corpus = corpusFrom(decodeCapture(messages));
  assert.ok(corpus.frames.length > 0 && corpus.anys.length > 0 && corpus.iors.length > 0);
  const report = fuzzWire(corpus, { iterations: 20000, seed: 1 });
  t.diagnostic(
    `${report.calls} decoder calls: ${report.decoded} decoded, ${report.protocolErrors} ProtocolError; peak ArrayBuffer growth ${report.peakGrowth.bytes} B for a ${report.peakGrowth.inputSize}-byte input`,
  );
  assert.deepEqual(report.failures.slice(0, 5), []);
  assert.ok(report.protocolErrors > 0 && report.decoded > 0, "the mutations reach both outcomes");
  assert.ok(report.peakGrowth.bytes <= 4 * report.peakGrowth.inputSize + (1 << 20));
});

test("mutations are deterministic for a seed and keep the GIOP size consistent when not targeting it", () => {
  const frame = messages[0]?.bytes as Buffer;
  const a = mutateFrame(frame, prng(7));
  const b = mutateFrame(frame, prng(7));
  assert.deepEqual(a, b);
});
