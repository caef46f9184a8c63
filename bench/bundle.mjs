// Compiles a bench script to one plain ES module beside it (bench/<name>.bundle.mjs, git-ignored) and prints its path,
// so that the benches run our code the way a deployed client runs it: as JavaScript, without the tsx loader. Under
// `node --import tsx` a loader thread with its own V8 heap and an esbuild service process live beside the bench; on
// this 2-vCPU machine their garbage collections and wake-ups lengthened the 1 kHz event latency tail (p99 0.9-1.0 ms
// under tsx vs 0.4-0.7 ms bundled, same minutes; bench/README.md). Same esbuild options as the `tango` CLI bundle.
// Usage: node bench/bundle.mjs bench/events-bench.ts   → prints bench/events-bench.bundle.mjs
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { NODE_BUNDLE_OPTIONS } from "../devices/tango/bin/esbuild-bundle.mjs";

/** Bundles `entry` (a .ts path) to `outfile` (default: beside it, `<name>.bundle.mjs`); returns the output path. */
export async function bundleBench(entry, outfile) {
  const src = resolve(entry);
  const out = outfile ?? join(dirname(src), `${basename(src, ".ts")}.bundle.mjs`);
  await build({ ...NODE_BUNDLE_OPTIONS, entryPoints: [src], outfile: out, write: true, metafile: false, logLevel: "error" });
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const entry = process.argv[2];
  if (!entry?.endsWith(".ts")) {
    console.error("usage: node bench/bundle.mjs <bench script .ts>");
    process.exit(2);
  }
  console.log(await bundleBench(entry));
}
