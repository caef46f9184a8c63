#!/usr/bin/env node
// Stages the Docker build context of tango-bdd/runtime:local from this work tree, with no registry access:
//   <out>/node                the host's node binary (checked: dynamically linked only against glibc/libstdc++)
//   <out>/deps/node_modules   the production closure of the device workspaces (devices/*) and the root
//                             dependencies, copied from the installed node_modules as package-lock.json lays it
//                             out (infra/ and dev tools such as biome, cucumber, testcontainers stay out)
//   <out>/src/...             package.json, package-lock.json, devices/* sources (no tests)
//   <out>/prewarm.mjs         imports every workspace entry point once (fills tsx's cache at build time)
// (two folders so that the dependency layer stays cached while the sources change)
// Usage: node images/runtime/stage.mjs <repo-root> <out-dir>
import { execFileSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";

const [root, out] = process.argv.slice(2);
if (!root || !out) {
  console.error("usage: stage.mjs <repo-root> <out-dir>");
  process.exit(2);
}
const deps = join(out, "deps");
const src = join(out, "src");
rmSync(out, { recursive: true, force: true });
mkdirSync(deps, { recursive: true });
mkdirSync(src, { recursive: true });
/** Where a lock-file key lands: node_modules/... in deps/, workspaces (devices/...) in src/. */
const dest = (key) => join(key.startsWith("node_modules/") ? deps : src, key);

// 1. node: the binary the host runs, provided it only needs libraries every Debian bookworm has.
const node = realpathSync(process.execPath);
const allowed = /^(linux-vdso|libdl|libstdc\+\+|libm|libgcc_s|libpthread|libc|ld-linux-x86-64)\.so/;
const libs = execFileSync("ldd", [node], { encoding: "utf8" })
  .split("\n")
  .map((l) => l.trim().split(/\s+/)[0] ?? "")
  .filter((l) => l !== "")
  .map((l) => l.replace(/^.*\//, ""));
const foreign = libs.filter((l) => !allowed.test(l));
if (foreign.length > 0) {
  console.error(`stage: ${node} links against ${foreign.join(", ")}, which the base image may not have`);
  process.exit(1);
}
cpSync(node, join(out, "node"));
try {
  execFileSync("strip", ["--strip-all", join(out, "node")], { stdio: "ignore" }); // ~12 MB of symbols
} catch {
  // binutils absent: ship it unstripped
}

// 2. The production dependency closure, resolved the way Node does (nested node_modules first, then upwards).
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8"));
const pkgs = lock.packages;
const workspaces = Object.keys(pkgs).filter((k) => /^devices\/[^/]+$/.test(k));
const keep = new Set();
const queue = [];
const visit = (key) => {
  if (keep.has(key)) return;
  keep.add(key);
  queue.push(key);
};
const resolve = (from, name) => {
  // from: "", "devices/x", "node_modules/a", "node_modules/a/node_modules/b"
  let base = from;
  for (;;) {
    const candidate = base === "" ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (pkgs[candidate]) return candidate;
    if (base === "") return undefined;
    const i = base.lastIndexOf("/node_modules/");
    base = i >= 0 ? base.slice(0, i) : "";
  }
};
for (const ws of ["", ...workspaces]) {
  const deps = pkgs[ws]?.dependencies ?? {};
  for (const name of Object.keys(deps)) {
    const k = resolve(ws, name);
    if (!k) throw new Error(`stage: ${ws || "(root)"} depends on ${name}, which package-lock.json does not have`);
    visit(k);
  }
}
// The workspace links (node_modules/@tango-bdd/<name> -> devices/<name>), so that `--module @tango-bdd/<name>` resolves.
for (const [key, entry] of Object.entries(pkgs)) {
  if (entry.link && workspaces.includes(entry.resolved)) visit(key);
}
while (queue.length > 0) {
  const key = queue.shift();
  const entry = pkgs[key];
  if (entry.link) {
    visit(entry.resolved);
    continue;
  }
  const required = { ...(entry.dependencies ?? {}), ...(entry.peerDependencies ?? {}) };
  for (const name of Object.keys(entry.peerDependenciesMeta ?? {})) {
    if (entry.peerDependenciesMeta[name]?.optional) delete required[name];
  }
  for (const name of Object.keys(required)) {
    const k = resolve(key, name);
    if (!k) throw new Error(`stage: ${key} depends on ${name}, which package-lock.json does not have`);
    visit(k);
  }
  for (const name of Object.keys(entry.optionalDependencies ?? {})) {
    const k = resolve(key, name);
    // Optional (platform) packages: only those installed here, i.e. for this OS/CPU.
    if (k && existsSync(join(root, k))) visit(k);
  }
}

const skipSource = (src) => {
  const name = src.slice(src.lastIndexOf("/") + 1);
  // dist: the host's start-up bundle caches (they name host paths; the image builds its own).
  return name === "node_modules" || name.endsWith(".test.ts") || name === ".tsbuildinfo" || name === "dist";
};
let copied = 0;
for (const key of [...keep].sort()) {
  const entry = pkgs[key];
  const to = dest(key);
  if (entry.link) {
    // Relative link, valid once deps/node_modules and src/ are both copied into /app.
    mkdirSync(dirname(to), { recursive: true });
    symlinkSync(relative(dirname(join(root, key)), join(root, entry.resolved)), to);
  } else if (key.startsWith("devices/")) {
    cpSync(join(root, key), to, { recursive: true, filter: (s) => !skipSource(s) });
  } else {
    if (!existsSync(join(root, key))) throw new Error(`stage: ${key} is in package-lock.json but not installed: run npm install`);
    cpSync(join(root, key), to, { recursive: true, verbatimSymlinks: true });
    copied += 1;
  }
}
// Every workspace's sources even if nothing depends on it (a server may be started by path).
for (const ws of workspaces) {
  if (!existsSync(dest(ws))) cpSync(join(root, ws), dest(ws), { recursive: true, filter: (s) => !skipSource(s) });
}
cpSync(join(root, "package.json"), join(src, "package.json"));
cpSync(join(root, "package-lock.json"), join(src, "package-lock.json"));

// Entry points to pre-compile: every ".ts" export of every workspace.
const entries = [];
for (const ws of workspaces) {
  const pj = JSON.parse(readFileSync(join(root, ws, "package.json"), "utf8"));
  const exp = typeof pj.exports === "string" ? { ".": pj.exports } : (pj.exports ?? {});
  for (const target of Object.values(exp)) {
    if (typeof target === "string" && target.endsWith(".ts")) entries.push(`/app/${ws}/${target.replace(/^\.\//, "")}`);
  }
}
writeFileSync(
  join(out, "prewarm.mjs"),
  `// Generated by images/runtime/stage.mjs: loads every workspace entry point once so that tsx caches the compiled code.\n` +
    `for (const m of ${JSON.stringify(entries)}) await import(m).catch((e) => console.error("prewarm:", m, e.message));\n`,
);

// 3. Prune what a runtime never loads: other platforms' prebuilt addons, native build trees and sources.
const prune = [
  "node_modules/better-sqlite3/deps",
  "node_modules/better-sqlite3/src",
  "node_modules/better-sqlite3/build/Release/obj",
  "node_modules/better-sqlite3/build/Release/obj.target",
  "node_modules/better-sqlite3/build/Release/.deps",
  "node_modules/better-sqlite3/build/Release/sqlite3.a",
  "node_modules/better-sqlite3/build/Release/test_extension.node",
  "node_modules/better-sqlite3/build/deps",
  "node_modules/zeromq/src",
  "node_modules/zeromq/script",
];
for (const p of prune) rmSync(join(deps, p), { recursive: true, force: true });
const zmqBuild = join(deps, "node_modules/zeromq/build");
if (existsSync(zmqBuild)) {
  for (const os of readdirSync(zmqBuild)) {
    const osDir = join(zmqBuild, os);
    if (!statSync(osDir).isDirectory()) continue;
    if (os !== "linux") rmSync(osDir, { recursive: true, force: true });
    else for (const arch of readdirSync(osDir)) if (arch !== process.arch) rmSync(join(osDir, arch), { recursive: true, force: true });
  }
}
console.log(`stage: node ${process.version} + ${copied} packages for ${workspaces.join(", ")} -> ${out}`);
