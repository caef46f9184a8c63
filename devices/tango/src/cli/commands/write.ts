/** `tango write <device> <attribute> <json-value>`. */
import { DeviceProxy } from "../../client/device-proxy.ts";
import type { CliCommand } from "../cli-io.ts";
import { parseJsonArg, UsageError } from "../cli-io.ts";

export const command: CliCommand = {
  name: "write",
  summary: "write an attribute (value given as JSON; a bare word is a string)",
  usage: "write <device> <attribute> <json-value>",
  async run(args, io) {
    if (args.length !== 3) throw new UsageError("usage: write <device> <attribute> <json-value>");
    const value = parseJsonArg(args[2] as string);
    const dev = await DeviceProxy.connect(args[0] as string, {
      context: io.context(),
      ...(io.timeoutMs ? { timeoutMs: io.timeoutMs } : {}),
    });
    await dev.write(args[1] as string, value);
    if (io.json) io.printJson({ ok: true });
    return 0;
  },
};
