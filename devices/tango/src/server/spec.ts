/**
 * DeviceClassSpec: the plain description of a Tango device class. Decorators and `defineDevice` both produce it;
 * the runtime reads nothing else.
 */
import type { PipeBlobValue } from "../client/pipe-blob.ts";
import type { CmdArgTypeName, DevStateName, DispLevelName } from "../idl/constants.ts";
import type { Device } from "./device.ts";

export type AttrAccess = "READ" | "WRITE" | "READ_WRITE" | "READ_WITH_WRITE";
export type DataFormat = "SCALAR" | "SPECTRUM" | "IMAGE";
export type SerialModel = "BY_DEVICE" | "BY_CLASS" | "BY_PROCESS" | "NO_SYNC";

/** Request type passed to `allowed` guards of attributes (Tango's AttReqType). */
export type AttReqType = "READ_REQ" | "WRITE_REQ";

export interface EventSpec {
  /** The device code pushes this event itself (`set_change_event(attr, true, detect)`). */
  readonly pushedByCode?: boolean;
  /** With pushedByCode: check the abs/rel criteria (alarm: the quality) before sending (Tango `detect`). Default false. */
  readonly detect?: boolean;
}

/** The optional Tango attribute properties, shared by the decorator/plain options and the normalized AttributeSpec. */
export interface AttributeProperties {
  readonly label?: string;
  readonly description?: string;
  readonly unit?: string;
  readonly standardUnit?: string;
  readonly displayUnit?: string;
  /** printf-like display format (%6.2f). */
  readonly displayFormat?: string;
  readonly minValue?: number | string;
  readonly maxValue?: number | string;
  readonly minAlarm?: number | string;
  readonly maxAlarm?: number | string;
  readonly minWarning?: number | string;
  readonly maxWarning?: number | string;
  readonly deltaT?: number | string;
  readonly deltaVal?: number | string;
  readonly enumLabels?: readonly string[];
  readonly displayLevel?: DispLevelName;
  /** Memorized: the last written value is stored (DB attribute property `__value`) and written back at startup. */
  readonly memorized?: boolean;
  /** With memorized: write the memorized value to the hardware (call the write handler) at init (default true). */
  readonly memorizedInit?: boolean;
  /** Polling period set by code (ms). */
  readonly pollingMs?: number;
  readonly absChange?: number | string;
  readonly relChange?: number | string;
  /** Periodic event period (ms), default 1000. */
  readonly eventPeriod?: number;
  readonly archiveAbsChange?: number | string;
  readonly archiveRelChange?: number | string;
  readonly archivePeriod?: number;
  readonly events?: {
    readonly change?: EventSpec;
    readonly archive?: EventSpec;
    /** Tango 10 alarm events (`set_alarm_event`); `detect`: sent only when the quality changes. */
    readonly alarm?: EventSpec;
    readonly dataReady?: boolean;
  };
}

export interface AttributeSpec extends AttributeProperties {
  /** Tango (wire) name. */
  readonly name: string;
  /** JS member that declared it (getter, accessor or method), if any. */
  readonly member?: string | symbol;
  /** Scalar element type (DevDouble, DevString, DevEnum...). */
  readonly dtype: CmdArgTypeName;
  readonly dataFormat: DataFormat;
  readonly maxDimX: number;
  readonly maxDimY: number;
  readonly access: AttrAccess;
  /** Initial value of the set point (READ_WRITE/WRITE). */
  readonly initialWriteValue?: unknown;
  readonly read?: (dev: Device) => unknown;
  readonly write?: (dev: Device, value: unknown) => unknown;
  /** Guard: returns false → API_AttrNotAllowed. */
  readonly allowed?: (dev: Device, req: AttReqType) => boolean | Promise<boolean>;
  /** Guard by state: the attribute is only readable/writable in these states (State/Status are always allowed). */
  readonly allowedIn?: readonly DevStateName[];
}

export interface CommandSpec {
  readonly name: string;
  readonly member?: string | symbol;
  readonly in: CmdArgTypeName;
  readonly out: CmdArgTypeName;
  readonly inDesc?: string;
  readonly outDesc?: string;
  readonly displayLevel?: DispLevelName;
  readonly execute?: (dev: Device, arg: unknown) => unknown;
  readonly allowed?: (dev: Device, arg: unknown) => boolean | Promise<boolean>;
  readonly allowedIn?: readonly DevStateName[];
  /** Polling period set by code (ms); only for commands without input argument. */
  readonly pollingMs?: number;
}

export interface PropertySpec {
  readonly name: string;
  readonly member?: string | symbol;
  readonly dtype: CmdArgTypeName;
  readonly default?: unknown;
  readonly description?: string;
  /** Missing mandatory property → the device goes to FAULT at init with a clear status. */
  readonly mandatory?: boolean;
  /** Called with the converted value before init (decorated accessors get one automatically). */
  readonly set?: (dev: Device, value: unknown) => void;
}

/** Access of a pipe (Tango's PipeWriteType): READ_WRITE pipes take write_pipe_5 / write_read_pipe_5. */
export type PipeAccess = "READ" | "READ_WRITE";

/** A Tango IDL 5 pipe of the class (cppTango Pipe / WPipe, PyTango `pipe()`). */
export interface PipeSpec {
  /** Tango (wire) name. */
  readonly name: string;
  readonly member?: string | symbol;
  /** Default label (the pipe name when unset); the DB pipe property `label` overrides it. */
  readonly label?: string;
  /** Default description ("No description" when unset); the DB pipe property `description` overrides it. */
  readonly description?: string;
  readonly displayLevel?: DispLevelName;
  readonly access: PipeAccess;
  /**
   * Read handler: returns the blob, `{name, elements}` (elements as a list of `{name, value, dtype?}` or a record
   * name → value, the client's PipeBlobInput) or PyTango's `[name, elements]`; undefined → API_PipeValueNotSet.
   */
  readonly read?: (dev: Device) => unknown;
  /** Write handler: receives the decoded blob (the form DeviceProxy.readPipe returns). */
  readonly write?: (dev: Device, blob: PipeBlobValue) => unknown;
  /** Guard: returns false → API_PipeNotAllowed. */
  readonly allowed?: (dev: Device, req: AttReqType) => boolean | Promise<boolean>;
  /** Guard by state: the pipe is only readable/writable in these states. */
  readonly allowedIn?: readonly DevStateName[];
}

export interface DeviceClassSpec {
  readonly tangoClass: string;
  readonly description?: string;
  readonly docUrl?: string;
  /** Overrides the server's serialization model for devices of this class. */
  readonly serialModel?: SerialModel;
  readonly attributes: readonly AttributeSpec[];
  readonly commands: readonly CommandSpec[];
  readonly deviceProperties: readonly PropertySpec[];
  readonly classProperties: readonly PropertySpec[];
  /** Pipes (none when absent). */
  readonly pipes?: readonly PipeSpec[];
}

export function emptySpec(tangoClass: string): DeviceClassSpec {
  return { tangoClass, attributes: [], commands: [], deviceProperties: [], classProperties: [] };
}
