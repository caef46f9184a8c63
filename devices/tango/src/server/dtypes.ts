/**
 * dtype tokens of the authoring API. A token names a Tango data type (CmdArgType) and carries, at the type level,
 * the JS type a handler receives (`In`) and the JS type a getter/handler may return (`Out`), so a mismatch between
 * `dtype` and the code is a compile error.
 */
import type { CmdArgTypeName, DevStateName } from "../idl/constants.ts";
import { CmdArgType } from "../idl/constants.ts";
import type { DevEncoded as DevEncodedValue } from "../idl/structs.ts";

export interface DType<In, Out = In, N extends CmdArgTypeName = CmdArgTypeName> {
  readonly name: N;
  readonly code: number;
  /** Type-level only. */
  readonly __in?: In;
  /** Type-level only. */
  readonly __out?: Out;
}

/** Any dtype token. */
export type AnyDType = DType<unknown, unknown>;

export type InOf<D> = D extends DType<infer I, unknown> ? I : never;
export type OutOf<D> = D extends DType<unknown, infer O> ? O : never;

function token<In, Out = In, N extends CmdArgTypeName = CmdArgTypeName>(name: N): DType<In, Out, N> {
  return Object.freeze({ name, code: CmdArgType[name] });
}

type NumArray = readonly number[] | ArrayLike<number>;
type BigArray = readonly (bigint | number)[];

export interface LongStringArray {
  readonly lvalue: readonly number[];
  readonly svalue: readonly string[];
}
export interface DoubleStringArray {
  readonly dvalue: readonly number[];
  readonly svalue: readonly string[];
}

export const DevVoid = token<void, void, "DevVoid">("DevVoid");
export const DevBoolean = token<boolean, boolean, "DevBoolean">("DevBoolean");
export const DevShort = token<number, number, "DevShort">("DevShort");
export const DevLong = token<number, number, "DevLong">("DevLong");
export const DevInt = token<number, number, "DevInt">("DevInt");
export const DevFloat = token<number, number, "DevFloat">("DevFloat");
export const DevDouble = token<number, number, "DevDouble">("DevDouble");
export const DevUShort = token<number, number, "DevUShort">("DevUShort");
export const DevULong = token<number, number, "DevULong">("DevULong");
export const DevUChar = token<number, number, "DevUChar">("DevUChar");
export const DevLong64 = token<bigint, bigint | number, "DevLong64">("DevLong64");
export const DevULong64 = token<bigint, bigint | number, "DevULong64">("DevULong64");
export const DevString = token<string, string, "DevString">("DevString");
/** Enumerated attribute: the value is the label index; a label string is accepted on return. */
export const DevEnum = token<number, number | string, "DevEnum">("DevEnum");
export const DevState = token<DevStateName, DevStateName | number, "DevState">("DevState");
export const DevEncoded = token<DevEncodedValue, DevEncodedValue, "DevEncoded">("DevEncoded");
/** Alias of DevEncoded. */
export const DevEncodedType = DevEncoded;
export const DevVarCharArray = token<Uint8Array, Uint8Array | readonly number[], "DevVarCharArray">("DevVarCharArray");
export const DevVarShortArray = token<number[], NumArray, "DevVarShortArray">("DevVarShortArray");
export const DevVarLongArray = token<number[], NumArray, "DevVarLongArray">("DevVarLongArray");
export const DevVarFloatArray = token<number[], NumArray, "DevVarFloatArray">("DevVarFloatArray");
export const DevVarDoubleArray = token<number[], NumArray, "DevVarDoubleArray">("DevVarDoubleArray");
export const DevVarUShortArray = token<number[], NumArray, "DevVarUShortArray">("DevVarUShortArray");
export const DevVarULongArray = token<number[], NumArray, "DevVarULongArray">("DevVarULongArray");
export const DevVarLong64Array = token<bigint[], BigArray, "DevVarLong64Array">("DevVarLong64Array");
export const DevVarULong64Array = token<bigint[], BigArray, "DevVarULong64Array">("DevVarULong64Array");
export const DevVarStringArray = token<string[], readonly string[], "DevVarStringArray">("DevVarStringArray");
export const DevVarBooleanArray = token<boolean[], readonly boolean[], "DevVarBooleanArray">("DevVarBooleanArray");
export const DevVarStateArray = token<DevStateName[], readonly (DevStateName | number)[], "DevVarStateArray">("DevVarStateArray");
export const DevVarLongStringArray = token<LongStringArray, LongStringArray, "DevVarLongStringArray">("DevVarLongStringArray");
export const DevVarDoubleStringArray = token<DoubleStringArray, DoubleStringArray, "DevVarDoubleStringArray">("DevVarDoubleStringArray");

/** Token by CmdArgType name (for specs built from strings). */
export const DTYPES: Readonly<Partial<Record<CmdArgTypeName, AnyDType>>> = {
  DevVoid,
  DevBoolean,
  DevShort,
  DevLong,
  DevInt,
  DevFloat,
  DevDouble,
  DevUShort,
  DevULong,
  DevUChar,
  DevLong64,
  DevULong64,
  DevString,
  ConstDevString: DevString,
  DevEnum,
  DevState,
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
};

/** Scalar dtypes an attribute may have. */
export const ATTRIBUTE_DTYPES: ReadonlySet<CmdArgTypeName> = new Set<CmdArgTypeName>([
  "DevBoolean",
  "DevShort",
  "DevLong",
  "DevFloat",
  "DevDouble",
  "DevUShort",
  "DevULong",
  "DevUChar",
  "DevLong64",
  "DevULong64",
  "DevString",
  "DevEnum",
  "DevState",
  "DevEncoded",
]);

/** Array command types → the element scalar type (used to accept `dtype: DevVarDoubleArray` on a spectrum attribute). */
export const ARRAY_ELEMENT: Readonly<Partial<Record<CmdArgTypeName, CmdArgTypeName>>> = {
  DevVarCharArray: "DevUChar",
  DevVarShortArray: "DevShort",
  DevVarLongArray: "DevLong",
  DevVarFloatArray: "DevFloat",
  DevVarDoubleArray: "DevDouble",
  DevVarUShortArray: "DevUShort",
  DevVarULongArray: "DevULong",
  DevVarLong64Array: "DevLong64",
  DevVarULong64Array: "DevULong64",
  DevVarStringArray: "DevString",
  DevVarBooleanArray: "DevBoolean",
  DevVarStateArray: "DevState",
};
