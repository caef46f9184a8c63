import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { bundleBench } from "./bundle.mjs";

// The comparison scripts (compare-client.sh, server-bench.sh, compare-events.sh) run these as plain JS bundles.
const BUNDLED = ["client-bench.ts", "raw-client-node.ts", "server-bench.ts", "replay-proxy.ts", "events-bench.ts"];

describe("bench scripts bundle to plain JavaScript", () => {
  const dir = mkdtempSync(join(tmpdir(), "bench-bundle-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const name of BUNDLED) {
    test(name, async () => {
      const out = await bundleBench(new URL(name, import.meta.url).pathname, join(dir, `${name}.mjs`));
      const code = readFileSync(out, "utf8");
      // zeromq is a native addon: loaded from node_modules, never inlined; no TypeScript loader in the bundle.
      assert.doesNotMatch(code, /from "tsx|require\("tsx/);
      if (name === "events-bench.ts") assert.match(code, /from "zeromq"|require\("zeromq"\)/);
      const check = spawnSync(process.execPath, ["--check", out], { encoding: "utf8" });
      assert.equal(check.status, 0, check.stderr);
    });
  }

  test("a script that does not compile is reported, not bundled", async () => {
    await assert.rejects(bundleBench(new URL("missing-script.ts", import.meta.url).pathname, join(dir, "missing.mjs")));
  });
});
