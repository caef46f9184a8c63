/**
 * The slow-joiner window of the ZMQ event supplier: events pushed after ZmqEventSubscriptionChange but before the
 * client's SUBSCRIBE reached the XPUB socket are replayed with their original counters (raw SUB sockets make the
 * window deterministic: the event is pushed before the SUB even connects); existing subscribers, our consumer and a
 * PyTango 9.3 client (/usr/bin/python3), see no duplicate and no missed-event error.
 */
import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { describe, test } from "node:test";
import type { Subscriber } from "zeromq";
import { TangoContext } from "../client/context.ts";
import { DeviceProxy } from "../client/device-proxy.ts";
import { closeEventConsumer, type EventSubscription, subscribe } from "../events/consumer.ts";
import type { EventItem } from "../events/event-item.ts";
import { decodeEventPayload, decodeMessage, parseSubscriptionReply, type SubscriptionReply } from "../events/zmq-wire.ts";
import { DeviceTestContext } from "../testing/device-test-context.ts";
import { REPLAY_MAX_EVENTS } from "./event-supplier.ts";
import { AllTypes } from "./test-fixtures/interop-device.ts";

/** ZmqEventSubscriptionChange for pushed_value change events, as a client does before connecting its SUB socket. */
async function subscriptionChange(ctx: DeviceTestContext): Promise<SubscriptionReply> {
  const admin = await ctx.adminProxy();
  const raw = (await admin.command("ZmqEventSubscriptionChange", [ctx.deviceName, "pushed_value", "subscribe", "change", "5"])) as {
    lvalue: number[];
    svalue: string[];
  };
  return parseSubscriptionReply(raw.lvalue, raw.svalue);
}

async function rawSubscriber(reply: SubscriptionReply): Promise<Subscriber> {
  const zmq = await import("zeromq");
  const sub = new zmq.Subscriber({ linger: 0, receiveTimeout: 1500 });
  sub.connect(reply.endpoints[0]?.event ?? "");
  sub.subscribe(reply.topic);
  return sub;
}

/** [counter, value] of the next `n` events (rejects after the socket's receive timeout). */
async function receive(sub: Subscriber, n: number): Promise<[number, number][]> {
  const out: [number, number][] = [];
  while (out.length < n) {
    const msg = decodeMessage(await sub.receive());
    assert.equal(msg.kind, "event");
    if (msg.kind !== "event") continue;
    const p = decodeEventPayload(msg);
    assert.equal(p.kind, "attr-value");
    if (p.kind === "attr-value") {
      const u = p.value.value;
      out.push([msg.callInfo.ctr, u.d === 5 ? (u.v[0] ?? Number.NaN) : Number.NaN]);
    }
  }
  return out;
}

/** True when nothing arrives within `ms`. */
async function silent(sub: Subscriber, ms: number): Promise<boolean> {
  const t = sub.receiveTimeout;
  sub.receiveTimeout = ms;
  try {
    await sub.receive();
    return false;
  } catch {
    return true;
  } finally {
    sub.receiveTimeout = t;
  }
}

async function push(ctx: DeviceTestContext, ...values: number[]): Promise<void> {
  for (const v of values) await ctx.proxy.command("PushValue", v);
}

describe("event supplier: no event lost right after a (re)subscription", () => {
  test("events pushed before the SUBSCRIBE arrives are replayed in order with their counters", async (t) => {
    await using ctx = await DeviceTestContext.start(AllTypes, { serverName: "ReplayTest", instance: "a" });
    const reply = await subscriptionChange(ctx);
    await push(ctx, 11, 12, 13); // nobody is connected yet: ZMQ drops them
    const sub = await rawSubscriber(reply);
    t.after(() => sub.close());
    assert.deepEqual(await receive(sub, 3), [
      [1, 11],
      [2, 12],
      [3, 13],
    ]);
    await push(ctx, 14);
    assert.deepEqual(await receive(sub, 1), [[4, 14]]);
    assert.ok(await silent(sub, 200), "no repeat");
    assert.equal(ctx.server.events.replayed, 3);
  });

  test(`at most the last ${REPLAY_MAX_EVENTS} events are replayed, and only those since the subscription change`, async (t) => {
    await using ctx = await DeviceTestContext.start(AllTypes, { serverName: "ReplayTest", instance: "b" });
    const first = await subscriptionChange(ctx);
    const a = await rawSubscriber(first);
    t.after(() => a.close());
    await push(ctx, 1); // the first subscriber is not there yet: replayed to it
    assert.deepEqual(await receive(a, 1), [[1, 1]]);
    a.unsubscribe(first.topic); // the topic has no subscriber left
    assert.ok(await silent(a, 100));
    const reply = await subscriptionChange(ctx);
    const values = Array.from({ length: 20 }, (_, i) => 100 + i);
    await push(ctx, ...values);
    const b = await rawSubscriber(reply);
    t.after(() => b.close());
    const got = await receive(b, REPLAY_MAX_EVENTS);
    assert.deepEqual(
      got.map(([c]) => c),
      Array.from({ length: REPLAY_MAX_EVENTS }, (_, i) => 22 - REPLAY_MAX_EVENTS + i),
    );
    assert.deepEqual(got.at(-1), [21, 119]);
    assert.ok(await silent(b, 200));
  });

  test("a topic with other subscribers gets its latest event once; a PyTango subscriber sees every value once, no error", async (t) => {
    await using ctx = await DeviceTestContext.start(AllTypes, { serverName: "ReplayTest", instance: "c" });
    const py = await pytangoListener(ctx.fullName());
    t.after(() => py.proc.kill("SIGKILL"));
    await push(ctx, 1);
    await new Promise((r) => setTimeout(r, 100));
    const before = ctx.server.events.replayed;
    // Late subscribers of a topic PyTango is subscribed to: only the latest event is replayed, once.
    const c1 = await subscriptionChange(ctx);
    const c2 = await subscriptionChange(ctx);
    await push(ctx, 2, 3);
    const late1 = await rawSubscriber(c1);
    t.after(() => late1.close());
    assert.deepEqual(await receive(late1, 1), [[3, 3]]);
    const late2 = await rawSubscriber(c2);
    t.after(() => late2.close());
    await new Promise((r) => setTimeout(r, 300)); // its SUBSCRIBE is in: event 4 reaches it live
    await push(ctx, 4);
    assert.deepEqual(await receive(late1, 1), [[4, 4]]);
    assert.deepEqual(await receive(late2, 1), [[4, 4]], "the latest event was already replayed once: not again");
    assert.equal(ctx.server.events.replayed - before, 1);
    const seen = await py.stop();
    assert.deepEqual(seen.errors, []);
    assert.deepEqual(seen.values, [0, 1, 2, 3, 4], "synchronous read, then each pushed value exactly once");
  });

  test("our consumer: subscribe then push at once, 100 times with a new client each time: every event arrives once", async () => {
    await using ctx = await DeviceTestContext.start(AllTypes, { serverName: "ReplayTest", instance: "d" });
    let lost = 0;
    let repeats = 0;
    for (let i = 0; i < 100; i++) {
      const client = new TangoContext();
      try {
        const dev = await DeviceProxy.connect(ctx.fullName(), { context: client });
        await using sub = await subscribe(dev, "pushed_value", "change");
        await dev.command("PushValue", 1000 + i);
        const got = await values(sub, 1000 + i, 5000); // generous for a loaded machine: a pass costs ~150 ms
        if (got === 0) lost++;
        else if (got > 1) repeats++;
      } finally {
        await closeEventConsumer(client);
        await client.close();
      }
    }
    assert.equal(lost, 0);
    assert.equal(repeats, 0);
  });
});

/** How many pushed events carrying `v` arrive within `ms` (waits the whole time after the first, to see repeats). */
async function values(sub: EventSubscription, v: number, ms: number): Promise<number> {
  let n = 0;
  let deadline = Date.now() + ms;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return n;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const r = await Promise.race([
      sub.next(),
      new Promise<undefined>((res) => {
        timer = setTimeout(() => res(undefined), left);
      }),
    ]);
    clearTimeout(timer);
    if (r === undefined || r.done) return n;
    const item: EventItem = r.value;
    if (item.kind === "value" && !item.synchronous && item.value === v) {
      if (n === 0) deadline = Date.now() + 150;
      n++;
    }
  }
}

const PY_LISTENER = `
import json, sys, tango
d = tango.DeviceProxy(sys.argv[1])
values, errors = [], []
def cb(e):
    if e.err: errors.append(e.errors[0].reason)
    else: values.append(e.attr_value.value)
d.subscribe_event("pushed_value", tango.EventType.CHANGE_EVENT, cb)
print("ready", flush=True)
sys.stdin.readline()
print(json.dumps({"values": values, "errors": errors}), flush=True)
`;

/** A PyTango 9.3 client subscribed to pushed_value change events; `stop()` returns what its callback saw. */
async function pytangoListener(device: string): Promise<{
  proc: ChildProcessWithoutNullStreams;
  stop(): Promise<{ values: number[]; errors: string[] }>;
}> {
  const proc = spawn("/usr/bin/python3", ["-c", PY_LISTENER, device], { env: { ...process.env, ORBclientTransportRule: "* tcp" } });
  let out = "";
  let err = "";
  proc.stdout.on("data", (b: Buffer) => {
    out += b.toString();
  });
  proc.stderr.on("data", (b: Buffer) => {
    err += b.toString();
  });
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const deadline = Date.now() + 20_000;
  while (!out.includes("ready\n")) {
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`PyTango listener did not start: ${err}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    proc,
    async stop() {
      await new Promise((r) => setTimeout(r, 300)); // let the last events reach its callback
      proc.stdin.end("stop\n");
      await exited;
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (!line) throw new Error(`PyTango listener gave no result: ${err}`);
      return JSON.parse(line) as { values: number[]; errors: string[] };
    },
  };
}

describe("consumer counters around replays", () => {
  test("during the replay period a counter equal to or a little below the last one is a dropped repeat, never a gap; a large step back is a restart", async () => {
    const client = new TangoContext();
    const { EventSubscription, eventConsumer } = await import("../events/consumer.ts");
    const sub = new EventSubscription(eventConsumer(client), "a/b/c", "x", "change", 10);
    try {
      const now = Date.now();
      sub.replayUntil = now + 1000;
      const seq = [5, 6, 6, 4, 6, 7, 200, 201, 3, 4].map((c) => sub.accept(c, now));
      assert.deepEqual(seq, [true, true, false, false, false, true, true, true, true, true]);
      assert.equal(sub.duplicates, 3);
      assert.equal(sub.missed, 192, "only the jump 7 → 200 is a gap");
    } finally {
      await sub.close();
      await closeEventConsumer(client);
      await client.close();
    }
  });

  test("after the replay period a step back is a restarted server counting again: delivered, never dropped", async () => {
    const client = new TangoContext();
    const { EventSubscription, eventConsumer } = await import("../events/consumer.ts");
    const sub = new EventSubscription(eventConsumer(client), "a/b/c", "x", "change", 10);
    try {
      const now = Date.now();
      sub.replayUntil = now - 1;
      const seq = [40, 41, 41, 1, 2, 3].map((c) => sub.accept(c, now));
      assert.deepEqual(seq, [true, true, false, true, true, true], "the new server's events 1, 2, 3 are not taken for repeats");
      assert.equal(sub.duplicates, 1);
      assert.equal(sub.missed, 0);
    } finally {
      await sub.close();
      await closeEventConsumer(client);
      await client.close();
    }
  });
});
