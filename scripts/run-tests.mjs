#!/usr/bin/env node
// Runs every *.test.ts of the repo with Node's built-in test runner (through tsx).
// Usage: node scripts/run-tests.mjs [path-substring ...]   (TEST_CONCURRENCY=n to parallelise files)
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const skip = new Set(["node_modules", ".git", "reports", "allure-results", "allure-report", ".tmp"]);
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    if (skip.has(name)) continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p);
    else if (name.endsWith(".test.ts")) files.push(relative(root, p));
  }
})(root);
const filters = process.argv.slice(2);
const selected = files.filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort();
if (selected.length === 0) {
  console.error(`no test files match ${filters.join(" ")}`);
  process.exit(1);
}
const args = ["--import", "tsx", "--test", `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 1}`, ...selected];
const r = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
process.exit(r.status ?? 1);
