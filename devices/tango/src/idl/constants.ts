/** Tango IDL 5 enumerations and constants (tango.idl, cppTango tango_const.h). */

export const DevStateNames = [
  "ON",
  "OFF",
  "CLOSE",
  "OPEN",
  "INSERT",
  "EXTRACT",
  "MOVING",
  "STANDBY",
  "FAULT",
  "INIT",
  "RUNNING",
  "ALARM",
  "DISABLE",
  "UNKNOWN",
] as const;
export type DevStateName = (typeof DevStateNames)[number];
export const DevState = Object.fromEntries(DevStateNames.map((n, i) => [n, i])) as { readonly [K in DevStateName]: number };

export const AttrQualityNames = ["ATTR_VALID", "ATTR_INVALID", "ATTR_ALARM", "ATTR_CHANGING", "ATTR_WARNING"] as const;
export type AttrQualityName = (typeof AttrQualityNames)[number];

export const AttrWriteTypeNames = ["READ", "READ_WITH_WRITE", "WRITE", "READ_WRITE", "WT_UNKNOWN"] as const;
export type AttrWriteTypeName = (typeof AttrWriteTypeNames)[number];

export const AttrDataFormatNames = ["SCALAR", "SPECTRUM", "IMAGE", "FMT_UNKNOWN"] as const;
export type AttrDataFormatName = (typeof AttrDataFormatNames)[number];

export const DispLevelNames = ["OPERATOR", "EXPERT", "DL_UNKNOWN"] as const;
export type DispLevelName = (typeof DispLevelNames)[number];

export const DevSource = { DEV: 0, CACHE: 1, CACHE_DEV: 2 } as const;
export type DevSourceName = keyof typeof DevSource;

/** CPP_6 and JAVA_6: IDL 6 (Tango 10), ClntIdent with a trace context. */
export const LockerLanguage = { CPP: 0, JAVA: 1, CPP_6: 2, JAVA_6: 3 } as const;

/** AttrValUnion discriminator (AttributeDataType). */
export const AttributeDataType = {
  ATT_BOOL: 0,
  ATT_SHORT: 1,
  ATT_LONG: 2,
  ATT_LONG64: 3,
  ATT_FLOAT: 4,
  ATT_DOUBLE: 5,
  ATT_UCHAR: 6,
  ATT_USHORT: 7,
  ATT_ULONG: 8,
  ATT_ULONG64: 9,
  ATT_STRING: 10,
  ATT_STATE: 11,
  DEVICE_STATE: 12,
  ATT_ENCODED: 13,
  ATT_NO_DATA: 14,
} as const;

/** CmdArgType codes. */
export const CmdArgType = {
  DevVoid: 0,
  DevBoolean: 1,
  DevShort: 2,
  DevLong: 3,
  DevFloat: 4,
  DevDouble: 5,
  DevUShort: 6,
  DevULong: 7,
  DevString: 8,
  DevVarCharArray: 9,
  DevVarShortArray: 10,
  DevVarLongArray: 11,
  DevVarFloatArray: 12,
  DevVarDoubleArray: 13,
  DevVarUShortArray: 14,
  DevVarULongArray: 15,
  DevVarStringArray: 16,
  DevVarLongStringArray: 17,
  DevVarDoubleStringArray: 18,
  DevState: 19,
  ConstDevString: 20,
  DevVarBooleanArray: 21,
  DevUChar: 22,
  DevLong64: 23,
  DevULong64: 24,
  DevVarLong64Array: 25,
  DevVarULong64Array: 26,
  DevInt: 27,
  DevEncoded: 28,
  DevEnum: 29,
  DevPipeBlob: 30,
  DevVarStateArray: 31,
} as const;
export type CmdArgTypeName = keyof typeof CmdArgType;
export const CmdArgTypeNames: Record<number, CmdArgTypeName> = Object.fromEntries(
  Object.entries(CmdArgType).map(([k, v]) => [v, k as CmdArgTypeName]),
);

export const TANGO_DEV_VERSION = 5;
/** The Tango library release we announce (9.3.4 → 934, the reference stack's release). */
export const TANGO_LIB_RELEASE = 934;
export const DEFAULT_CLIENT_TIMEOUT_MS = 3000;

export const REPO_DEVFAILED = "IDL:Tango/DevFailed:1.0";
export const REPO_MULTIDEVFAILED = "IDL:Tango/MultiDevFailed:1.0";
export const DEVICE_REPO_IDS = [
  "IDL:Tango/Device:1.0",
  "IDL:Tango/Device_2:1.0",
  "IDL:Tango/Device_3:1.0",
  "IDL:Tango/Device_4:1.0",
  "IDL:Tango/Device_5:1.0",
] as const;
export const DEVICE_5_REPO_ID = "IDL:Tango/Device_5:1.0";

/** Attribute-configuration default strings (tango_const.h). */
export const AlrmValueNotSpec = "Not specified";
export const AssocWritNotSpec = "None";
export const DescNotSpec = "No description";
export const UnitNotSpec = "";
export const StdUnitNotSpec = "No standard unit";
export const DispUnitNotSpec = "No display unit";
export const NotANumber = "NaN";
