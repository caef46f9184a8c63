/**
 * Time from process start of `tango db` to the first answered DbImportDevice (raw TCP connects every 2 ms until the
 * port listens, then one DbImportDevice with our own client). Usage: node --import tsx bench/db-startup.ts [runs]  → one JSON object.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TangoContext } from "@tango-bdd/tango";
import { freePort } from "@tango-bdd/tango/testing";

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

async function once(root: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "db-startup-"));
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [join(root, "devices/tango/bin/tango.mjs"), "db", "--port", String(port), "--file", join(dir, "t.sqlite")],
    {
      stdio: "ignore",
    },
  );
  const ctx = new TangoContext({ tangoHost: `127.0.0.1:${port}` });
  try {
    // Wait for the listening socket with raw connects (the client's reconnect back-off would blur the figure).
    while (!(await canConnect(port))) {
      if (performance.now() - t0 > 10_000) throw new Error("database did not listen within 10 s");
      await new Promise((r) => setTimeout(r, 2));
    }
    await ctx.databaseLink().importDevice("sys/database/2", { timeoutMs: 2000 });
    return performance.now() - t0;
  } finally {
    await ctx.close();
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  }
}

const root = new URL("..", import.meta.url).pathname;
const runs = Number(process.argv[2] ?? 5);
const ms: number[] = [];
for (let i = 0; i < runs; i++) ms.push(await once(root));
ms.sort((a, b) => a - b);
console.log(
  JSON.stringify({ runs, first_import_ms: ms.map((x) => Math.round(x)), median_ms: Math.round(ms[Math.floor(ms.length / 2)] ?? 0) }),
);
