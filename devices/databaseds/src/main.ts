/**
 * Database server process entry: `[--port 10000] [--file tango.sqlite | --memory] [--host H] [--publish-host H]`.
 * Used by `tango db` (through bin/databaseds.mjs, which runs it from a cached esbuild bundle for a fast start).
 */
import { DevFailed } from "@tango-bdd/tango";
import { DataBaseServer } from "./server.ts";

export interface ServeArgs {
  readonly port: number;
  readonly file: string;
  readonly host?: string;
  readonly publishHost?: string;
}

/** Parses the serve options; throws a plain Error with a usage message on bad input. */
export function parseServeArgs(args: readonly string[]): ServeArgs {
  let port = 10000;
  let file = "tango.sqlite";
  let host: string | undefined;
  let publishHost: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const eq = a.indexOf("=");
    const flag = a.startsWith("--") && eq > 0 ? a.slice(0, eq) : a;
    const value = (): string => {
      const v = eq > 0 && a.startsWith("--") ? a.slice(eq + 1) : args[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === "--port") {
      port = Number(value());
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error("--port needs a TCP port number");
    } else if (flag === "--file") file = value();
    else if (flag === "--memory") file = ":memory:";
    else if (flag === "--host") host = value();
    else if (flag === "--publish-host") publishHost = value();
    else throw new Error(`unknown argument ${a} (usage: db [--port P] [--file F | --memory] [--host H] [--publish-host H])`);
  }
  return { port, file, ...(host !== undefined ? { host } : {}), ...(publishHost !== undefined ? { publishHost } : {}) };
}

/** Serves until SIGINT/SIGTERM (or a Kill on the admin device); returns the exit code. */
export async function runDatabaseServer(args: readonly string[], log: (line: string) => void): Promise<number> {
  let opts: ServeArgs;
  try {
    opts = parseServeArgs(args);
  } catch (err) {
    log(`tango db: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  let db: DataBaseServer;
  try {
    db = await DataBaseServer.start(opts);
  } catch (err) {
    // A port in use, an unreadable file...: one actionable line, not a stack trace.
    if (!(err instanceof DevFailed)) throw err;
    log(`tango db: cannot start: ${err.errors.map((e) => `${e.reason}: ${e.desc}`).join("; ")}`);
    return 1;
  }
  log(
    `tango db: ${db.deviceName} ready, TANGO_HOST=${db.tangoHost} (storage ${opts.file === ":memory:" ? "in memory" : opts.file}, ${Math.round(performance.now())} ms after process start)`,
  );
  const stop = (): void => {
    void db.close();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  await db.closed;
  await db.close();
  process.off("SIGINT", stop);
  process.off("SIGTERM", stop);
  return 0;
}
