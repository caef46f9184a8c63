/** What a subscription yields, and the conversions from the wire structs. */

import { formatName, qualityName, type ScalarValue, shapeValue } from "../client/convert.ts";
import type { AttributeInfo, AttributeReading, AttributeResult, PipeReading } from "../client/device-proxy.ts";
import { type DevError, DevFailed, devError } from "../errors/errors.ts";
import { AttrWriteTypeNames, type CmdArgTypeName, CmdArgTypeNames, DevStateNames, DispLevelNames } from "../idl/constants.ts";
import type { AttDataReady, AttributeConfig, AttributeDim, AttributeValue5 } from "../idl/structs.ts";
import type { EventType, ScalarAttrEvent, WireScalar } from "./zmq-wire.ts";

export interface EventItemBase {
  /** Device name as the subscription was made (`a/b/c`). */
  readonly device: string;
  /** The attribute, or the pipe for `pipe` events. */
  readonly attribute: string;
  readonly event: EventType;
  /** Server event counter (absent for items made by the client: synchronous reads, timeouts...). */
  readonly counter?: number;
  /** True for the synchronous read delivered on (re)subscription. */
  readonly synchronous?: boolean;
  /** Client reception time, ms since the epoch. */
  readonly receivedAt: number;
}

export type ValueEventItem = EventItemBase & { readonly kind: "value" } & AttributeReading;
export type ErrorEventItem = EventItemBase & {
  readonly kind: "error";
  readonly error: DevFailed;
  /** For API_MissedEvents: how many events were lost before the next one. */
  readonly missed?: number;
};
export type ConfigEventItem = EventItemBase & { readonly kind: "config"; readonly config: AttributeInfo };
export type DataReadyEventItem = EventItemBase & {
  readonly kind: "data-ready";
  readonly dataType: CmdArgTypeName;
  /** The ctr the device passed to push_data_ready_event. */
  readonly ctr: number;
};

/** A pipe event (or the synchronous read of a pipe subscription): pipe name, server time stamp and blob, as `readPipe`. */
export type PipeEventItem = EventItemBase & { readonly kind: "pipe" } & PipeReading;

export type EventItem = ValueEventItem | ErrorEventItem | ConfigEventItem | DataReadyEventItem | PipeEventItem;

type Base = Omit<EventItemBase, "receivedAt">;

/** AttributeValue_5 of an event → value item, or error item when err_list is set. */
export function valueItem(base: Base, a: AttributeValue5, receivedAt: number): ValueEventItem | ErrorEventItem {
  if (a.errors.length > 0) return errorItem(base, new DevFailed(a.errors), receivedAt);
  const { value, wValue } = shapeValue(a.value, a.dataFormat, a.rDim, a.wDim);
  const { sec, usec } = a.time;
  // One object literal of a fixed shape, the same as `scalarItem`'s (this runs once per received event).
  return {
    device: base.device,
    attribute: base.attribute,
    event: base.event,
    counter: base.counter,
    receivedAt,
    kind: "value",
    name: a.name,
    value,
    wValue,
    quality: qualityName(a.quality),
    time: new Date(sec * 1000 + Math.floor(usec / 1000)),
    timeUs: sec * 1_000_000 + usec,
    dims: a.rDim,
    wDims: a.wDim,
    dataFormat: formatName(a.dataFormat),
    dataType: CmdArgTypeNames[a.dataType] ?? "DevVoid",
  };
}

const DIM_0: AttributeDim = Object.freeze({ x: 0, y: 0 });
const DIM_1: AttributeDim = Object.freeze({ x: 1, y: 0 });
function dim(x: number, y: number): AttributeDim {
  if (y === 0 && (x === 0 || x === 1)) return x === 0 ? DIM_0 : DIM_1;
  return { x, y };
}
function scalar(d: number, v: WireScalar): ScalarValue {
  return d === 11 || d === 12 ? (DevStateNames[v as number] ?? "UNKNOWN") : v;
}

/**
 * The value item of the common event (`readScalarAttrEvent` filled `s`): same fields and values as `valueItem` on
 * the fully decoded struct, built without intermediate objects. The dims objects of plain scalars are shared
 * (frozen).
 */
export function scalarItem(
  device: string,
  attribute: string,
  event: EventType,
  counter: number,
  s: ScalarAttrEvent,
  receivedAt: number,
): ValueEventItem {
  const nR = s.rx > 0 ? 1 : 0;
  const hasW = s.wx > 0 && s.count >= nR + 1;
  const { sec, usec } = s;
  return {
    device,
    attribute,
    event,
    counter,
    receivedAt,
    kind: "value",
    name: s.name,
    value: s.count === 0 ? null : scalar(s.d, s.value),
    wValue: hasW ? scalar(s.d, nR === 0 ? s.value : s.second) : undefined,
    quality: qualityName(s.quality),
    time: new Date(sec * 1000 + Math.floor(usec / 1000)),
    timeUs: sec * 1_000_000 + usec,
    dims: dim(s.rx, s.ry),
    wDims: dim(s.wx, s.wy),
    dataFormat: "SCALAR",
    dataType: CmdArgTypeNames[s.dataType] ?? "DevVoid",
  };
}

/** A DeviceProxy read result (synchronous read) → item. */
export function readingItem(base: Base, r: AttributeResult, receivedAt: number): ValueEventItem | ErrorEventItem {
  if (r.error !== undefined) return errorItem(base, r.error, receivedAt);
  return { ...base, receivedAt, kind: "value", ...r };
}

export function configInfo(c: AttributeConfig): AttributeInfo {
  return {
    ...c,
    writableName: AttrWriteTypeNames[c.writable] ?? "WT_UNKNOWN",
    dataFormatName: formatName(c.dataFormat),
    dataTypeName: CmdArgTypeNames[c.dataType] ?? "DevVoid",
    levelName: DispLevelNames[c.level] ?? "DL_UNKNOWN",
  };
}

export function configItem(base: Base, c: AttributeConfig, receivedAt: number): ConfigEventItem {
  return { ...base, receivedAt, kind: "config", config: "writableName" in c ? (c as AttributeInfo) : configInfo(c) };
}

export function dataReadyItem(base: Base, d: AttDataReady, receivedAt: number): DataReadyEventItem {
  return { ...base, receivedAt, kind: "data-ready", dataType: CmdArgTypeNames[d.dataType] ?? "DevVoid", ctr: d.ctr };
}

export function pipeItem(base: Base, r: PipeReading, receivedAt: number): PipeEventItem {
  return { ...base, receivedAt, kind: "pipe", ...r };
}

export function errorItem(base: Base, error: DevFailed, receivedAt: number, missed?: number): ErrorEventItem {
  return { ...base, receivedAt, kind: "error", error, ...(missed === undefined ? {} : { missed }) };
}

export function errorsItem(base: Base, errors: readonly DevError[], receivedAt: number): ErrorEventItem {
  return errorItem(
    base,
    new DevFailed(errors.length > 0 ? errors : [devError("API_EventError", "error event with an empty error list")]),
    receivedAt,
  );
}

/** JSON-friendly form of an item (bigint → string, Date → ISO, DevFailed → its frames). */
export function itemToJson(item: EventItem): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) {
    if (k === "error" && v instanceof DevFailed) out[k] = { reason: v.reason, errors: v.errors };
    else out[k] = jsonValue(v);
  }
  return out;
}

function jsonValue(v: unknown): unknown {
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString("base64");
  if (Array.isArray(v)) return v.map(jsonValue);
  if (v !== null && typeof v === "object") {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = jsonValue(x);
    return o;
  }
  return v;
}
