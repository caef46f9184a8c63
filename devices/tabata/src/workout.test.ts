/**
 * The workout state machine alone: in-memory counters that behave like the Counter device (an event when the value
 * lands on 0, delivered asynchronously and one at a time, like the Tango event thread), driven tick by tick.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Logger } from "@tango-bdd/tango";
import { AsyncLock } from "./async-lock.ts";
import { RunningState } from "./running-state.ts";
import { COUNTER_ROLES, type CounterPort, type CounterRole, Workout, type WorkoutSettings } from "./workout.ts";

const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

class Rig {
  readonly values: Record<CounterRole, number> = { prepare: 0, work: 0, rest: 0, cycles: 0, tabatas: 0 };
  readonly calls: string[] = [];
  running = false;
  #chain: Promise<void> = Promise.resolve();
  readonly workout: Workout;

  constructor(settings: Partial<WorkoutSettings>) {
    this.workout = new Workout((role) => this.port(role), {
      isRunning: () => this.running,
      finish: () => {
        this.running = false;
      },
      logger: quiet,
    });
    Object.assign(this.workout.settings, settings);
  }

  port(role: CounterRole): CounterPort {
    const move = async (v: number): Promise<number> => {
      await new Promise<void>((r) => setImmediate(r)); // a remote call takes a turn of the loop
      this.values[role] = v;
      // Like Counter: the change event is pushed only when the value lands on fire_event_at (0).
      if (v === 0) this.#chain = this.#chain.then(() => this.workout.onCounterEvent([role], v));
      return v;
    };
    return {
      decrement: () => {
        this.calls.push(`${role}--`);
        return move(this.values[role] - 1);
      },
      reset: (v) => {
        this.calls.push(`${role}=${v}`);
        return move(v);
      },
    };
  }

  /** Runs ticks until the workout ends (or `max`); returns the phase of every tick. */
  async run(kind: "locked" | "snapshot", max = 1000): Promise<RunningState[]> {
    const phases: RunningState[] = [];
    this.running = true;
    while (this.running && phases.length < max) {
      phases.push(this.workout.runningState);
      await (kind === "locked" ? this.workout.lockedTick() : this.workout.snapshotTick());
      // The tick's sleep: long enough for the event chain to settle (sleep_time ≫ event latency).
      let seen: Promise<void>;
      do {
        seen = this.#chain;
        await seen;
        for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
      } while (seen !== this.#chain);
    }
    return phases;
  }
}

function runs(phases: readonly RunningState[]): string[] {
  const names = ["PREPARE", "WORK", "REST"];
  const out: string[] = [];
  for (const p of phases) {
    const label = `${names[p]}`;
    const last = out[out.length - 1];
    if (last?.startsWith(`${label}×`)) out[out.length - 1] = `${label}×${Number(last.split("×")[1]) + 1}`;
    else out.push(`${label}×1`);
  }
  return out;
}

describe("Workout", () => {
  test("5/5/5/1/1: PREPARE once, then WORK and REST, 15 ticks, counters reset except tabatas (0)", async () => {
    const rig = new Rig({ prepare: 5, work: 5, rest: 5, cycles: 1, tabatas: 1 });
    await rig.workout.resetCounters({ resetRunningState: true });
    assert.deepEqual(rig.values, { prepare: 5, work: 5, rest: 5, cycles: 1, tabatas: 1 });
    const phases = await rig.run("locked");
    assert.deepEqual(runs(phases), ["PREPARE×5", "WORK×5", "REST×5"]);
    assert.equal(rig.running, false);
    assert.equal(rig.workout.runningState, RunningState.PREPARE);
    assert.deepEqual(rig.values, { prepare: 5, work: 5, rest: 5, cycles: 1, tabatas: 0 });
  });

  test("2 cycles × 2 tabatas: prepare + tabatas × cycles × (work + rest) ticks", async () => {
    const rig = new Rig({ prepare: 3, work: 2, rest: 1, cycles: 2, tabatas: 2 });
    await rig.workout.resetCounters({ resetRunningState: true });
    const phases = await rig.run("snapshot");
    assert.equal(phases.length, 3 + 2 * 2 * (2 + 1));
    assert.deepEqual(runs(phases), ["PREPARE×3", "WORK×2", "REST×1", "WORK×2", "REST×1", "WORK×2", "REST×1", "WORK×2", "REST×1"]);
    assert.deepEqual(rig.values, { prepare: 3, work: 2, rest: 1, cycles: 2, tabatas: 0 });
  });

  test("events are ignored when not running or when the value is not exactly 0", async () => {
    const rig = new Rig({});
    await rig.workout.onCounterEvent(["prepare"], 0); // OFF
    rig.running = true;
    await rig.workout.onCounterEvent(["prepare"], -1);
    await rig.workout.onCounterEvent(["work"], 1);
    assert.deepEqual(rig.calls, []);
    assert.equal(rig.workout.runningState, RunningState.PREPARE);
    await rig.workout.onCounterEvent(["prepare"], 0);
    assert.deepEqual(rig.calls, ["prepare=10"]);
    assert.equal(rig.workout.runningState, RunningState.WORK);
  });

  test("rest → 0 resets rest, goes back to WORK and decrements cycles; cycles → 0 decrements tabatas", async () => {
    const rig = new Rig({ cycles: 3 });
    rig.running = true;
    rig.values.cycles = 2;
    rig.values.tabatas = 4;
    await rig.workout.onCounterEvent(["rest"], 0);
    assert.deepEqual(rig.calls, ["rest=10", "cycles--"]);
    assert.equal(rig.workout.runningState, RunningState.WORK);
    await rig.workout.onCounterEvent(["cycles"], 0);
    assert.deepEqual(rig.calls.slice(2), ["cycles=3", "tabatas--"]);
    assert.equal(rig.values.tabatas, 3);
    await rig.workout.onCounterEvent(["tabatas"], 0);
    assert.equal(rig.running, false);
    assert.equal(rig.calls.length, 4, "the tabatas counter is not reset");
  });

  test("a device named by two properties runs both transitions, in property order", async () => {
    const rig = new Rig({});
    rig.running = true;
    await rig.workout.onCounterEvent(["prepare", "work"], 0);
    assert.deepEqual(rig.calls, ["prepare=10", "work=20"]);
    assert.equal(rig.workout.runningState, RunningState.REST);
  });

  test("resetCounters: Tabata flavour resets running_state, AsyncTabata flavour does not", async () => {
    const rig = new Rig({});
    rig.workout.runningState = RunningState.REST;
    await rig.workout.resetCounters({ resetRunningState: false });
    assert.equal(rig.workout.runningState, RunningState.REST);
    assert.deepEqual(
      rig.calls,
      COUNTER_ROLES.map((r) => `${r}=${rig.workout.settings[r]}`),
    );
    await rig.workout.resetCounters({ resetRunningState: true });
    assert.equal(rig.workout.runningState, RunningState.PREPARE);
  });
});

describe("AsyncLock", () => {
  test("serializes holders in arrival order and is released after a throw", async () => {
    const lock = new AsyncLock();
    const order: string[] = [];
    const a = lock.run(async () => {
      order.push("a+");
      await new Promise<void>((r) => setTimeout(r, 5));
      order.push("a-");
    });
    const b = lock.run(() => {
      order.push("b");
      throw new Error("boom");
    });
    const c = lock.run(() => {
      order.push("c");
    });
    await a;
    await assert.rejects(b, /boom/);
    await c;
    assert.deepEqual(order, ["a+", "a-", "b", "c"]);
    assert.equal(lock.locked, false);
  });
});
