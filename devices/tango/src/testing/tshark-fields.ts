/**
 * Cross-check of our decoded bodies against the tshark 4.0 `giop-tango` dissection stored with the golden vectors:
 * both sides are reduced to an ordered list of (field, value) for a fixed set of Tango fields, then compared.
 */
import type { AnyValue } from "../corba/typecode.ts";
import type { DevError } from "../errors/errors.ts";
import type { CommandInoutArgs, ReadAttributesArgs, UserExceptionBody, WriteAttributes4Args } from "../idl/operations.ts";
import type { AttributeConfig, AttributeValue5, ClntIdent, DevCmdInfo, DevInfo } from "../idl/structs.ts";
import type { DecodedBody } from "./golden.ts";

export interface Field {
  readonly key: string;
  readonly value: string | number | boolean;
}

const UNION_NAMES = ["bool", "short", "long", "long64", "float", "double", "uchar", "ushort", "ulong", "ulong64", "string", "state"];

/** Field names tshark's Tango dissector prints that we reproduce (the others are TypeCode internals or lengths). */
export const COMPARED_KEYS: ReadonlySet<string> = new Set([
  "command",
  "source",
  "ClntIdent",
  "ClntIdent_cpp_clnt",
  "names",
  "state",
  "status",
  "name",
  "adm_name",
  "TypeCode string data",
  "TypeCode double data",
  "TypeCode long data",
  "TypeCode boolean data",
  "AttrValUnion",
  ...UNION_NAMES.map((n) => `AttrValUnion_${n}_att_value`),
  "AttrValUnion_union_no_data",
  ...["quality", "data_format", "data_type", "name"].flatMap((f) => [`AttributeValue_4_${f}`, `AttributeValue_5_${f}`]),
  "TimeVal_tv_sec",
  "TimeVal_tv_usec",
  "TimeVal_tv_nsec",
  "AttributeDim_dim_x",
  "AttributeDim_dim_y",
  "DevError_reason",
  "DevError_severity",
  "DevError_desc",
  "DevError_origin",
  "NamedDevError_name",
  "NamedDevError_index_in_call",
  ...["dev_class", "server_id", "server_host", "server_version", "doc_url", "dev_type"].map((f) => `DevInfo_3_${f}`),
  ...["cmd_name", "cmd_tag", "in_type", "out_type", "in_type_desc", "out_type_desc"].flatMap((f) => [
    `DevCmdInfo_${f}`,
    `DevCmdInfo_2_${f}`,
  ]),
  "DevCmdInfo_2_level",
  ...[
    "name",
    "writable",
    "data_format",
    "data_type",
    "max_dim_x",
    "max_dim_y",
    "description",
    "label",
    "unit",
    "standard_unit",
    "display_unit",
    "format",
    "min_value",
    "max_value",
    "writable_attr_name",
    "level",
  ].flatMap((f) => [`AttributeConfig_2_${f}`, `AttributeConfig_5_${f}`]),
  "AttributeConfig_2_min_alarm",
  "AttributeConfig_2_max_alarm",
  "AttributeConfig_5_memorized",
  "AttributeConfig_5_mem_init",
  "AttributeConfig_5_root_attr_name",
  ...["min_alarm", "max_alarm", "min_warning", "max_warning", "delta_t", "delta_val"].map((f) => `AttributeAlarm_${f}`),
  "ChangeEventProp_rel_change",
  "ChangeEventProp_abs_change",
  "PeriodicEventProp_period",
  "ArchiveEventProp_rel_change",
  "ArchiveEventProp_abs_change",
  "ArchiveEventProp_period",
]);

export interface TsharkField extends Field {
  /** tshark cut the value ("[truncated]"): compare as a prefix. */
  readonly truncated: boolean;
  /** tshark printed an enum value it did not know ("Unknown (11)"): its dissection lost sync from here. */
  readonly unknown: boolean;
}

/** The compared fields of a tshark dissection (the lines after "Tango Dissector Using GIOP API"). */
export function tsharkFields(lines: readonly string[]): TsharkField[] {
  const start = lines.indexOf("Tango Dissector Using GIOP API");
  if (start < 0) return [];
  const out: TsharkField[] = [];
  for (const raw of lines.slice(start + 1)) {
    const line = raw.trim().replace(/^[.01 ]+= /, "");
    const m = /^([^:]+?)(?: \[truncated\])?:(?: (.*))?$/.exec(line);
    if (!m) continue;
    const key = m[1] as string;
    if (!COMPARED_KEYS.has(key)) continue;
    const text = m[2] ?? "";
    const truncated = line.includes(" [truncated]:");
    const en = /^[A-Za-z_][\w]* \((-?\d+)\)$/.exec(text);
    const value: string | number | boolean = en ? Number(en[1]) : text === "True" ? true : text === "False" ? false : text;
    out.push({ key, value, truncated, unknown: text.startsWith("Unknown (") });
  }
  return out;
}

// ------------------------------------------------------------------------------------------------- our side

const esc = (s: string): string => s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\t/g, "\\t").replace(/\r/g, "\\r");

function client(out: Field[], c: ClntIdent | undefined): void {
  if (!c) return;
  out.push({ key: "ClntIdent", value: c.lang === "CPP" ? 0 : 1 });
  if (c.lang === "CPP") out.push({ key: "ClntIdent_cpp_clnt", value: c.pid });
}

/** tshark decodes the value of a scalar Any only; after any other Any its dissection is out of sync. */
export const STOP = "(stop: tshark does not decode this Any value)";

function anyScalar(out: Field[], a: AnyValue): void {
  const k = a.type.kind;
  if (k !== "null" && k !== "void" && k !== "string" && k !== "double" && k !== "long" && k !== "boolean") {
    out.push({ key: STOP, value: k });
    return;
  }
  if (k === "string" || k === "double" || k === "long" || k === "boolean") {
    const v = a.value;
    if (typeof v === "string") out.push({ key: `TypeCode ${k} data`, value: esc(v) });
    else if (typeof v === "number" || typeof v === "boolean") out.push({ key: `TypeCode ${k} data`, value: v });
  }
}

function devErrors(out: Field[], errors: readonly DevError[]): void {
  const sev = { WARN: 0, ERR: 1, PANIC: 2 } as const;
  for (const e of errors) {
    out.push({ key: "DevError_reason", value: esc(e.reason) });
    out.push({ key: "DevError_severity", value: sev[e.severity] });
    out.push({ key: "DevError_desc", value: esc(e.desc) });
    out.push({ key: "DevError_origin", value: esc(e.origin) });
  }
}

function attrValue(out: Field[], a: AttributeValue5, v: 4 | 5): void {
  const u = a.value;
  out.push({ key: "AttrValUnion", value: u.d });
  if (u.d === 14) out.push({ key: "AttrValUnion_union_no_data", value: u.v });
  else if (u.d === 12) out.push({ key: "AttrValUnion_state_att_value", value: u.v });
  else if (u.d !== 13 && u.d !== 6) {
    const key = `AttrValUnion_${UNION_NAMES[u.d] ?? "?"}_att_value`;
    for (const x of u.v as readonly (number | bigint | boolean | string)[]) {
      out.push({ key, value: typeof x === "bigint" ? Number(x) : typeof x === "string" ? esc(x) : x });
    }
  }
  out.push({ key: `AttributeValue_${v}_quality`, value: a.quality });
  out.push({ key: `AttributeValue_${v}_data_format`, value: a.dataFormat });
  if (v === 5) out.push({ key: "AttributeValue_5_data_type", value: a.dataType });
  out.push(
    { key: "TimeVal_tv_sec", value: a.time.sec },
    { key: "TimeVal_tv_usec", value: a.time.usec },
    { key: "TimeVal_tv_nsec", value: a.time.nsec },
  );
  out.push({ key: `AttributeValue_${v}_name`, value: esc(a.name) });
  for (const d of [a.rDim, a.wDim]) out.push({ key: "AttributeDim_dim_x", value: d.x }, { key: "AttributeDim_dim_y", value: d.y });
  devErrors(out, a.errors);
}

function cmdInfo(out: Field[], c: DevCmdInfo, v2: boolean): void {
  const p = v2 ? "DevCmdInfo_2_" : "DevCmdInfo_";
  out.push({ key: `${p}cmd_name`, value: esc(c.name) });
  if (v2) out.push({ key: `${p}level`, value: c.level });
  out.push({ key: `${p}cmd_tag`, value: c.tag }, { key: `${p}in_type`, value: c.inType }, { key: `${p}out_type`, value: c.outType });
  out.push({ key: `${p}in_type_desc`, value: esc(c.inTypeDesc) }, { key: `${p}out_type_desc`, value: esc(c.outTypeDesc) });
}

function attrConfig(out: Field[], c: AttributeConfig, v: 2 | 5): void {
  const p = `AttributeConfig_${v}_`;
  const s = (k: string, x: string): void => {
    out.push({ key: p + k, value: esc(x) });
  };
  s("name", c.name);
  out.push(
    { key: `${p}writable`, value: c.writable },
    { key: `${p}data_format`, value: c.dataFormat },
    { key: `${p}data_type`, value: c.dataType },
  );
  if (v === 5) out.push({ key: `${p}memorized`, value: c.memorized }, { key: `${p}mem_init`, value: c.memInit });
  out.push({ key: `${p}max_dim_x`, value: c.maxDimX }, { key: `${p}max_dim_y`, value: c.maxDimY });
  s("description", c.description);
  s("label", c.label);
  s("unit", c.unit);
  s("standard_unit", c.standardUnit);
  s("display_unit", c.displayUnit);
  s("format", c.format);
  s("min_value", c.minValue);
  s("max_value", c.maxValue);
  if (v === 2) {
    s("min_alarm", c.alarms.minAlarm);
    s("max_alarm", c.alarms.maxAlarm);
  }
  s("writable_attr_name", c.writableAttrName);
  out.push({ key: `${p}level`, value: c.level });
  if (v === 5) {
    s("root_attr_name", c.rootAttrName);
    const a = c.alarms;
    const al = (k: string, x: string): void => {
      out.push({ key: `AttributeAlarm_${k}`, value: esc(x) });
    };
    al("min_alarm", a.minAlarm);
    al("max_alarm", a.maxAlarm);
    al("min_warning", a.minWarning);
    al("max_warning", a.maxWarning);
    al("delta_t", a.deltaT);
    al("delta_val", a.deltaVal);
    const e = c.events;
    out.push(
      { key: "ChangeEventProp_rel_change", value: esc(e.change.relChange) },
      { key: "ChangeEventProp_abs_change", value: esc(e.change.absChange) },
    );
    out.push({ key: "PeriodicEventProp_period", value: esc(e.periodic.period) });
    out.push(
      { key: "ArchiveEventProp_rel_change", value: esc(e.archive.relChange) },
      { key: "ArchiveEventProp_abs_change", value: esc(e.archive.absChange) },
      { key: "ArchiveEventProp_period", value: esc(e.archive.period) },
    );
  }
}

function devInfo(out: Field[], i: DevInfo): void {
  const p = "DevInfo_3_";
  out.push({ key: `${p}dev_class`, value: esc(i.devClass) }, { key: `${p}server_id`, value: esc(i.serverId) });
  out.push({ key: `${p}server_host`, value: esc(i.serverHost) }, { key: `${p}server_version`, value: i.serverVersion });
  out.push({ key: `${p}doc_url`, value: esc(i.docUrl) }, { key: `${p}dev_type`, value: esc(i.devType ?? "") });
}

/** Our decoded body as the ordered list of compared fields, in tshark's order. */
export function ourFields(operation: string | undefined, body: DecodedBody): Field[] {
  const out: Field[] = [];
  if (body.kind === "user") {
    const u: UserExceptionBody = body.value;
    if (u.kind === "DevFailed") devErrors(out, u.errors);
    else if (u.kind === "MultiDevFailed") {
      for (const n of u.namedErrors) {
        out.push({ key: "NamedDevError_name", value: esc(n.name) }, { key: "NamedDevError_index_in_call", value: n.indexInCall });
        devErrors(out, n.errors);
      }
    }
    return out;
  }
  if (body.kind === "args") {
    const v = body.value;
    switch (operation) {
      case "command_inout":
      case "command_inout_2":
      case "command_inout_4": {
        const a = v as CommandInoutArgs;
        out.push({ key: "command", value: esc(a.command) });
        anyScalar(out, a.argin);
        if (a.source !== undefined) out.push({ key: "source", value: a.source });
        client(out, a.client);
        break;
      }
      case "command_query":
      case "command_query_2":
        out.push({ key: "command", value: esc(v as string) });
        break;
      case "read_attributes_4":
      case "read_attributes_5": {
        const a = v as ReadAttributesArgs;
        for (const n of a.names) out.push({ key: "names", value: esc(n) });
        if (a.source !== undefined) out.push({ key: "source", value: a.source });
        client(out, a.client);
        break;
      }
      case "get_attribute_config":
      case "get_attribute_config_2":
      case "get_attribute_config_3":
      case "get_attribute_config_5":
        for (const n of v as string[]) out.push({ key: "names", value: esc(n) });
        break;
      case "write_attributes_4": {
        const a = v as WriteAttributes4Args;
        for (const x of a.values) attrValue(out, x, 4);
        client(out, a.client);
        break;
      }
    }
    return out;
  }
  if (body.kind === "result") {
    const v = body.value;
    switch (operation) {
      case "_get_state":
        out.push({ key: "state", value: v as number });
        break;
      case "_get_status":
        out.push({ key: "status", value: esc(v as string) });
        break;
      case "_get_name":
        out.push({ key: "name", value: esc(v as string) });
        break;
      case "_get_adm_name":
        out.push({ key: "adm_name", value: esc(v as string) });
        break;
      case "info_3":
        devInfo(out, v as DevInfo);
        break;
      case "command_query":
        cmdInfo(out, v as DevCmdInfo, false);
        break;
      case "command_query_2":
        cmdInfo(out, v as DevCmdInfo, true);
        break;
      case "command_list_query_2":
        for (const c of v as DevCmdInfo[]) cmdInfo(out, c, true);
        break;
      case "get_attribute_config_2":
        for (const c of v as AttributeConfig[]) attrConfig(out, c, 2);
        break;
      case "get_attribute_config_5":
        for (const c of v as AttributeConfig[]) attrConfig(out, c, 5);
        break;
      case "read_attributes_5":
        for (const a of v as AttributeValue5[]) attrValue(out, a, 5);
        break;
      case "command_inout_4":
        anyScalar(out, v as AnyValue);
        break;
    }
  }
  return out;
}

export interface FieldMismatch {
  readonly index: number;
  readonly key: string;
  readonly ours: unknown;
  readonly tshark: unknown;
}

/**
 * Compares ours with tshark's fields in order. Stops (without error) where tshark lost sync ("Unknown (n)") or its
 * dissection ended early (malformed/fragmented frames: `allowShorterTshark`). Returns the mismatches and how many
 * fields were compared.
 */
export function compareFields(
  ours: readonly Field[],
  theirs: readonly TsharkField[],
  allowShorterTshark = false,
): { compared: number; mismatches: FieldMismatch[] } {
  const mismatches: FieldMismatch[] = [];
  let compared = 0;
  const n = Math.max(ours.length, theirs.length);
  for (let i = 0; i < n; i++) {
    const o = ours[i];
    const t = theirs[i];
    if (t?.unknown || o?.key === STOP) break;
    if (!t && allowShorterTshark) break;
    if (!o || !t || o.key !== t.key || !sameValue(o.value, t.value, t.truncated)) {
      mismatches.push({ index: i, key: t?.key ?? o?.key ?? "?", ours: o?.value, tshark: t?.value });
      continue;
    }
    compared++;
  }
  return { compared, mismatches };
}

function sameValue(ours: string | number | boolean, theirs: string | number | boolean, truncated: boolean): boolean {
  if (typeof ours === "number") {
    const t = typeof theirs === "number" ? theirs : Number(theirs);
    if (ours === t) return true;
    // tshark prints doubles with 15 significant digits.
    return Number.isFinite(t) && Math.abs(ours - t) <= Math.abs(ours) * 1e-14;
  }
  if (typeof ours === "boolean") return ours === theirs;
  const t = String(theirs);
  return truncated ? ours.startsWith(t.replace(/\.\.\.$/, "")) || t.startsWith(ours) : ours === t;
}
