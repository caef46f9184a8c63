// Fast start of the `tango` CLI: runs src/cli/main.ts from an esbuild bundle cached in dist/cli/, so no TypeScript
// loader (tsx) is needed at start-up (≈ 40 ms to load instead of ≈ 500 ms).
//
// `serve` loads its device classes from modules named at run time (--module, TANGO_DEVICE_MODULES, the default
// example packages). Those modules must share the runtime's classes (`instanceof Device`), so they are compiled into
// the same bundle: one bundle per set of device modules, keyed by a hash of the resolved module list. The bundle's
// entry registers each module's namespace with serve.ts (registerBundledModules) under the specifier serve.ts would
// import, so `--module` resolves to the bundled copy.
//
// A bundle is fresh while none of its input files (recorded from esbuild's metafile, plus the bundler files) changed after
// its build started. Concurrent starts (the local stack spawns its servers at once) build it once: the first takes a
// lock directory, the others wait for it. Any failure (esbuild missing, read-only tree, a module that does not
// compile) returns undefined and the caller falls back to tsx, which reports errors exactly as before.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isFresh, NODE_BUNDLE_OPTIONS, writeBundle } from "./esbuild-bundle.mjs";

const SELF = fileURLToPath(import.meta.url);
const BUNDLER = fileURLToPath(new URL("./esbuild-bundle.mjs", import.meta.url));
const PKG = resolve(dirname(SELF), "..");
const DIST = join(PKG, "dist", "cli");
const SERVE_TS = join(PKG, "src/cli/commands/serve.ts");
const MAIN_TS = join(PKG, "src/cli/main.ts");
/** Same list as DEFAULT_MODULES in src/cli/commands/serve.ts (a test checks they agree). */
export const DEFAULT_DEVICE_MODULES = ["@tango-bdd/counter", "@tango-bdd/tabata"];
/** Bundles kept in dist/cli/ (the oldest builds are removed beyond this). */
const KEEP = 16;
const LOCK_STALE_MS = 30_000;

/** The specifier serve.ts imports for `--module m` (paths are resolved against the working directory). */
export function moduleKey(m, cwd = process.cwd()) {
  return m.startsWith(".") || m.startsWith("/") ? pathToFileURL(resolve(cwd, m)).href : m;
}

/** Device modules a command line will load: [] unless the command is `serve`. */
export function deviceModulesOf(argv, env) {
  if (!argv.includes("serve")) return { required: [], optional: [] };
  const required = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--module" && argv[i + 1] !== undefined) required.push(argv[++i]);
    else if (a.startsWith("--module=")) required.push(a.slice("--module=".length));
  }
  for (const m of (env.TANGO_DEVICE_MODULES ?? "").split(",")) if (m.trim()) required.push(m.trim());
  return { required, optional: DEFAULT_DEVICE_MODULES.filter((m) => !required.includes(m)) };
}

function resolvable(m, cwd) {
  if (m.startsWith(".") || m.startsWith("/")) return existsSync(resolve(cwd, m));
  try {
    createRequire(SERVE_TS).resolve(m);
    return true;
  } catch {
    return false;
  }
}

/** What gets bundled for this command line: [{ key, source }] (source: what the entry imports). */
export function bundleModules(argv, env, cwd = process.cwd()) {
  const { required, optional } = deviceModulesOf(argv, env);
  const out = new Map();
  for (const m of [...required, ...optional.filter((o) => resolvable(o, cwd))]) {
    const key = moduleKey(m, cwd);
    if (!out.has(key)) out.set(key, key.startsWith("file:") ? fileURLToPath(key) : m);
  }
  return [...out].map(([key, source]) => ({ key, source }));
}

function entrySource(mods) {
  const lines = [`import { registerBundledModules } from ${JSON.stringify(SERVE_TS)};`];
  for (const [i, m] of mods.entries()) lines.push(`import * as m${i} from ${JSON.stringify(m.source)};`);
  lines.push(`registerBundledModules({ ${mods.map((m, i) => `${JSON.stringify(m.key)}: m${i}`).join(", ")} });`);
  lines.push(`export { main } from ${JSON.stringify(MAIN_TS)};`);
  return lines.join("\n");
}

function paths(mods) {
  const id = createHash("sha256").update(JSON.stringify({ mods, SERVE_TS })).digest("hex").slice(0, 16);
  return { bundle: join(DIST, `cli-${id}.mjs`), meta: join(DIST, `cli-${id}.json`), lock: join(DIST, `cli-${id}.lock`) };
}

/** Cache files of the bundle for this command line. */
export function bundlePaths(argv, env, cwd = process.cwd()) {
  return paths(bundleModules(argv, env, cwd));
}

function fresh(p) {
  return isFresh(p.bundle, p.meta);
}

async function build(mods, p) {
  const builtAt = Date.now();
  const esbuild = await import("esbuild");
  const r = await esbuild.build({
    ...NODE_BUNDLE_OPTIONS,
    stdin: { contents: entrySource(mods), resolveDir: dirname(SERVE_TS), sourcefile: "tango-cli-entry.ts", loader: "ts" },
    absWorkingDir: PKG,
    outfile: p.bundle,
  });
  // Resolution inputs esbuild does not list: the workspaces' package.json files (exports maps).
  const devices = resolve(PKG, "..");
  const packageFiles = readdirSync(devices)
    .map((d) => join(devices, d, "package.json"))
    .filter((f) => existsSync(f));
  writeBundle(r, {
    bundle: p.bundle,
    meta: p.meta,
    builtAt,
    absWorkingDir: PKG,
    extraInputs: [...packageFiles, SELF, BUNDLER],
    extraMeta: { modules: mods },
  });
}

function prune() {
  try {
    const bundles = readdirSync(DIST)
      .filter((f) => /^cli-[0-9a-f]+\.mjs$/.test(f))
      .map((f) => ({ f, t: statSync(join(DIST, f)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const { f } of bundles.slice(KEEP)) {
      for (const x of [f, f.replace(/\.mjs$/, ".json")]) rmSync(join(DIST, x), { force: true });
    }
  } catch {
    // best effort
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Takes the build lock (a directory); false when another process holds a live one. */
function tryLock(lock) {
  try {
    mkdirSync(lock);
    return true;
  } catch (e) {
    if (e?.code !== "EEXIST") throw e;
    try {
      if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true });
    } catch {
      // it went away meanwhile
    }
    return false;
  }
}

/** Path of a fresh bundle for this command line (building it when needed). Throws when it cannot be built. */
export async function ensureBundle(argv, env, cwd = process.cwd()) {
  const mods = bundleModules(argv, env, cwd);
  const p = paths(mods);
  if (fresh(p)) return p.bundle;
  mkdirSync(DIST, { recursive: true });
  const deadline = Date.now() + LOCK_STALE_MS;
  while (!tryLock(p.lock)) {
    if (Date.now() > deadline) throw new Error(`bundle lock ${p.lock} held too long`);
    await sleep(15);
    if (fresh(p)) return p.bundle;
  }
  try {
    if (!fresh(p)) {
      await build(mods, p);
      prune();
    }
  } finally {
    rmSync(p.lock, { recursive: true, force: true });
  }
  return p.bundle;
}

/** `main(argv, env)` of the CLI from its bundle, or undefined when the bundle is unavailable (use tsx then). */
export async function loadBundledMain(argv, env) {
  try {
    const bundle = await ensureBundle(argv, env);
    const mod = await import(pathToFileURL(bundle).href);
    return typeof mod.main === "function" ? mod.main : undefined;
  } catch {
    return undefined;
  }
}

/** Where bundles are cached (tests). */
export const BUNDLE_DIR = DIST;
