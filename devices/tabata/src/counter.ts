/**
 * Counter (ska-tango-examples `Counter.py`): a DevShort counter that pushes a change event on `value` only when it
 * lands exactly on `fire_event_at` (default 0, the "zero reached" signal the Tabata devices listen to), and a
 * `polled_value` attribute whose change events come from polling (code default 100 ms, abs_change 1).
 *
 * State is never set: it stays UNKNOWN ("The device is in UNKNOWN state."). Every command is allowed in every state.
 */
import { attribute, command, Device, DevShort, device } from "@tango-bdd/tango/server";

/** Code default polling period of `polled_value` (ms); the DB property `polled_attr` overrides it. */
export const POLLED_VALUE_PERIOD_MS = 100;

@device({ tangoClass: "Counter", description: "A simple counter: increment, decrement, reset; change event when fire_event_at is reached" })
export class Counter extends Device {
  #value = 0;
  #fireEventAt = 0;

  @attribute({ dtype: DevShort })
  get value(): number {
    return this.#value;
  }

  @attribute({ name: "fire_event_at", dtype: DevShort, access: "READ_WRITE" })
  get fireEventAt(): number {
    return this.#fireEventAt;
  }
  /** Stores the value, no validation (as the original). */
  set fireEventAt(v: number) {
    this.#fireEventAt = v;
  }

  @attribute({ name: "polled_value", dtype: DevShort, pollingMs: POLLED_VALUE_PERIOD_MS, absChange: 1 })
  get polledValue(): number {
    return this.#value;
  }

  override init(): void {
    this.#value = 0;
    this.#fireEventAt = 0;
    // `value` events are pushed by code without criteria check; `polled_value` events come from the polling.
    this.setChangeEvent("value", true, false);
    this.setChangeEvent("polled_value", true, true);
  }

  @command({ out: DevShort, outDesc: "the new value" })
  increment(): number {
    return this.#moveTo(this.#value + 1);
  }

  @command({ out: DevShort, outDesc: "the new value" })
  decrement(): number {
    return this.#moveTo(this.#value - 1);
  }

  @command({ name: "CounterReset", in: DevShort, out: DevShort, inDesc: "the new counter value", outDesc: "the new value" })
  counterReset(argin: number): number {
    return this.#moveTo(argin);
  }

  #moveTo(n: number): number {
    this.#value = n;
    if (n === this.#fireEventAt) this.pushChangeEvent("value", n);
    return n;
  }
}
