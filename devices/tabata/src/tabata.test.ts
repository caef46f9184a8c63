/**
 * Tabata and AsyncTabata through the in-process multi-device context (no database): five Counters and the Tabata
 * device in one server, the Tabata's counter properties pointing at `tango://127.0.0.1:<port>/test/counter/<x>#dbase=no`.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DevFailed, type DeviceProxy } from "@tango-bdd/tango";
import type { DeviceClass } from "@tango-bdd/tango/server";
import { freePort, MultiDeviceTestContext } from "@tango-bdd/tango/testing";
import { AsyncTabata } from "./async-tabata.ts";
import { Counter } from "./counter.ts";
import { RunningState } from "./running-state.ts";
import { Tabata } from "./tabata.ts";
import { COUNTER_ROLES, type CounterRole } from "./workout.ts";

const PROPERTY: Readonly<Record<CounterRole, string>> = {
  prepare: "prepCounter",
  work: "workCounter",
  rest: "restCounter",
  cycles: "cycleCounter",
  tabatas: "tabatasCounter",
};
const COUNTER = (role: CounterRole): string => `test/counter/${role}`;
const TABATA = "test/tabata/1";

interface Rig {
  readonly ctx: MultiDeviceTestContext;
  readonly tabata: DeviceProxy;
  counter(role: CounterRole): Promise<DeviceProxy>;
  counters(): Promise<Record<CounterRole, number>>;
}

async function startRig(Cls: DeviceClass, extra: Record<string, string> = {}): Promise<Rig> {
  const port = await freePort();
  const props: Record<string, string> = { ...extra };
  for (const r of COUNTER_ROLES) props[PROPERTY[r]] = `tango://127.0.0.1:${port}/${COUNTER(r)}#dbase=no`;
  const ctx = await MultiDeviceTestContext.start({
    port,
    timeoutMs: 10000,
    devices: [
      { class: Counter, devices: COUNTER_ROLES.map((r) => ({ name: COUNTER(r) })) },
      { class: Cls, devices: [{ name: TABATA, properties: props }] },
    ],
  });
  const tabata = await ctx.proxy(TABATA);
  return {
    ctx,
    tabata,
    counter: (role) => ctx.proxy(COUNTER(role)),
    async counters() {
      const out = {} as Record<CounterRole, number>;
      for (const r of COUNTER_ROLES) out[r] = (await (await ctx.proxy(COUNTER(r))).read("value")).value as number;
      return out;
    },
  };
}

async function setup(p: DeviceProxy, v: Record<CounterRole, number>): Promise<void> {
  for (const r of COUNTER_ROLES) await p.write(r, v[r]);
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls State and running_state until State is OFF again; returns the distinct phases seen in order. */
async function watchWorkout(p: DeviceProxy, pollMs: number, maxMs: number): Promise<{ phases: number[]; states: string[] }> {
  const phases: number[] = [];
  const states: string[] = [];
  const end = Date.now() + maxMs;
  for (;;) {
    const state = await p.state();
    const phase = (await p.read("running_state")).value as number;
    if (states[states.length - 1] !== state) states.push(state);
    if (phases[phases.length - 1] !== phase) phases.push(phase);
    if (state === "OFF") return { phases, states };
    if (Date.now() > end) throw new Error(`workout still running after ${maxMs} ms (phases ${phases.join(",")})`);
    await delay(pollMs);
  }
}

/**
 * PREPARE → WORK → REST, then (after the last REST) WORK for the instant of the cycles/tabatas event chain, maybe
 * seen by the poller, then PREPARE with State OFF.
 */
function assertPhases(phases: readonly number[]): void {
  const { PREPARE, WORK, REST } = RunningState;
  const ok = [
    [PREPARE, WORK, REST, PREPARE],
    [PREPARE, WORK, REST, WORK, PREPARE],
  ].some((x) => JSON.stringify(x) === JSON.stringify(phases));
  assert.ok(ok, `phase sequence ${phases.join(",")}`);
}

/** Resolves when State is `state` (polling). */
async function waitState(p: DeviceProxy, state: string, maxMs = 5000): Promise<void> {
  const end = Date.now() + maxMs;
  while ((await p.state()) !== state) {
    if (Date.now() > end) throw new Error(`State never became ${state}`);
    await delay(10);
  }
}

function failureText(e: unknown): string {
  return e instanceof DevFailed ? e.errors.map((x) => `${x.reason}: ${x.desc}`).join(" | ") : String(e);
}

describe("Tabata", () => {
  test("defaults, enum labels, and the first request subscribes and resets the counters", async () => {
    const rig = await startRig(Tabata);
    await using _ = rig.ctx;
    const before = await rig.counters();
    assert.deepEqual(
      before,
      { prepare: 0, work: 0, rest: 0, cycles: 0, tabatas: 0 },
      "nothing happens before the first request to the Tabata",
    );
    assert.equal(await rig.tabata.state(), "OFF");
    assert.equal(await rig.tabata.status(), "The device is in OFF state.");
    assert.deepEqual(await rig.counters(), { prepare: 10, work: 20, rest: 10, cycles: 8, tabatas: 1 });
    const values = await rig.tabata.readMany(["prepare", "work", "rest", "cycles", "tabatas", "running_state"]);
    assert.deepEqual(
      values.map((v) => v.value),
      [10, 20, 10, 8, 1, RunningState.PREPARE],
    );
    const [rs] = await rig.tabata.getAttributeConfig(["running_state"]);
    assert.equal(rs?.dataTypeName, "DevEnum");
    assert.deepEqual(rs?.enumLabels, ["PREPARE", "WORK", "REST"]);
    const [prep] = await rig.tabata.getAttributeConfig(["prepare"]);
    assert.equal(prep?.dataTypeName, "DevUShort");
    assert.equal(prep?.writableName, "READ_WRITE");
    const cmds = (await rig.tabata.commandList()).map((c) => c.name);
    for (const c of ["Start", "Stop", "ResetCounters"]) assert.ok(cmds.includes(c), c);
    assert.ok(!cmds.includes("Run"));
  });

  test("write rules: values stored; 0 refused for work/rest/cycles/tabatas (accepted for prepare)", async () => {
    const rig = await startRig(Tabata);
    await using _ = rig.ctx;
    const p = rig.tabata;
    await setup(p, { prepare: 5, work: 40, rest: 15, cycles: 16, tabatas: 2 });
    for (const r of ["work", "rest", "cycles", "tabatas"] as const) {
      await assert.rejects(p.write(r, 0), (e: unknown) => {
        assert.match(failureText(e), /PyDs_PythonError: Exception: only positive value!/);
        return true;
      });
    }
    await assert.rejects(p.write("prepare", -10), "negative values do not fit a DevUShort");
    const values = await p.readMany(["prepare", "work", "rest", "cycles", "tabatas"]);
    assert.deepEqual(
      values.map((v) => v.value),
      [5, 40, 15, 16, 2],
    );
    await p.write("prepare", 0);
    assert.equal((await p.read("prepare")).value, 0);
  });

  test("a complete workout: PREPARE → WORK → REST, State ON then OFF, final counters, guards while running", async () => {
    const rig = await startRig(Tabata, { sleep_time: "0.05" });
    await using _ = rig.ctx;
    const p = rig.tabata;
    await setup(p, { prepare: 5, work: 5, rest: 5, cycles: 1, tabatas: 1 });
    await p.command("ResetCounters");
    assert.deepEqual(await rig.counters(), { prepare: 5, work: 5, rest: 5, cycles: 1, tabatas: 1 });
    await p.command("Start");
    await assert.rejects(p.command("Start"), (e: unknown) => {
      assert.match(failureText(e), /API_CommandNotAllowed: Command Start not allowed when the device is in ON state/);
      return true;
    });
    await assert.rejects(p.command("ResetCounters"), /not allowed/);
    await assert.rejects(p.write("work", 3), (e: unknown) => {
      assert.match(failureText(e), /cannot change values when device is running!/);
      return true;
    });
    assert.equal(await p.state(), "ON");
    const seen = await watchWorkout(p, 5, 20000);
    assert.deepEqual(seen.states, ["ON", "OFF"]);
    assertPhases(seen.phases);
    const end = await rig.counters();
    // The worker may slip one WORK decrement in between the rest and cycles events (as the original can).
    assert.ok(end.work === 5 || end.work === 4, `work counter ${end.work}`);
    assert.deepEqual({ ...end, work: 5 }, { prepare: 5, work: 5, rest: 5, cycles: 1, tabatas: 0 }, "all reset but tabatas (0)");
    await assert.rejects(p.command("Stop"), /not allowed when the device is in OFF state/);
  });

  test("Stop mid-run freezes counters and phase; Start resumes; ResetCounters restores counters and PREPARE", async () => {
    const rig = await startRig(Tabata, { sleep_time: "0.02" });
    await using _ = rig.ctx;
    const p = rig.tabata;
    await setup(p, { prepare: 3, work: 50, rest: 5, cycles: 2, tabatas: 1 });
    await p.command("ResetCounters");
    await p.command("Start");
    while (((await p.read("running_state")).value as number) !== RunningState.WORK) await delay(10);
    await delay(100);
    await p.command("Stop"); // returns once the worker loop has exited
    assert.equal(await p.state(), "OFF");
    const frozen = await rig.counters();
    assert.ok(frozen.work < 50 && frozen.work > 0, `work counter part-way: ${frozen.work}`);
    assert.deepEqual({ ...frozen, work: 0 }, { prepare: 3, work: 0, rest: 5, cycles: 2, tabatas: 1 });
    await delay(150);
    assert.deepEqual(await rig.counters(), frozen, "nothing moves after Stop");
    assert.equal((await p.read("running_state")).value, RunningState.WORK, "Stop keeps the phase");
    await p.command("Start");
    await delay(100);
    await p.command("Stop");
    const resumed = await rig.counters();
    assert.ok(resumed.work < frozen.work, "Start resumes where Stop left");
    assert.equal(resumed.prepare, 3, "no new PREPARE phase");
    await p.command("ResetCounters");
    assert.deepEqual(await rig.counters(), { prepare: 3, work: 50, rest: 5, cycles: 2, tabatas: 1 });
    assert.equal((await p.read("running_state")).value, RunningState.PREPARE);
  });
  test("Init while running: the worker stops, defaults come back, the next request subscribes and resets again", async () => {
    const rig = await startRig(Tabata, { sleep_time: "0.02" });
    await using _ = rig.ctx;
    const p = rig.tabata;
    await setup(p, { prepare: 3, work: 50, rest: 5, cycles: 2, tabatas: 1 });
    await p.command("ResetCounters");
    await p.command("Start");
    while (((await p.read("running_state")).value as number) !== RunningState.WORK) await delay(10);
    await p.command("Init");
    assert.equal(await p.state(), "OFF");
    assert.deepEqual(await rig.counters(), { prepare: 10, work: 20, rest: 10, cycles: 8, tabatas: 1 });
    assert.equal((await p.read("running_state")).value, RunningState.PREPARE);
    await delay(100);
    assert.deepEqual(await rig.counters(), { prepare: 10, work: 20, rest: 10, cycles: 8, tabatas: 1 }, "the old worker is gone");
    // The new subscriptions drive a workout as before.
    await setup(p, { prepare: 2, work: 2, rest: 2, cycles: 1, tabatas: 1 });
    await p.command("ResetCounters");
    await p.command("Start");
    const seen = await watchWorkout(p, 5, 10000);
    assertPhases(seen.phases);
    assert.equal((await rig.counters()).tabatas, 0);
  });
});

describe("AsyncTabata", () => {
  test("interface: Run instead of Start, no sleep_time property", async () => {
    const rig = await startRig(AsyncTabata);
    await using _ = rig.ctx;
    const cmds = (await rig.tabata.commandList()).map((c) => c.name);
    for (const c of ["Run", "Stop", "ResetCounters"]) assert.ok(cmds.includes(c), c);
    assert.ok(!cmds.includes("Start"));
    assert.equal(await rig.tabata.state(), "OFF");
    assert.deepEqual(await rig.counters(), { prepare: 10, work: 20, rest: 10, cycles: 8, tabatas: 1 });
  });

  test("Run replies when the workout is over; State and attributes are served meanwhile (1 s ticks)", async () => {
    const rig = await startRig(AsyncTabata);
    await using _ = rig.ctx;
    const p = rig.tabata;
    await setup(p, { prepare: 2, work: 1, rest: 1, cycles: 1, tabatas: 1 });
    await p.command("ResetCounters");
    let replied = false;
    const run = p.command("Run", undefined, { timeoutMs: 15000 }).then(
      () => {
        replied = true;
      },
      (e: unknown) => e,
    );
    await waitState(p, "ON");
    const seen = await watchWorkout(p, 50, 10000);
    assert.equal(await run, undefined, "Run succeeded");
    assert.ok(replied);
    assertPhases(seen.phases);
    assert.deepEqual(await rig.counters(), { prepare: 2, work: 1, rest: 1, cycles: 1, tabatas: 0 });
  });

  test("Stop returns at once and ends Run within a tick; ResetCounters keeps running_state", async () => {
    const rig = await startRig(AsyncTabata);
    await using _ = rig.ctx;
    const p = rig.tabata;
    await setup(p, { prepare: 1, work: 30, rest: 5, cycles: 1, tabatas: 1 });
    await p.command("ResetCounters");
    const run = p.command("Run", undefined, { timeoutMs: 15000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    await assert.rejects(p.command("Run"), /not allowed when the device is in ON state/);
    while (((await p.read("running_state")).value as number) !== RunningState.WORK) await delay(50);
    await delay(1200); // at least one WORK tick
    const t0 = performance.now();
    await p.command("Stop");
    const stopMs = performance.now() - t0;
    assert.equal(await run, undefined, "Run succeeded");
    const runEndMs = performance.now() - t0;
    assert.equal(await p.state(), "OFF");
    assert.ok(stopMs < runEndMs, "Stop replies before Run");
    const frozen = await rig.counters();
    assert.ok(frozen.work < 30, `work counter part-way: ${frozen.work}`);
    await p.command("ResetCounters");
    assert.deepEqual(await rig.counters(), { prepare: 1, work: 30, rest: 5, cycles: 1, tabatas: 1 });
    assert.equal((await p.read("running_state")).value, RunningState.WORK, "AsyncTabata's ResetCounters keeps the phase");
  });
});
