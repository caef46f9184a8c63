import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { WrongNameSyntax } from "../errors/errors.ts";
import { parseDeviceName, parseTangoHost } from "./device-name.ts";

describe("device names", () => {
  test("plain, FQDN, //, #dbase=no/yes, several hosts, aliases", () => {
    assert.deepEqual(parseDeviceName("sys/tg_test/1"), { device: "sys/tg_test/1", useDatabase: true });
    assert.deepEqual(parseDeviceName("tango://h:10000/a/b/c"), { hosts: [{ host: "h", port: 10000 }], device: "a/b/c", useDatabase: true });
    assert.deepEqual(parseDeviceName("//h:1/a/b/c#dbase=yes"), { hosts: [{ host: "h", port: 1 }], device: "a/b/c", useDatabase: true });
    assert.deepEqual(parseDeviceName("tango://127.0.0.1:10011/Sys/TG_test/1#dbase=no"), {
      hosts: [{ host: "127.0.0.1", port: 10011 }],
      device: "Sys/TG_test/1",
      useDatabase: false,
    });
    assert.deepEqual(parseDeviceName("tango://a:1,b:2/x/y/z").hosts, [
      { host: "a", port: 1 },
      { host: "b", port: 2 },
    ]);
    assert.deepEqual(parseDeviceName("my_alias"), { alias: "my_alias", useDatabase: true });
    assert.deepEqual(parseDeviceName("tango://h:1/my_alias"), { hosts: [{ host: "h", port: 1 }], alias: "my_alias", useDatabase: true });
  });

  test("bad names raise WrongNameSyntax (API_WrongDeviceNameSyntax)", () => {
    for (const bad of [
      "",
      "a/b",
      "a/b/c/d",
      "a//c",
      "a/b/c#dbase=maybe",
      "a/b/c#dbase=no",
      "tango://h/a/b/c",
      "http://h:1/a/b/c",
      "tango://h:1/alias#dbase=no",
      "has space",
    ]) {
      assert.throws(
        () => parseDeviceName(bad),
        (e: unknown) => e instanceof WrongNameSyntax && e.reason === "API_WrongDeviceNameSyntax",
        bad,
      );
    }
  });

  test("TANGO_HOST lists", () => {
    assert.deepEqual(parseTangoHost("h1:10000, h2:20000"), [
      { host: "h1", port: 10000 },
      { host: "h2", port: 20000 },
    ]);
    assert.deepEqual(parseTangoHost("[::1]:10000"), [{ host: "::1", port: 10000 }]);
    for (const bad of ["", "h1", "h1:0", "h1:70000", "h1:x"]) assert.throws(() => parseTangoHost(bad), WrongNameSyntax, bad);
  });
});
