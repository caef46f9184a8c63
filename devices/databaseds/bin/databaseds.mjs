// Fast start of the Tango database server: runs src/main.ts from an esbuild bundle cached in dist/ (rebuilt whenever
// one of its input files changed after its build started; devices/tango/bin/esbuild-bundle.mjs, shared with the CLI
// bundler), so no TypeScript loader is needed at start-up.
// Falls back to tsx when the bundle cannot be built or written (read-only tree, esbuild missing).
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isFresh, NODE_BUNDLE_OPTIONS, writeBundle } from "../../tango/bin/esbuild-bundle.mjs";

const self = fileURLToPath(import.meta.url);
const bundler = fileURLToPath(new URL("../../tango/bin/esbuild-bundle.mjs", import.meta.url));
const pkg = resolve(dirname(self), "..");
const dist = join(pkg, "dist");
const bundle = join(dist, "databaseds.mjs");
const meta = join(dist, "databaseds.json");

function fresh() {
  return isFresh(bundle, meta);
}

async function build() {
  const builtAt = Date.now();
  const esbuild = await import("esbuild");
  const r = await esbuild.build({ ...NODE_BUNDLE_OPTIONS, entryPoints: [join(pkg, "src/main.ts")], absWorkingDir: pkg, outfile: bundle });
  mkdirSync(dist, { recursive: true });
  writeBundle(r, { bundle, meta, builtAt, absWorkingDir: pkg, extraInputs: [self, bundler] });
}

/** Builds the bundle unless it is fresh (image builds call it ahead of time: devices/tango/bin/prebuild.mjs). */
export async function prepareDb() {
  if (!fresh()) await build();
}

/** Runs `db [options]` (serve); returns the exit code. */
export async function runDb(args) {
  const log = (line) => process.stderr.write(`${line}\n`);
  let mod;
  try {
    if (!fresh()) await build();
    mod = await import(pathToFileURL(bundle).href);
  } catch {
    const { register } = await import("tsx/esm/api");
    register();
    mod = await import(pathToFileURL(join(pkg, "src/main.ts")).href);
  }
  return mod.runDatabaseServer(args, log);
}
