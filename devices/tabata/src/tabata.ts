/**
 * Tabata (ska-tango-examples `Tabata.py`): the threaded Tabata with the default serialization (one monitor per
 * device). `Start` launches the worker loop and returns; the loop runs outside the monitor, so State and attribute
 * reads stay responsive while a workout runs. `Stop` sets OFF and returns only once the loop has exited (at most one
 * decrement plus one `sleep_time` later). Counters and running_state are left where they are by Stop.
 */
import { command, DevFloat, device, deviceProperty } from "@tango-bdd/tango/server";
import { TabataBase } from "./tabata-base.ts";

@device({ tangoClass: "Tabata", description: "Tabata training: threaded worker, default (by device) serialization" })
export class Tabata extends TabataBase {
  /** Seconds between two ticks of the worker loop. */
  @deviceProperty({ name: "sleep_time", dtype: DevFloat, default: 1 })
  accessor sleepTime = 1;

  protected readonly lockedWrites = false;
  protected readonly resetRunsState = true;

  #worker: Promise<void> | undefined;
  #sleep: { timer: ReturnType<typeof setTimeout>; wake: () => void } | undefined;
  #disposed = false;

  override async init(): Promise<void> {
    this.#disposed = false;
    await super.init();
  }

  override async delete(): Promise<void> {
    // Init / shutdown: the worker of the old incarnation stops (the originals' init sets OFF, so it exits too).
    this.#disposed = true;
    this.#wake();
    await this.#worker;
    this.#worker = undefined;
    await super.delete();
  }

  @command({ name: "Start", allowed: (d) => d.getState() === "OFF" })
  start(): void {
    this.setState("ON");
    this.#worker = this.#stepLoop();
  }

  @command({ name: "Stop", allowed: (d) => d.getState() === "ON" })
  async stop(): Promise<void> {
    this.setState("OFF");
    await this.#worker;
  }

  @command({ name: "ResetCounters", allowed: (d) => d.getState() === "OFF" })
  async resetCountersCommand(): Promise<void> {
    await this.resetCounters();
  }

  async #stepLoop(): Promise<void> {
    while (this.getState() === "ON" && !this.#disposed) {
      try {
        await this.workout.lockedTick();
      } catch (e) {
        // As the original thread dies on an exception: the loop ends, State stays as it is.
        this.logger.error("worker loop stopped", { error: e instanceof Error ? e.message : String(e) });
        return;
      }
      await this.#pause(this.sleepTime * 1000);
    }
  }

  #pause(ms: number): Promise<void> {
    if (this.#disposed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#sleep = undefined;
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, ms));
      this.#sleep = { timer, wake };
    });
  }

  #wake(): void {
    this.#sleep?.wake();
  }
}
