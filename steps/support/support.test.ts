/** Unit tests of the step library's building blocks: values, phase timing, the event recorder. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { DeviceClient, ReceivedEvent, Subscription } from "@tango-bdd/infra";
import { EventRecorder, on } from "./event-recorder.ts";
import { checkPhases, formatPhaseRows, phaseSpans } from "./phases.ts";
import { labelled, parseDuration, parseList, parseTangoValue, sameValue } from "./values.ts";

describe("values", () => {
  test("feature-file literals become Tango values", () => {
    assert.equal(parseTangoValue("42"), 42);
    assert.equal(parseTangoValue("-0.5"), -0.5);
    assert.equal(parseTangoValue("true"), true);
    assert.equal(parseTangoValue('"a b"'), "a b");
    assert.deepEqual(parseTangoValue("[1, 2]"), [1, 2]);
    assert.equal(parseTangoValue("PREPARE"), "PREPARE");
  });
  test("comparison handles bigint, floats, enum labels and arrays", () => {
    assert.ok(sameValue(5n, 5));
    assert.ok(sameValue(0.30000000000000004, 0.3));
    assert.ok(!sameValue(4, 5));
    assert.ok(sameValue(1, "WORK", ["PREPARE", "WORK", "REST"]));
    assert.ok(!sameValue(2, "WORK", ["PREPARE", "WORK", "REST"]));
    assert.ok(sameValue("ON", "ON"));
    assert.ok(sameValue(new Int16Array([1, 2]), [1, 2]));
    assert.equal(labelled(2, ["PREPARE", "WORK", "REST"]), "2 (REST)");
  });
  test("lists and durations", () => {
    assert.deepEqual(parseList("PREPARE, WORK and REST"), ["PREPARE", "WORK", "REST"]);
    assert.equal(parseDuration("2 s"), 2000);
    assert.equal(parseDuration("500 ms"), 500);
    assert.throws(() => parseDuration("soon"), RangeError);
  });
});

describe("phase timing", () => {
  const obs = [
    { t: 0, label: "PREPARE" },
    { t: 305, label: "WORK" },
    { t: 802, label: "REST" },
    { t: 1100, label: "WORK" },
    { t: 1101, label: "PREPARE" },
  ];
  test("spans start at the action and end at the next observed change", () => {
    const spans = phaseSpans(obs, 5);
    assert.deepEqual(
      spans.map((s) => [s.label, s.from, s.to]),
      [
        ["PREPARE", 5, 305],
        ["WORK", 305, 802],
        ["REST", 802, 1100],
        ["WORK", 1100, 1101],
        ["PREPARE", 1101, undefined],
      ],
    );
  });
  test("durations are compared with the nominal ones within a tolerance", () => {
    const spans = phaseSpans(obs, 5);
    const ok = checkPhases(
      spans,
      [
        { label: "PREPARE", nominalMs: 300 },
        { label: "WORK", nominalMs: 500 },
        { label: "REST", nominalMs: 300 },
      ],
      5,
    );
    assert.equal(ok.ok, true, ok.problem);
    assert.equal(ok.rows[1]?.measuredMs, 497);
    const late = checkPhases(spans, [{ label: "PREPARE", nominalMs: 250 }], 5);
    assert.equal(late.ok, false);
    assert.match(late.problem ?? "", /PREPARE\) lasted 300\.0 ms, nominal 250 ms/);
    const order = checkPhases(spans, [{ label: "WORK", nominalMs: 300 }], 5);
    assert.match(order.problem ?? "", /phase 1 should be WORK/);
    assert.match(formatPhaseRows(ok.rows), /WORK\s+500 ms\s+497\.0 ms\s+-0\.60 %/);
  });
});

/** A device whose subscription yields the given items, then waits until closed. */
function fakeDevice(name: string, items: ReceivedEvent[], reads: unknown[] = []): DeviceClient {
  const never = async (): Promise<never> => {
    throw new Error("unused");
  };
  let i = 0;
  return {
    name,
    ping: never,
    state: never,
    status: never,
    read: async () => reads[Math.min(i++, reads.length - 1)],
    write: never,
    command: never,
    async subscribe(): Promise<Subscription> {
      let closed = false;
      let wake: () => void = () => undefined;
      const sub: Subscription = {
        async close() {
          closed = true;
          wake();
        },
        [Symbol.asyncDispose]: async () => sub.close(),
        async *[Symbol.asyncIterator]() {
          for (const it of items) yield it;
          while (!closed) await new Promise<void>((r) => (wake = r));
        },
      };
      return sub;
    },
  };
}

describe("event recorder", () => {
  test("records pushed events apart from the synchronous read, and waits for future ones", async () => {
    const rec = new EventRecorder();
    const dev = fakeDevice("test/counter/rest", [
      { kind: "value", value: 3, synchronous: true },
      { kind: "value", value: 0 },
      { kind: "error", error: { errors: [{ reason: "API_EventTimeout", desc: "no heartbeat" }] } },
    ]);
    await rec.subscribe(dev, "value");
    const zero = await rec.waitFor((r) => on("test/counter/rest", "value")(r) && r.value === 0, 1000);
    assert.equal(zero?.value, 0);
    const errors = await rec.waitFor(on("test/counter/rest", "value", { kinds: ["error"] }), 1000);
    assert.equal(errors?.error, "API_EventTimeout: no heartbeat");
    assert.equal(rec.select(on("test/counter/rest", "value")).length, 1, "the synchronous read is not a pushed event");
    assert.equal(await rec.waitFor((r) => r.value === 99, 30), undefined);
    await rec.close();
  });

  test("observes attribute changes by reading, recording only changes", async () => {
    const rec = new EventRecorder();
    rec.observe(fakeDevice("test/tabata/1", [], [0, 0, 0, 1, 1, 2]), "running_state", 1);
    await rec.waitFor((r) => r.value === 2, 2000);
    await rec.close();
    assert.deepEqual(
      rec.entries.map((e) => [e.kind, e.value]),
      [
        ["observed", 0],
        ["observed", 1],
        ["observed", 2],
      ],
    );
    assert.ok(rec.entries.every((e, i, a) => i === 0 || e.t >= (a[i - 1]?.t ?? 0)));
  });

  test("samples several attributes in parallel, records changes and the first failure of a streak, stops on close", async () => {
    const rec = new EventRecorder();
    let n = 0;
    let down = false;
    const counter: DeviceClient = {
      ...fakeDevice("test/counter/work", []),
      read: async () => {
        if (down) throw { errors: [{ reason: "API_CantConnect", desc: "refused" }] };
        return Math.max(0, 3 - Math.floor(n++ / 2));
      },
    };
    const tabata: DeviceClient = { ...fakeDevice("test/tabata/1", []), state: async () => "ON" };
    rec.sample(
      [
        { dev: counter, attribute: "value" },
        { dev: tabata, attribute: "State" },
      ],
      1,
    );
    rec.sample([{ dev: counter, attribute: "value" }], 1); // idempotent per target
    await rec.waitFor((r) => r.kind === "sampled" && r.value === 0, 2000);
    down = true;
    await rec.waitFor((r) => r.kind === "sampled" && r.error !== undefined, 2000);
    const rounds = rec.sampleRounds;
    await new Promise((r) => setTimeout(r, 30));
    await rec.close();
    const after = rec.sampleRounds;
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(rec.sampleRounds, after, "no sampling after close");
    assert.ok(rounds > 4);
    assert.equal(rec.sampleIntervalMs, 1);
    const values = rec.entries.filter((e) => e.device === "test/counter/work" && e.error === undefined).map((e) => e.value);
    assert.deepEqual(values, [3, 2, 1, 0], "one entry per change, not per read");
    assert.equal(rec.entries.filter((e) => e.error !== undefined).length, 1, "a failing streak is recorded once");
    assert.match(rec.entries.find((e) => e.error)?.error ?? "", /API_CantConnect: refused/);
    assert.deepEqual(
      rec.entries.filter((e) => e.device === "test/tabata/1").map((e) => [e.kind, e.attribute, e.value]),
      [["sampled", "State", "ON"]],
    );
    assert.equal(rec.select(on("test/counter/work", "value")).length, 0, "samples are not events for the assertions");
  });

  test("wakeSamplers makes the sampler read at once instead of at its next period", async () => {
    const rec = new EventRecorder();
    let value = 1;
    const counter: DeviceClient = { ...fakeDevice("test/counter/work", []), read: async () => value };
    rec.sample([{ dev: counter, attribute: "value" }], 60_000);
    await rec.waitFor((r) => r.value === 1, 1000);
    value = 2;
    rec.wakeSamplers();
    assert.equal((await rec.waitFor((r) => r.value === 2, 1000))?.kind, "sampled");
    await rec.close();
  });
});
