/**
 * The workout logic shared by Tabata and AsyncTabata, independent of Tango: five counters (prepare, work, rest,
 * cycles, tabatas), the running phase, and the lock that pairs each counter operation with its phase change.
 *
 * Phase sequence (ska-tango-examples `Tabata.py`): every tick decrements the counter of the current phase; when a
 * counter reaches 0 its change event drives the transition:
 *   prepare → 0: reset prepare, phase WORK
 *   work    → 0: reset work, phase REST
 *   rest    → 0: reset rest, phase WORK, cycles − 1
 *   cycles  → 0: reset cycles, tabatas − 1
 *   tabatas → 0: phase PREPARE, State OFF (the tabatas counter is left at 0)
 * so PREPARE happens once per workout, then `cycles × (WORK, REST)` per tabata, `tabatas` times.
 */
import type { Logger } from "@tango-bdd/tango";
import { AsyncLock } from "./async-lock.ts";
import { RunningState } from "./running-state.ts";

export type CounterRole = "prepare" | "work" | "rest" | "cycles" | "tabatas";
/** Subscription / reset order of the originals. */
export const COUNTER_ROLES: readonly CounterRole[] = ["prepare", "work", "rest", "cycles", "tabatas"];

/** The counter of each running phase. */
export const PHASE_COUNTER: Readonly<Record<RunningState, CounterRole>> = {
  [RunningState.PREPARE]: "prepare",
  [RunningState.WORK]: "work",
  [RunningState.REST]: "rest",
};

/** What the workout needs from a counter device. */
export interface CounterPort {
  decrement(): Promise<unknown>;
  reset(value: number): Promise<unknown>;
}

export type WorkoutSettings = Record<CounterRole, number>;

/** Attribute defaults of the originals' init_device. */
export const DEFAULT_SETTINGS: Readonly<WorkoutSettings> = { prepare: 10, work: 20, rest: 10, cycles: 8, tabatas: 1 };

export interface WorkoutHost {
  /** State == ON. */
  isRunning(): boolean;
  /** The workout is over: State := OFF. */
  finish(): void;
  readonly logger: Logger;
}

export class Workout {
  readonly settings: WorkoutSettings = { ...DEFAULT_SETTINGS };
  runningState: RunningState = RunningState.PREPARE;
  /** The device's `threading.Lock`. */
  readonly lock = new AsyncLock();
  readonly #counter: (role: CounterRole) => CounterPort;
  readonly #host: WorkoutHost;

  constructor(counter: (role: CounterRole) => CounterPort, host: WorkoutHost) {
    this.#counter = counter;
    this.#host = host;
  }

  /**
   * Under the lock: optionally phase := PREPARE (Tabata does, AsyncTabata does not), then CounterReset of the five
   * counters to the configured values, in order.
   */
  async resetCounters(opts: { resetRunningState: boolean }): Promise<void> {
    await this.lock.run(async () => {
      if (opts.resetRunningState) this.runningState = RunningState.PREPARE;
      for (const role of COUNTER_ROLES) await this.#counter(role).reset(this.settings[role]);
    });
  }

  /** Tabata tick: under the lock, decrement the counter of the current phase (read under the lock). */
  async lockedTick(): Promise<void> {
    await this.lock.run(async () => {
      const role = PHASE_COUNTER[this.runningState];
      this.#host.logger.debug(`${roleLabel(role)} tick`);
      await this.#counter(role).decrement();
    });
  }

  /** AsyncTabata tick: the phase is read first (outside the lock), then its counter is decremented under the lock. */
  async snapshotTick(): Promise<void> {
    const role = PHASE_COUNTER[this.runningState];
    this.#host.logger.debug(`${roleLabel(role)} tick`);
    await this.lock.run(() => this.#counter(role).decrement());
  }

  /**
   * Change event of a counter whose device is named by the properties of `roles` (normally exactly one). Ignored
   * unless the event's value is exactly 0 and the device is running; then each matching transition runs in order.
   */
  async onCounterEvent(roles: readonly CounterRole[], value: unknown): Promise<void> {
    if (value !== 0 || !this.#host.isRunning()) return;
    for (const role of roles) await this.#transition(role);
  }

  async #transition(role: CounterRole): Promise<void> {
    const log = this.#host.logger;
    switch (role) {
      case "prepare":
        await this.lock.run(async () => {
          await this.#counter("prepare").reset(this.settings.prepare);
          this.runningState = RunningState.WORK;
        });
        log.debug("PREPARE -> WORK");
        return;
      case "work":
        await this.lock.run(async () => {
          await this.#counter("work").reset(this.settings.work);
          this.runningState = RunningState.REST;
        });
        log.debug("WORK -> REST");
        return;
      case "rest":
        await this.lock.run(async () => {
          await this.#counter("rest").reset(this.settings.rest);
          this.runningState = RunningState.WORK;
          await this.#counter("cycles").decrement();
        });
        log.debug("REST -> WORK");
        return;
      case "cycles":
        await this.lock.run(async () => {
          await this.#counter("cycles").reset(this.settings.cycles);
          await this.#counter("tabatas").decrement();
        });
        log.debug("TABATA DONE");
        return;
      case "tabatas":
        await this.lock.run(() => {
          this.runningState = RunningState.PREPARE;
          this.#host.finish();
        });
        log.debug("WORKOUT DONE");
        return;
    }
  }
}

function roleLabel(role: CounterRole): string {
  return role.toUpperCase();
}
