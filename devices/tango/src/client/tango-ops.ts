/** Marshalling of the Tango Device_4/Device_5 operations shared by DeviceProxy and Database. */
import type { CdrWriter } from "../cdr/cdr.ts";
import { type AnyValue, readAny, writeAny } from "../corba/typecode.ts";
import type { ClntIdent } from "../idl/structs.ts";
import { writeClntIdent } from "../idl/structs.ts";
import type { CallOptions } from "../iiop/logger.ts";
import type { RemoteObject } from "./remote-object.ts";

/** command_inout_4(string command, any argin, DevSource source, ClntIdent ident) → any. */
export function commandInout4(
  obj: RemoteObject,
  command: string,
  argin: AnyValue,
  source: number,
  ident: ClntIdent,
  opts?: CallOptions,
): Promise<AnyValue> {
  return obj.invoke(
    "command_inout_4",
    (w: CdrWriter) => {
      w.string(command);
      writeAny(w, argin.type, argin.value);
      w.ulong(source);
      writeClntIdent(w, ident);
    },
    (r) => readAny(r),
    opts,
  );
}
