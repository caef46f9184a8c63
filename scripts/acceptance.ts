/**
 * `npm run acceptance [-- cucumber args]`: runs the acceptance suite (cucumber, default profile = local target),
 * then builds the report, and exits with cucumber's exit code (the report is built whatever the outcome).
 * Examples: npm run acceptance -- --profile nightly     npm run acceptance -- --tags @smoke
 */
import { spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { main as report } from "./report.ts";

const root = resolve(import.meta.dirname, "..");
const t0 = performance.now();

const base = resolve(root, process.env.BDD_REPORTS_DIR ?? "reports");
for (const p of ["allure-results", ".run", "junit.xml", "@rerun.txt"]) {
  await rm(join(base, p), { recursive: true, force: true });
}

const cucumber = join(root, "node_modules/@cucumber/cucumber/bin/cucumber.js");
const child = spawn(process.execPath, ["--import", "tsx", cucumber, ...process.argv.slice(2)], { cwd: root, stdio: "inherit" });
// Ctrl-C reaches cucumber (same process group); wait for it to clean up, then still build the report.
const onSignal = (): void => undefined;
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);
const code = await new Promise<number>((r) => child.once("exit", (c, s) => r(c ?? (s === "SIGINT" ? 130 : 1))));
process.off("SIGINT", onSignal);
process.off("SIGTERM", onSignal);
const suiteS = (performance.now() - t0) / 1000;

const reportCode = await report();
console.log(
  `\nacceptance: cucumber exit code ${code}, suite ${suiteS.toFixed(1)} s, total ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);
process.exitCode = code !== 0 ? code : reportCode;
