/** `tango cmd <device> <command> [json-argin]`: prints the result as JSON (nothing for DevVoid). */
import { DeviceProxy } from "../../client/device-proxy.ts";
import type { CliCommand } from "../cli-io.ts";
import { parseJsonArg, UsageError } from "../cli-io.ts";

export const command: CliCommand = {
  name: "cmd",
  summary: "execute a command (argin and result as JSON)",
  usage: "cmd <device> <command> [json-argin]",
  async run(args, io) {
    if (args.length < 2 || args.length > 3) throw new UsageError("usage: cmd <device> <command> [json-argin]");
    const argin = args[2] === undefined ? undefined : parseJsonArg(args[2]);
    const dev = await DeviceProxy.connect(args[0] as string, {
      context: io.context(),
      ...(io.timeoutMs ? { timeoutMs: io.timeoutMs } : {}),
    });
    const out = await dev.command(args[1] as string, argin);
    if (out !== undefined || io.json) io.printJson(out ?? null);
    return 0;
  },
};
