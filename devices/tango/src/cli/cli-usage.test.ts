/** The real `bin/tango.mjs`: help and usage errors, which need no Tango peer. */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../bin/tango.mjs", import.meta.url));

function tango(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // No TANGO_HOST and an unreachable one on purpose: help must not need a database.
    const env = { ...process.env, TANGO_HOST: "127.0.0.1:1" };
    execFile(process.execPath, [BIN, ...args], { cwd: tmpdir(), env, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe("tango CLI help and usage errors", () => {
  const dir = mkdtempSync(join(tmpdir(), "tango-cli-usage-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("--help lists every command, exit 0", async () => {
    const r = await tango(["--help"]);
    assert.equal(r.code, 0, r.stderr);
    for (const c of ["ls", "info", "read", "write", "cmd", "watch", "serve", "db", "ping"]) {
      assert.match(r.stdout, new RegExp(`^  ${c} `, "m"), `${c} missing from\n${r.stdout}`);
    }
  });

  test("<command> --help and help <command> print that command's usage without connecting, exit 0", async () => {
    for (const args of [
      ["ls", "--help"],
      ["read", "-h"],
      ["help", "watch"],
      ["--help", "ping"],
    ]) {
      const r = await tango(args);
      assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
      const name = args.find((a) => !a.startsWith("-") && a !== "help");
      assert.match(r.stdout, new RegExp(`^usage: tango ${name} `), r.stdout);
      assert.equal(r.stderr, "");
    }
  });

  test("an unknown command is a usage error (exit 2), also with --help", async () => {
    for (const args of [["frobnicate"], ["frobnicate", "--help"]]) {
      const r = await tango(args);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /unknown command "frobnicate"/);
    }
  });

  test("db load names the file when it is missing, not JSON, or not a dsconfig (exit 2, no stack trace)", async () => {
    const notJson = join(dir, "bad.json");
    writeFileSync(notJson, "{oops");
    const notDsconfig = join(dir, "package.json");
    writeFileSync(notDsconfig, JSON.stringify({ name: "x" }));
    const db = join(dir, "t.sqlite");
    const cases: [string, RegExp][] = [
      [join(dir, "missing.json"), /cannot read .*missing\.json: no such file/],
      [notJson, /bad\.json is not valid JSON/],
      [notDsconfig, /neither a "servers" nor a "classes" section/],
    ];
    for (const [file, message] of cases) {
      const r = await tango(["db", "load", file, "--file", db]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  });

  test("db dump --file of a missing file is a usage error and creates nothing", async () => {
    const missing = join(dir, "typo.sqlite");
    const r = await tango(["db", "dump", "--file", missing]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /no database file .*typo\.sqlite/);
    assert.equal(existsSync(missing), false);
  });
});
