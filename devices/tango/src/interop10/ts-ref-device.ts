/**
 * TsRef: the TypeScript twin of the reference PyRef device (shared/tango-reference/pyref_device.py), served by our
 * runtime so that the same pytango 10 client scenario runs against PyTango 10 and against us.
 * Gain property, temperature (RO DevDouble, change events pushed by code), counter (RW DevLong, ±1e6, change event
 * pushed on write), Scale(DevLong) → DevLong, SetTemperature(DevDouble), PushBurst(DevLong) → DevLong, BurstDone().
 */
import { DevFailed } from "../errors/errors.ts";
import { attribute, command, DevBoolean, DevDouble, Device, DevLong, device, deviceProperty } from "../server/index.ts";

@device({ tangoClass: "TsRef" })
export class TsRef extends Device {
  #temperature = 21.5;
  #counter = 0;
  #burst: Promise<void> | undefined;

  @deviceProperty({ name: "Gain", dtype: DevDouble, default: 2.0 })
  accessor gain = 2.0;

  @attribute({
    dtype: DevDouble,
    unit: "degC",
    displayFormat: "%6.2f",
    label: "Temperature",
    events: { change: { pushedByCode: true, detect: false } },
  })
  get temperature(): number {
    return this.#temperature;
  }

  @attribute({
    dtype: DevLong,
    access: "READ_WRITE",
    label: "Counter",
    minValue: -1000000,
    maxValue: 1000000,
    events: { change: { pushedByCode: true, detect: false } },
  })
  get counter(): number {
    return this.#counter;
  }
  set counter(v: number) {
    this.#counter = v;
    this.pushChangeEvent("counter", v);
  }

  @command({ name: "Scale", in: DevLong, out: DevLong })
  scale(v: number): number {
    return Math.round(v * this.gain);
  }

  @command({ name: "SetTemperature", in: DevDouble })
  setTemperature(v: number): void {
    this.#temperature = v;
    this.pushChangeEvent("temperature", v);
  }

  @command({ name: "PushBurst", in: DevLong, out: DevLong })
  pushBurst(n: number): number {
    if (this.#burst) throw DevFailed.from("TsRef_Busy", "a burst is already running", "TsRef.PushBurst");
    this.#burst = (async () => {
      for (let i = 0; i < n; i++) {
        this.#temperature += 1;
        this.pushChangeEvent("temperature", this.#temperature);
        if (i % 50 === 49) await new Promise((r) => setImmediate(r));
      }
    })().finally(() => {
      this.#burst = undefined;
    });
    return n;
  }

  @command({ name: "BurstDone", out: DevBoolean })
  burstDone(): boolean {
    return this.#burst === undefined;
  }

  override async init(): Promise<void> {
    this.#temperature = 21.5;
    this.#counter = 0;
    this.setState("ON");
    this.setStatus("TsRef is ready");
  }
}
