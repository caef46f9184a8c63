// Fast start of the Tango database server: runs src/main.ts from an esbuild bundle cached in dist/ (rebuilt
// whenever one of its input files is newer than the bundle), so no TypeScript loader is needed at start-up.
// Falls back to tsx when the bundle cannot be built or written (read-only tree, esbuild missing).
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(pkg, "dist");
const bundle = join(dist, "databaseds.mjs");
const inputsFile = join(dist, "databaseds.inputs.json");

function fresh() {
  try {
    const built = statSync(bundle).mtimeMs;
    const inputs = JSON.parse(readFileSync(inputsFile, "utf8"));
    return Array.isArray(inputs) && inputs.length > 0 && inputs.every((f) => statSync(f).mtimeMs <= built);
  } catch {
    return false;
  }
}

async function build() {
  const esbuild = await import("esbuild");
  const r = await esbuild.build({
    entryPoints: [join(pkg, "src/main.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: ["better-sqlite3", "zeromq"],
    write: false,
    metafile: true,
    absWorkingDir: pkg,
    outfile: bundle,
    logLevel: "silent",
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  const out = r.outputFiles?.[0];
  if (!out) throw new Error("esbuild produced no output");
  mkdirSync(dist, { recursive: true });
  const tmp = `${bundle}.${process.pid}.tmp`;
  writeFileSync(tmp, out.contents);
  renameSync(tmp, bundle);
  const inputs = Object.keys(r.metafile.inputs).map((f) => resolve(pkg, f));
  writeFileSync(`${inputsFile}.${process.pid}.tmp`, JSON.stringify(inputs));
  renameSync(`${inputsFile}.${process.pid}.tmp`, inputsFile);
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
