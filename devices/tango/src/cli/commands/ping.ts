/** `tango ping <device>…`: CORBA ping of each device (through the database import); prints the round-trip time. */
import { DeviceProxy } from "../../client/device-proxy.ts";
import type { CliCommand } from "../cli-io.ts";
import { UsageError } from "../cli-io.ts";

export const command: CliCommand = {
  name: "ping",
  summary: "ping devices (exit 0 only if every device answers); used by readiness probes",
  usage: "ping <device>...",
  async run(args, io) {
    if (args.length === 0) throw new UsageError("usage: ping <device>...");
    const results: { device: string; us: number }[] = [];
    for (const name of args) {
      const dev = await DeviceProxy.connect(name, { context: io.context(), ...(io.timeoutMs ? { timeoutMs: io.timeoutMs } : {}) });
      try {
        const t0 = process.hrtime.bigint();
        await dev.ping();
        results.push({ device: dev.name, us: Number((process.hrtime.bigint() - t0) / 1000n) });
      } finally {
        await dev.close();
      }
    }
    if (io.json) io.printJson(results);
    else for (const r of results) io.out(`${r.device} ${r.us} us`);
    return 0;
  },
};
