/**
 * Server side of Tango IDL 5 pipes: one PipeRuntime per declared pipe of a device (its configuration, as cppTango's
 * Pipe/WPipe keeps it), and the conversions between what device code returns/receives and the IDL DevPipeBlob. The
 * blob forms are the client's (client/pipe-blob.ts): a blob read by DeviceProxy.readPipe can be returned as it is,
 * and a write handler receives what readPipe would give.
 *
 * Error reasons, descriptions and origins are those a cppTango 9.3 server (PyTango 9.3) answers, observed on
 * client/fixtures/pipe_device.py.
 */
import { fromDevPipeBlob, type PipeBlobInput, type PipeBlobValue, toDevPipeBlob } from "../client/pipe-blob.ts";
import { DevFailed, devError } from "../errors/errors.ts";
import { DispLevelNames } from "../idl/constants.ts";
import { type DevPipeBlob, type DevPipeDataElt, MAX_PIPE_DEPTH, type PipeConfig, PipeWriteType } from "../idl/pipe.ts";
import type { PipeSpec } from "./spec.ts";

/** cppTango's default pipe description (DescNotSpec). */
export const PIPE_DESC_NOT_SPEC = "No description";

/** The DB pipe properties a pipe takes (device pipe properties override class pipe properties). */
export interface PipeDbProps {
  readonly label?: string;
  readonly description?: string;
}

/** DB changes of a set_pipe_config: properties to put and to delete (back to their default). */
export interface PipeDbChange {
  readonly put: Record<string, string[]>;
  readonly del: string[];
}

export function pipeNotFound(name: string): DevFailed {
  return DevFailed.from("API_PipeNotFound", `${name} pipe not found`, "DeviceClass::get_pipe_by_name");
}

export function pipeNotAllowed(name: string, req: "READ_REQ" | "WRITE_REQ"): DevFailed {
  return req === "READ_REQ"
    ? DevFailed.from("API_PipeNotAllowed", `It is currently not allowed to read pipe ${name}`, "Device_5Impl::read_pipe_5")
    : DevFailed.from("API_PipeNotAllowed", `It is currently not allowed to write pipe ${name}`, "Device_5Impl::write_pipe_5");
}

export function pipeNotWritable(name: string): DevFailed {
  return DevFailed.from("API_PipeNotWritable", `Pipe ${name} is not writable`, "Device_5Impl::write_pipe_5");
}

export function pipeValueNotSet(name: string): DevFailed {
  return DevFailed.from("API_PipeValueNotSet", `Value for pipe ${name} has not been updated`, "Device_5Impl::read_pipe_5");
}

export class PipeRuntime {
  readonly spec: PipeSpec;
  readonly name: string;
  readonly lname: string;
  label: string;
  description: string;
  /** Class-level DB defaults (DbGetClassPipeProperty), over the code's defaults. */
  #classProps: PipeDbProps = {};

  constructor(spec: PipeSpec) {
    this.spec = spec;
    this.name = spec.name;
    this.lname = spec.name.toLowerCase();
    this.label = this.#defaultLabel();
    this.description = this.#defaultDescription();
  }

  get writable(): boolean {
    return this.spec.access === "READ_WRITE";
  }

  #defaultLabel(): string {
    return this.#classProps.label ?? this.spec.label ?? this.name;
  }
  #defaultDescription(): string {
    return this.#classProps.description ?? this.spec.description ?? PIPE_DESC_NOT_SPEC;
  }

  /** Applies the DB pipe properties (at init): class ones as defaults, device ones over them. */
  applyDbProps(classProps: PipeDbProps, devProps: PipeDbProps): void {
    this.#classProps = classProps;
    this.label = devProps.label ?? this.#defaultLabel();
    this.description = devProps.description ?? this.#defaultDescription();
  }

  config(): PipeConfig {
    return {
      name: this.name,
      description: this.description,
      label: this.label,
      level: Math.max(0, DispLevelNames.indexOf(this.spec.displayLevel ?? "OPERATOR")),
      writable: this.writable ? PipeWriteType.PIPE_READ_WRITE : PipeWriteType.PIPE_READ,
      extensions: [],
    };
  }

  /**
   * set_pipe_config for this pipe (cppTango Pipe::set_properties): the name and writable fields cannot change
   * (API_AttrNotAllowed); label and description are taken, an empty string going back to the default (class DB
   * property, else the code's, else cppTango's). The display level is not changeable (ignored, as cppTango).
   */
  applyConfig(c: PipeConfig): PipeDbChange {
    if (c.name.toLowerCase() !== this.lname)
      throw DevFailed.from("API_AttrNotAllowed", "Pipe name is not changeable at run time", "Pipe::set_properties()");
    if (c.writable !== this.config().writable)
      throw DevFailed.from("API_AttrNotAllowed", "Pipe writable property is not changeable at run time", "Pipe::set_properties()");
    const change: PipeDbChange = { put: {}, del: [] };
    const one = (prop: "label" | "description", value: string, def: string): string => {
      if (value === "" || value === def) {
        change.del.push(prop);
        return def;
      }
      change.put[prop] = [value];
      return value;
    };
    this.description = one("description", c.description, this.#defaultDescription());
    this.label = one("label", c.label, this.#defaultLabel());
    return change;
  }
}

// ------------------------------------------------------------------------------------------------- blobs

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

/** `{name?, elements}` as it is, PyTango's `[name, elements]` as `{name, elements}`; anything else as it is. */
function asBlobInput(v: unknown): unknown {
  if (Array.isArray(v) && v.length === 2 && typeof v[0] === "string" && (Array.isArray(v[1]) || isRecord(v[1]))) {
    return { name: v[0], elements: v[1] };
  }
  return v;
}

/** cppTango's duplicate check (DevicePipeBlob::set_data_elt_names, case-insensitive), in every nested blob. */
function checkDuplicates(b: unknown, depth: number): void {
  if (!isRecord(b) || depth > MAX_PIPE_DEPTH) return;
  const els = b.elements;
  const list: unknown[] = Array.isArray(els) ? els : isRecord(els) ? Object.entries(els).map(([name, value]) => ({ name, value })) : [];
  const seen = new Set<string>();
  for (const e of list) {
    if (!isRecord(e) || typeof e.name !== "string") continue;
    const k = e.name.toLowerCase();
    if (seen.has(k)) {
      throw DevFailed.from(
        "API_PipeDuplicateDEName",
        `Several times the same data element name in provided vector: ${k}`,
        "set_data_elt_names",
      );
    }
    seen.add(k);
    if (isRecord(e.value) && "elements" in e.value) checkDuplicates(e.value, depth + 1);
  }
}

/**
 * Converts what a read handler (or pushPipeEvent) gave to the IDL blob. undefined/null → API_PipeValueNotSet; a
 * value that does not fit its type → the client converter's reason (API_IncompatibleArgumentType...), origin `origin`.
 */
export function wireBlobOf(raw: unknown, pipe: string, origin: string): DevPipeBlob {
  if (raw === undefined || raw === null) throw pipeValueNotSet(pipe);
  const blob = asBlobInput(raw);
  checkDuplicates(blob, 1);
  try {
    return toDevPipeBlob(blob as PipeBlobInput, `pipe ${pipe} blob`);
  } catch (e) {
    if (!(e instanceof DevFailed)) throw e;
    throw new DevFailed(
      e.errors.map((x) => devError(x.reason, x.desc, origin)),
      { cause: e },
    );
  }
}

const UNSUPPORTED = "Unsupported data type in data element! (ATT_NO_DATA, DEVICE_STATE)";

function checkElts(elts: readonly DevPipeDataElt[]): void {
  for (const e of elts) {
    if (e.innerBlob.length > 0) checkElts(e.innerBlob);
    else if (e.value.d === 14 || e.value.d === 12) {
      // Neither a value nor a nested blob (or a DEVICE_STATE union, which cppTango never puts in a pipe).
      throw DevFailed.from("API_PipeWrongArg", UNSUPPORTED, "DevicePipeBlob::get_data_elt_type()");
    }
  }
}

/**
 * A received blob in the form write handlers get (DeviceProxy.readPipe's). An element with neither data nor a nested
 * blob is refused as cppTango's extraction refuses it (API_PipeWrongArg).
 */
export function blobValueOf(b: DevPipeBlob): PipeBlobValue {
  checkElts(b.data);
  return fromDevPipeBlob(b);
}
