/**
 * `PipeQa`: the pipes of the PyTango 9.3 fixture client/fixtures/pipe_device.py, served by our runtime, so one
 * client scenario runs against both (server/pipe.interop.test.ts):
 *
 *   rw          READ_WRITE: read returns what was last written (initially the `typed` blob)
 *   typed       READ: one element of each type PyTango puts in a pipe, arrays and a nested blob
 *   guarded     READ_WRITE whose guard answers false (API_PipeNotAllowed)
 *   broken      READ whose read throws a DevFailed of its own
 *   PushPipe    pushes a pipe event of `rw`; PushPipeError pushes one carrying a DevFailed
 */
import type { PipeBlobInput, PipeBlobValue } from "../../client/pipe-blob.ts";
import { DevFailed } from "../../errors/errors.ts";
import { command, device, pipe } from "../decorators.ts";
import { Device } from "../device.ts";

/** pipe_device.py's typed_blob(), element for element and type for type. */
export function typedBlob(): PipeBlobInput {
  return {
    name: "typed",
    elements: [
      { name: "str", value: "hello" },
      { name: "i64", value: 42 },
      { name: "dbl", value: 1.5 },
      { name: "flag", value: true },
      { name: "short", value: -3, dtype: "DevShort" },
      { name: "ushort", value: 65535, dtype: "DevUShort" },
      { name: "long", value: -70000, dtype: "DevLong" },
      { name: "ulong", value: 4000000000, dtype: "DevULong" },
      { name: "u64", value: 2n ** 63n + 5n, dtype: "DevULong64" },
      { name: "flt", value: 0.25, dtype: "DevFloat" },
      { name: "state", value: "MOVING", dtype: "DevState" },
      { name: "strs", value: ["a", "bb", "ccc"] },
      { name: "i64s", value: [1, -2, 3] },
      { name: "dbls", value: new Float64Array([0.5, -1.5]) },
      { name: "flts", value: [1.0, 2.0], dtype: "DevVarFloatArray" },
      { name: "shorts", value: [1, 2, 3], dtype: "DevVarShortArray" },
      { name: "bools", value: [true, false, true] },
      { name: "uchars", value: [1, 2, 255], dtype: "DevVarCharArray" },
      { name: "u64s", value: [0n, 2n ** 64n - 1n], dtype: "DevVarULong64Array" },
      { name: "one", value: [9], dtype: "DevVarLongArray" },
      { name: "none", value: [], dtype: "DevVarDoubleArray" },
      { name: "enc", value: { format: "fmt", data: new Uint8Array([1, 2]) }, dtype: "DevEncoded" },
      { name: "inner", value: { name: "innerblob", elements: { x: 7, deeper: { name: "d", elements: { s: "deep" } } } } },
    ],
  };
}

@device({ tangoClass: "PipeQa" })
export class PipeQa extends Device {
  /** What `rw` returns: the last blob written (a PipeBlobValue), initially the typed blob. */
  #rw: PipeBlobInput = typedBlob();
  /** Every blob written to `rw` (white-box checks). */
  readonly written: PipeBlobValue[] = [];

  override init(): void {
    this.#rw = typedBlob();
    this.setState("ON");
  }

  @pipe({ access: "READ_WRITE", label: "Read-write pipe", description: "Echoes what was written" })
  get rw(): PipeBlobInput {
    return this.#rw;
  }
  set rw(blob: PipeBlobValue) {
    this.written.push(blob);
    this.#rw = blob;
  }

  @pipe({ description: "One element of each type" })
  typed(): PipeBlobInput {
    return typedBlob();
  }

  @pipe({ access: "READ_WRITE", allowed: () => false, write: () => undefined })
  guarded(): [string, PipeBlobInput["elements"]] {
    return ["g", [{ name: "v", value: 1 }]];
  }

  @pipe()
  broken(): PipeBlobInput {
    throw DevFailed.from("PipeQa_Broken", "the broken pipe always fails", "PipeQa.read_broken");
  }

  @command()
  PushPipe(): void {
    // As pipe_device.py's dict form; PyTango 9.3 sends its True there as the DevLong64 1.
    this.pushPipeEvent("rw", ["evblob", { text: "event", n: 3, vals: [1.5, 2.5], sub: { name: "inner", elements: { ok: 1 } } }]);
  }

  @command()
  PushPipeError(): void {
    this.pushPipeEvent("rw", DevFailed.from("PipeQa_EventError", "pushed as a pipe event error", "PipeQa.PushPipeError"));
  }
}
