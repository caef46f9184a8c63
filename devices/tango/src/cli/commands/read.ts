/** `tango read <device> <attribute>...`: values as JSON; a failed attribute makes the exit code 1. */
import { toJsonValue } from "../../client/convert.ts";
import { DeviceProxy } from "../../client/device-proxy.ts";
import type { CliCommand } from "../cli-io.ts";
import { formatDevFailed, UsageError } from "../cli-io.ts";

export const command: CliCommand = {
  name: "read",
  summary: "read attributes (values printed as JSON)",
  usage: "read <device> <attribute>...",
  async run(args, io) {
    if (args.length < 2) throw new UsageError("usage: read <device> <attribute>...");
    const dev = await DeviceProxy.connect(args[0] as string, {
      context: io.context(),
      ...(io.timeoutMs ? { timeoutMs: io.timeoutMs } : {}),
    });
    const attrs = args.slice(1);
    if (attrs.length === 1) {
      // One attribute: a failure is the DevFailed of the read (printed by main, exit 1).
      const r = await dev.read(attrs[0] as string);
      if (io.json) io.printJson(r);
      else io.out(`${r.name} ${JSON.stringify(toJsonValue(r.value))}${r.quality === "ATTR_VALID" ? "" : ` (${r.quality})`}`);
      return 0;
    }
    const results = await dev.readMany(attrs);
    let failed = false;
    if (io.json)
      io.printJson(results.map((r) => (r.error ? { name: r.name, error: { reason: r.error.reason, errors: r.error.errors } } : r)));
    for (const r of results) {
      if (r.error) {
        failed = true;
        if (!io.json) io.err(`${r.name}: ${formatDevFailed(r.error)}`);
      } else if (!io.json) {
        io.out(`${r.name} ${JSON.stringify(toJsonValue(r.value))}${r.quality === "ATTR_VALID" ? "" : ` (${r.quality})`}`);
      }
    }
    return failed ? 1 : 0;
  },
};
