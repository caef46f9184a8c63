import assert from "node:assert/strict";
import { after, test } from "node:test";
import { DevFailed } from "@tango-bdd/tango";
import { DataBaseCommands, type DbValue } from "./commands.ts";
import { dumpDsConfig, loadDsConfig, parseDsConfig } from "./dsconfig.ts";
import { Storage } from "./storage.ts";

const storage = Storage.open({ file: ":memory:" });
const db = new DataBaseCommands(storage, { deviceName: "sys/database/2" });
const run = (c: string, v: DbValue) => db.execute(c, v);
after(() => storage.close());

const config = {
  servers: {
    TabataServer: {
      test: {
        Tabata: {
          "test/tabata/1": {
            properties: { prepare: ["10"], work: ["20"], tabatas: [8] },
            attribute_properties: { counter: { min_value: ["0"], label: ["Counter"] } },
            alias: "tabata1",
          },
        },
        Counter: { "test/counter/1": {}, "test/counter/2": { properties: { steps: ["1", "2", "3"] } } },
      },
    },
  },
  classes: { Tabata: { properties: { Description: ["A tabata timer"] }, attribute_properties: { state: { label: ["State"] } } } },
};

test("load then dump round-trips SKA dsconfig JSON", async () => {
  const report = await loadDsConfig(parseDsConfig(config), run);
  assert.deepEqual(report, { servers: 1, devices: 3, properties: 5, attributeProperties: 3 });
  assert.deepEqual(run("DbImportDevice", "tabata1") && run("DbGetAliasDevice", "tabata1"), "test/tabata/1");
  const dumped = await dumpDsConfig(run);
  assert.deepEqual(dumped, {
    servers: {
      TabataServer: {
        test: {
          Counter: { "test/counter/1": {}, "test/counter/2": { properties: { steps: ["1", "2", "3"] } } },
          Tabata: {
            "test/tabata/1": {
              properties: { prepare: ["10"], tabatas: ["8"], work: ["20"] },
              attribute_properties: { counter: { label: ["Counter"], min_value: ["0"] } },
            },
          },
        },
      },
    },
    classes: { Tabata: { properties: { Description: ["A tabata timer"] }, attribute_properties: { state: { label: ["State"] } } } },
  });
});

test("malformed dsconfig is rejected with a clear DevFailed", () => {
  assert.throws(
    () => parseDsConfig([]),
    (e: unknown) => e instanceof DevFailed && e.reason === "DsConfig_BadValue",
  );
  assert.throws(
    () => parseDsConfig({ servers: { S: { i: { C: { "a/b/c": { properties: { p: { nested: 1 } } } } } } } }),
    (e: unknown) => e instanceof DevFailed && /S\/i\/C\/a\/b\/c\/p/.test(e.message),
  );
});
