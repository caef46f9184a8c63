import assert from "node:assert/strict";
import { test } from "node:test";
import { runDatabaseServer } from "./main.ts";
import { DataBaseServer } from "./server.ts";

test("runDatabaseServer: a port in use or a bad file is one actionable line and exit 1, not a thrown stack", async (t) => {
  const first = await DataBaseServer.start({ port: 0, host: "127.0.0.1", file: ":memory:" });
  t.after(() => first.close());
  const port = Number(first.tangoHost.split(":")[1]);
  assert.ok(port > 0, first.tangoHost);

  const lines: string[] = [];
  assert.equal(await runDatabaseServer(["--port", String(port), "--host", "127.0.0.1", "--memory"], (l) => lines.push(l)), 1);
  assert.match(lines.join("\n"), /^tango db: cannot start: API_CantBind: .*EADDRINUSE/);

  lines.length = 0;
  assert.equal(await runDatabaseServer(["--port", "0", "--file", "/nonexistent-dir/x.sqlite"], (l) => lines.push(l)), 1);
  assert.match(lines.join("\n"), /^tango db: cannot start: .*\/nonexistent-dir\/x\.sqlite/);

  lines.length = 0;
  assert.equal(await runDatabaseServer(["--bogus"], (l) => lines.push(l)), 2);
  assert.match(lines.join("\n"), /unknown argument --bogus/);
});
