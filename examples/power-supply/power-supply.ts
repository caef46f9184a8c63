/**
 * A tiny power supply, written from docs/server.md only: a READ_WRITE `current` with limits, a read-only `voltage`
 * (Ohm's law on a fixed load), and `On`/`Off` commands guarded by the state.
 *
 * Serve it: `TANGO_HOST=h:p node devices/tango/bin/tango.mjs serve PowerSupply/test --module ./examples/power-supply/power-supply.ts`
 */
import { attribute, command, DevDouble, Device, device, deviceProperty } from "@tango-bdd/tango/server";

@device({ tangoClass: "PowerSupply" })
export class PowerSupply extends Device {
  #current = 0;

  /** Load resistance in ohms (device property `load`). */
  @deviceProperty({ dtype: DevDouble, default: 2 }) accessor load = 2;

  /** Readable in any state, writable only when ON. */
  @attribute({
    dtype: DevDouble,
    access: "READ_WRITE",
    unit: "A",
    minValue: 0,
    maxValue: 10,
    allowed: (dev, req) => req === "READ_REQ" || dev.state === "ON",
  })
  get current(): number {
    return this.#current;
  }
  set current(amps: number) {
    this.#current = amps;
  }

  @attribute({ dtype: DevDouble, unit: "V", maxAlarm: 15 })
  get voltage(): number {
    return this.state === "ON" ? this.#current * this.load : 0;
  }

  @command({ allowedIn: ["OFF"] })
  On(): void {
    this.setState("ON");
  }

  @command({ allowedIn: ["ON"] })
  Off(): void {
    this.#current = 0;
    this.setState("OFF");
  }

  override async init(): Promise<void> {
    this.#current = 0;
    this.setState("OFF");
  }
}
