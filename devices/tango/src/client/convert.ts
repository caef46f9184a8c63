/**
 * JS values ↔ Tango types: command arguments (CORBA Any) and attribute values (AttrValUnion).
 * 64-bit integers are bigint; DevState values are their names ("ON", ...); DevEncoded is {format, data}.
 * Wrong JS values raise InvalidArgumentError (reason API_IncompatibleArgumentType) before anything is sent.
 */
import type { AnyValue, CorbaValue, TypeCode } from "../corba/typecode.ts";
import { InvalidArgumentError } from "../errors/errors.ts";
import {
  AttrDataFormatNames,
  type AttrQualityName,
  AttrQualityNames,
  type CmdArgTypeName,
  CmdArgTypeNames,
  type DevStateName,
  DevStateNames,
} from "../idl/constants.ts";
import type { AttributeDim, AttributeValue5, AttrValUnion } from "../idl/structs.ts";
import { argTypeOfTypeCode, typeCodeForArg } from "../idl/typecodes.ts";

export interface DevEncodedValue {
  readonly format: string;
  readonly data: Uint8Array;
}

export type ScalarValue = number | bigint | boolean | string | DevEncodedValue;

export type CommandValue =
  | undefined
  | ScalarValue
  | readonly number[]
  | readonly bigint[]
  | readonly boolean[]
  | readonly string[]
  | Uint8Array
  | { readonly lvalue: readonly number[]; readonly svalue: readonly string[] }
  | { readonly dvalue: readonly number[]; readonly svalue: readonly string[] };

export type AttrValue = ScalarValue | ScalarValue[] | ScalarValue[][] | null;

const ORIGIN = "DeviceProxy";

function repr(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (v instanceof Uint8Array) return `Uint8Array(${v.length})`;
  if (Array.isArray(v)) return `array(${v.length})`;
  if (v === null || v === undefined) return String(v);
  if (typeof v === "object") return "object";
  return String(v);
}

function bad(what: string, expected: string, v: unknown): InvalidArgumentError {
  const got = v === undefined ? "no value (the argument is missing)" : repr(v);
  return new InvalidArgumentError(`${what}: expected ${expected}, got ${got}`, ORIGIN);
}

const INT_RANGES = {
  short: [-32768, 32767],
  ushort: [0, 65535],
  long: [-2147483648, 2147483647],
  ulong: [0, 4294967295],
  uchar: [0, 255],
} as const;
type IntKind = keyof typeof INT_RANGES;

function toInt(v: unknown, kind: IntKind, what: string): number {
  const [min, max] = INT_RANGES[kind];
  let n: number;
  if (typeof v === "number") n = v;
  else if (typeof v === "bigint") n = Number(v);
  else throw bad(what, `an integer (${kind})`, v);
  if (!Number.isInteger(n) || n < min || n > max) throw bad(what, `an integer in [${min}, ${max}] (${kind})`, v);
  return n;
}

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const U64_MAX = 2n ** 64n - 1n;

function toBig(v: unknown, signed: boolean, what: string): bigint {
  let b: bigint;
  if (typeof v === "bigint") b = v;
  else if (typeof v === "number" && Number.isInteger(v)) b = BigInt(v);
  else if (typeof v === "string" && /^-?\d+$/.test(v.trim())) b = BigInt(v.trim());
  else throw bad(what, signed ? "an integer (DevLong64, bigint)" : "a non-negative integer (DevULong64, bigint)", v);
  if (signed ? b < I64_MIN || b > I64_MAX : b < 0n || b > U64_MAX)
    throw bad(what, signed ? "a 64-bit signed integer" : "a 64-bit unsigned integer", v);
  return b;
}

function toFloat(v: unknown, what: string): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  throw bad(what, "a number", v);
}

function toBool(v: unknown, what: string): boolean {
  if (typeof v === "boolean") return v;
  if (v === 0 || v === 1) return v === 1;
  throw bad(what, "a boolean", v);
}

function toStr(v: unknown, what: string): string {
  if (typeof v === "string") return v;
  throw bad(what, "a string", v);
}

function toState(v: unknown, what: string): number {
  if (typeof v === "string") {
    const i = (DevStateNames as readonly string[]).indexOf(v.toUpperCase());
    if (i >= 0) return i;
  } else if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v < DevStateNames.length) return v;
  throw bad(what, `a DevState (${DevStateNames.join("|")})`, v);
}

function toBytes(v: unknown, what: string): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === "string") return new Uint8Array(Buffer.from(v, "utf8"));
  if (Array.isArray(v)) return Uint8Array.from(v, (x, i) => toInt(x, "uchar", `${what}[${i}]`));
  throw bad(what, "bytes (Uint8Array, number[] or string)", v);
}

function toEncoded(v: unknown, what: string): DevEncodedValue {
  if (v && typeof v === "object" && !Array.isArray(v)) {
    const o = v as { format?: unknown; data?: unknown };
    return { format: toStr(o.format ?? "", `${what}.format`), data: toBytes(o.data, `${what}.data`) };
  }
  throw bad(what, "a DevEncoded {format, data}", v);
}

function toArray(v: unknown, what: string): readonly unknown[] {
  if (Array.isArray(v)) return v;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<unknown>);
  throw bad(what, "an array", v);
}

function mapArr<T>(v: unknown, what: string, f: (x: unknown, w: string) => T): T[] {
  const a = toArray(v, what);
  const out = new Array<T>(a.length);
  for (let i = 0; i < a.length; i++) out[i] = f(a[i], `${what}[${i}]`);
  return out;
}

// ------------------------------------------------------------------------------------------------- commands

/** Builds the CORBA Any of a command argument of Tango type `type` from a JS value. */
export function encodeArgin(type: CmdArgTypeName, v: unknown, what = "argin"): AnyValue {
  const tc = typeCodeForArg(type);
  if (!tc) throw new InvalidArgumentError(`${what}: argument type ${type} is not supported by this client`, ORIGIN, "API_NotSupported");
  return { type: tc, value: convertArgin(type, v, what) as CorbaValue };
}

function convertArgin(type: CmdArgTypeName, v: unknown, what: string): unknown {
  switch (type) {
    case "DevVoid":
      if (v !== undefined && v !== null) throw bad(what, "no argument (DevVoid)", v);
      return null;
    case "DevBoolean":
      return toBool(v, what);
    case "DevShort":
    case "DevEnum":
      return toInt(v, "short", what);
    case "DevUShort":
      return toInt(v, "ushort", what);
    case "DevLong":
    case "DevInt":
      return toInt(v, "long", what);
    case "DevULong":
      return toInt(v, "ulong", what);
    case "DevUChar":
      return toInt(v, "uchar", what);
    case "DevLong64":
      return toBig(v, true, what);
    case "DevULong64":
      return toBig(v, false, what);
    case "DevFloat":
    case "DevDouble":
      return toFloat(v, what);
    case "DevString":
    case "ConstDevString":
      return toStr(v, what);
    case "DevState":
      return toState(v, what);
    case "DevVarCharArray":
      return toBytes(v, what);
    case "DevVarShortArray":
      return mapArr(v, what, (x, w) => toInt(x, "short", w));
    case "DevVarUShortArray":
      return mapArr(v, what, (x, w) => toInt(x, "ushort", w));
    case "DevVarLongArray":
      return mapArr(v, what, (x, w) => toInt(x, "long", w));
    case "DevVarULongArray":
      return mapArr(v, what, (x, w) => toInt(x, "ulong", w));
    case "DevVarLong64Array":
      return mapArr(v, what, (x, w) => toBig(x, true, w));
    case "DevVarULong64Array":
      return mapArr(v, what, (x, w) => toBig(x, false, w));
    case "DevVarFloatArray":
    case "DevVarDoubleArray":
      return mapArr(v, what, toFloat);
    case "DevVarStringArray":
      return mapArr(v, what, toStr);
    case "DevVarBooleanArray":
      return mapArr(v, what, toBool);
    case "DevVarStateArray":
      return mapArr(v, what, toState);
    case "DevVarLongStringArray": {
      const [l, s] = pair(v, "lvalue", what);
      return { lvalue: mapArr(l, `${what}.lvalue`, (x, w) => toInt(x, "long", w)), svalue: mapArr(s, `${what}.svalue`, toStr) };
    }
    case "DevVarDoubleStringArray": {
      const [d, s] = pair(v, "dvalue", what);
      return { dvalue: mapArr(d, `${what}.dvalue`, toFloat), svalue: mapArr(s, `${what}.svalue`, toStr) };
    }
    case "DevEncoded": {
      const e = toEncoded(v, what);
      return { encoded_format: e.format, encoded_data: e.data };
    }
    default:
      throw new InvalidArgumentError(`${what}: argument type ${type} is not supported by this client`, ORIGIN, "API_NotSupported");
  }
}

function pair(v: unknown, numKey: string, what: string): [unknown, unknown] {
  if (Array.isArray(v) && v.length === 2) return [v[0], v[1]];
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (numKey in o && "svalue" in o) return [o[numKey], o.svalue];
  }
  throw bad(what, `{${numKey}: number[], svalue: string[]}`, v);
}

/** Converts a received command result to its JS form (DevState → name, DevEncoded → {format, data}...). */
export function decodeArgout(any: AnyValue, declared?: CmdArgTypeName): CommandValue {
  const type = argTypeOfTypeCode(any.type) ?? declared;
  const v = any.value;
  switch (type) {
    case "DevVoid":
      return undefined;
    case "DevState":
      return DevStateNames[v as number] ?? "UNKNOWN";
    case "DevVarStateArray":
      return (v as number[]).map((x) => DevStateNames[x] ?? "UNKNOWN");
    case "DevEncoded": {
      const o = v as { encoded_format: string; encoded_data: Uint8Array };
      return { format: o.encoded_format, data: o.encoded_data };
    }
    default:
      return v as CommandValue;
  }
}

/** Tango type name of a numeric CmdArgType code. */
export function argTypeName(code: number): CmdArgTypeName {
  return CmdArgTypeNames[code] ?? ("DevVoid" as CmdArgTypeName);
}

// ------------------------------------------------------------------------------------------------- attributes

/** Flat elements of a received AttrValUnion, converted to JS scalars. */
export function unionElements(u: AttrValUnion): ScalarValue[] | null {
  switch (u.d) {
    case 6:
      return Array.from(u.v);
    case 11:
      return u.v.map((x) => DevStateNames[x] ?? "UNKNOWN");
    case 12:
      return [DevStateNames[u.v] ?? "UNKNOWN"];
    case 13:
      return u.v.map((e) => ({ format: e.format, data: e.data }));
    case 14:
      return null;
    default:
      return u.v as ScalarValue[];
  }
}

function shape(el: ScalarValue[], start: number, dim: AttributeDim, format: number): AttrValue {
  if (format === 0) return el[start] ?? null;
  if (format === 1) return el.slice(start, start + dim.x);
  const rows: ScalarValue[][] = [];
  for (let y = 0; y < dim.y; y++) rows.push(el.slice(start + y * dim.x, start + (y + 1) * dim.x));
  return rows;
}

function count(dim: AttributeDim, format: number): number {
  if (format === 0) return dim.x > 0 ? 1 : 0;
  if (format === 1) return dim.x;
  return dim.x * dim.y;
}

/** Splits the flat elements into the read value and the set point (READ_WRITE attributes carry both). */
export function shapeValue(
  u: AttrValUnion,
  format: number,
  rDim: AttributeDim,
  wDim: AttributeDim,
): { value: AttrValue; wValue?: AttrValue } {
  const el = unionElements(u);
  if (el === null) return { value: null };
  const nR = count(rDim, format);
  const nW = count(wDim, format);
  const value = shape(el, 0, rDim, format);
  if (nW > 0 && el.length >= nR + nW) return { value, wValue: shape(el, nR, wDim, format) };
  return { value };
}

export function qualityName(q: number): AttrQualityName {
  return AttrQualityNames[q] ?? "ATTR_INVALID";
}

export function formatName(f: number): (typeof AttrDataFormatNames)[number] {
  return AttrDataFormatNames[f] ?? "FMT_UNKNOWN";
}

export interface WriteTypeInfo {
  readonly name: string;
  readonly dataType: number;
  readonly dataFormat: number;
  readonly enumLabels?: readonly string[];
}

/** Builds the AttrValUnion and w_dim to write `v` to an attribute described by `info`. */
export function encodeAttrValue(info: WriteTypeInfo, v: unknown): { union: AttrValUnion; dim: AttributeDim } {
  const what = `attribute ${info.name}`;
  let flat: readonly unknown[];
  let dim: AttributeDim;
  if (info.dataFormat === 0) {
    if (Array.isArray(v)) throw bad(what, "a scalar value (SCALAR attribute)", v);
    flat = [v];
    dim = { x: 1, y: 0 };
  } else if (info.dataFormat === 1) {
    flat = info.dataType === 22 && v instanceof Uint8Array ? Array.from(v) : toArray(v, what);
    if (flat.some((x) => Array.isArray(x))) throw bad(what, "a flat array (SPECTRUM attribute)", v);
    dim = { x: flat.length, y: 0 };
  } else {
    const rows = toArray(v, what);
    const x = rows.length === 0 ? 0 : toArray(rows[0], `${what}[0]`).length;
    const out: unknown[] = [];
    rows.forEach((row, i) => {
      const r = toArray(row, `${what}[${i}]`);
      if (r.length !== x) throw bad(`${what}[${i}]`, `a row of ${x} elements (IMAGE rows must have equal length)`, row);
      out.push(...r);
    });
    flat = out;
    dim = { x, y: rows.length };
  }
  return { union: unionOf(info, flat, what), dim };
}

/** The AttributeValue_4 a cppTango client sends to write `v` (quality VALID, FMT_UNKNOWN, time 0, r_dim 0, w_dim = data dims). */
export function makeWriteValue(info: WriteTypeInfo, v: unknown): AttributeValue5 {
  const { union, dim } = encodeAttrValue(info, v);
  return {
    value: union,
    quality: 0,
    dataFormat: 3,
    dataType: info.dataType,
    time: { sec: 0, usec: 0, nsec: 0 },
    name: info.name,
    rDim: { x: 0, y: 0 },
    wDim: dim,
    errors: [],
  };
}

/** The AttrValUnion of the flat elements `flat` of scalar type `info.dataType` (InvalidArgumentError when one does not fit). */
export function unionOf(info: WriteTypeInfo, flat: readonly unknown[], what: string): AttrValUnion {
  const m = <T>(f: (x: unknown, w: string) => T): T[] => flat.map((x, i) => f(x, flat.length === 1 ? what : `${what}[${i}]`));
  const type = CmdArgTypeNames[info.dataType];
  switch (type) {
    case "DevBoolean":
      return { d: 0, v: m(toBool) };
    case "DevShort":
      return { d: 1, v: m((x, w) => toInt(x, "short", w)) };
    case "DevEnum":
      return {
        d: 1,
        v: m((x, w) => {
          if (typeof x === "string" && info.enumLabels) {
            const i = info.enumLabels.indexOf(x);
            if (i >= 0) return i;
            throw bad(w, `one of the enum labels ${info.enumLabels.join("|")}`, x);
          }
          return toInt(x, "short", w);
        }),
      };
    case "DevLong":
    case "DevInt":
      return { d: 2, v: m((x, w) => toInt(x, "long", w)) };
    case "DevLong64":
      return { d: 3, v: m((x, w) => toBig(x, true, w)) };
    case "DevFloat":
      return { d: 4, v: m(toFloat) };
    case "DevDouble":
      return { d: 5, v: m(toFloat) };
    case "DevUChar":
      return { d: 6, v: Uint8Array.from(m((x, w) => toInt(x, "uchar", w))) };
    case "DevUShort":
      return { d: 7, v: m((x, w) => toInt(x, "ushort", w)) };
    case "DevULong":
      return { d: 8, v: m((x, w) => toInt(x, "ulong", w)) };
    case "DevULong64":
      return { d: 9, v: m((x, w) => toBig(x, false, w)) };
    case "DevString":
      return { d: 10, v: m(toStr) };
    case "DevState":
      return { d: 11, v: m(toState) };
    case "DevEncoded":
      return { d: 13, v: m(toEncoded) };
    default:
      throw new InvalidArgumentError(`${what}: writing data type ${type ?? info.dataType} is not supported`, ORIGIN, "API_NotSupported");
  }
}

/** JSON-friendly form of any value this client returns (bigint → string, bytes → number[]). */
export function toJsonValue(v: unknown): unknown {
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Uint8Array) return Array.from(v);
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (v instanceof Error) return { name: v.name, message: v.message };
  if (v && typeof v === "object") {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = toJsonValue(x);
    return o;
  }
  return v;
}

export type { DevStateName, TypeCode };
