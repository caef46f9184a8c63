/**
 * `tango db`: the Tango database server (package @tango-bdd/databaseds) and its dsconfig tools.
 *
 *   db [--port 10000] [--file tango.sqlite | --memory] [--host 0.0.0.0] [--publish-host H]   serve sys/database/2
 *   db load <config.json> [--file tango.sqlite]    load SKA dsconfig JSON (into the file, or TANGO_HOST's database)
 *   db dump [--file tango.sqlite] [--servers W]     print the configuration as dsconfig JSON
 */
import { existsSync, readFileSync } from "node:fs";
import type { CmdArgTypeName } from "../../idl/constants.ts";
import type { CliCommand, CliIo } from "../cli-io.ts";
import { ArgReader, UsageError } from "../cli-io.ts";

type DbModule = typeof import("@tango-bdd/databaseds");
type DbValue = import("@tango-bdd/databaseds").DbValue;

interface DbArgs {
  positional: string[];
  file?: string;
  servers?: string;
}

function parse(args: readonly string[]): DbArgs {
  const out: DbArgs = { positional: [] };
  const r = new ArgReader(args);
  for (let a = r.next(); a !== undefined; a = r.next()) {
    const flag = r.flag;
    if (flag === "--file") out.file = r.value();
    else if (flag === "--servers") out.servers = r.value();
    else if (a.startsWith("--")) throw new UsageError(`unknown option ${a}`);
    else out.positional.push(a);
  }
  return out;
}

/** Reads a JSON file; a missing/unreadable file or bad JSON is a usage error naming the file. */
function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${path}: ${code === "ENOENT" ? "no such file" : e instanceof Error ? e.message : String(e)}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new UsageError(`${path} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

async function loadModule(): Promise<DbModule> {
  return import("@tango-bdd/databaseds");
}

/** A command runner on a local file, or on TANGO_HOST's database through the client. */
async function runnerFor(
  a: DbArgs,
  io: CliIo,
  mod: DbModule,
): Promise<{ run: (c: string, v: DbValue) => Promise<DbValue>; close: () => void }> {
  if (a.file !== undefined) {
    const storage = mod.Storage.open({ file: a.file });
    const cmds = new mod.DataBaseCommands(storage, { deviceName: "sys/database/2" });
    return { run: async (c, v) => cmds.execute(c, v), close: () => storage.close() };
  }
  const link = io.context().databaseLink();
  const inType = (v: DbValue): CmdArgTypeName => (v === undefined ? "DevVoid" : typeof v === "string" ? "DevString" : "DevVarStringArray");
  return {
    run: async (c, v) => (await link.command(c, v, inType(v), io.timeoutMs ? { timeoutMs: io.timeoutMs } : undefined)) as DbValue,
    close: () => undefined,
  };
}

export const command: CliCommand = {
  name: "db",
  summary: "Tango database server (SQLite) and dsconfig load/dump",
  usage: "db [--port P] [--file F|--memory] | db load <json> | db dump",
  async run(args, io) {
    const mod = await loadModule();
    if (args[0] === undefined || args[0].startsWith("--")) return mod.runDatabaseServer(args, (line) => io.err(line));
    const a = parse(args);
    const sub = a.positional[0];
    if (sub === "load") {
      const path = a.positional[1];
      if (path === undefined || a.positional.length !== 2) throw new UsageError("usage: db load <config.json> [--file tango.sqlite]");
      const config = mod.parseDsConfig(readJsonFile(path));
      if (config.servers === undefined && config.classes === undefined)
        throw new UsageError(`${path} has neither a "servers" nor a "classes" section: not a dsconfig file`);
      const r = await runnerFor(a, io, mod);
      try {
        const report = await mod.loadDsConfig(config, r.run);
        if (io.json) io.printJson(report);
        else
          io.out(
            `loaded ${report.servers} server(s), ${report.devices} device(s), ${report.properties} properties, ${report.attributeProperties} attribute properties`,
          );
      } finally {
        r.close();
      }
      return 0;
    }
    if (sub === "dump") {
      if (a.positional.length !== 1) throw new UsageError("usage: db dump [--file tango.sqlite] [--servers wildcard]");
      // Opening a missing file would create an empty database and dump nothing: a typo must not look like success.
      if (a.file !== undefined && a.file !== ":memory:" && !existsSync(a.file)) throw new UsageError(`no database file ${a.file}`);
      const r = await runnerFor(a, io, mod);
      try {
        const config = await mod.dumpDsConfig(r.run, a.servers !== undefined ? { servers: a.servers } : {});
        io.out(JSON.stringify(config, null, 2));
      } finally {
        r.close();
      }
      return 0;
    }
    throw new UsageError(`unknown db subcommand ${JSON.stringify(sub)} (serve: no subcommand; load; dump)`);
  },
};
