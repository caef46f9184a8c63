import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, beforeEach, describe, test } from "node:test";
import { DevFailed } from "@tango-bdd/tango";
import { DataBaseCommands, type DbValue, type LongStringArray } from "./commands.ts";
import { Storage } from "./storage.ts";

function open(file = ":memory:"): { db: DataBaseCommands; storage: Storage } {
  const storage = Storage.open({ file });
  return { db: new DataBaseCommands(storage, { deviceName: "sys/database/2" }), storage };
}

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof DevFailed, `expected DevFailed, got ${String(err)}`);
    return err.reason;
  }
  assert.fail("expected a DevFailed");
}

describe("DataBase commands (layouts of the C++ DataBaseds)", () => {
  let db: DataBaseCommands;
  let storage: Storage;
  const x = (c: string, a?: DbValue) => db.execute(c, a);

  beforeEach(() => {
    storage?.close();
    ({ db, storage } = open());
    x("DbAddServer", ["ZzDbProbe/x", "zz/probe/1", "ZzClass", "zz/probe/2", "ZzClass"]);
  });
  after(() => storage.close());

  test("DbAddServer also defines the admin device; lists are sorted", () => {
    assert.deepEqual(x("DbGetDeviceClassList", "ZzDbProbe/x"), [
      "dserver/ZzDbProbe/x",
      "DServer",
      "zz/probe/1",
      "ZzClass",
      "zz/probe/2",
      "ZzClass",
    ]);
    assert.deepEqual(x("DbGetServerList", "*"), ["ZzDbProbe/x"]);
    assert.deepEqual(x("DbGetServerNameList", "zz*"), ["ZzDbProbe"]);
    assert.deepEqual(x("DbGetInstanceNameList", "ZzDbProbe"), ["x"]);
    assert.deepEqual(x("DbGetDeviceList", ["ZzDbProbe/x", "ZzClass"]), ["zz/probe/1", "zz/probe/2"]);
    assert.deepEqual(x("DbGetDeviceMemberList", "zz*"), ["1", "2"]);
    assert.deepEqual(x("DbGetDeviceFamilyList", "zz*"), ["probe"]);
    assert.deepEqual(x("DbGetDeviceDomainList", "zz*"), ["zz"]);
    assert.deepEqual(x("DbGetDeviceServerClassList", "ZzDbProbe/x"), ["DServer", "ZzClass"]);
    assert.deepEqual(x("DbGetClassList", "Zz*"), ["ZzClass"]);
  });

  test("export / import / unexport, by name and by alias, case-insensitive", () => {
    const before = x("DbImportDevice", "zz/probe/1") as LongStringArray;
    assert.deepEqual(before, { lvalue: [0, 0], svalue: ["zz/probe/1", "nada", "0", "ZzDbProbe/x", "nada", "ZzClass"] });
    x("DbExportDevice", ["ZZ/Probe/1", "IOR:0001", "hostA", "4242", "5"]);
    assert.deepEqual(x("DbImportDevice", "Zz/Probe/1"), {
      lvalue: [1, 4242],
      svalue: ["zz/probe/1", "IOR:0001", "5", "ZzDbProbe/x", "hostA", "ZzClass"],
    });
    x("DbPutDeviceAlias", ["zz/probe/1", "probe1"]);
    assert.equal((x("DbImportDevice", "probe1") as LongStringArray).svalue[1], "IOR:0001");
    assert.equal(x("DbGetAliasDevice", "probe1"), "zz/probe/1");
    assert.equal(x("DbGetDeviceAlias", "zz/probe/1"), "probe1");
    assert.equal(
      reason(() => x("DbPutDeviceAlias", ["zz/probe/2", "probe1"])),
      "DB_SQLError",
    );
    const info = x("DbGetDeviceInfo", "zz/probe/1") as LongStringArray;
    assert.equal(info.svalue.length, 8);
    assert.match(info.svalue[5] ?? "", /^\d+(st|nd|rd|th) \w+ \d{4} at \d\d:\d\d:\d\d$/);
    assert.equal(info.svalue[6], "?");
    assert.deepEqual(x("DbGetDeviceExportedList", "zz/*"), ["zz/probe/1"]);
    x("DbUnExportServer", "ZzDbProbe/x");
    assert.deepEqual((x("DbImportDevice", "zz/probe/1") as LongStringArray).lvalue, [0, 4242]);
    assert.deepEqual(x("DbGetDeviceExportedList", "*"), []);
  });

  test("unknown device → DB_DeviceNotDefined with the C++ text", () => {
    try {
      x("DbImportDevice", "zz/nope/1");
      assert.fail("no error");
    } catch (err) {
      assert.ok(err instanceof DevFailed);
      assert.deepEqual(err.errors[0], {
        reason: "DB_DeviceNotDefined",
        desc: "device zz/nope/1 not defined in the database !",
        origin: "DataBase::ImportDevice()",
        severity: "ERR",
      });
    }
    assert.equal(
      reason(() => x("DbExportDevice", ["zz/nope/1", "IOR:", "h", "1", "5"])),
      "DB_DeviceNotDefined",
    );
    assert.equal(
      reason(() => x("DbExportDevice", ["zz/nope/1"])),
      "DB_IncorrectArguments",
    );
    assert.equal(
      reason(() => x("DbAddDevice", ["S/i", "bad-name", "C"])),
      "DB_IncorrectDeviceName",
    );
    assert.equal(
      reason(() => x("DbDeleteServer", "nowildcard")),
      "DB_IncorrectServerName",
    );
    assert.equal(
      reason(() => x("DbPutDeviceProperty", ["zz/probe/1", "3", "a"])),
      "DB_IncorrectArguments",
    );
    assert.equal(
      reason(() => x("DbGetDeviceProperty", "not-an-array")),
      "API_IncompatibleCmdArgumentType",
    );
  });

  test("device properties: not-found form, wildcard, history, delete", () => {
    x("DbPutDeviceProperty", ["zz/probe/2", "1", "P1", "2", "x", "y"]);
    assert.deepEqual(x("DbGetDeviceProperty", ["zz/probe/2", "P1", "nope", "p*"]), [
      "zz/probe/2",
      "3",
      "P1",
      "2",
      "x",
      "y",
      "nope",
      "0",
      " ",
      "p*",
      "2",
      "x",
      "y",
    ]);
    assert.deepEqual(x("DbGetDevicePropertyList", ["zz/probe/2", "*"]), ["P1"]);
    x("DbDeleteDeviceProperty", ["zz/probe/2", "P1"]);
    assert.deepEqual(x("DbGetDeviceProperty", ["zz/probe/2", "P1"]), ["zz/probe/2", "1", "P1", "0", " "]);
    const hist = x("DbGetDevicePropertyHist", ["zz/probe/2", "*"]) as string[];
    assert.equal(hist.length, 5 + 3);
    assert.deepEqual([hist[0], hist[2], hist[3], hist[4], hist[5], hist[7]], ["P1", "2", "x", "y", "P1", "0"]);
  });

  test("class properties have no blank value when missing; inheritance", () => {
    x("DbPutClassProperty", ["ZzClass", "2", "CP", "1", "v", "InheritedFrom", "1", "Base"]);
    assert.deepEqual(x("DbGetClassProperty", ["ZzClass", "CP", "nope"]), ["ZzClass", "2", "CP", "1", "v", "nope", "0"]);
    assert.deepEqual(x("DbGetClassInheritanceForDevice", "zz/probe/1"), ["ZzClass", "Base"]);
    assert.deepEqual(x("DbGetClassPropertyList", "ZzClass"), ["CP", "InheritedFrom"]);
  });

  test("attribute properties v2 and v1 layouts", () => {
    x("DbPutDeviceAttributeProperty2", [
      "zz/probe/1",
      "2",
      "attA",
      "2",
      "min_value",
      "1",
      "0",
      "label",
      "2",
      "a",
      "b",
      "attB",
      "1",
      "unit",
      "1",
      "mm",
    ]);
    assert.deepEqual(x("DbGetDeviceAttributeProperty2", ["zz/probe/1", "attA", "attB"]), [
      "zz/probe/1",
      "2",
      "attA",
      "2",
      "label",
      "2",
      "a",
      "b",
      "min_value",
      "1",
      "0",
      "attB",
      "1",
      "unit",
      "1",
      "mm",
    ]);
    assert.deepEqual(x("DbGetDeviceAttributeProperty2", ["zz/probe/1", "attA"]), [
      "zz/probe/1",
      "1",
      "attA",
      "2",
      "label",
      "2",
      "a",
      "b",
      "min_value",
      "1",
      "0",
    ]);
    assert.deepEqual(x("DbGetDeviceAttributeProperty", ["zz/probe/1", "attA"]), [
      "zz/probe/1",
      "1",
      "attA",
      "3",
      "label",
      "a",
      "label",
      "b",
      "min_value",
      "0",
    ]);
    assert.deepEqual(x("DbGetDeviceAttributeList", ["zz/probe/1", "*"]), ["attA", "attB"]);
    x("DbDeleteDeviceAttributeProperty", ["zz/probe/1", "attA", "label"]);
    assert.deepEqual(x("DbGetDeviceAttributeProperty2", ["zz/probe/1", "attA"]), ["zz/probe/1", "1", "attA", "1", "min_value", "1", "0"]);
    x("DbDeleteAllDeviceAttributeProperty", ["zz/probe/1", "attA", "attB"]);
    assert.deepEqual(x("DbGetDeviceAttributeProperty2", ["zz/probe/1", "attA", "attB"]), ["zz/probe/1", "2", "attA", "0", "attB", "0"]);
    const hist = x("DbGetDeviceAttributePropertyHist", ["zz/probe/1", "attA", "label"]) as string[];
    assert.deepEqual([hist[0], hist[1], hist[3], hist[4], hist[5]], ["attA", "label", "2", "a", "b"]);
    x("DbPutClassAttributeProperty2", ["ZzClass", "1", "attC", "1", "format", "1", "%6.2f"]);
    assert.deepEqual(x("DbGetClassAttributeProperty2", ["ZzClass", "attC", "attX"]), [
      "ZzClass",
      "2",
      "attC",
      "1",
      "format",
      "1",
      "%6.2f",
      "attX",
      "0",
    ]);
  });

  test("DbGetDataForServerCache matches the reference ds_start layout", () => {
    x("DbPutDeviceAttributeProperty2", [
      "zz/probe/1",
      "2",
      "attA",
      "2",
      "min_value",
      "1",
      "0",
      "label",
      "2",
      "a",
      "b",
      "attB",
      "1",
      "unit",
      "1",
      "mm",
    ]);
    x("DbPutClassAttributeProperty2", ["ZzClass", "1", "attC", "1", "format", "1", "%6.2f"]);
    x("DbPutDeviceProperty", ["zz/probe/2", "1", "P1", "2", "x", "y"]);
    x("DbPutClassProperty", ["ZzClass", "1", "CP", "1", "v"]);
    // Captured from the cppTango 9.3.4 DataBaseds on MariaDB (minus its DServer class property AllowedAccessCmd).
    assert.deepEqual(x("DbGetDataForServerCache", ["ZzDbProbe/x", "vm"]), [
      "dserver/ZzDbProbe/x",
      "nada",
      "0",
      "ZzDbProbe/x",
      "nada",
      "0",
      "0",
      "DServer",
      "notifd/factory/vm",
      "Not Found",
      "dserver/ZzDbProbe/x",
      "Not Found",
      "DServer",
      "0",
      "Default",
      "0",
      "dserver/ZzDbProbe/x",
      "0",
      "ZzDbProbe/x",
      "1",
      "ZzClass",
      "1",
      "CP",
      "1",
      "v",
      "ZzClass",
      "1",
      "attC",
      "1",
      "format",
      "1",
      "%6.2f",
      "ZzClass",
      "2",
      "zz/probe/1",
      "zz/probe/2",
      "zz/probe/1",
      "0",
      "zz/probe/1",
      "2",
      "attA",
      "2",
      "label",
      "2",
      "a",
      "b",
      "min_value",
      "1",
      "0",
      "attB",
      "1",
      "unit",
      "1",
      "mm",
      "zz/probe/2",
      "1",
      "P1",
      "2",
      "x",
      "y",
      "zz/probe/2",
      "0",
      "CtrlSystem",
      "0",
    ]);
    assert.deepEqual(x("DbGetDataForServerCache", ["Nope/x", "vm"]), ["dserver/Nope/x", "Not Found"]);
  });

  test("DbInfo, DbMySqlSelect is read-only, DeleteServer keeps properties", () => {
    const info = x("DbInfo") as string[];
    assert.equal(info[0], "TANGO Database sys/database/2");
    assert.equal(info[4], "Devices defined  = 3");
    const sel = x("DbMySqlSelect", "SELECT name FROM device WHERE class='ZzClass' ORDER BY name") as LongStringArray;
    assert.deepEqual(sel, { svalue: ["zz/probe/1", "zz/probe/2"], lvalue: [1, 1, 2, 1] });
    assert.equal(
      reason(() => x("DbMySqlSelect", "DELETE FROM device")),
      "DB_SQLError",
    );
    x("DbPutDeviceProperty", ["zz/probe/2", "1", "P1", "1", "x"]);
    x("DbDeleteServer", "ZzDbProbe/x");
    assert.deepEqual(x("DbGetServerList", "*"), []);
    assert.deepEqual(x("DbGetDeviceProperty", ["zz/probe/2", "P1"]), ["zz/probe/2", "1", "P1", "1", "x"]);
  });
});

describe("durability", () => {
  const dir = mkdtempSync(join(tmpdir(), "tango-db-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("a returned write is there after reopening the file", () => {
    const file = join(dir, "t.sqlite");
    const a = open(file);
    a.db.execute("DbAddServer", ["S/i", "a/b/c", "C"]);
    a.db.execute("DbPutDeviceProperty", ["a/b/c", "1", "p", "2", "v1", "v2"]);
    a.storage.close();
    const b = open(file);
    assert.deepEqual(b.db.execute("DbGetDeviceProperty", ["a/b/c", "p"]), ["a/b/c", "1", "p", "2", "v1", "v2"]);
    b.storage.close();
  });
});
