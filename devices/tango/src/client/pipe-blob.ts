/**
 * Pipe blobs in JS form ↔ the IDL DevPipeBlob (idl/pipe.ts).
 *
 *   { name: "roi", elements: [ { name: "x", value: 0 }, { name: "w", value: 100, dtype: "DevLong" },
 *                              { name: "tags", value: ["a", "b"] }, { name: "sub", value: { name: "inner", elements: {...} } } ] }
 *
 * `elements` is a list of {name, value, dtype?} or a record name → value. Without `dtype` the type is inferred as
 * PyTango infers it: string → DevString, boolean → DevBoolean, integer number or bigint → DevLong64, other number →
 * DevDouble, {format, data} → DevEncoded, {name, elements} → DevPipeBlob (nested), arrays by their first element
 * (DevVarStringArray, DevVarBooleanArray, DevVarLong64Array — DevVarDoubleArray when a number is not an integer) and
 * typed arrays by their element type (Float64Array → DevVarDoubleArray, Uint8Array → DevVarCharArray...). DevState
 * values and the narrower integer types need an explicit dtype.
 *
 * On the wire a value is always a sequence: cppTango marks scalars with inner_blob_name "Scalar" and arrays with
 * "Array" (DevicePipeBlob's insertion), and a nested blob by a non-empty inner_blob (its value is ATT_NO_DATA). Reads
 * use the same rule, so a one-element array reads back as an array, as in PyTango.
 */
import { InvalidArgumentError } from "../errors/errors.ts";
import { CmdArgType, type CmdArgTypeName, DevStateNames } from "../idl/constants.ts";
import { type DevPipeBlob, type DevPipeDataElt, MAX_PIPE_DEPTH } from "../idl/pipe.ts";
import type { AttrValUnion } from "../idl/structs.ts";
import { type DevEncodedValue, type DevStateName, unionOf } from "./convert.ts";

/** inner_blob_name of a scalar element (cppTango SCALAR_PIPE). */
export const PIPE_SCALAR = "Scalar";
/** inner_blob_name of an array element (cppTango ARRAY_PIPE). */
export const PIPE_ARRAY = "Array";

const SCALAR_TYPES = [
  "DevBoolean",
  "DevShort",
  "DevLong",
  "DevLong64",
  "DevFloat",
  "DevDouble",
  "DevUChar",
  "DevUShort",
  "DevULong",
  "DevULong64",
  "DevString",
  "DevState",
  "DevEncoded",
] as const;
type PipeScalarType = (typeof SCALAR_TYPES)[number];

/** The array types and the scalar type of their elements. */
const ARRAY_OF = {
  DevVarBooleanArray: "DevBoolean",
  DevVarShortArray: "DevShort",
  DevVarLongArray: "DevLong",
  DevVarLong64Array: "DevLong64",
  DevVarFloatArray: "DevFloat",
  DevVarDoubleArray: "DevDouble",
  DevVarCharArray: "DevUChar",
  DevVarUShortArray: "DevUShort",
  DevVarULongArray: "DevULong",
  DevVarULong64Array: "DevULong64",
  DevVarStringArray: "DevString",
  DevVarStateArray: "DevState",
} as const satisfies Record<string, PipeScalarType>;
type PipeArrayType = keyof typeof ARRAY_OF;

/** The Tango types a pipe data element can have. */
export type PipeDataType = PipeScalarType | PipeArrayType | "DevPipeBlob";
export const PipeDataTypes: readonly PipeDataType[] = [...SCALAR_TYPES, ...(Object.keys(ARRAY_OF) as PipeArrayType[]), "DevPipeBlob"];

export function isPipeDataType(s: unknown): s is PipeDataType {
  return typeof s === "string" && (PipeDataTypes as readonly string[]).includes(s);
}

/** A value read from a pipe element. */
export type PipeReadValue =
  | boolean
  | number
  | bigint
  | string
  | DevEncodedValue
  | boolean[]
  | number[]
  | bigint[]
  | string[]
  | DevEncodedValue[]
  | Uint8Array
  | PipeBlobValue;

export interface PipeReadElement {
  readonly name: string;
  readonly dtype: PipeDataType;
  readonly value: PipeReadValue;
}

/** A blob as read: elements in wire order, each with its Tango type. Can be written back as it is. */
export interface PipeBlobValue {
  readonly name: string;
  readonly elements: readonly PipeReadElement[];
}

/** One element of a blob to write (`dtype` optional: inferred from `value`). */
export interface PipeElementInput {
  readonly name: string;
  readonly value: unknown;
  readonly dtype?: PipeDataType | CmdArgTypeName | undefined;
}

/** A blob to write: a name (default "") and its elements, as a list or as a record name → value. */
export interface PipeBlobInput {
  readonly name?: string;
  readonly elements: readonly PipeElementInput[] | Readonly<Record<string, unknown>>;
}

const ORIGIN = "DeviceProxy";

function bad(what: string, expected: string, got: unknown, reason = "API_IncompatibleArgumentType"): InvalidArgumentError {
  return new InvalidArgumentError(`${what}: expected ${expected}, got ${describe(got)}`, ORIGIN, reason);
}

function describe(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (Array.isArray(v)) return `array(${v.length})`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as ArrayLike<unknown>).length})`;
  if (v === null || v === undefined) return String(v);
  if (typeof v === "object") return "object";
  return String(v);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

/** `{name?, elements}` with elements a list or a record. */
function isBlobInput(v: unknown): v is PipeBlobInput {
  return (
    isRecord(v) &&
    "elements" in v &&
    (Array.isArray(v.elements) || isRecord(v.elements)) &&
    (v.name === undefined || typeof v.name === "string")
  );
}

function isEncoded(v: unknown): v is { format: unknown; data: unknown } {
  return isRecord(v) && "format" in v && "data" in v && !("elements" in v);
}

// ------------------------------------------------------------------------------------------------- JS → wire

const TYPED_ARRAY_TYPES: readonly (readonly [new (...a: never[]) => unknown, PipeArrayType])[] = [
  [Uint8Array, "DevVarCharArray"],
  [Int16Array, "DevVarShortArray"],
  [Uint16Array, "DevVarUShortArray"],
  [Int32Array, "DevVarLongArray"],
  [Uint32Array, "DevVarULongArray"],
  [BigInt64Array, "DevVarLong64Array"],
  [BigUint64Array, "DevVarULong64Array"],
  [Float32Array, "DevVarFloatArray"],
  [Float64Array, "DevVarDoubleArray"],
];

/** The Tango type PyTango would give `v` (plus typed arrays, and doubles for non-integer number arrays). */
export function inferPipeDataType(v: unknown, what = "pipe element"): PipeDataType {
  switch (typeof v) {
    case "string":
      return "DevString";
    case "boolean":
      return "DevBoolean";
    case "bigint":
      return "DevLong64";
    case "number":
      return Number.isInteger(v) ? "DevLong64" : "DevDouble";
  }
  for (const [ctor, t] of TYPED_ARRAY_TYPES) if (v instanceof ctor) return t;
  if (Array.isArray(v)) {
    if (v.length === 0) throw bad(what, "a non-empty array, or an explicit dtype (the type of an empty array cannot be inferred)", v);
    const first = v[0];
    if (typeof first === "string") return "DevVarStringArray";
    if (typeof first === "boolean") return "DevVarBooleanArray";
    if (typeof first === "bigint") return "DevVarLong64Array";
    if (typeof first === "number")
      return v.every((x) => typeof x !== "number" || Number.isInteger(x)) ? "DevVarLong64Array" : "DevVarDoubleArray";
    if (isEncoded(first)) return "DevEncoded";
    throw bad(`${what}[0]`, "a string, boolean, number or bigint (or give a dtype)", first);
  }
  if (isBlobInput(v)) return "DevPipeBlob";
  if (isEncoded(v)) return "DevEncoded";
  throw bad(what, "a pipe value (string, boolean, number, bigint, array, {format, data} or a nested blob {name, elements})", v);
}

function flat(v: unknown, what: string): readonly unknown[] {
  if (Array.isArray(v)) return v;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<unknown>);
  throw bad(what, "an array", v);
}

function entriesOf(b: PipeBlobInput, what: string): PipeElementInput[] {
  const els = b.elements;
  if (Array.isArray(els)) {
    return els.map((e, i) => {
      if (!isRecord(e) || typeof e.name !== "string" || !("value" in e))
        throw bad(`${what}.elements[${i}]`, "{name: string, value, dtype?}", e);
      return e as unknown as PipeElementInput;
    });
  }
  if (isRecord(els)) return Object.entries(els).map(([name, value]) => ({ name, value }));
  throw bad(`${what}.elements`, "a list of {name, value, dtype?} or a record name → value", els);
}

function checkNames(list: readonly PipeElementInput[], what: string): void {
  const seen = new Set<string>();
  const dup: string[] = [];
  for (const e of list) {
    const k = e.name.toLowerCase();
    if (seen.has(k)) dup.push(e.name);
    seen.add(k);
  }
  if (dup.length > 0) {
    throw new InvalidArgumentError(
      `${what}: several data elements named ${dup.join(", ")} (names are case-insensitive and must be unique in a blob)`,
      ORIGIN,
      "API_PipeDuplicateDEName",
    );
  }
}

function toElt(e: PipeElementInput, what: string, depth: number): DevPipeDataElt {
  const dtype = e.dtype === undefined ? inferPipeDataType(e.value, what) : e.dtype;
  if (!isPipeDataType(dtype)) {
    throw new InvalidArgumentError(
      `${what}: ${String(dtype)} is not a pipe data type (one of ${PipeDataTypes.join(", ")})`,
      ORIGIN,
      "API_NotSupported",
    );
  }
  if (dtype === "DevPipeBlob") {
    if (!isBlobInput(e.value)) throw bad(what, "a nested blob {name, elements}", e.value);
    const inner = toDevPipeBlob(e.value, what, depth + 1);
    return { name: e.name, value: { d: 14, v: true }, innerBlob: inner.data, innerBlobName: inner.name };
  }
  let value: AttrValUnion;
  let kind: string;
  if (dtype in ARRAY_OF) {
    const scalar = ARRAY_OF[dtype as PipeArrayType];
    value = unionOf({ name: e.name, dataType: CmdArgType[scalar], dataFormat: 1 }, flat(e.value, what), what);
    kind = PIPE_ARRAY;
  } else {
    if (Array.isArray(e.value) || (ArrayBuffer.isView(e.value) && !(e.value instanceof DataView)))
      throw bad(what, `one ${dtype} value (not an array)`, e.value);
    value = unionOf({ name: e.name, dataType: CmdArgType[dtype as PipeScalarType], dataFormat: 0 }, [e.value], what);
    kind = PIPE_SCALAR;
  }
  return { name: e.name, value, innerBlob: [], innerBlobName: kind };
}

/**
 * Converts a JS blob to the IDL DevPipeBlob. InvalidArgumentError (nothing sent) for values that do not fit their
 * type, types that cannot be inferred, duplicate element names (API_PipeDuplicateDEName) and nesting deeper than
 * MAX_PIPE_DEPTH.
 */
export function toDevPipeBlob(blob: PipeBlobInput, what = "pipe blob", depth = 1): DevPipeBlob {
  if (!isBlobInput(blob)) throw bad(what, "a blob {name, elements}", blob);
  if (depth > MAX_PIPE_DEPTH) throw bad(what, `blobs nested at most ${MAX_PIPE_DEPTH} deep`, "a deeper nesting");
  const list = entriesOf(blob, what);
  checkNames(list, what);
  return { name: blob.name ?? "", data: list.map((e) => toElt(e, `${what} element ${e.name}`, depth)) };
}

// ------------------------------------------------------------------------------------------------- wire → JS

const UNION_TYPES: Record<number, PipeScalarType> = {
  0: "DevBoolean",
  1: "DevShort",
  2: "DevLong",
  3: "DevLong64",
  4: "DevFloat",
  5: "DevDouble",
  6: "DevUChar",
  7: "DevUShort",
  8: "DevULong",
  9: "DevULong64",
  10: "DevString",
  11: "DevState",
  12: "DevState",
  13: "DevEncoded",
};
const ARRAY_TYPE_OF = Object.fromEntries(Object.entries(ARRAY_OF).map(([a, s]) => [s, a])) as Record<PipeScalarType, PipeArrayType>;

function stateName(n: number): DevStateName {
  return DevStateNames[n] ?? "UNKNOWN";
}

function fromElt(e: DevPipeDataElt): PipeReadElement {
  const u = e.value;
  if (e.innerBlob.length > 0 || u.d === 14) {
    return { name: e.name, dtype: "DevPipeBlob", value: fromDevPipeBlob({ name: e.innerBlobName, data: e.innerBlob }) };
  }
  const type = UNION_TYPES[u.d] ?? "DevString";
  if (u.d === 12) return { name: e.name, dtype: "DevState", value: stateName(u.v) };
  const els: PipeReadValue =
    u.d === 11 ? u.v.map(stateName) : u.d === 13 ? u.v.map((x) => ({ format: x.format, data: x.data })) : (u.v as PipeReadValue);
  const n = (els as ArrayLike<unknown>).length;
  if (u.d === 13) return { name: e.name, dtype: "DevEncoded", value: n === 1 ? ((els as DevEncodedValue[])[0] as DevEncodedValue) : els };
  if (e.innerBlobName === PIPE_SCALAR && n === 1) {
    return { name: e.name, dtype: type, value: (els as ArrayLike<PipeReadValue>)[0] as PipeReadValue };
  }
  return { name: e.name, dtype: ARRAY_TYPE_OF[type], value: els };
}

/** Converts a received DevPipeBlob to its JS form (a one-element "Scalar" sequence gives the scalar). */
export function fromDevPipeBlob(b: DevPipeBlob): PipeBlobValue {
  return { name: b.name, elements: b.data.map(fromElt) };
}
