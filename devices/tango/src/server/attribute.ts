/**
 * Runtime state of one attribute of one device: its (mutable) configuration, set point, event flags and the
 * conversion to AttributeConfig structures.
 */
import { DevFailed } from "../errors/errors.ts";
import {
  AlrmValueNotSpec,
  AssocWritNotSpec,
  AttrDataFormatNames,
  AttrWriteTypeNames,
  CmdArgType,
  DescNotSpec,
  DispLevelNames,
  DispUnitNotSpec,
  StdUnitNotSpec,
} from "../idl/constants.ts";
import type { AttributeConfig } from "../idl/structs.ts";
import type { AttributeSpec } from "./spec.ts";
import { parseLimit } from "./values.ts";

/** The Tango-side attribute properties, as strings (what get/set_attribute_config and the DB carry). */
export interface AttrProps {
  label: string;
  description: string;
  unit: string;
  standardUnit: string;
  displayUnit: string;
  format: string;
  minValue: string;
  maxValue: string;
  minAlarm: string;
  maxAlarm: string;
  minWarning: string;
  maxWarning: string;
  deltaT: string;
  deltaVal: string;
  relChange: string;
  absChange: string;
  eventPeriod: string;
  archiveRelChange: string;
  archiveAbsChange: string;
  archivePeriod: string;
  enumLabels: string[];
}

/** DB attribute property names ↔ AttrProps keys. */
export const DB_PROP_NAMES: Readonly<Record<Exclude<keyof AttrProps, "enumLabels">, string>> = {
  label: "label",
  description: "description",
  unit: "unit",
  standardUnit: "standard_unit",
  displayUnit: "display_unit",
  format: "format",
  minValue: "min_value",
  maxValue: "max_value",
  minAlarm: "min_alarm",
  maxAlarm: "max_alarm",
  minWarning: "min_warning",
  maxWarning: "max_warning",
  deltaT: "delta_t",
  deltaVal: "delta_val",
  relChange: "rel_change",
  absChange: "abs_change",
  eventPeriod: "event_period",
  archiveRelChange: "archive_rel_change",
  archiveAbsChange: "archive_abs_change",
  archivePeriod: "archive_period",
};

const str = (v: number | string | undefined, dflt: string): string => (v === undefined ? dflt : String(v));

function defaultFormat(dtype: string): string {
  if (dtype === "DevDouble" || dtype === "DevFloat") return "%6.2f";
  if (dtype === "DevString") return "%s";
  return "%d";
}

export interface EventFlags {
  implemented: boolean;
  detect: boolean;
}

export class AttrRuntime {
  readonly spec: AttributeSpec;
  readonly name: string;
  readonly lname: string;
  props: AttrProps;
  /** Last written value (JS form) and its dims; undefined until written. */
  setPoint: unknown;
  hasSetPoint = false;
  writeTime = 0;
  change: EventFlags;
  archive: EventFlags;
  /** Tango 10 alarm events. */
  alarm: EventFlags;
  dataReady: boolean;
  /** Polling period (ms) when polled; 0 = externally triggered. */
  pollPeriod: number | undefined;

  constructor(spec: AttributeSpec) {
    this.spec = spec;
    this.name = spec.name;
    this.lname = spec.name.toLowerCase();
    this.props = {
      label: spec.label ?? spec.name,
      description: spec.description ?? DescNotSpec,
      unit: spec.unit ?? "",
      standardUnit: spec.standardUnit ?? StdUnitNotSpec,
      displayUnit: spec.displayUnit ?? DispUnitNotSpec,
      format: spec.displayFormat ?? defaultFormat(spec.dtype),
      minValue: str(spec.minValue, AlrmValueNotSpec),
      maxValue: str(spec.maxValue, AlrmValueNotSpec),
      minAlarm: str(spec.minAlarm, AlrmValueNotSpec),
      maxAlarm: str(spec.maxAlarm, AlrmValueNotSpec),
      minWarning: str(spec.minWarning, AlrmValueNotSpec),
      maxWarning: str(spec.maxWarning, AlrmValueNotSpec),
      deltaT: str(spec.deltaT, AlrmValueNotSpec),
      deltaVal: str(spec.deltaVal, AlrmValueNotSpec),
      relChange: str(spec.relChange, AlrmValueNotSpec),
      absChange: str(spec.absChange, AlrmValueNotSpec),
      eventPeriod: str(spec.eventPeriod, "1000"),
      archiveRelChange: str(spec.archiveRelChange, AlrmValueNotSpec),
      archiveAbsChange: str(spec.archiveAbsChange, AlrmValueNotSpec),
      archivePeriod: str(spec.archivePeriod, AlrmValueNotSpec),
      enumLabels: [...(spec.enumLabels ?? [])],
    };
    this.change = { implemented: spec.events?.change?.pushedByCode === true, detect: spec.events?.change?.detect === true };
    this.archive = { implemented: spec.events?.archive?.pushedByCode === true, detect: spec.events?.archive?.detect === true };
    this.alarm = { implemented: spec.events?.alarm?.pushedByCode === true, detect: spec.events?.alarm?.detect === true };
    this.dataReady = spec.events?.dataReady === true;
    if (spec.initialWriteValue !== undefined) {
      this.setPoint = spec.initialWriteValue;
      this.hasSetPoint = true;
    }
  }

  get readable(): boolean {
    return this.spec.access !== "WRITE";
  }
  get writable(): boolean {
    return this.spec.access !== "READ";
  }
  get dataType(): number {
    return CmdArgType[this.spec.dtype];
  }
  get isNumeric(): boolean {
    const t = this.spec.dtype;
    return t !== "DevString" && t !== "DevBoolean" && t !== "DevState" && t !== "DevEncoded" && t !== "DevEnum";
  }

  config(): AttributeConfig {
    const p = this.props;
    return {
      name: this.name,
      writable: AttrWriteTypeNames.indexOf(this.spec.access),
      dataFormat: AttrDataFormatNames.indexOf(this.spec.dataFormat),
      dataType: this.dataType,
      memorized: this.spec.memorized === true,
      memInit: this.spec.memorized === true ? this.spec.memorizedInit !== false : true,
      maxDimX: this.spec.maxDimX,
      maxDimY: this.spec.maxDimY,
      description: p.description,
      label: p.label,
      unit: p.unit,
      standardUnit: p.standardUnit,
      displayUnit: p.displayUnit,
      format: p.format,
      minValue: p.minValue,
      maxValue: p.maxValue,
      writableAttrName: this.writable ? this.name : AssocWritNotSpec,
      level: DispLevelNames.indexOf(this.spec.displayLevel ?? "OPERATOR"),
      rootAttrName: AlrmValueNotSpec,
      enumLabels: p.enumLabels,
      alarms: {
        minAlarm: p.minAlarm,
        maxAlarm: p.maxAlarm,
        minWarning: p.minWarning,
        maxWarning: p.maxWarning,
        deltaT: p.deltaT,
        deltaVal: p.deltaVal,
        extensions: [],
      },
      events: {
        change: { relChange: p.relChange, absChange: p.absChange, extensions: [] },
        periodic: { period: p.eventPeriod, extensions: [] },
        archive: { relChange: p.archiveRelChange, absChange: p.archiveAbsChange, period: p.archivePeriod, extensions: [] },
      },
      extensions: [],
      sysExtensions: [],
    };
  }

  /**
   * Applies a configuration received by set_attribute_config*. Returns the changed properties (DB names → value)
   * so the caller can persist them. Values "NaN"/"Not specified"/"" reset to the code default like cppTango.
   */
  applyConfig(c: AttributeConfig, version: 1 | 2 | 3 | 5): Record<string, string> {
    const changed: Record<string, string> = {};
    const fresh = new AttrRuntime(this.spec).props;
    const set = (key: Exclude<keyof AttrProps, "enumLabels">, value: string): void => {
      let v = value;
      if (v === "NaN" || v === "") v = fresh[key];
      if (
        key !== "label" &&
        key !== "description" &&
        key !== "unit" &&
        key !== "format" &&
        key !== "standardUnit" &&
        key !== "displayUnit"
      ) {
        if (
          v !== AlrmValueNotSpec &&
          parseLimit(v) === undefined &&
          !(key === "relChange" || key === "absChange" || key.startsWith("archive"))
        ) {
          throw DevFailed.from(
            "API_IncompatibleAttrDataType",
            `${DB_PROP_NAMES[key]} of ${this.name}: ${value} is not a number`,
            "Attribute::set_properties()",
          );
        }
      }
      if (this.props[key] !== v) {
        this.props[key] = v;
        changed[DB_PROP_NAMES[key]] = v;
      }
    };
    set("label", c.label);
    set("description", c.description);
    set("unit", c.unit);
    set("standardUnit", c.standardUnit);
    set("displayUnit", c.displayUnit);
    set("format", c.format);
    set("minValue", c.minValue);
    set("maxValue", c.maxValue);
    set("minAlarm", c.alarms.minAlarm);
    set("maxAlarm", c.alarms.maxAlarm);
    if (version >= 3) {
      set("minWarning", c.alarms.minWarning);
      set("maxWarning", c.alarms.maxWarning);
      set("deltaT", c.alarms.deltaT);
      set("deltaVal", c.alarms.deltaVal);
      set("relChange", c.events.change.relChange);
      set("absChange", c.events.change.absChange);
      set("eventPeriod", c.events.periodic.period);
      set("archiveRelChange", c.events.archive.relChange);
      set("archiveAbsChange", c.events.archive.absChange);
      set("archivePeriod", c.events.archive.period);
    }
    if (version === 5 && c.enumLabels.length > 0 && c.enumLabels.join("\0") !== this.props.enumLabels.join("\0")) {
      this.props.enumLabels = [...c.enumLabels];
      changed.enum_labels = this.props.enumLabels.join(",");
    }
    return changed;
  }

  /** Applies attribute properties read from the database (DB names → values). */
  applyDbProps(props: Readonly<Record<string, readonly string[]>>): void {
    for (const [key, dbName] of Object.entries(DB_PROP_NAMES) as [Exclude<keyof AttrProps, "enumLabels">, string][]) {
      const v = props[dbName];
      if (v && v.length > 0) this.props[key] = v.join(",");
    }
    const labels = props.enum_labels;
    if (labels && labels.length > 0) this.props.enumLabels = [...labels];
  }

  get minValue(): number | undefined {
    return parseLimit(this.props.minValue);
  }
  get maxValue(): number | undefined {
    return parseLimit(this.props.maxValue);
  }
}
