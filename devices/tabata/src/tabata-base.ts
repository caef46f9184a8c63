/**
 * What Tabata and AsyncTabata share (ska-tango-examples `Tabata.py` / `AsyncTabata.py`): the five counter-name
 * properties, the prepare/work/rest/cycles/tabatas settings with their write rules, `running_state`, the lazy
 * subscription + counter reset done by the first request (always_executed_hook), and the counter event handler.
 * Not a Tango class by itself (no @device): the subclasses add the commands and the serialization model.
 */
import { DevFailed, devError, type TangoContext } from "@tango-bdd/tango";
import { attribute, DevEnum, Device, DevString, DevUShort, deviceProperty } from "@tango-bdd/tango/server";
import { CounterLinks } from "./counter-links.ts";
import { RUNNING_STATE_LABELS, type RunningState } from "./running-state.ts";
import { type CounterRole, Workout } from "./workout.ts";

/** Default counter device names (properties prepCounter ... tabatasCounter). */
export const DEFAULT_COUNTERS: Readonly<Record<CounterRole, string>> = {
  prepare: "test/counter/prepare",
  work: "test/counter/work",
  rest: "test/counter/rest",
  cycles: "test/counter/cycles",
  tabatas: "test/counter/tabatas",
};

/**
 * A Python `Exception(msg)` raised in a PyTango device reaches clients as one DevError with reason PyDs_PythonError
 * and desc "Exception: msg\n" (the client adds its own API_AttributeFailed / API_CommandFailed frame).
 */
export function pythonError(msg: string, origin: string): DevFailed {
  return new DevFailed([devError("PyDs_PythonError", `Exception: ${msg}\n`, origin)]);
}

export abstract class TabataBase extends Device {
  @deviceProperty({ dtype: DevString, default: DEFAULT_COUNTERS.prepare })
  accessor prepCounter: string = DEFAULT_COUNTERS.prepare;
  @deviceProperty({ dtype: DevString, default: DEFAULT_COUNTERS.work })
  accessor workCounter: string = DEFAULT_COUNTERS.work;
  @deviceProperty({ dtype: DevString, default: DEFAULT_COUNTERS.rest })
  accessor restCounter: string = DEFAULT_COUNTERS.rest;
  /** Singular, as in the originals. */
  @deviceProperty({ dtype: DevString, default: DEFAULT_COUNTERS.cycles })
  accessor cycleCounter: string = DEFAULT_COUNTERS.cycles;
  @deviceProperty({ dtype: DevString, default: DEFAULT_COUNTERS.tabatas })
  accessor tabatasCounter: string = DEFAULT_COUNTERS.tabatas;

  #workout: Workout | undefined;
  #links: CounterLinks | undefined;
  #subscribed = false;
  #starting: Promise<void> | undefined;

  /** AsyncTabata's writes take the device lock; Tabata's do not. */
  protected abstract readonly lockedWrites: boolean;
  /** Whether the internal counter reset also sets running_state back to PREPARE (Tabata: yes, AsyncTabata: no). */
  protected abstract readonly resetRunsState: boolean;

  protected get workout(): Workout {
    if (!this.#workout) throw DevFailed.from("API_DeviceNotInitialised", `${this.name} is not initialised`, `${this.className}::workout`);
    return this.#workout;
  }

  /** The client context used to reach the counters (owned by the server). */
  protected clientContext(): TangoContext {
    return this.tangoContext;
  }

  // --------------------------------------------------------------------------------------------- attributes

  @attribute({ dtype: DevUShort, access: "READ_WRITE", write: (d, v: number) => (d as TabataBase).writeSetting("prepare", v) })
  get prepare(): number {
    return this.workout.settings.prepare;
  }
  @attribute({ dtype: DevUShort, access: "READ_WRITE", write: (d, v: number) => (d as TabataBase).writeSetting("work", v) })
  get work(): number {
    return this.workout.settings.work;
  }
  @attribute({ dtype: DevUShort, access: "READ_WRITE", write: (d, v: number) => (d as TabataBase).writeSetting("rest", v) })
  get rest(): number {
    return this.workout.settings.rest;
  }
  @attribute({ dtype: DevUShort, access: "READ_WRITE", write: (d, v: number) => (d as TabataBase).writeSetting("cycles", v) })
  get cycles(): number {
    return this.workout.settings.cycles;
  }
  @attribute({ dtype: DevUShort, access: "READ_WRITE", write: (d, v: number) => (d as TabataBase).writeSetting("tabatas", v) })
  get tabatas(): number {
    return this.workout.settings.tabatas;
  }

  @attribute({ name: "running_state", dtype: DevEnum, enumLabels: RUNNING_STATE_LABELS })
  get runningState(): RunningState {
    return this.workout.runningState;
  }

  /** Write rules of the originals: prepare ≥ 0, the others ≥ 1, nothing while running. */
  async writeSetting(role: CounterRole, value: number): Promise<void> {
    const origin = `${this.className}.write_${role}`;
    if (value < (role === "prepare" ? 0 : 1)) throw pythonError("only positive value!", origin);
    if (this.getState() === "ON") throw pythonError("cannot change values when device is running!", origin);
    const w = this.workout;
    if (this.lockedWrites) {
      await w.lock.run(() => {
        w.settings[role] = value;
      });
    } else {
      w.settings[role] = value;
    }
  }

  // --------------------------------------------------------------------------------------------- lifecycle

  override async init(): Promise<void> {
    await this.#closeLinks();
    this.#workout = new Workout((role) => this.#linksOrFail().port(role), {
      isRunning: () => this.getState() === "ON",
      finish: () => this.setState("OFF"),
      logger: this.logger,
    });
    this.#subscribed = false;
    this.setState("OFF");
  }

  override async delete(): Promise<void> {
    await this.#closeLinks();
  }

  /**
   * First request after init: subscribe to the five counters, then reset them (the originals' lazy start).
   * Concurrent first requests (NO_SYNC) share one run, as the originals' blocking hook would serialize them.
   */
  override alwaysExecutedHook(): Promise<void> {
    if (this.#subscribed) return Promise.resolve();
    this.#starting ??= this.#lazyStart().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  async #lazyStart(): Promise<void> {
    const links = new CounterLinks(
      this.clientContext(),
      {
        prepare: this.prepCounter,
        work: this.workCounter,
        rest: this.restCounter,
        cycles: this.cycleCounter,
        tabatas: this.tabatasCounter,
      },
      this.logger,
    );
    await this.#closeLinks();
    this.#links = links;
    await links.subscribe((roles, item) => {
      if (item.kind === "error") {
        this.logger.error(`${item.error.reason} ${item.error.errors[0]?.desc ?? ""}`, { device: item.device });
        return Promise.resolve();
      }
      if (item.kind !== "value") return Promise.resolve();
      return this.workout.onCounterEvent(roles, item.value);
    });
    // Set before the reset: a reset failure is reported once, the next request does not subscribe again.
    this.#subscribed = true;
    await this.resetCounters();
  }

  /** The internal reset: counters back to the configured values (and, for Tabata, running_state to PREPARE). */
  protected resetCounters(): Promise<void> {
    return this.workout.resetCounters({ resetRunningState: this.resetRunsState });
  }

  #linksOrFail(): CounterLinks {
    if (!this.#links)
      throw DevFailed.from("API_DeviceNotInitialised", "the counters are not subscribed yet", `${this.className}::counters`);
    return this.#links;
  }

  async #closeLinks(): Promise<void> {
    const l = this.#links;
    this.#links = undefined;
    await l?.close();
  }
}
