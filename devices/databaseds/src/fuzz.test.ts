/**
 * "Servers never crash on input", database part: mutated command_inout_4 requests for the DataBase commands (the
 * captured requests of the reference clients, GIOP 1.0 on the `database` key, and one codec-built request per
 * DataBase command on sys/database/2) sent over loopback to our database server on a temporary SQLite file. Every
 * request must get a Reply or a MessageError/close, nothing may escape, DbInfo must still be served after every
 * batch, and the RSS must stay bounded. FUZZ_SEED=<n> replays a run (the seed is printed).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { DeviceProxy, TangoContext } from "@tango-bdd/tango";
import { type CmdArgTypeName, typeCodeForArg } from "@tango-bdd/tango/internal";
import {
  assertFuzzHealthy,
  decodeCapture,
  EscapeRecorder,
  type FuzzCase,
  findReferenceDir,
  fuzzServer,
  requestSeeds,
  summarize,
  synthSeed,
  wireCorpus,
} from "@tango-bdd/tango/testing";
import type { DbValue } from "./commands.ts";
import { DataBaseServer } from "./server.ts";

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20240612;
const ITERATIONS = process.env.FUZZ_ITERATIONS ? Number(process.env.FUZZ_ITERATIONS) : 3000;
const key = (name: string): Uint8Array => new Uint8Array(Buffer.from(name, "latin1"));

const rec = new EscapeRecorder();

let dir: string;
let db: DataBaseServer;

before(async () => {
  rec.install();
  dir = mkdtempSync(join(tmpdir(), "tango-db-fuzz-"));
  db = await DataBaseServer.start({
    file: join(dir, "tango.sqlite"),
    host: "127.0.0.1",
    port: 0,
    hostName: "fuzzhost",
    logger: rec.logger,
  });
  const x = (c: string, a: DbValue): DbValue => db.commands.execute(c, a);
  x("DbAddServer", ["FuzzDs/1", "fuzz/db/1", "FuzzClass", "fuzz/db/2", "FuzzClass"]);
  x("DbExportDevice", ["fuzz/db/1", "IOR:0001", "fuzzhost", "4242", "5"]);
  x("DbPutDeviceProperty", ["fuzz/db/1", "2", "speed", "1", "10", "names", "2", "a", "b"]);
  x("DbPutClassProperty", ["FuzzClass", "1", "limit", "1", "5"]);
  x("DbPutDeviceAttributeProperty2", ["fuzz/db/1", "1", "position", "1", "unit", "1", "mm"]);
});

after(async () => {
  await db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  rec.uninstall();
});

/** A plausible argument of each DataBase argument type (the fuzzer mutates it). */
const SAMPLE: Record<string, unknown> = {
  DevVoid: undefined,
  DevString: "fuzz/db/1",
  DevVarStringArray: ["fuzz/db/1", "1", "speed", "2", "10", "20"],
  DevVarLongStringArray: { lvalue: [1, 2], svalue: ["fuzz/db/1", "position", "FuzzClass"] },
};

function fuzzCases(): FuzzCase[] {
  const cases: FuzzCase[] = [];
  // The reference clients' requests to the database (GIOP 1.0 on the `database` key, as captured).
  for (const s of requestSeeds(decodeCapture(wireCorpus(findReferenceDir(process.env))))) {
    if (Buffer.from(s.originalKey).toString("latin1") === "database") cases.push({ seed: s, objectKey: key("database") });
  }
  // One request per DataBase command, on sys/database/2 (GIOP 1.2 as our client sends them).
  for (const c of db.commands.commands.values()) {
    const type = typeCodeForArg(c.in as CmdArgTypeName);
    assert.ok(type, c.in);
    const argin = { type, value: c.in === "DevVoid" ? null : SAMPLE[c.in] };
    const args = { command: c.name, argin, source: 0, client: { lang: "CPP", pid: 4243 } };
    cases.push({ seed: synthSeed("command_inout_4", args, `synth:${c.name}`), objectKey: key(db.deviceName) });
  }
  return cases;
}

async function healthCheck(): Promise<void> {
  const c = new TangoContext();
  try {
    const p = await DeviceProxy.connect(`tango://127.0.0.1:${db.port}/${db.deviceName}#dbase=no`, { context: c, timeoutMs: 3000 });
    await p.ping();
    const info = (await p.command("DbInfo")) as string[];
    assert.match(info.join("\n"), /TANGO Database/);
  } finally {
    await c.close();
  }
}

test("the database server answers mutated DataBase command requests and keeps serving", async (t) => {
  const cases = fuzzCases();
  const captured = cases.filter((c) => !c.seed.name.startsWith("synth:")).length;
  t.diagnostic(`${cases.length} seeds (${captured} captured)`);
  assert.ok(captured > 0 && cases.length > 80, `corpus too small: ${cases.length}`);
  const report = await fuzzServer({ port: db.port, cases, seed: SEED, iterations: ITERATIONS, pingKey: key(db.deviceName), healthCheck });
  t.diagnostic(summarize("database server", SEED, report));
  assertFuzzHealthy(report, rec, ITERATIONS);
});
