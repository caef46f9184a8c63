// What the two start-up bundlers share (bin/cli-bundle.mjs for the `tango` CLI, devices/databaseds/bin/databaseds.mjs
// for the database server): the esbuild options of a Node 20 ESM bundle, the freshness rule, and the atomic write of
// the bundle with its meta file ({ builtAt, inputs, ... }).
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";

export const NODE_BUNDLE_OPTIONS = {
  bundle: true,
  platform: "node",
  format: "esm",
  // node20 has no decorators: esbuild lowers the stage-3 decorators of the device classes, as tsx does.
  target: "node20",
  external: ["better-sqlite3", "zeromq"],
  write: false,
  metafile: true,
  logLevel: "silent",
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
};

/** A bundle is fresh while it exists and none of the inputs in its meta file changed after its build started. */
export function isFresh(bundle, meta) {
  try {
    const m = JSON.parse(readFileSync(meta, "utf8"));
    if (!existsSync(bundle) || !Array.isArray(m.inputs) || m.inputs.length === 0) return false;
    return m.inputs.every((f) => statSync(f).mtimeMs <= m.builtAt);
  } catch {
    return false;
  }
}

/**
 * Writes esbuild's output to `bundle` and `{ builtAt, ...extraMeta, inputs }` to `meta`, each through a temporary file
 * and a rename. `inputs`: the files esbuild read (resolved against `absWorkingDir`; a generated stdin entry has no
 * file) plus `extraInputs`.
 */
export function writeBundle(result, { bundle, meta, builtAt, absWorkingDir, extraInputs = [], extraMeta = {} }) {
  const out = result.outputFiles?.[0];
  if (!out) throw new Error("esbuild produced no output");
  const inputs = Object.keys(result.metafile.inputs)
    .map((f) => resolve(absWorkingDir, f))
    .filter((f) => existsSync(f));
  inputs.push(...extraInputs);
  const tmp = `.${process.pid}.tmp`;
  writeFileSync(bundle + tmp, out.contents);
  renameSync(bundle + tmp, bundle);
  writeFileSync(meta + tmp, JSON.stringify({ builtAt, ...extraMeta, inputs }));
  renameSync(meta + tmp, meta);
}
