/**
 * `tango serve …` as a child process for tests: the port it reports ("… on port N"), its exit code, everything it
 * printed, and a SIGTERM stop.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const BIN = `${REPO_ROOT}devices/tango/bin/tango.mjs`;

export interface ServeProcess {
  readonly child: ChildProcess;
  /** The port of the "… on port N" line; rejects (with the output) when the process exits before it. */
  readonly port: Promise<number>;
  readonly exit: Promise<number | null>;
  /** stdout and stderr as received. */
  output(): string;
  /** SIGTERM unless it has already exited; resolves when it has. */
  stop(): Promise<void>;
}

export function serveProcess(
  args: readonly string[],
  opts: { env?: Record<string, string>; stdin?: "ignore" | "pipe" } = {},
): ServeProcess {
  const child = spawn(process.execPath, [BIN, "serve", ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...opts.env },
    stdio: [opts.stdin ?? "ignore", "pipe", "pipe"],
  });
  let out = "";
  const port = new Promise<number>((resolve, reject) => {
    child.stdout?.on("data", (b: Buffer) => {
      out += b.toString();
      const m = / on port (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.stderr?.on("data", (b: Buffer) => {
      out += b.toString();
    });
    child.once("exit", (code) => reject(new Error(`serve exited (${code}) before listening:\n${out}`)));
  });
  port.catch(() => undefined);
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    port,
    exit,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exit;
    },
  };
}
