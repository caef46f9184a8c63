#!/usr/bin/env node
// The `tango` CLI. Runs with plain `node` from any directory: registers tsx, then loads the TypeScript entry point.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2), process.env);
