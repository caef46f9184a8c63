/**
 * AsyncTabata (ska-tango-examples `AsyncTabata.py`): the asyncio Tabata. PyTango serves asyncio devices without the
 * serialization monitor (NO_SYNC); `Run` awaits the whole workout before replying, while State, attribute reads and
 * `Stop` are served in between. `Stop` only sets OFF and returns; the loop notices within one tick (fixed 1 s) and
 * `Run` then completes. `ResetCounters` resets the five counters but, unlike Tabata, not running_state.
 */
import { command, device } from "@tango-bdd/tango/server";
import { TabataBase } from "./tabata-base.ts";

/** The fixed tick of AsyncTabata (`asyncio.sleep(1)`). */
export const ASYNC_TICK_MS = 1000;

@device({ tangoClass: "AsyncTabata", serialModel: "NO_SYNC", description: "Tabata training: asyncio device, Run awaits the workout" })
export class AsyncTabata extends TabataBase {
  protected readonly lockedWrites = true;
  protected readonly resetRunsState = false;

  #sleep: { timer: ReturnType<typeof setTimeout>; wake: () => void } | undefined;
  #disposed = false;
  #runs = new Set<Promise<void>>();

  override async init(): Promise<void> {
    this.#disposed = false;
    await super.init();
  }

  override async delete(): Promise<void> {
    this.#disposed = true;
    this.#sleep?.wake();
    await Promise.all(this.#runs);
    await super.delete();
  }

  @command({ name: "Run", allowed: (d) => d.getState() === "OFF" })
  async run(): Promise<void> {
    await this.workout.lock.run(() => this.setState("ON"));
    const loop = this.#internalRun();
    this.#runs.add(loop);
    try {
      await loop;
    } finally {
      this.#runs.delete(loop);
    }
  }

  @command({ name: "Stop", allowed: (d) => d.getState() === "ON" })
  async stop(): Promise<void> {
    await this.workout.lock.run(() => this.setState("OFF"));
  }

  @command({ name: "ResetCounters", allowed: (d) => d.getState() === "OFF" })
  async resetCountersCommand(): Promise<void> {
    await this.resetCounters();
  }

  async #internalRun(): Promise<void> {
    while (this.getState() === "ON" && !this.#disposed) {
      await this.workout.snapshotTick();
      await this.#pause(ASYNC_TICK_MS);
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
      const timer = setTimeout(wake, ms);
      this.#sleep = { timer, wake };
    });
  }
}
