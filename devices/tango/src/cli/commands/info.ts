/** `tango info <device>`: DevInfo, state, status, admin device and database record. */
import { DeviceProxy } from "../../client/device-proxy.ts";
import type { CliCommand } from "../cli-io.ts";
import { UsageError } from "../cli-io.ts";

export const command: CliCommand = {
  name: "info",
  summary: "device information: class, server, host, state, status, admin device",
  usage: "info <device>",
  async run(args, io) {
    if (args.length !== 1) throw new UsageError("usage: info <device>");
    const dev = await DeviceProxy.connect(args[0] as string, {
      context: io.context(),
      ...(io.timeoutMs ? { timeoutMs: io.timeoutMs } : {}),
    });
    const [info, state, status, adminName] = await Promise.all([dev.info(), dev.state(), dev.status(), dev.adminName()]);
    const out = {
      name: dev.name,
      fullName: dev.fullName,
      endpoint: `${dev.endpoint.host}:${dev.endpoint.port}`,
      state,
      status,
      adminName,
      ...info,
    };
    if (io.json) io.printJson(out);
    else for (const [k, v] of Object.entries(out)) io.out(`${k.padEnd(14)} ${v}`);
    return 0;
  },
};
