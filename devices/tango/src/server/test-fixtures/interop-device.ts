/**
 * Test devices for the server runtime suites (node:test and PyTango interop):
 * - `AllTypes` (plain-object form): a READ_WRITE scalar, spectrum and image attribute per data type, an echo command
 *   per argument type, limits, enum, guards, a memorized attribute, code-pushed events.
 * - `Counter` (decorators): the house-style sketch.
 */
import type { DevStateName } from "../../idl/constants.ts";
import type { PlainAttribute, PlainCommand } from "../decorators.ts";
import {
  type AnyDType,
  DevBoolean,
  DevDouble,
  DevEncoded,
  DevEnum,
  DevFloat,
  DevLong,
  DevLong64,
  DevShort,
  DevState,
  DevString,
  DevUChar,
  DevULong,
  DevULong64,
  DevUShort,
  DevVarBooleanArray,
  DevVarCharArray,
  DevVarDoubleArray,
  DevVarDoubleStringArray,
  DevVarFloatArray,
  DevVarLong64Array,
  DevVarLongArray,
  DevVarLongStringArray,
  DevVarShortArray,
  DevVarStateArray,
  DevVarStringArray,
  DevVarULong64Array,
  DevVarULongArray,
  DevVarUShortArray,
  DevVoid,
} from "../dtypes.ts";
import { attr, attribute, classProperty, cmd, command, Device, defineDevice, device, deviceProperty, reading } from "../index.ts";

/** Scalar types with a sample value and a spectrum/image sample. */
export const SCALAR_TYPES: readonly { key: string; dtype: AnyDType; value: unknown; image: boolean }[] = [
  { key: "boolean", dtype: DevBoolean, value: true, image: true },
  { key: "short", dtype: DevShort, value: -12, image: true },
  { key: "long", dtype: DevLong, value: 123456, image: true },
  { key: "float", dtype: DevFloat, value: 1.5, image: true },
  { key: "double", dtype: DevDouble, value: 3.25, image: true },
  { key: "ushort", dtype: DevUShort, value: 65000, image: true },
  { key: "ulong", dtype: DevULong, value: 4000000000, image: true },
  { key: "uchar", dtype: DevUChar, value: 200, image: true },
  { key: "long64", dtype: DevLong64, value: -9007199254740993n, image: true },
  { key: "ulong64", dtype: DevULong64, value: 18446744073709551615n, image: true },
  { key: "string", dtype: DevString, value: "hello", image: true },
  { key: "state", dtype: DevState, value: "MOVING", image: false },
];

export interface AllTypesDevice extends Device {
  values: Map<string, unknown>;
  memorizedWrites: number[];
  pushed: number;
}

function sampleSpectrum(v: unknown): unknown[] {
  return [v, v, v];
}

const attributes: Record<string, PlainAttribute<AllTypesDevice>> = {};
for (const t of SCALAR_TYPES) {
  const rw = (name: string) => ({
    read: (d: AllTypesDevice) => d.values.get(name),
    write: (d: AllTypesDevice, v: never) => {
      d.values.set(name, v);
    },
  });
  attributes[`${t.key}_scalar`] = { dtype: t.dtype, access: "READ_WRITE", ...rw(`${t.key}_scalar`) };
  attributes[`${t.key}_spectrum`] = { dtype: t.dtype, format: "SPECTRUM", maxDimX: 16, access: "READ_WRITE", ...rw(`${t.key}_spectrum`) };
  if (t.image)
    attributes[`${t.key}_image`] = {
      dtype: t.dtype,
      format: "IMAGE",
      maxDimX: 8,
      maxDimY: 8,
      access: "READ_WRITE",
      ...rw(`${t.key}_image`),
    };
}
attributes.limited = attr({
  dtype: DevDouble,
  access: "READ_WRITE",
  minValue: -10,
  maxValue: 10,
  minAlarm: -5,
  maxAlarm: 5,
  unit: "mm",
  label: "Limited",
  description: "a limited double",
  displayFormat: "%5.1f",
  read: (d: AllTypesDevice) => d.values.get("limited") as number,
  write: (d: AllTypesDevice, v) => {
    d.values.set("limited", v);
  },
});
attributes.mode = attr({
  dtype: DevEnum,
  access: "READ_WRITE",
  enumLabels: ["OFF", "SLOW", "FAST"],
  read: (d: AllTypesDevice) => d.values.get("mode") as number,
  write: (d: AllTypesDevice, v) => {
    d.values.set("mode", v);
  },
});
attributes.write_only = attr({
  dtype: DevLong,
  access: "WRITE",
  write: (d: AllTypesDevice, v) => {
    d.values.set("write_only", v);
  },
});
attributes.encoded = attr({
  dtype: DevEncoded,
  read: () => ({ format: "raw", data: new Uint8Array([1, 2, 3]) }),
});
attributes.only_on = attr({ dtype: DevLong, allowedIn: ["ON"], read: () => 7 });
attributes.failing = attr({
  dtype: DevDouble,
  read: () => {
    throw new Error("hardware unplugged");
  },
});
attributes.invalid = attr({ dtype: DevDouble, read: () => reading<number>(undefined, { quality: "ATTR_INVALID" }) });
attributes.memo = attr({
  dtype: DevLong,
  access: "READ_WRITE",
  memorized: true,
  read: (d: AllTypesDevice) => (d.values.get("memo") as number | undefined) ?? 0,
  write: (d: AllTypesDevice, v) => {
    d.values.set("memo", v);
    d.memorizedWrites.push(v);
  },
});
attributes.pushed_value = attr({
  dtype: DevDouble,
  events: { change: { pushedByCode: true, detect: false }, dataReady: true },
  read: (d: AllTypesDevice) => d.pushed,
});
attributes.detected = attr({
  dtype: DevDouble,
  absChange: 1,
  archiveAbsChange: 5,
  events: { change: { pushedByCode: true, detect: true }, archive: { pushedByCode: true, detect: true } },
  read: (d: AllTypesDevice) => d.pushed,
});
attributes.polled_value = attr({ dtype: DevLong, pollingMs: 100, absChange: 1, read: (d: AllTypesDevice) => d.pushed });

const commands: Record<string, PlainCommand<AllTypesDevice>> = {};
const ECHO: readonly AnyDType[] = [
  DevBoolean,
  DevShort,
  DevLong,
  DevFloat,
  DevDouble,
  DevUShort,
  DevULong,
  DevLong64,
  DevULong64,
  DevString,
  DevState,
  DevEnum,
  DevUChar,
  DevEncoded,
  DevVarCharArray,
  DevVarShortArray,
  DevVarLongArray,
  DevVarFloatArray,
  DevVarDoubleArray,
  DevVarUShortArray,
  DevVarULongArray,
  DevVarLong64Array,
  DevVarULong64Array,
  DevVarStringArray,
  DevVarBooleanArray,
  DevVarStateArray,
  DevVarLongStringArray,
  DevVarDoubleStringArray,
];
for (const t of ECHO) {
  if (t.name === "DevUChar" || t.name === "DevEnum" || t.name === "DevVarBooleanArray" || t.name === "DevVarStateArray") continue;
  commands[`Echo${t.name.slice(3)}`] = { in: t, out: t, inDesc: "any value", outDesc: "the same value", execute: (_d, v) => v };
}
commands.Void = cmd({ execute: () => {} });
commands.SetState = cmd({
  in: DevString,
  execute: (d: AllTypesDevice, s) => {
    d.setState(s as DevStateName);
  },
});
commands.OnlyWhenOn = cmd({ out: DevLong, allowedIn: ["ON"], execute: () => 1 });
commands.Guarded = cmd({ out: DevLong, allowed: (d: AllTypesDevice) => d.values.get("limited") === 0, execute: () => 2 });
commands.Fail = cmd({
  execute: () => {
    throw new Error("boom");
  },
});
commands.PushValue = cmd({
  in: DevDouble,
  execute: (d: AllTypesDevice, v) => {
    d.pushed = v;
    d.pushChangeEvent("pushed_value", v);
  },
});
commands.PushUser = cmd({
  in: DevDouble,
  execute: (d: AllTypesDevice, v) => {
    d.pushEvent("pushed_value", v);
  },
});
commands.PushDataReady = cmd({
  in: DevLong,
  execute: (d: AllTypesDevice, ctr) => {
    d.pushDataReady("pushed_value", ctr);
  },
});
commands.Sleep = cmd({
  in: DevLong,
  out: DevLong,
  execute: async (_d, ms) => {
    await new Promise((r) => setTimeout(r, ms));
    return ms;
  },
});

export const AllTypes = defineDevice<AllTypesDevice>({
  tangoClass: "AllTypes",
  attributes,
  commands,
  deviceProperties: { Greeting: { dtype: DevString, default: "hi" }, Gains: { dtype: DevVarDoubleArray } },
  init: (d) => {
    d.values = new Map();
    d.memorizedWrites ??= [];
    d.pushed = 0;
    for (const t of SCALAR_TYPES) {
      d.values.set(`${t.key}_scalar`, t.value);
      d.values.set(`${t.key}_spectrum`, sampleSpectrum(t.value));
      d.values.set(`${t.key}_image`, [
        [t.value, t.value],
        [t.value, t.value],
      ]);
    }
    d.values.set("limited", 0);
    d.values.set("mode", 1);
    d.setState("ON");
    d.setStatus(`Greeting is ${String(d.property("Greeting"))}`);
  },
});

@device({ tangoClass: "Counter" })
export class Counter extends Device {
  #count = 0;
  initCount = 0;
  hookCount = 0;

  @classProperty({ dtype: DevString, default: "lab" })
  accessor site = "";

  @deviceProperty({ dtype: DevShort, default: 0 })
  accessor start = 0;

  @attribute({ dtype: DevShort, events: { change: { pushedByCode: true, detect: false } } })
  get value(): number {
    return this.#count;
  }

  @attribute({ name: "fire_event_at", dtype: DevShort, access: "READ_WRITE" })
  accessor fireEventAt = 0;

  @attribute({ name: "polled_value", dtype: DevShort, pollingMs: 100, absChange: 1 })
  get polledValue(): number {
    return this.#count;
  }

  @attribute({ dtype: DevDouble, format: "SPECTRUM", maxDimX: 4 })
  get history(): number[] {
    return [1, 2, 3];
  }

  @command({ out: DevShort })
  increment(): number {
    return this.#moveTo(this.#count + 1);
  }

  @command({ out: DevShort })
  decrement(): number {
    return this.#moveTo(this.#count - 1);
  }

  @command({ name: "CounterReset", in: DevShort, out: DevShort, allowed: "isResetAllowed" })
  reset(to: number): number {
    return this.#moveTo(to);
  }

  isResetAllowed(): boolean {
    return this.state !== "FAULT";
  }

  @command({ in: DevVoid })
  async slow(): Promise<void> {
    await new Promise((r) => setTimeout(r, 300));
  }

  override alwaysExecutedHook(): void {
    this.hookCount++;
  }

  override async init(): Promise<void> {
    this.initCount++;
    this.#count = this.start;
    this.fireEventAt = 0;
    this.setState("ON");
  }

  #moveTo(n: number): number {
    this.#count = n;
    if (n === this.fireEventAt) this.pushChangeEvent("value", n);
    return n;
  }
}
