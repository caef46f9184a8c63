/**
 * `tango` command line: `node devices/tango/bin/tango.mjs <command> [args] [--tango-host h:p] [--json] [--timeout ms]`.
 *
 * Adding a subcommand (e.g. `serve`, `db`, `watch`, `ping`): create `src/cli/commands/<name>.ts` exporting
 * `export const command: CliCommand = { name, summary, usage, run(args, io) {...} }` and add ONE line to `REGISTRY`
 * below: `<name>: () => import("./commands/<name>.ts"),`. Commands are loaded lazily, so a heavy command costs the
 * others nothing. `run` receives the arguments that follow the command name with the global options removed, and
 * returns the exit code (or resolves when a long-running command stops). Throw a DevFailed to report a Tango failure:
 * main prints its stack (reason, desc, origin per level) on stderr and exits 1; throw UsageError for bad arguments (exit 2).
 */
import { DevFailed } from "../errors/errors.ts";
import type { CliCommand, CliIo } from "./cli-io.ts";
import { ArgReader, createIo, formatDevFailed, UsageError } from "./cli-io.ts";

export type { CliCommand, CliIo } from "./cli-io.ts";
export { UsageError } from "./cli-io.ts";

const REGISTRY: Record<string, () => Promise<{ command: CliCommand }>> = {
  ls: () => import("./commands/ls.ts"),
  info: () => import("./commands/info.ts"),
  read: () => import("./commands/read.ts"),
  write: () => import("./commands/write.ts"),
  cmd: () => import("./commands/cmd.ts"),
  watch: () => import("./commands/watch.ts"),
  serve: () => import("./commands/serve.ts"),
  db: () => import("./commands/db.ts"),
  ping: () => import("./commands/ping.ts"),
};

/** Global options, accepted anywhere on the line. */
interface GlobalOptions {
  tangoHost?: string;
  json: boolean;
  timeoutMs?: number;
  help: boolean;
}

function splitGlobal(argv: readonly string[]): { opts: GlobalOptions; rest: string[] } {
  const opts: GlobalOptions = { json: false, help: false };
  const rest: string[] = [];
  const r = new ArgReader(argv);
  for (let a = r.next(); a !== undefined; a = r.next()) {
    const flag = r.flag;
    if (flag === "--tango-host") opts.tangoHost = r.value();
    else if (flag === "--json") opts.json = true;
    else if (flag === "--timeout") {
      const t = Number(r.value());
      if (!(t > 0)) throw new UsageError("--timeout needs a positive number of milliseconds");
      opts.timeoutMs = t;
    } else if (flag === "--help" || flag === "-h") opts.help = true;
    else rest.push(a);
  }
  return { opts, rest };
}

async function usage(io: CliIo): Promise<void> {
  const lines = ["usage: tango <command> [args] [--tango-host host:port] [--json] [--timeout ms]", "", "commands:"];
  for (const [name, load] of Object.entries(REGISTRY)) {
    const { command } = await load();
    // A usage line too long for the column gets its summary on the next line, aligned.
    if (command.usage.length <= 44) lines.push(`  ${command.usage.padEnd(44)} ${command.summary}`);
    else lines.push(`  ${command.usage}`, `  ${"".padEnd(44)} ${command.summary}`);
    void name;
  }
  io.out(lines.join("\n"));
}

/** Runs the CLI; returns the process exit code. `env` is the process environment (read only here). */
export async function main(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<number> {
  let io: CliIo | undefined;
  try {
    const { opts, rest } = splitGlobal(argv);
    io = createIo({
      env,
      json: opts.json,
      ...(opts.tangoHost ? { tangoHost: opts.tangoHost } : {}),
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    });
    let name = rest[0];
    if (name === "help" && rest[1] !== undefined) {
      name = rest[1];
      opts.help = true;
    }
    const known = name === undefined ? undefined : REGISTRY[name];
    if (opts.help && known) {
      // `tango <command> --help` / `tango help <command>`: that command's usage line.
      const { command } = await known();
      io.out(`usage: tango ${command.usage}\n\n${command.summary}\n(global options: --tango-host host:port, --json, --timeout ms)`);
      return 0;
    }
    if (opts.help && name !== undefined && name !== "help" && !known) {
      throw new UsageError(`unknown command ${JSON.stringify(name)} (try --help)`);
    }
    if (opts.help || name === undefined || name === "help") {
      await usage(io);
      return name === undefined && !opts.help ? 2 : 0;
    }
    const load = REGISTRY[name];
    if (!load) throw new UsageError(`unknown command ${JSON.stringify(name)} (try --help)`);
    const { command } = await load();
    return await command.run(rest.slice(1), io);
  } catch (e) {
    const err = (s: string): void => {
      process.stderr.write(`${s}\n`);
    };
    if (e instanceof UsageError) {
      err(`tango: ${e.message}`);
      return 2;
    }
    if (e instanceof DevFailed) {
      err(formatDevFailed(e));
      return 1;
    }
    err(`tango: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  } finally {
    await io?.close();
  }
}
