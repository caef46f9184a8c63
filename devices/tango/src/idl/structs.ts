/** Codecs of the Tango IDL 5 structs, unions and exceptions (field order = wire order, tango.idl). */
import type { CdrReader, CdrWriter } from "../cdr/cdr.ts";
import { type AnyValue, readAny, writeAny } from "../corba/typecode.ts";
import { type DevError, type ErrSeverityName, type NamedDevError, ProtocolError } from "../errors/errors.ts";
import { AttributeDataType } from "./constants.ts";

const SEVERITIES: ErrSeverityName[] = ["WARN", "ERR", "PANIC"];

// ------------------------------------------------------------------------------------------------- errors

export function readDevError(r: CdrReader): DevError {
  const reason = r.string();
  const sev = r.ulong();
  const severity = SEVERITIES[sev];
  if (severity === undefined) throw new ProtocolError(`DevError: severity ${sev} out of range`);
  const desc = r.string();
  const origin = r.string();
  return { reason, desc, origin, severity };
}
export function writeDevError(w: CdrWriter, e: DevError): void {
  w.string(e.reason);
  w.ulong(SEVERITIES.indexOf(e.severity) < 0 ? 1 : SEVERITIES.indexOf(e.severity));
  w.string(e.desc);
  w.string(e.origin);
}
export function readDevErrorList(r: CdrReader): DevError[] {
  return r.sequence(16, readDevError, "DevErrorList");
}
export function writeDevErrorList(w: CdrWriter, list: readonly DevError[]): void {
  w.sequence(list, writeDevError);
}
export function readNamedDevErrorList(r: CdrReader): NamedDevError[] {
  return r.sequence(12, (x) => ({ name: x.string(), indexInCall: x.long(), errors: readDevErrorList(x) }), "NamedDevErrorList");
}
export function writeNamedDevErrorList(w: CdrWriter, list: readonly NamedDevError[]): void {
  w.sequence(list, (x, n) => {
    x.string(n.name);
    x.long(n.indexInCall);
    writeDevErrorList(x, n.errors);
  });
}

// ------------------------------------------------------------------------------------------------- small structs

export interface TimeVal {
  readonly sec: number;
  readonly usec: number;
  readonly nsec: number;
}
export function readTimeVal(r: CdrReader): TimeVal {
  return { sec: r.long(), usec: r.long(), nsec: r.long() };
}
export function writeTimeVal(w: CdrWriter, t: TimeVal): void {
  w.long(t.sec);
  w.long(t.usec);
  w.long(t.nsec);
}
export function timeValNow(nowMs = Date.now()): TimeVal {
  const sec = Math.floor(nowMs / 1000);
  return { sec, usec: Math.floor((nowMs - sec * 1000) * 1000), nsec: 0 };
}
export function timeValToDate(t: TimeVal): Date {
  return new Date(t.sec * 1000 + Math.floor(t.usec / 1000));
}

export interface AttributeDim {
  readonly x: number;
  readonly y: number;
}
function readDim(r: CdrReader): AttributeDim {
  return { x: r.long(), y: r.long() };
}
function writeDim(w: CdrWriter, d: AttributeDim): void {
  w.long(d.x);
  w.long(d.y);
}

/** IDL 6 (Tango 10) TraceContext, case W3C_TC_V0: the W3C `traceparent` / `tracestate` strings (empty when not tracing). */
export interface W3CTraceContext {
  readonly traceParent: string;
  readonly traceState: string;
}
/**
 * ClntIdent (union on LockerLanguage). CPP/JAVA are IDL 4/5; CPP_6/JAVA_6 are sent by Tango 10 clients to Device_6
 * servers: the IDL 5 member followed by a TraceContext union (discriminator 0 = W3C_TC_V0, two strings).
 * The CPP_6 layout is checked against captured cppTango 10.3 bytes (interop10/*.golden.hex); JAVA_6 follows the same rule.
 */
export type ClntIdent =
  | { readonly lang: "CPP"; readonly pid: number }
  | { readonly lang: "JAVA"; readonly mainClass: string; readonly uuid: readonly [bigint, bigint] }
  | { readonly lang: "CPP_6"; readonly pid: number; readonly traceContext: W3CTraceContext }
  | {
      readonly lang: "JAVA_6";
      readonly mainClass: string;
      readonly uuid: readonly [bigint, bigint];
      readonly traceContext: W3CTraceContext;
    };
function readTraceContext(r: CdrReader): W3CTraceContext {
  const d = r.ulong();
  if (d !== 0) throw new ProtocolError(`ClntIdent: unknown TraceContext discriminator ${d} (only W3C_TC_V0 = 0 is defined)`);
  return { traceParent: r.string(), traceState: r.string() };
}
function writeTraceContext(w: CdrWriter, t: W3CTraceContext): void {
  w.ulong(0);
  w.string(t.traceParent);
  w.string(t.traceState);
}
export function readClntIdent(r: CdrReader): ClntIdent {
  const d = r.ulong();
  if (d === 0) return { lang: "CPP", pid: r.ulong() };
  if (d === 1) return { lang: "JAVA", mainClass: r.string(), uuid: [r.ulonglong(), r.ulonglong()] };
  if (d === 2) return { lang: "CPP_6", pid: r.ulong(), traceContext: readTraceContext(r) };
  if (d === 3) return { lang: "JAVA_6", mainClass: r.string(), uuid: [r.ulonglong(), r.ulonglong()], traceContext: readTraceContext(r) };
  throw new ProtocolError(`ClntIdent: unknown LockerLanguage ${d}`);
}
export function writeClntIdent(w: CdrWriter, c: ClntIdent): void {
  if (c.lang === "CPP" || c.lang === "CPP_6") {
    w.ulong(c.lang === "CPP" ? 0 : 2);
    w.ulong(c.pid);
  } else {
    w.ulong(c.lang === "JAVA" ? 1 : 3);
    w.string(c.mainClass);
    w.ulonglong(c.uuid[0]);
    w.ulonglong(c.uuid[1]);
  }
  if (c.lang === "CPP_6" || c.lang === "JAVA_6") writeTraceContext(w, c.traceContext);
}

export interface DevInfo {
  readonly devClass: string;
  readonly serverId: string;
  readonly serverHost: string;
  readonly serverVersion: number;
  readonly docUrl: string;
  /** DevInfo_3 only. */
  readonly devType?: string;
}
export function readDevInfo(r: CdrReader, v3: boolean): DevInfo {
  const base = { devClass: r.string(), serverId: r.string(), serverHost: r.string(), serverVersion: r.long(), docUrl: r.string() };
  return v3 ? { ...base, devType: r.string() } : base;
}
export function writeDevInfo(w: CdrWriter, i: DevInfo, v3: boolean): void {
  w.string(i.devClass);
  w.string(i.serverId);
  w.string(i.serverHost);
  w.long(i.serverVersion);
  w.string(i.docUrl);
  if (v3) w.string(i.devType ?? "Uninitialised");
}

export interface DevCmdInfo {
  readonly name: string;
  /** DevCmdInfo_2 only (DispLevel). */
  readonly level: number;
  readonly tag: number;
  readonly inType: number;
  readonly outType: number;
  readonly inTypeDesc: string;
  readonly outTypeDesc: string;
}
export function readDevCmdInfo(r: CdrReader, v2: boolean): DevCmdInfo {
  const name = r.string();
  const level = v2 ? r.ulong() : 0;
  return { name, level, tag: r.long(), inType: r.long(), outType: r.long(), inTypeDesc: r.string(), outTypeDesc: r.string() };
}
export function writeDevCmdInfo(w: CdrWriter, c: DevCmdInfo, v2: boolean): void {
  w.string(c.name);
  if (v2) w.ulong(c.level);
  w.long(c.tag);
  w.long(c.inType);
  w.long(c.outType);
  w.string(c.inTypeDesc);
  w.string(c.outTypeDesc);
}

// ------------------------------------------------------------------------------------------------- attribute values

export interface DevEncoded {
  readonly format: string;
  readonly data: Uint8Array;
}

/** AttrValUnion: the discriminator (AttributeDataType) and the decoded sequence (or a single state for DEVICE_STATE). */
export type AttrValUnion =
  | { readonly d: 0; readonly v: boolean[] }
  | { readonly d: 1 | 2 | 4 | 5 | 7 | 8 | 11; readonly v: number[] }
  | { readonly d: 3 | 9; readonly v: bigint[] }
  | { readonly d: 6; readonly v: Uint8Array }
  | { readonly d: 10; readonly v: string[] }
  | { readonly d: 12; readonly v: number }
  | { readonly d: 13; readonly v: DevEncoded[] }
  | { readonly d: 14; readonly v: boolean };

export const NO_DATA: AttrValUnion = { d: AttributeDataType.ATT_NO_DATA, v: false };

export function readAttrValUnion(r: CdrReader): AttrValUnion {
  const d = r.ulong();
  switch (d) {
    case 0:
      return { d, v: r.booleanSeq() };
    case 1:
      return { d, v: r.numberSeq("short") };
    case 2:
      return { d, v: r.numberSeq("long") };
    case 3:
      return { d, v: r.bigintSeq(true) };
    case 4:
      return { d, v: r.numberSeq("float") };
    case 5:
      return { d, v: r.numberSeq("double") };
    case 6:
      return { d, v: r.octets() };
    case 7:
      return { d, v: r.numberSeq("ushort") };
    case 8:
      return { d, v: r.numberSeq("ulong") };
    case 9:
      return { d, v: r.bigintSeq(false) };
    case 10:
      return { d, v: r.stringSeq() };
    case 11:
      return { d, v: r.numberSeq("ulong") };
    case 12:
      return { d, v: r.ulong() };
    case 13:
      return { d, v: r.sequence(8, (x) => ({ format: x.string(), data: x.octets() }), "DevVarEncodedArray") };
    case 14:
      return { d, v: r.boolean() };
    default:
      throw new ProtocolError(`AttrValUnion: unknown discriminator ${d}`);
  }
}

export function writeAttrValUnion(w: CdrWriter, u: AttrValUnion): void {
  w.ulong(u.d);
  switch (u.d) {
    case 0:
      w.booleanSeq(u.v);
      return;
    case 1:
      w.numberSeq("short", u.v);
      return;
    case 2:
      w.numberSeq("long", u.v);
      return;
    case 3:
      w.bigintSeq(true, u.v);
      return;
    case 4:
      w.numberSeq("float", u.v);
      return;
    case 5:
      w.numberSeq("double", u.v);
      return;
    case 6:
      w.octets(u.v);
      return;
    case 7:
      w.numberSeq("ushort", u.v);
      return;
    case 8:
    case 11:
      w.numberSeq("ulong", u.v);
      return;
    case 9:
      w.bigintSeq(false, u.v);
      return;
    case 10:
      w.stringSeq(u.v);
      return;
    case 12:
      w.ulong(u.v);
      return;
    case 13:
      w.sequence(u.v, (x, e) => {
        x.string(e.format);
        x.octets(e.data);
      });
      return;
    case 14:
      w.boolean(u.v);
      return;
  }
}

/** AttributeValue_4 / AttributeValue_5 (dataType is only on the wire for _5). */
export interface AttributeValue5 {
  readonly value: AttrValUnion;
  readonly quality: number;
  readonly dataFormat: number;
  readonly dataType: number;
  readonly time: TimeVal;
  readonly name: string;
  readonly rDim: AttributeDim;
  readonly wDim: AttributeDim;
  readonly errors: readonly DevError[];
}

export function readAttributeValue5(r: CdrReader, v5 = true): AttributeValue5 {
  const value = readAttrValUnion(r);
  const quality = r.ulong();
  const dataFormat = r.ulong();
  const dataType = v5 ? r.long() : -1;
  return {
    value,
    quality,
    dataFormat,
    dataType,
    time: readTimeVal(r),
    name: r.string(),
    rDim: readDim(r),
    wDim: readDim(r),
    errors: readDevErrorList(r),
  };
}
export function writeAttributeValue5(w: CdrWriter, a: AttributeValue5, v5 = true): void {
  writeAttrValUnion(w, a.value);
  w.ulong(a.quality);
  w.ulong(a.dataFormat);
  if (v5) w.long(a.dataType);
  writeTimeVal(w, a.time);
  w.string(a.name);
  writeDim(w, a.rDim);
  writeDim(w, a.wDim);
  writeDevErrorList(w, a.errors);
}

/** AttributeValue (IDL 1-2, value in an Any) and AttributeValue_3 (+ w_dim, err_list). */
export interface AttributeValueAny {
  readonly value: AnyValue;
  readonly quality: number;
  readonly time: TimeVal;
  readonly name: string;
  readonly rDim: AttributeDim;
  readonly wDim: AttributeDim;
  readonly errors: readonly DevError[];
}
export function readAttributeValueAny(r: CdrReader, v3: boolean): AttributeValueAny {
  const value = readAny(r);
  const quality = r.ulong();
  const time = readTimeVal(r);
  const name = r.string();
  if (!v3) {
    const x = r.long();
    const y = r.long();
    return { value, quality, time, name, rDim: { x, y }, wDim: { x: 0, y: 0 }, errors: [] };
  }
  return { value, quality, time, name, rDim: readDim(r), wDim: readDim(r), errors: readDevErrorList(r) };
}
export function writeAttributeValueAny(w: CdrWriter, a: AttributeValueAny, v3: boolean): void {
  writeAny(w, a.value.type, a.value.value);
  w.ulong(a.quality);
  writeTimeVal(w, a.time);
  w.string(a.name);
  if (!v3) {
    w.long(a.rDim.x);
    w.long(a.rDim.y);
    return;
  }
  writeDim(w, a.rDim);
  writeDim(w, a.wDim);
  writeDevErrorList(w, a.errors);
}

// ------------------------------------------------------------------------------------------------- attribute configuration

export interface AttributeAlarm {
  readonly minAlarm: string;
  readonly maxAlarm: string;
  readonly minWarning: string;
  readonly maxWarning: string;
  readonly deltaT: string;
  readonly deltaVal: string;
  readonly extensions: readonly string[];
}
export interface EventProperties {
  readonly change: { readonly relChange: string; readonly absChange: string; readonly extensions: readonly string[] };
  readonly periodic: { readonly period: string; readonly extensions: readonly string[] };
  readonly archive: {
    readonly relChange: string;
    readonly absChange: string;
    readonly period: string;
    readonly extensions: readonly string[];
  };
}

/** Union of AttributeConfig, _2, _3 and _5 fields; absent fields take Tango defaults when written. */
export interface AttributeConfig {
  readonly name: string;
  readonly writable: number;
  readonly dataFormat: number;
  readonly dataType: number;
  readonly memorized: boolean;
  readonly memInit: boolean;
  readonly maxDimX: number;
  readonly maxDimY: number;
  readonly description: string;
  readonly label: string;
  readonly unit: string;
  readonly standardUnit: string;
  readonly displayUnit: string;
  readonly format: string;
  readonly minValue: string;
  readonly maxValue: string;
  readonly writableAttrName: string;
  readonly level: number;
  readonly rootAttrName: string;
  readonly enumLabels: readonly string[];
  readonly alarms: AttributeAlarm;
  readonly events: EventProperties;
  readonly extensions: readonly string[];
  readonly sysExtensions: readonly string[];
  /** Only in AttributeConfig (IDL 1/2): min_alarm, max_alarm live at top level. */
}

export type AttrConfigVersion = 1 | 2 | 3 | 5;

function readAlarm(r: CdrReader): AttributeAlarm {
  return {
    minAlarm: r.string(),
    maxAlarm: r.string(),
    minWarning: r.string(),
    maxWarning: r.string(),
    deltaT: r.string(),
    deltaVal: r.string(),
    extensions: r.stringSeq(),
  };
}
function writeAlarm(w: CdrWriter, a: AttributeAlarm): void {
  w.string(a.minAlarm);
  w.string(a.maxAlarm);
  w.string(a.minWarning);
  w.string(a.maxWarning);
  w.string(a.deltaT);
  w.string(a.deltaVal);
  w.stringSeq(a.extensions);
}
function readEventProps(r: CdrReader): EventProperties {
  return {
    change: { relChange: r.string(), absChange: r.string(), extensions: r.stringSeq() },
    periodic: { period: r.string(), extensions: r.stringSeq() },
    archive: { relChange: r.string(), absChange: r.string(), period: r.string(), extensions: r.stringSeq() },
  };
}
function writeEventProps(w: CdrWriter, e: EventProperties): void {
  w.string(e.change.relChange);
  w.string(e.change.absChange);
  w.stringSeq(e.change.extensions);
  w.string(e.periodic.period);
  w.stringSeq(e.periodic.extensions);
  w.string(e.archive.relChange);
  w.string(e.archive.absChange);
  w.string(e.archive.period);
  w.stringSeq(e.archive.extensions);
}

const NS = "Not specified";
export const DEFAULT_ALARMS: AttributeAlarm = {
  minAlarm: NS,
  maxAlarm: NS,
  minWarning: NS,
  maxWarning: NS,
  deltaT: NS,
  deltaVal: NS,
  extensions: [],
};
export const DEFAULT_EVENT_PROPS: EventProperties = {
  change: { relChange: NS, absChange: NS, extensions: [] },
  periodic: { period: "1000", extensions: [] },
  archive: { relChange: NS, absChange: NS, period: NS, extensions: [] },
};

export function readAttributeConfig(r: CdrReader, version: AttrConfigVersion): AttributeConfig {
  const name = r.string();
  const writable = r.ulong();
  const dataFormat = r.ulong();
  const dataType = r.long();
  let memorized = false;
  let memInit = false;
  if (version === 5) {
    memorized = r.boolean();
    memInit = r.boolean();
  }
  const maxDimX = r.long();
  const maxDimY = r.long();
  const description = r.string();
  const label = r.string();
  const unit = r.string();
  const standardUnit = r.string();
  const displayUnit = r.string();
  const format = r.string();
  const minValue = r.string();
  const maxValue = r.string();
  let alarms = DEFAULT_ALARMS;
  if (version <= 2) {
    alarms = { ...DEFAULT_ALARMS, minAlarm: r.string(), maxAlarm: r.string() };
  }
  const writableAttrName = r.string();
  const level = version >= 2 ? r.ulong() : 0;
  let rootAttrName = "Not defined";
  let enumLabels: string[] = [];
  if (version === 5) {
    rootAttrName = r.string();
    enumLabels = r.stringSeq();
  }
  let events = DEFAULT_EVENT_PROPS;
  let sysExtensions: string[] = [];
  if (version >= 3) {
    alarms = readAlarm(r);
    events = readEventProps(r);
  }
  const extensions = r.stringSeq();
  if (version >= 3) sysExtensions = r.stringSeq();
  return {
    name,
    writable,
    dataFormat,
    dataType,
    memorized,
    memInit,
    maxDimX,
    maxDimY,
    description,
    label,
    unit,
    standardUnit,
    displayUnit,
    format,
    minValue,
    maxValue,
    writableAttrName,
    level,
    rootAttrName,
    enumLabels,
    alarms,
    events,
    extensions,
    sysExtensions,
  };
}

export function writeAttributeConfig(w: CdrWriter, c: AttributeConfig, version: AttrConfigVersion): void {
  w.string(c.name);
  w.ulong(c.writable);
  w.ulong(c.dataFormat);
  w.long(c.dataType);
  if (version === 5) {
    w.boolean(c.memorized);
    w.boolean(c.memInit);
  }
  w.long(c.maxDimX);
  w.long(c.maxDimY);
  w.string(c.description);
  w.string(c.label);
  w.string(c.unit);
  w.string(c.standardUnit);
  w.string(c.displayUnit);
  w.string(c.format);
  w.string(c.minValue);
  w.string(c.maxValue);
  if (version <= 2) {
    w.string(c.alarms.minAlarm);
    w.string(c.alarms.maxAlarm);
  }
  w.string(c.writableAttrName);
  if (version >= 2) w.ulong(c.level);
  if (version === 5) {
    w.string(c.rootAttrName);
    w.stringSeq(c.enumLabels);
  }
  if (version >= 3) {
    writeAlarm(w, c.alarms);
    writeEventProps(w, c.events);
  }
  w.stringSeq(c.extensions);
  if (version >= 3) w.stringSeq(c.sysExtensions);
}

// ------------------------------------------------------------------------------------------------- events

export interface ZmqCallInfo {
  readonly version: number;
  readonly ctr: number;
  readonly methodName: string;
  readonly oid: Uint8Array;
  readonly callIsExcept: boolean;
}
export function readZmqCallInfo(r: CdrReader): ZmqCallInfo {
  return { version: r.long(), ctr: r.ulong(), methodName: r.string(), oid: r.octets(), callIsExcept: r.boolean() };
}
export function writeZmqCallInfo(w: CdrWriter, c: ZmqCallInfo): void {
  w.long(c.version);
  w.ulong(c.ctr);
  w.string(c.methodName);
  w.octets(c.oid);
  w.boolean(c.callIsExcept);
}

export interface AttDataReady {
  readonly name: string;
  readonly dataType: number;
  readonly ctr: number;
}
export function readAttDataReady(r: CdrReader): AttDataReady {
  return { name: r.string(), dataType: r.long(), ctr: r.long() };
}
export function writeAttDataReady(w: CdrWriter, d: AttDataReady): void {
  w.string(d.name);
  w.long(d.dataType);
  w.long(d.ctr);
}

export interface DevIntrChange {
  readonly devStarted: boolean;
  readonly commands: readonly DevCmdInfo[];
  readonly attributes: readonly AttributeConfig[];
}
export function readDevIntrChange(r: CdrReader): DevIntrChange {
  return {
    devStarted: r.boolean(),
    commands: r.sequence(24, (x) => readDevCmdInfo(x, true), "DevCmdInfoList_2"),
    attributes: r.sequence(64, (x) => readAttributeConfig(x, 5), "AttributeConfigList_5"),
  };
}
export function writeDevIntrChange(w: CdrWriter, d: DevIntrChange): void {
  w.boolean(d.devStarted);
  w.sequence(d.commands, (x, c) => writeDevCmdInfo(x, c, true));
  w.sequence(d.attributes, (x, c) => writeAttributeConfig(x, c, 5));
}

// ------------------------------------------------------------------------------------------------- history

export interface EltInArray {
  readonly start: number;
  readonly nbElt: number;
}
function readElt(r: CdrReader): EltInArray {
  return { start: r.long(), nbElt: r.long() };
}
function writeElt(w: CdrWriter, e: EltInArray): void {
  w.long(e.start);
  w.long(e.nbElt);
}

/** DevAttrHistory_5 (name, data_format, data_type, then the DevAttrHistory_4 tail). */
export interface DevAttrHistory5 {
  readonly name: string;
  readonly dataFormat: number;
  readonly dataType: number;
  readonly dates: readonly TimeVal[];
  readonly value: AnyValue;
  readonly quals: readonly number[];
  readonly qualsArray: readonly EltInArray[];
  readonly rDims: readonly AttributeDim[];
  readonly rDimsArray: readonly EltInArray[];
  readonly wDims: readonly AttributeDim[];
  readonly wDimsArray: readonly EltInArray[];
  readonly errors: readonly (readonly DevError[])[];
  readonly errorsArray: readonly EltInArray[];
}
export function readDevAttrHistory5(r: CdrReader): DevAttrHistory5 {
  return {
    name: r.string(),
    dataFormat: r.ulong(),
    dataType: r.long(),
    dates: r.sequence(12, readTimeVal, "TimeValList"),
    value: readAny(r),
    quals: r.numberSeq("ulong"),
    qualsArray: r.sequence(8, readElt),
    rDims: r.sequence(8, readDim),
    rDimsArray: r.sequence(8, readElt),
    wDims: r.sequence(8, readDim),
    wDimsArray: r.sequence(8, readElt),
    errors: r.sequence(4, readDevErrorList),
    errorsArray: r.sequence(8, readElt),
  };
}
export function writeDevAttrHistory5(w: CdrWriter, h: DevAttrHistory5): void {
  w.string(h.name);
  w.ulong(h.dataFormat);
  w.long(h.dataType);
  w.sequence(h.dates, writeTimeVal);
  writeAny(w, h.value.type, h.value.value);
  w.numberSeq("ulong", h.quals);
  w.sequence(h.qualsArray, writeElt);
  w.sequence(h.rDims, writeDim);
  w.sequence(h.rDimsArray, writeElt);
  w.sequence(h.wDims, writeDim);
  w.sequence(h.wDimsArray, writeElt);
  w.sequence(h.errors, writeDevErrorList);
  w.sequence(h.errorsArray, writeElt);
}

/** DevCmdHistory_4. */
export interface DevCmdHistory4 {
  readonly dates: readonly TimeVal[];
  readonly value: AnyValue;
  readonly dims: readonly AttributeDim[];
  readonly dimsArray: readonly EltInArray[];
  readonly errors: readonly (readonly DevError[])[];
  readonly errorsArray: readonly EltInArray[];
  readonly cmdType: number;
}
export function readDevCmdHistory4(r: CdrReader): DevCmdHistory4 {
  return {
    dates: r.sequence(12, readTimeVal, "TimeValList"),
    value: readAny(r),
    dims: r.sequence(8, readDim),
    dimsArray: r.sequence(8, readElt),
    errors: r.sequence(4, readDevErrorList),
    errorsArray: r.sequence(8, readElt),
    cmdType: r.long(),
  };
}
export function writeDevCmdHistory4(w: CdrWriter, h: DevCmdHistory4): void {
  w.sequence(h.dates, writeTimeVal);
  writeAny(w, h.value.type, h.value.value);
  w.sequence(h.dims, writeDim);
  w.sequence(h.dimsArray, writeElt);
  w.sequence(h.errors, writeDevErrorList);
  w.sequence(h.errorsArray, writeElt);
  w.long(h.cmdType);
}
