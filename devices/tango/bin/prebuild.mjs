#!/usr/bin/env node
// Builds the start-up bundles ahead of time (container images, where the tree is read-only at run time):
// the database server's (devices/databaseds/dist) and the CLI's for every command but `serve`, and for `serve` with
// the default device modules plus each `--module M` given here (devices/tango/dist/cli).
// Usage: node devices/tango/bin/prebuild.mjs [--module M]...   (run from the directory servers will run in)
import { prepareDb } from "../../databaseds/bin/databaseds.mjs";
import { ensureBundle } from "./cli-bundle.mjs";

const extra = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--module" && argv[i + 1] !== undefined) extra.push(["--module", argv[++i]]);
  else {
    process.stderr.write(`usage: prebuild.mjs [--module M]...\n`);
    process.exit(2);
  }
}
const t0 = performance.now();
await prepareDb();
const env = { ...process.env, TANGO_DEVICE_MODULES: "" };
const lines = [["ls"], ["serve", "S/i"], ...extra.map((m) => ["serve", "S/i", ...m])];
for (const line of lines) process.stdout.write(`prebuild: ${line.join(" ")} -> ${await ensureBundle(line, env)}\n`);
process.stdout.write(`prebuild: done in ${Math.round(performance.now() - t0)} ms\n`);
