/**
 * Codecs of the Tango IDL 5 pipe types (tango.idl, "For pipe management"), field order = wire order:
 *
 *   enum PipeWriteType { PIPE_READ, PIPE_READ_WRITE, PIPE_WT_UNKNOWN };
 *   struct PipeConfig { string name; string description; string label; DispLevel level; PipeWriteType writable;
 *                       DevVarStringArray extensions; };
 *   struct DevPipeDataElt { string name; AttrValUnion value; sequence<DevPipeDataElt> inner_blob; string inner_blob_name; };
 *   struct DevPipeBlob { string name; sequence<DevPipeDataElt> blob_data; };
 *   struct DevPipeData { string name; TimeVal time; DevPipeBlob data_blob; };
 *
 * A data element carries either a value (a sequence in the AttrValUnion: scalars are sequences of one element) or a
 * nested blob (`inner_blob` + `inner_blob_name`, the value then being ATT_NO_DATA), as cppTango's DevicePipeBlob
 * inserts them. Nesting is bounded (MAX_PIPE_DEPTH) so that hostile bytes cannot exhaust the stack.
 */
import type { CdrReader, CdrWriter } from "../cdr/cdr.ts";
import { ProtocolError } from "../errors/errors.ts";
import { type AttrValUnion, readAttrValUnion, readTimeVal, type TimeVal, writeAttrValUnion, writeTimeVal } from "./structs.ts";

export const PipeWriteTypeNames = ["PIPE_READ", "PIPE_READ_WRITE", "PIPE_WT_UNKNOWN"] as const;
export type PipeWriteTypeName = (typeof PipeWriteTypeNames)[number];
export const PipeWriteType = { PIPE_READ: 0, PIPE_READ_WRITE: 1, PIPE_WT_UNKNOWN: 2 } as const;

/** `get_pipe_config_5(["All pipes"])` returns every pipe of the device (cppTango `AllPipe`). */
export const ALL_PIPES = "All pipes";

/** Deepest blob nesting accepted on decode and encode (the root blob's elements are at depth 1). */
export const MAX_PIPE_DEPTH = 64;

export interface PipeConfig {
  readonly name: string;
  readonly description: string;
  readonly label: string;
  /** DispLevel ordinal. */
  readonly level: number;
  /** PipeWriteType ordinal. */
  readonly writable: number;
  readonly extensions: readonly string[];
}

export interface DevPipeDataElt {
  readonly name: string;
  readonly value: AttrValUnion;
  readonly innerBlob: readonly DevPipeDataElt[];
  readonly innerBlobName: string;
}

export interface DevPipeBlob {
  readonly name: string;
  readonly data: readonly DevPipeDataElt[];
}

export interface DevPipeData {
  readonly name: string;
  readonly time: TimeVal;
  readonly blob: DevPipeBlob;
}

// ------------------------------------------------------------------------------------------------- config

function readEnum(r: CdrReader, max: number, what: string): number {
  const v = r.ulong();
  if (v > max) throw new ProtocolError(`${what}: ordinal ${v} out of range`);
  return v;
}

export function readPipeConfig(r: CdrReader): PipeConfig {
  return {
    name: r.string(),
    description: r.string(),
    label: r.string(),
    level: readEnum(r, 2, "PipeConfig.level (DispLevel)"),
    writable: readEnum(r, 2, "PipeConfig.writable (PipeWriteType)"),
    extensions: r.stringSeq(),
  };
}
export function writePipeConfig(w: CdrWriter, c: PipeConfig): void {
  w.string(c.name);
  w.string(c.description);
  w.string(c.label);
  w.ulong(c.level);
  w.ulong(c.writable);
  w.stringSeq(c.extensions);
}
/** Smallest PipeConfig: three empty strings (5 bytes each, padded), two enums and an empty sequence. */
const PIPE_CONFIG_MIN = 32;
export function readPipeConfigList(r: CdrReader): PipeConfig[] {
  return r.sequence(PIPE_CONFIG_MIN, readPipeConfig, "PipeConfigList");
}
export function writePipeConfigList(w: CdrWriter, list: readonly PipeConfig[]): void {
  w.sequence(list, writePipeConfig);
}

// ------------------------------------------------------------------------------------------------- data

/** Smallest DevPipeDataElt: empty name, ATT_NO_DATA + boolean, empty inner_blob, empty inner_blob_name. */
const ELT_MIN = 24;

function tooDeep(): ProtocolError {
  return new ProtocolError(`DevPipeBlob: nesting deeper than ${MAX_PIPE_DEPTH} blobs`);
}

function readElts(r: CdrReader, depth: number): DevPipeDataElt[] {
  const n = r.seqLength(ELT_MIN, "DevVarPipeDataEltArray");
  if (n > 0 && depth > MAX_PIPE_DEPTH) throw tooDeep();
  const out = new Array<DevPipeDataElt>(n);
  for (let i = 0; i < n; i++) out[i] = readElt(r, depth);
  return out;
}
function readElt(r: CdrReader, depth: number): DevPipeDataElt {
  const name = r.string();
  const value = readAttrValUnion(r);
  const innerBlob = readElts(r, depth + 1);
  return { name, value, innerBlob, innerBlobName: r.string() };
}
function writeElts(w: CdrWriter, elts: readonly DevPipeDataElt[], depth: number): void {
  if (elts.length > 0 && depth > MAX_PIPE_DEPTH) throw tooDeep();
  w.sequence(elts, (x, e) => {
    x.string(e.name);
    writeAttrValUnion(x, e.value);
    writeElts(x, e.innerBlob, depth + 1);
    x.string(e.innerBlobName);
  });
}

export function readDevPipeDataEltArray(r: CdrReader): DevPipeDataElt[] {
  return readElts(r, 1);
}
export function writeDevPipeDataEltArray(w: CdrWriter, elts: readonly DevPipeDataElt[]): void {
  writeElts(w, elts, 1);
}

export function readDevPipeBlob(r: CdrReader): DevPipeBlob {
  return { name: r.string(), data: readElts(r, 1) };
}
export function writeDevPipeBlob(w: CdrWriter, b: DevPipeBlob): void {
  w.string(b.name);
  writeElts(w, b.data, 1);
}

export function readDevPipeData(r: CdrReader): DevPipeData {
  return { name: r.string(), time: readTimeVal(r), blob: readDevPipeBlob(r) };
}
export function writeDevPipeData(w: CdrWriter, d: DevPipeData): void {
  w.string(d.name);
  writeTimeVal(w, d.time);
  writeDevPipeBlob(w, d.blob);
}
