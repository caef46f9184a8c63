/** Marshalling of the Tango Device_4/Device_5 operations shared by DeviceProxy and the database link. */
import type { CdrWriter } from "../cdr/cdr.ts";
import { type AnyValue, readAny, writeAny } from "../corba/typecode.ts";
import { type DevPipeData, type PipeConfig, writeDevPipeData, writePipeConfigList } from "../idl/pipe.ts";
import type { AttributeValue5, ClntIdent } from "../idl/structs.ts";
import { writeAttributeValue5, writeClntIdent } from "../idl/structs.ts";
import type { CallOptions } from "../iiop/logger.ts";
import type { RemoteObject } from "./remote-object.ts";

/** command_inout_4 arguments: string command, any argin, DevSource source, ClntIdent ident. */
export function writeCommandInout4Args(w: CdrWriter, command: string, argin: AnyValue, source: number, ident: ClntIdent): void {
  w.string(command);
  writeAny(w, argin.type, argin.value);
  w.ulong(source);
  writeClntIdent(w, ident);
}

/** read_attributes_5 arguments: DevVarStringArray names, DevSource source, ClntIdent ident. */
export function writeReadAttributes5Args(w: CdrWriter, names: readonly string[], source: number, ident: ClntIdent): void {
  w.stringSeq(names);
  w.ulong(source);
  writeClntIdent(w, ident);
}

/** write_attributes_4 arguments: AttributeValueList_4 values, ClntIdent ident. */
export function writeWriteAttributes4Args(w: CdrWriter, values: readonly AttributeValue5[], ident: ClntIdent): void {
  w.sequence(values, (x, a) => writeAttributeValue5(x, a, false));
  writeClntIdent(w, ident);
}

/** read_pipe_5 arguments: string name, ClntIdent ident. */
export function writeReadPipe5Args(w: CdrWriter, pipe: string, ident: ClntIdent): void {
  w.string(pipe);
  writeClntIdent(w, ident);
}

/** set_pipe_config_5 arguments: PipeConfigList new_conf, ClntIdent ident. */
export function writeSetPipeConfig5Args(w: CdrWriter, configs: readonly PipeConfig[], ident: ClntIdent): void {
  writePipeConfigList(w, configs);
  writeClntIdent(w, ident);
}

/** write_pipe_5 / write_read_pipe_5 arguments: DevPipeData value, ClntIdent ident. */
export function writeWritePipe5Args(w: CdrWriter, data: DevPipeData, ident: ClntIdent): void {
  writeDevPipeData(w, data);
  writeClntIdent(w, ident);
}

/** command_inout_4(string command, any argin, DevSource source, ClntIdent ident) → any. */
export function commandInout4(
  obj: RemoteObject,
  command: string,
  argin: AnyValue,
  source: number,
  ident: ClntIdent,
  opts?: CallOptions,
): Promise<AnyValue> {
  return obj.invoke("command_inout_4", (w: CdrWriter) => writeCommandInout4Args(w, command, argin, source, ident), readAny, opts);
}
