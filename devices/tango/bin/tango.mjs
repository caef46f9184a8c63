#!/usr/bin/env node
// The `tango` CLI. Runs with plain `node` from any directory.
// `tango db [options]` (serving the database) takes its own fast path: see devices/databaseds/bin/databaseds.mjs.
// Every other command runs src/cli/main.ts from a cached esbuild bundle (bin/cli-bundle.mjs; `serve` bundles its
// device modules too), falling back to tsx when the bundle cannot be built. TANGO_CLI_BUNDLE=0 forces tsx.
// TANGO_START_GATE=stdin: load the code, then wait for a line (or EOF) on stdin before running the command (the local
// stack spawns its servers with the database and opens the gates once the configuration is loaded).
const argv = process.argv.slice(2);
if (argv[0] === "db" && argv[1] !== "load" && argv[1] !== "dump" && !argv.includes("--help") && !argv.includes("-h")) {
  const { runDb } = await import("../../databaseds/bin/databaseds.mjs");
  process.exitCode = await runDb(argv.slice(1));
} else {
  let main;
  if (process.env.TANGO_CLI_BUNDLE !== "0") {
    const { loadBundledMain } = await import("./cli-bundle.mjs");
    main = await loadBundledMain(argv, process.env);
  }
  if (!main) {
    const { register } = await import("tsx/esm/api");
    register();
    ({ main } = await import("../src/cli/main.ts"));
  }
  if (process.env.TANGO_START_GATE === "stdin") {
    process.stderr.write(`tango: code loaded ${Math.round(performance.now())} ms after process start, waiting for the start gate\n`);
    await new Promise((resolve) => {
      process.stdin.once("data", resolve).once("end", resolve).once("error", resolve);
    });
    process.stdin.destroy();
    process.stderr.write(`tango: start gate opened ${Math.round(performance.now())} ms after process start\n`);
  }
  process.exitCode = await main(argv, process.env);
}
