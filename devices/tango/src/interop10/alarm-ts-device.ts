/**
 * Alarm10Ts: the TypeScript twin of alarm10_device.py (pytango 10), served by our runtime so that the same Tango 10
 * ALARM event scenario runs against pytango 10 and against us.
 * - level (DevDouble, READ, warning ±5, alarm ±10): alarm events pushed by code with detection on
 *   (`setAlarmEvent("level", true, true)` in init), SetLevel(v) pushes them (`pushAlarmEvent("level", v)`).
 * - tagged (DevLong, READ): alarm events pushed by code without detection (declared in the decorator), with an
 *   explicit quality and time stamp, PushTagged([value, quality, sec, usec]); PushTaggedError() pushes a DevFailed.
 * - plain (DevDouble, READ): no alarm event (subscription refused).
 * - drift (DevDouble, READ, polled every 100 ms, same limits): alarm events detected by the polling, SetDrift(v).
 */
import { DevFailed } from "../errors/errors.ts";
import { AttrQualityNames } from "../idl/constants.ts";
import { type AttrReading, attribute, command, DevDouble, Device, DevLong, DevVarDoubleArray, device, reading } from "../server/index.ts";

const LIMITS = { minAlarm: -10, minWarning: -5, maxWarning: 5, maxAlarm: 10 } as const;
type QualityName = AttrReading<number>["quality"];

@device({ tangoClass: "Alarm10Ts" })
export class Alarm10Ts extends Device {
  #level = 0;
  #tagged = 0;
  #taggedQuality: QualityName = "ATTR_VALID";
  #taggedTime: number | undefined;
  #drift = 0;

  override init(): void {
    this.#level = 0;
    this.#tagged = 0;
    this.#taggedTime = undefined;
    this.#drift = 0;
    this.setState("ON");
    this.setAlarmEvent("level", true, true);
  }

  @attribute({ dtype: DevDouble, ...LIMITS })
  get level(): number {
    return this.#level;
  }

  @attribute({ dtype: DevLong, events: { alarm: { pushedByCode: true, detect: false } } })
  get tagged(): number | AttrReading<number> {
    if (this.#taggedTime === undefined) return this.#tagged;
    return reading(this.#tagged, { quality: this.#taggedQuality, time: this.#taggedTime });
  }

  @attribute({ dtype: DevDouble })
  get plain(): number {
    return 1.5;
  }

  @attribute({ dtype: DevDouble, pollingMs: 100, ...LIMITS })
  get drift(): number {
    return this.#drift;
  }

  @command({ name: "SetLevel", in: DevDouble })
  setLevel(v: number): void {
    this.#level = v;
    this.pushAlarmEvent("level", v);
  }

  @command({ name: "PushTagged", in: DevVarDoubleArray })
  pushTagged(argin: number[]): void {
    const [value = 0, quality = 0, sec = 0, usec = 0] = argin;
    const q = AttrQualityNames[quality];
    if (q === undefined) throw DevFailed.from("API_InvalidArgs", `${quality} is not an AttrQuality (0..4)`, "Alarm10Ts.PushTagged");
    this.#tagged = Math.trunc(value);
    this.#taggedQuality = q;
    this.#taggedTime = sec * 1000 + usec / 1000;
    this.pushAlarmEvent("tagged", this.#tagged, { quality: q, time: this.#taggedTime });
  }

  @command({ name: "PushTaggedError" })
  pushTaggedError(): void {
    this.pushAlarmEvent("tagged", DevFailed.from("AlarmFixture_Failure", "tagged failed on purpose", "Alarm10Ts.PushTaggedError"));
  }

  @command({ name: "SetDrift", in: DevDouble })
  setDrift(v: number): void {
    this.#drift = v;
  }
}
