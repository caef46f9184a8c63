/**
 * The types TangoTest does not have (DevEncoded, DevEnum and DevState attributes; DevEncoded, DevState and boolean
 * array commands), against a real PyTango 9.3 device server (fixtures/clientqa_device.py) registered for the test in
 * the reference database and removed afterwards.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { InvalidArgumentError } from "../errors/errors.ts";
import { type PyTangoServer, startPyTangoServer } from "../testing/pytango-server.ts";
import type { DeviceProxy } from "./device-proxy.ts";

const TANGO_HOST = "127.0.0.1:10000";
const SCRIPT = fileURLToPath(new URL("./fixtures/clientqa_device.py", import.meta.url));
const INSTANCE = `qa${process.pid}`;
const SERVER = `ClientQa/${INSTANCE}`;
const DEVICE = `qa/clientpy/${process.pid}`;

let server: PyTangoServer | undefined;
let dev: DeviceProxy;

before(async () => {
  server = await startPyTangoServer({ tangoHost: TANGO_HOST, script: SCRIPT, server: SERVER, devices: [[DEVICE, "ClientQa"]] });
  dev = server.proxy;
});

after(async () => {
  await server?.stop();
});

describe("PyTango peer: encoded, enum and state types", () => {
  test("DevEncoded attribute: read, write {format, data}, read back", async () => {
    const r = await dev.read("encoded");
    assert.equal(r.dataType, "DevEncoded");
    assert.deepEqual(r.value, { format: "json", data: new Uint8Array(Buffer.from('{"a": 1}')) });
    await dev.write("encoded", { format: "txt", data: new Uint8Array([104, 105]) });
    const back = await dev.read("encoded");
    assert.deepEqual(back.value, { format: "txt", data: new Uint8Array([104, 105]) });
    assert.deepEqual(back.wValue, back.value);
  });

  test("DevEnum attribute: the number on read, labels in the configuration, write by label or number", async () => {
    const cfg = await dev.attributeQuery("mode");
    assert.equal(cfg.dataTypeName, "DevEnum");
    assert.deepEqual(cfg.enumLabels, ["OFF", "SLOW", "FAST"]);
    await dev.write("mode", "FAST");
    assert.equal((await dev.read("mode")).value, 2);
    await dev.write("mode", 0);
    const r = await dev.read("mode");
    assert.equal(r.value, 0);
    assert.equal(r.dataType, "DevEnum");
    await assert.rejects(dev.write("mode", "TURBO"), InvalidArgumentError);
  });

  test("DevState attributes: scalar and spectrum give state names", async () => {
    const [s, list, st] = await dev.readMany(["device_state", "states", "State"]);
    assert.equal(s?.value, "MOVING");
    assert.equal(s?.dataType, "DevState");
    assert.deepEqual(list?.value, ["ON", "FAULT"]);
    assert.equal(st?.value, "STANDBY");
    assert.equal(await dev.state(), "STANDBY");
  });

  test("DevEncoded, DevState and DevVarBooleanArray commands", async () => {
    assert.deepEqual(await dev.command("EchoEncoded", { format: "bin", data: [0, 255, 7] }), {
      format: "bin",
      data: new Uint8Array([0, 255, 7]),
    });
    assert.equal(await dev.command("EchoState", "ALARM"), "ALARM");
    assert.equal(await dev.command("EchoState", 6), "MOVING");
    assert.deepEqual(await dev.command("EchoBooleans", [true, false, true]), [true, false, true]);
    await assert.rejects(dev.command("EchoState", "SLEEPING"), InvalidArgumentError);
  });
});
