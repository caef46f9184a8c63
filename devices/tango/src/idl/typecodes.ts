/** TypeCodes of the Tango command argument types, as cppTango puts them in CORBA::Any. */
import { type TypeCode, tc } from "../corba/typecode.ts";
import { CmdArgType, type CmdArgTypeName, DevStateNames } from "./constants.ts";

const alias = (name: string, content: TypeCode): TypeCode => tc.alias(`IDL:Tango/${name}:1.0`, name, content);
const seqAlias = (name: string, el: TypeCode): TypeCode => alias(name, tc.sequence(el));

export const TC_DevState = tc.enum("IDL:Tango/DevState:1.0", "DevState", [...DevStateNames]);
export const TC_DevVarCharArray = seqAlias("DevVarCharArray", tc.simple("octet"));
export const TC_DevVarShortArray = seqAlias("DevVarShortArray", tc.simple("short"));
export const TC_DevVarLongArray = seqAlias("DevVarLongArray", tc.simple("long"));
export const TC_DevVarFloatArray = seqAlias("DevVarFloatArray", tc.simple("float"));
export const TC_DevVarDoubleArray = seqAlias("DevVarDoubleArray", tc.simple("double"));
export const TC_DevVarUShortArray = seqAlias("DevVarUShortArray", tc.simple("ushort"));
export const TC_DevVarULongArray = seqAlias("DevVarULongArray", tc.simple("ulong"));
export const TC_DevVarStringArray = seqAlias("DevVarStringArray", tc.string());
export const TC_DevVarBooleanArray = seqAlias("DevVarBooleanArray", tc.simple("boolean"));
export const TC_DevVarLong64Array = seqAlias("DevVarLong64Array", tc.simple("longlong"));
export const TC_DevVarULong64Array = seqAlias("DevVarULong64Array", tc.simple("ulonglong"));
export const TC_DevVarStateArray = seqAlias("DevVarStateArray", TC_DevState);
export const TC_DevVarLongStringArray = tc.struct("IDL:Tango/DevVarLongStringArray:1.0", "DevVarLongStringArray", [
  { name: "lvalue", type: TC_DevVarLongArray },
  { name: "svalue", type: TC_DevVarStringArray },
]);
export const TC_DevVarDoubleStringArray = tc.struct("IDL:Tango/DevVarDoubleStringArray:1.0", "DevVarDoubleStringArray", [
  { name: "dvalue", type: TC_DevVarDoubleArray },
  { name: "svalue", type: TC_DevVarStringArray },
]);
export const TC_DevEncoded = tc.struct("IDL:Tango/DevEncoded:1.0", "DevEncoded", [
  { name: "encoded_format", type: alias("DevString", tc.string()) },
  { name: "encoded_data", type: TC_DevVarCharArray },
]);

const TABLE: Partial<Record<CmdArgTypeName, TypeCode>> = {
  DevVoid: tc.simple("null"),
  DevBoolean: tc.simple("boolean"),
  DevShort: tc.simple("short"),
  DevEnum: tc.simple("short"),
  DevLong: tc.simple("long"),
  DevInt: tc.simple("long"),
  DevFloat: tc.simple("float"),
  DevDouble: tc.simple("double"),
  DevUShort: tc.simple("ushort"),
  DevULong: tc.simple("ulong"),
  DevLong64: tc.simple("longlong"),
  DevULong64: tc.simple("ulonglong"),
  DevUChar: tc.simple("octet"),
  DevString: tc.string(),
  ConstDevString: tc.string(),
  DevState: TC_DevState,
  DevVarCharArray: TC_DevVarCharArray,
  DevVarShortArray: TC_DevVarShortArray,
  DevVarLongArray: TC_DevVarLongArray,
  DevVarFloatArray: TC_DevVarFloatArray,
  DevVarDoubleArray: TC_DevVarDoubleArray,
  DevVarUShortArray: TC_DevVarUShortArray,
  DevVarULongArray: TC_DevVarULongArray,
  DevVarStringArray: TC_DevVarStringArray,
  DevVarBooleanArray: TC_DevVarBooleanArray,
  DevVarLong64Array: TC_DevVarLong64Array,
  DevVarULong64Array: TC_DevVarULong64Array,
  DevVarStateArray: TC_DevVarStateArray,
  DevVarLongStringArray: TC_DevVarLongStringArray,
  DevVarDoubleStringArray: TC_DevVarDoubleStringArray,
  DevEncoded: TC_DevEncoded,
};

/** The TypeCode to put in the Any for a command argument of this type (undefined for unsupported types like DevPipeBlob). */
export function typeCodeForArg(type: CmdArgTypeName): TypeCode | undefined {
  return TABLE[type];
}

/** Infers the Tango argument type from a received Any's TypeCode (by alias/struct id first, then by structure). */
export function argTypeOfTypeCode(t: TypeCode): CmdArgTypeName | undefined {
  if (t.kind === "alias" || t.kind === "struct" || t.kind === "enum") {
    const m = /^IDL:Tango\/(\w+):1\.0$/.exec(t.id);
    const name = m?.[1];
    if (name && name in CmdArgType && name !== "DevString") return name as CmdArgTypeName;
    if (t.kind === "alias") return argTypeOfTypeCode(t.content);
  }
  switch (t.kind) {
    case "null":
    case "void":
      return "DevVoid";
    case "boolean":
      return "DevBoolean";
    case "short":
      return "DevShort";
    case "long":
      return "DevLong";
    case "float":
      return "DevFloat";
    case "double":
      return "DevDouble";
    case "ushort":
      return "DevUShort";
    case "ulong":
      return "DevULong";
    case "longlong":
      return "DevLong64";
    case "ulonglong":
      return "DevULong64";
    case "octet":
      return "DevUChar";
    case "string":
      return "DevString";
    case "sequence": {
      const el = argTypeOfTypeCode(t.element);
      const map: Partial<Record<CmdArgTypeName, CmdArgTypeName>> = {
        DevUChar: "DevVarCharArray",
        DevShort: "DevVarShortArray",
        DevLong: "DevVarLongArray",
        DevFloat: "DevVarFloatArray",
        DevDouble: "DevVarDoubleArray",
        DevUShort: "DevVarUShortArray",
        DevULong: "DevVarULongArray",
        DevString: "DevVarStringArray",
        DevBoolean: "DevVarBooleanArray",
        DevLong64: "DevVarLong64Array",
        DevULong64: "DevVarULong64Array",
        DevState: "DevVarStateArray",
      };
      return el ? map[el] : undefined;
    }
    default:
      return undefined;
  }
}
