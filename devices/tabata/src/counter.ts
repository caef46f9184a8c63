/**
 * Counter (ska-tango-examples `Counter.py`): a DevShort counter that pushes a change event on `value` only when it
 * lands exactly on `fire_event_at` (default 0, the "zero reached" signal the Tabata devices listen to), and a
 * `polled_value` attribute whose change events come from polling (abs_change 1).
 *
 * `polled_value` is declared with PyTango's `period=100`, which is the *periodic event* period (attribute property
 * event_period), not a polling period: the original is not polled unless the database says so (Helm sets
 * `polled_attr = [polled_value, 1000]`). Checked against the original under PyTango 9.3.6: no polling in a
 * DeviceTestContext, `per_event.period` = "100". This class does the same.
 *
 * State is never set: it stays UNKNOWN ("The device is in UNKNOWN state."). Every command is allowed in every state.
 */
import { attribute, command, Device, DevShort, device } from "@tango-bdd/tango/server";

/** Periodic-event period of `polled_value` (ms): PyTango's `period=100` (not a polling period). */
export const POLLED_VALUE_EVENT_PERIOD_MS = 100;

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

  @attribute({ name: "polled_value", dtype: DevShort, eventPeriod: POLLED_VALUE_EVENT_PERIOD_MS, absChange: 1 })
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
