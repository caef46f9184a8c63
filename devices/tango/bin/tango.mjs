#!/usr/bin/env node
// The `tango` CLI. Runs with plain `node` from any directory: registers tsx, then loads the TypeScript entry point.
// `tango db [options]` (serving the database) takes a fast path without tsx: see devices/databaseds/bin/databaseds.mjs.
const argv = process.argv.slice(2);
if (argv[0] === "db" && argv[1] !== "load" && argv[1] !== "dump" && !argv.includes("--help") && !argv.includes("-h")) {
  const { runDb } = await import("../../databaseds/bin/databaseds.mjs");
  process.exitCode = await runDb(argv.slice(1));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  const { main } = await import("../src/cli/main.ts");
  process.exitCode = await main(argv, process.env);
}
