/**
 * Tango 10 ALARM events against a REAL pytango 10.3.1 / cppTango 10.3.3 server (`alarm10_device.py`, started here
 * without database, two devices: one for pytango 10's client, one for ours), and against the Tango 9.3 reference
 * (`pyref/test/1`), which does not know the event. pytango 10's client (`alarm10_client.py`) states the real
 * behaviour; ours must see the same items (values, qualities, time stamps, errors) and the same refusals.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { TangoContext } from "../client/context.ts";
import { DeviceProxy } from "../client/device-proxy.ts";
import { DevFailed } from "../errors/errors.ts";
import { subscribe } from "../events/consumer.ts";
import { LEVEL, type Seen, seen, take, untimed } from "./alarm-scenario.ts";
import { Children, freePort, listening, py10Python, REFERENCE_DB, run, skipReason, waitFor } from "./harness.ts";

const env = process.env;
const skip = skipReason(env);
const SERVER = fileURLToPath(new URL("./alarm10_device.py", import.meta.url));
const CLIENT = fileURLToPath(new URL("./alarm10_client.py", import.meta.url));
const PY_DEVICE = "qa/alarm10/py";
const TS_DEVICE = "qa/alarm10/ts";

const settle = () => new Promise((r) => setTimeout(r, 200));

describe("Tango 10 ALARM events: our client and pytango 10's against a pytango 10 server", { skip }, () => {
  const children = new Children();
  let port = 0;
  let context: TangoContext;
  let py: Record<string, unknown>;

  before(async () => {
    port = await freePort();
    const c = children.start(
      py10Python(env),
      [SERVER, "a10", "-nodb", "-dlist", `${PY_DEVICE},${TS_DEVICE}`, "-ORBendPoint", `giop:tcp:127.0.0.1:${port}`],
      env,
    );
    await waitFor(`alarm10_device.py on port ${port}`, async () => {
      if (c.exitCode !== null) throw new Error(`alarm10_device.py exited: ${children.log(c)}`);
      return listening(port);
    });
    context = new TangoContext({});
    // pytango 10's client runs meanwhile on its own device.
    const r = run(py10Python(env), [CLIENT, String(port), PY_DEVICE], { ...env, ORBclientTransportRule: "* tcp" }, 30_000);
    py = await r.then((x) => {
      if (x.code !== 0) throw new Error(`alarm10_client.py exited ${x.code}: ${x.stderr.slice(-2000)}`);
      return JSON.parse(x.stdout) as Record<string, unknown>;
    });
  });

  after(async () => {
    await context?.close();
    await children.stopAll();
  });

  test("pytango 10 (the real behaviour): synchronous read, then an event per quality change with value and quality", () => {
    assert.equal(py.event_type, 9);
    assert.deepEqual(untimed(py.level as Seen[]), LEVEL);
    const tagged = py.tagged as Seen[];
    assert.deepEqual(tagged, [
      { kind: "value", value: 0, quality: "ATTR_VALID", timeUs: (tagged[0] as { timeUs: number }).timeUs },
      { kind: "value", value: 42, quality: "ATTR_ALARM", timeUs: 1_700_000_000_123_456 },
      { kind: "error", reasons: ["AlarmFixture_Failure"] },
    ]);
    assert.deepEqual(
      (py.plain as { reason: string }[]).map((e) => e.reason),
      ["API_AttributePollingNotStarted", "API_CommandFailed", "API_DSFailedRegisteringEvent"],
    );
  });

  test("our client: the same items for quality changes across the alarm limits", async () => {
    const dev = await DeviceProxy.connect(`tango://127.0.0.1:${port}/${TS_DEVICE}#dbase=no`, { context, timeoutMs: 5000 });
    const sub = await subscribe(dev, "level", "alarm");
    try {
      await settle();
      for (const v of [1, 6, 7, 11, 0, -6]) await dev.command("SetLevel", v);
      const items = await take(sub, 6);
      assert.equal(items[0]?.synchronous, true);
      assert.ok(items.every((i) => i.event === "alarm" && i.attribute === "level"));
      assert.deepEqual(untimed(items.map(seen)), untimed(py.level as Seen[]));
      assert.deepEqual(
        items.slice(1).map((i) => i.counter),
        [1, 2, 3, 4, 5],
      );
      assert.equal(sub.missed, 0);
    } finally {
      await sub.close();
    }
  });

  test("our client: code-pushed value with its quality and time stamp, and a pushed DevFailed, as pytango 10 sees them", async () => {
    const dev = await DeviceProxy.connect(`tango://127.0.0.1:${port}/${TS_DEVICE}#dbase=no`, { context, timeoutMs: 5000 });
    const sub = await subscribe(dev, "tagged", "alarm");
    try {
      await settle();
      await dev.command("PushTagged", [42, 2, 1700000000, 123456]);
      await dev.command("PushTaggedError");
      const items = (await take(sub, 3)).map(seen);
      const pyTagged = py.tagged as Seen[];
      assert.deepEqual(items.slice(1), pyTagged.slice(1));
      assert.deepEqual(untimed(items.slice(0, 1)), untimed(pyTagged.slice(0, 1)));
      assert.equal(sub.missed, 0);
    } finally {
      await sub.close();
    }
  });

  test("our client: an attribute without alarm events is refused with pytango 10's root reason", async () => {
    const dev = await DeviceProxy.connect(`tango://127.0.0.1:${port}/${TS_DEVICE}#dbase=no`, { context, timeoutMs: 5000 });
    await assert.rejects(subscribe(dev, "plain", "alarm"), (e: unknown) => {
      assert.ok(e instanceof DevFailed);
      const r = e.errors.map((x) => x.reason);
      const pyReasons = (py.plain as { reason: string }[]).map((x) => x.reason);
      assert.equal(r[0], pyReasons[0]);
      assert.equal(r.at(-1), pyReasons.at(-1));
      return true;
    });
  });
});

describe("ALARM events on the Tango 9.3 reference (pyref/test/1): refused as pytango 10 is refused", { skip }, () => {
  test("root reason API_WrongNumberOfArgs (`alarm` is not a valid event type), then the frames pytango 10 shows", async () => {
    const r = await run(
      py10Python(env),
      [CLIENT, "ref", "pyref/test/1"],
      { ...env, TANGO_HOST: REFERENCE_DB, ORBclientTransportRule: "* tcp" },
      30_000,
    );
    assert.equal(r.code, 0, r.stderr);
    const pyReasons = ((JSON.parse(r.stdout) as { ref: { reason: string }[] }).ref ?? []).map((e) => e.reason);
    assert.deepEqual(pyReasons, ["API_WrongNumberOfArgs", "API_CommandFailed", "API_DSFailedRegisteringEvent"]);
    const context = new TangoContext({ tangoHost: REFERENCE_DB });
    try {
      const dev = await DeviceProxy.connect("pyref/test/1", { context, timeoutMs: 5000 });
      await assert.rejects(subscribe(dev, "temperature", "alarm"), (e: unknown) => {
        assert.ok(e instanceof DevFailed);
        assert.equal(e.errors[0]?.reason, "API_WrongNumberOfArgs");
        assert.match(e.errors[0]?.desc ?? "", /\(alarm\) is not +valid event type/);
        assert.deepEqual(
          e.errors.map((x) => x.reason),
          pyReasons,
        );
        return true;
      });
    } finally {
      await context.close();
    }
  });
});
