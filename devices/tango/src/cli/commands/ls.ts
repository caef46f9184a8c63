/** `tango ls [pattern]`: device names from the database (wildcard `*`, default all). */
import { Database } from "../../database/database.ts";
import type { CliCommand } from "../cli-io.ts";
import { UsageError } from "../cli-io.ts";

export const command: CliCommand = {
  name: "ls",
  summary: "list the devices defined in the database (wildcard pattern, default *)",
  usage: "ls [pattern] [--exported]",
  async run(args, io) {
    const exported = args.includes("--exported");
    const rest = args.filter((a) => a !== "--exported");
    if (rest.length > 1) throw new UsageError("ls takes at most one pattern");
    const db = await Database.connect({ context: io.context() });
    const pattern = rest[0] ?? "*";
    const names = exported ? await db.getDeviceExportedList(pattern) : await db.getDeviceList(pattern);
    if (io.json) io.printJson(names);
    else for (const n of names) io.out(n);
    return 0;
  },
};
