/**
 * Conversions between JS values of the authoring API and the Tango wire forms: AttrValUnion (attributes, IDL 4/5),
 * CORBA Any (commands and IDL 1-3 attributes), and the type checks cppTango performs on incoming values.
 */
import { type AnyValue, type CorbaValue, equivalent, type TypeCode } from "../corba/typecode.ts";
import { DevFailed } from "../errors/errors.ts";
import { AttributeDataType, type CmdArgTypeName, DevStateNames } from "../idl/constants.ts";
import type { AttributeDim, AttrValUnion, DevEncoded } from "../idl/structs.ts";
import { argTypeOfTypeCode, typeCodeForArg } from "../idl/typecodes.ts";
import type { DataFormat } from "./spec.ts";

/** Attribute scalar dtype → AttrValUnion discriminator. */
export const UNION_OF: Readonly<Partial<Record<CmdArgTypeName, number>>> = {
  DevBoolean: AttributeDataType.ATT_BOOL,
  DevShort: AttributeDataType.ATT_SHORT,
  DevEnum: AttributeDataType.ATT_SHORT,
  DevLong: AttributeDataType.ATT_LONG,
  DevLong64: AttributeDataType.ATT_LONG64,
  DevFloat: AttributeDataType.ATT_FLOAT,
  DevDouble: AttributeDataType.ATT_DOUBLE,
  DevUChar: AttributeDataType.ATT_UCHAR,
  DevUShort: AttributeDataType.ATT_USHORT,
  DevULong: AttributeDataType.ATT_ULONG,
  DevULong64: AttributeDataType.ATT_ULONG64,
  DevString: AttributeDataType.ATT_STRING,
  DevState: AttributeDataType.ATT_STATE,
  DevEncoded: AttributeDataType.ATT_ENCODED,
};

/** Attribute scalar dtype → the command array type of its sequence (for IDL 1-3 Any-based values). */
export const SEQ_OF: Readonly<Partial<Record<CmdArgTypeName, CmdArgTypeName>>> = {
  DevBoolean: "DevVarBooleanArray",
  DevShort: "DevVarShortArray",
  DevEnum: "DevVarShortArray",
  DevLong: "DevVarLongArray",
  DevLong64: "DevVarLong64Array",
  DevFloat: "DevVarFloatArray",
  DevDouble: "DevVarDoubleArray",
  DevUChar: "DevVarCharArray",
  DevUShort: "DevVarUShortArray",
  DevULong: "DevVarULongArray",
  DevULong64: "DevVarULong64Array",
  DevString: "DevVarStringArray",
  DevState: "DevVarStateArray",
};

export interface AttrShape {
  readonly name: string;
  readonly dtype: CmdArgTypeName;
  readonly dataFormat: DataFormat;
  readonly enumLabels?: readonly string[];
}

function stateIndex(v: unknown): number {
  if (typeof v === "number") return v;
  const i = DevStateNames.indexOf(v as (typeof DevStateNames)[number]);
  if (i < 0) throw DevFailed.from("API_IncompatibleArgumentType", `${String(v)} is not a Tango state`, "values::stateIndex");
  return i;
}

function enumIndex(shape: AttrShape, v: unknown): number {
  if (typeof v === "string") {
    const i = (shape.enumLabels ?? []).indexOf(v);
    if (i < 0) throw DevFailed.from("API_AttrOptProp", `${v} is not one of the enum labels of ${shape.name}`, "values::enumIndex");
    return i;
  }
  return Number(v);
}

function toBig(v: unknown): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number") return BigInt(Math.trunc(v));
  return BigInt(String(v));
}

/** Flattens a value by format; returns the elements and the dimensions. */
export function flatten(format: DataFormat, v: unknown): { items: ArrayLike<unknown>; dim: AttributeDim } {
  if (format === "SCALAR") return { items: [v], dim: { x: 1, y: 0 } };
  if (format === "SPECTRUM") {
    const a = (v ?? []) as ArrayLike<unknown>;
    if (typeof a !== "object" && typeof a !== "string") return { items: [v], dim: { x: 1, y: 0 } };
    return { items: a, dim: { x: a.length, y: 0 } };
  }
  const rows = (v ?? []) as ArrayLike<ArrayLike<unknown>>;
  const y = rows.length;
  const x = y > 0 ? (rows[0] as ArrayLike<unknown>).length : 0;
  const items: unknown[] = [];
  for (let j = 0; j < y; j++) {
    const row = rows[j] as ArrayLike<unknown>;
    if (row.length !== x) throw DevFailed.from("API_AttrValueNotSet", "image rows must all have the same length", "values::flatten");
    for (let i = 0; i < x; i++) items.push(row[i]);
  }
  return { items, dim: { x, y } };
}

/** Builds the AttrValUnion for the given elements (read part followed by the optional set-point part). */
export function unionOf(shape: AttrShape, items: ArrayLike<unknown>): AttrValUnion {
  switch (shape.dtype) {
    case "DevBoolean":
      return { d: 0, v: mapItems(items, Boolean) };
    case "DevShort":
      return { d: 1, v: mapItems(items, Number) };
    case "DevEnum":
      return { d: 1, v: mapItems(items, (x) => enumIndex(shape, x)) };
    case "DevLong":
    case "DevInt":
      return { d: 2, v: mapItems(items, Number) };
    case "DevLong64":
      return { d: 3, v: mapItems(items, toBig) };
    case "DevFloat":
      return { d: 4, v: mapItems(items, Number) };
    case "DevDouble":
      return { d: 5, v: mapItems(items, Number) };
    case "DevUChar":
      return { d: 6, v: Uint8Array.from(mapItems(items, Number)) };
    case "DevUShort":
      return { d: 7, v: mapItems(items, Number) };
    case "DevULong":
      return { d: 8, v: mapItems(items, Number) };
    case "DevULong64":
      return { d: 9, v: mapItems(items, toBig) };
    case "DevString":
    case "ConstDevString":
      return { d: 10, v: mapItems(items, toText) };
    case "DevState":
      return { d: 11, v: mapItems(items, stateIndex) };
    case "DevEncoded":
      return { d: 13, v: mapItems(items, (x) => x as DevEncoded) };
    default:
      throw DevFailed.from("API_NotSupported", `attribute data type ${shape.dtype} is not supported`, "values::unionOf");
  }
}

/** A new array of f(item) (a module function: unionOf runs on every read and allocates no closure for it). */
function mapItems<T>(items: ArrayLike<unknown>, f: (x: unknown) => T): T[] {
  const n = items.length;
  const out = new Array<T>(n);
  for (let i = 0; i < n; i++) out[i] = f(items[i]);
  return out;
}

function toText(x: unknown): string {
  return String(x ?? "");
}

/** Elements of a received AttrValUnion as JS values of the attribute's dtype; checks the type. */
export function itemsOfUnion(shape: AttrShape, u: AttrValUnion): unknown[] {
  const expected = UNION_OF[shape.dtype];
  if (expected !== u.d) {
    throw DevFailed.from(
      "API_IncompatibleAttrDataType",
      `Incompatible attribute type, expected type is : Tango::${shape.dtype}`,
      "WAttribute::check_written_value()",
    );
  }
  switch (u.d) {
    case 6:
      return Array.from(u.v);
    case 11:
      return u.v.map((i) => DevStateNames[i] ?? "UNKNOWN");
    case 12:
    case 14:
      return [u.v];
    default:
      return [...u.v];
  }
}

/** Rebuilds a written value (scalar, array, or rows) from elements and dims. */
export function shapeWritten(shape: AttrShape, items: unknown[], dim: AttributeDim): unknown {
  if (shape.dataFormat === "SCALAR") {
    if (items.length < 1)
      throw DevFailed.from("API_AttrIncorrectDataNumber", `no value written for ${shape.name}`, "WAttribute::check_written_value()");
    return items[0];
  }
  if (shape.dataFormat === "SPECTRUM") return items;
  let x = dim.x;
  let y = dim.y;
  if (x <= 0 || y <= 0 || x * y !== items.length) {
    x = items.length;
    y = items.length > 0 ? 1 : 0;
  }
  const rows: unknown[][] = [];
  for (let j = 0; j < y; j++) rows.push(items.slice(j * x, (j + 1) * x));
  return rows;
}

/** Array/sequence command type of the attribute's elements, for IDL 1-3 Any-based values. */
export function anyOfItems(shape: AttrShape, items: ArrayLike<unknown>): AnyValue {
  if (shape.dtype === "DevEncoded") {
    const first = items[0] as DevEncoded | undefined;
    return toAny("DevEncoded", first ?? { format: "", data: new Uint8Array(0) });
  }
  const seq = SEQ_OF[shape.dtype] ?? "DevVarStringArray";
  return toAny(
    seq,
    Array.from(items, (x) => (shape.dtype === "DevEnum" ? enumIndex(shape, x) : x)),
  );
}

/** Elements of an Any-based written attribute value (IDL 1-3 write_attributes). */
export function itemsOfAny(shape: AttrShape, a: AnyValue): unknown[] {
  const got = argTypeOfTypeCode(a.type);
  const expected = shape.dtype === "DevEncoded" ? "DevEncoded" : SEQ_OF[shape.dtype];
  if (expected === undefined || got !== expected) {
    throw DevFailed.from(
      "API_IncompatibleAttrDataType",
      `Incompatible attribute type, expected type is : Tango::${shape.dtype}`,
      "WAttribute::check_written_value()",
    );
  }
  const v = fromAny(expected, a);
  if (shape.dtype === "DevEncoded") return [v];
  if (v instanceof Uint8Array) return Array.from(v);
  return v as unknown[];
}

// ------------------------------------------------------------------------------------------------- commands (Any)

const COMPATIBLE: Readonly<Partial<Record<CmdArgTypeName, CmdArgTypeName>>> = {
  DevEnum: "DevShort",
  DevInt: "DevLong",
  ConstDevString: "DevString",
};

function canonical(t: CmdArgTypeName): CmdArgTypeName {
  return COMPATIBLE[t] ?? t;
}

function num(v: unknown, what: string): number {
  const n = typeof v === "bigint" ? Number(v) : typeof v === "boolean" ? (v ? 1 : 0) : Number(v);
  if (Number.isNaN(n) && typeof v !== "number") {
    throw DevFailed.from("API_IncompatibleCmdArgumentType", `${String(v)} is not a number (${what})`, "Command::insert()");
  }
  return n;
}
const nums = (v: unknown, what: string): number[] => Array.from((v ?? []) as ArrayLike<unknown>, (x) => num(x, what));

/** CORBA value for a command result of type `t`. */
export function toCorbaValue(t: CmdArgTypeName, v: unknown): CorbaValue {
  switch (t) {
    case "DevVoid":
      return null;
    case "DevBoolean":
      return Boolean(v);
    case "DevShort":
    case "DevLong":
    case "DevInt":
    case "DevFloat":
    case "DevDouble":
    case "DevUShort":
    case "DevULong":
    case "DevUChar":
    case "DevEnum":
      return num(v, t);
    case "DevLong64":
    case "DevULong64":
      return toBig(v);
    case "DevString":
    case "ConstDevString":
      return String(v ?? "");
    case "DevState":
      return stateIndex(v);
    case "DevVarCharArray":
      return v instanceof Uint8Array ? v : Uint8Array.from(nums(v, t));
    case "DevVarShortArray":
    case "DevVarLongArray":
    case "DevVarFloatArray":
    case "DevVarDoubleArray":
    case "DevVarUShortArray":
    case "DevVarULongArray":
      return nums(v, t);
    case "DevVarLong64Array":
    case "DevVarULong64Array":
      return Array.from((v ?? []) as ArrayLike<unknown>, toBig);
    case "DevVarStringArray":
      return Array.from((v ?? []) as ArrayLike<unknown>, (x) => String(x));
    case "DevVarBooleanArray":
      return Array.from((v ?? []) as ArrayLike<unknown>, (x) => Boolean(x));
    case "DevVarStateArray":
      return Array.from((v ?? []) as ArrayLike<unknown>, stateIndex);
    case "DevVarLongStringArray": {
      const o = (v ?? {}) as { lvalue?: unknown; svalue?: unknown };
      return { lvalue: nums(o.lvalue, t), svalue: Array.from((o.svalue ?? []) as ArrayLike<unknown>, (x) => String(x)) };
    }
    case "DevVarDoubleStringArray": {
      const o = (v ?? {}) as { dvalue?: unknown; svalue?: unknown };
      return { dvalue: nums(o.dvalue, t), svalue: Array.from((o.svalue ?? []) as ArrayLike<unknown>, (x) => String(x)) };
    }
    case "DevEncoded": {
      const e = (v ?? {}) as Partial<DevEncoded>;
      return { encoded_format: String(e.format ?? ""), encoded_data: e.data ?? new Uint8Array(0) };
    }
    default:
      throw DevFailed.from("API_NotSupported", `command argument type ${t} is not supported`, "Command::insert()");
  }
}

export function toAny(t: CmdArgTypeName, v: unknown): AnyValue {
  const type = typeCodeForArg(t) as TypeCode | undefined;
  if (!type) throw DevFailed.from("API_NotSupported", `command argument type ${t} is not supported`, "Command::insert()");
  return { type, value: toCorbaValue(t, v) };
}

/** Command argin from an Any, checked against the declared type (cppTango's Command::extract). */
export function fromAny(t: CmdArgTypeName, a: AnyValue): unknown {
  const got = argTypeOfTypeCode(a.type);
  if (t === "DevVoid") return undefined;
  // The repository id alone is not enough: an Any named IDL:Tango/DevEncoded:1.0 whose members are not a string and
  // an octet sequence must be refused here, as cppTango's extraction does, not reach the command (or its reply).
  const want = typeCodeForArg(canonical(t));
  if (got === undefined || canonical(got) !== canonical(t) || (want !== undefined && !equivalent(a.type, want))) {
    throw DevFailed.from(
      "API_IncompatibleCmdArgumentType",
      `Incompatible command argument type, expected type is : Tango::${t}`,
      "Command::extract()",
    );
  }
  const v = a.value;
  switch (t) {
    case "DevState":
      return DevStateNames[v as number] ?? "UNKNOWN";
    case "DevVarStateArray":
      return (v as number[]).map((i) => DevStateNames[i] ?? "UNKNOWN");
    case "DevEncoded": {
      const o = v as { encoded_format: string; encoded_data: Uint8Array };
      return { format: o.encoded_format, data: o.encoded_data };
    }
    default:
      return v;
  }
}

/** Parses an optional numeric property ("Not specified", "" or undefined → undefined). */
export function parseLimit(v: number | string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (v === "Not specified") return undefined; // the common case, before trimming
  const t = v.trim();
  if (t === "" || t === "Not specified" || t === "NaN") return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}
