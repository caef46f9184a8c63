/**
 * Fault tolerance against a real PyTango server of our own (PyRef/evfault, device pyref/evfault/1), registered in
 * the reference database for the test and deleted afterwards:
 * - the server is killed (-9) and restarted during a subscription: an API_EventTimeout item reports the gap, then
 *   events resume without user action (new ZMQ ports are followed);
 * - a subscription made while the server is down stays pending and becomes live when the server appears.
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { TangoContext } from "../client/context.ts";
import { DeviceProxy } from "../client/device-proxy.ts";
import { closeEventConsumer, type EventSubscription, eventConsumer } from "./consumer.ts";
import type { EventItem } from "./event-item.ts";

const TANGO_HOST = "127.0.0.1:10000";
const SERVER = "PyRef/evfault";
const DEVICE = "pyref/evfault/1";
const PORT = 10077;
const ENV = { ...process.env, TANGO_HOST, ORBclientTransportRule: "* tcp" };

let server: ChildProcess | undefined;

function startServer(): void {
  server = spawn(
    "/usr/bin/python3",
    ["/work/shared/tango-reference/pyref_device.py", "evfault", "-ORBendPoint", `giop:tcp:127.0.0.1:${PORT}`],
    {
      env: ENV,
      stdio: "ignore",
    },
  );
}

function killServer(): void {
  server?.kill("SIGKILL");
  server = undefined;
}

async function waitForDevice(ctx: TangoContext): Promise<DeviceProxy> {
  for (let i = 0; i < 100; i++) {
    try {
      const p = await DeviceProxy.connect(DEVICE, { context: ctx });
      await p.ping();
      return p;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`${DEVICE} did not come up`);
}

async function nextItem(sub: EventSubscription, ms: number): Promise<EventItem> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no event within ${ms} ms`)), ms);
  });
  try {
    const r = await Promise.race([sub.next(), timeout]);
    assert.equal(r.done, false);
    return r.value as EventItem;
  } finally {
    clearTimeout(timer);
  }
}

describe("events survive a device server restart", () => {
  // Short retry period; the heartbeat timeout stays above the servers' 9 s heartbeat period.
  const ctx = new TangoContext({ tangoHost: TANGO_HOST });
  eventConsumer(ctx, { retryPeriodMs: 1000, keepAliveTickMs: 250, heartbeatTimeoutMs: 11_000 });

  before(() => {
    execFileSync("tango_admin", ["--add-server", SERVER, "PyRef", DEVICE], { env: ENV });
  });
  after(async () => {
    killServer();
    await closeEventConsumer(ctx);
    await ctx.close();
    execFileSync("tango_admin", ["--delete-server", SERVER], { env: ENV });
  });

  test("kill -9 and restart: API_EventTimeout, then events resume", { timeout: 90_000 }, async () => {
    startServer();
    const dev = await waitForDevice(ctx);
    const sub = await eventConsumer(ctx).subscribe(dev, "temperature", "change");
    try {
      assert.equal((await nextItem(sub, 5000)).synchronous, true);
      await dev.command("SetTemperature", 1.5);
      const live = await nextItem(sub, 5000);
      assert.equal(live.kind, "value");
      if (live.kind === "value") assert.equal(live.value, 1.5);

      killServer();
      startServer();
      await waitForDevice(ctx);
      // The restarted server publishes on new ports: only the heartbeat watchdog can notice.
      const gap = await nextItem(sub, 30_000);
      assert.equal(gap.kind, "error");
      if (gap.kind === "error") assert.equal(gap.error.reason, "API_EventTimeout");
      // Re-subscribed by the consumer: synchronous read of the new server's value (init_device: 21.5).
      let resync = await nextItem(sub, 15_000);
      while (resync.kind === "error") resync = await nextItem(sub, 15_000);
      assert.equal(resync.synchronous, true);
      if (resync.kind === "value") assert.equal(resync.value, 21.5);
      assert.equal(sub.state, "live");

      await dev.command("SetTemperature", 2.5);
      const after = await nextItem(sub, 5000);
      assert.equal(after.kind, "value");
      if (after.kind === "value") {
        assert.equal(after.value, 2.5);
        assert.equal(typeof after.counter, "number");
      }
    } finally {
      await sub.close();
    }
  });

  test("subscribing while the server is down: pending, then live when it starts", { timeout: 60_000 }, async () => {
    killServer();
    await new Promise((r) => setTimeout(r, 300));
    const sub = await eventConsumer(ctx).subscribe(DEVICE, "temperature", "change");
    try {
      assert.equal(sub.state, "pending");
      const down = await nextItem(sub, 5000);
      assert.equal(down.kind, "error");
      startServer();
      let first = await nextItem(sub, 30_000);
      while (first.kind === "error") first = await nextItem(sub, 30_000);
      assert.equal(first.synchronous, true);
      assert.equal(sub.state, "live");
      const dev = await waitForDevice(ctx);
      await dev.command("SetTemperature", 7.25);
      const ev = await nextItem(sub, 5000);
      assert.equal(ev.kind, "value");
      if (ev.kind === "value") assert.equal(ev.value, 7.25);
    } finally {
      await sub.close();
    }
  });
});
