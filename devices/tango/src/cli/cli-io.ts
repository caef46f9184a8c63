/** What CLI commands get from main: output helpers, JSON mode, and a lazily created TangoContext. */
import { TangoContext } from "../client/context.ts";
import { toJsonValue } from "../client/convert.ts";
import type { DevFailed } from "../errors/errors.ts";

export interface CliIo {
  /** `--json` was given: print machine-readable JSON only. */
  readonly json: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly timeoutMs: number | undefined;
  /** The context (TANGO_HOST from --tango-host or the environment), created on first use and closed by main. */
  context(): TangoContext;
  /** Writes a line on stdout. */
  out(text: string): void;
  /** Writes a line on stderr. */
  err(text: string): void;
  /** Prints a value as JSON (bigint → string, bytes → number[]). */
  printJson(value: unknown): void;
  close(): Promise<void>;
}

export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  /** e.g. `read <device> <attribute>...` */
  readonly usage: string;
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/** Wrong command-line usage (exit code 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Reads command-line arguments one at a time, with `--flag value` and `--flag=value` options:
 * `for (let a = r.next(); a !== undefined; a = r.next()) if (r.flag === "--port") port = r.value();`
 */
export class ArgReader {
  readonly #args: readonly string[];
  #i = -1;
  #inline: string | undefined;
  /** The current argument's option name (`--port` of `--port=1`), or the whole argument. */
  flag = "";

  constructor(args: readonly string[]) {
    this.#args = args;
  }

  /** Moves to the next argument and returns it; undefined past the last one. */
  next(): string | undefined {
    const a = this.#args[++this.#i];
    if (a === undefined) return undefined;
    const eq = a.indexOf("=");
    const inline = a.startsWith("--") && eq > 0;
    this.flag = inline ? a.slice(0, eq) : a;
    this.#inline = inline ? a.slice(eq + 1) : undefined;
    return a;
  }

  /** The current option's value: its `=value`, else the next argument (consumed); a UsageError when there is none. */
  value(): string {
    if (this.#inline !== undefined) return this.#inline;
    const v = this.#args[++this.#i];
    if (v === undefined) throw new UsageError(`${this.flag} needs a value`);
    return v;
  }

  /** The next argument when there is one and it is not a `--` option (consumed); otherwise undefined. */
  nextPlain(): string | undefined {
    const v = this.#args[this.#i + 1];
    if (v === undefined || v.startsWith("--")) return undefined;
    this.#i++;
    return v;
  }
}

export function createIo(opts: {
  env: Readonly<Record<string, string | undefined>>;
  json: boolean;
  tangoHost?: string;
  timeoutMs?: number;
}): CliIo {
  let ctx: TangoContext | undefined;
  return {
    json: opts.json,
    env: opts.env,
    timeoutMs: opts.timeoutMs,
    context() {
      if (!ctx) {
        const timeout = opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {};
        ctx = opts.tangoHost ? new TangoContext({ tangoHost: opts.tangoHost, ...timeout }) : TangoContext.fromEnv(opts.env, timeout);
      }
      return ctx;
    },
    out(text) {
      process.stdout.write(`${text}\n`);
    },
    err(text) {
      process.stderr.write(`${text}\n`);
    },
    printJson(value) {
      process.stdout.write(`${JSON.stringify(toJsonValue(value), null, 2)}\n`);
    },
    async close() {
      await ctx?.close();
    },
  };
}

/** The DevFailed stack as cppTango prints it: one block per level, root cause first. */
export function formatDevFailed(e: DevFailed): string {
  const lines = [`${e.name}:`];
  e.errors.forEach((x, i) => {
    lines.push(
      `  [${i}] reason = ${x.reason}`,
      `      desc   = ${x.desc.split("\n").join("\n               ")}`,
      `      origin = ${x.origin}`,
      `      severity = ${x.severity}`,
    );
  });
  return lines.join("\n");
}

/** Parses a JSON command-line value; a bare word that is not JSON is taken as a string. */
export function parseJsonArg(text: string): unknown {
  const t = text.trim();
  if (/^-?\d+$/.test(t) && !Number.isSafeInteger(Number(t))) return BigInt(t);
  try {
    return JSON.parse(text);
  } catch {
    if (/^[\s[{"]/.test(text) || /^-?\d/.test(text)) throw new UsageError(`value ${JSON.stringify(text)} is not valid JSON`);
    return text;
  }
}
