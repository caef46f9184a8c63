/**
 * Wire fuzzer CLI: node --import tsx scripts/fuzz-wire.ts [--iterations N] [--seed S] [--json]
 * Mutates and truncates the captured GIOP frames (../shared/tango-reference or $TANGO_REFERENCE_DIR, else the repo's
 * *.golden.hex copies) and feeds them to the decoders; exits 1 if any decoder raised something other than
 * ProtocolError or allocated beyond the input size.
 */
// The CLI lives outside the package and the workspace links are not installed (no node_modules/@tango-bdd), so it
// imports the library's testing modules by path.
import { corpusFrom, fuzzWire } from "../devices/tango/src/testing/fuzz-wire.ts";
import { decodeCapture, findReferenceDir, wireCorpus } from "../devices/tango/src/testing/golden.ts";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 0) {
    process.stderr.write(`--${name} needs a non-negative integer\n`);
    process.exit(2);
  }
  return v;
}

const iterations = arg("iterations", 100000);
const seed = arg("seed", Date.now() % 2 ** 31);
const refDir = findReferenceDir(process.env);
const messages = wireCorpus(refDir);
const corpus = corpusFrom(decodeCapture(messages));
const t0 = performance.now();
const report = fuzzWire(corpus, { iterations, seed });
const seconds = (performance.now() - t0) / 1000;
if (process.argv.includes("--json")) {
  process.stdout.write(`${JSON.stringify({ seed, seconds, ...report }, null, 2)}\n`);
} else {
  process.stdout.write(
    `fuzz-wire: seed ${seed}, ${iterations} iterations over ${corpus.frames.length} frames, ${corpus.iors.length} IORs, ${corpus.anys.length} Anys (${refDir ?? "repo copies"})\n` +
      `  ${report.calls} decoder calls in ${seconds.toFixed(1)} s: ${report.decoded} decoded, ${report.protocolErrors} ProtocolError, ${report.failures.length} failures\n` +
      `  peak ArrayBuffer growth during one decode: ${report.peakGrowth.bytes} B (input ${report.peakGrowth.inputSize} B)\n`,
  );
  for (const f of report.failures.slice(0, 20)) {
    process.stdout.write(`  FAIL #${f.iteration} ${f.target} ${f.input} [${f.mutation}]: ${f.error}\n    ${f.hex.slice(0, 160)}\n`);
  }
}
process.exit(report.failures.length > 0 ? 1 : 0);
