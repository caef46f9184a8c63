/**
 * Child processes of the local target: each runs in its own process group (so a kill reaches everything it
 * spawned), its output is captured into a bounded log, and every live group is registered in a ProcessRegistry
 * that kills them all when the runner exits or receives SIGINT/SIGTERM.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { offCleanupSignals, onceOnCleanupSignals } from "../cleanup-signals.ts";

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  /** Component id used in logs and errors, e.g. "db" or "tabata/counters". */
  readonly id: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  /** Registry that kills the process group at exit/Ctrl-C. */
  readonly registry?: ProcessRegistry;
  /** Max bytes of log kept (the oldest part is dropped first). Default 1 MiB. */
  readonly maxLogBytes?: number;
  /** "pipe" keeps a pipe to the child's stdin (for `release()`); default "ignore". */
  readonly stdin?: "ignore" | "pipe";
}

/** Kills every registered process group on exit, SIGINT, SIGTERM and SIGHUP. */
export class ProcessRegistry {
  readonly #groups = new Set<number>();
  #installed = false;
  readonly #onSignal = (signal: NodeJS.Signals): void => {
    this.killAll();
    this.uninstall();
    // Nobody else handles it: re-raise so the default behaviour (terminate with that signal) happens.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  readonly #onExit = (): void => this.killAll();

  add(pgid: number): void {
    this.#groups.add(pgid);
    this.install();
  }

  delete(pgid: number): void {
    this.#groups.delete(pgid);
  }

  get size(): number {
    return this.#groups.size;
  }

  /** Synchronously SIGKILLs every registered group (safe inside an `exit` handler). */
  killAll(): void {
    for (const pgid of this.#groups) killGroup(pgid, "SIGKILL");
    this.#groups.clear();
  }

  install(): void {
    if (this.#installed) return;
    this.#installed = true;
    onceOnCleanupSignals(this.#onSignal);
    process.on("exit", this.#onExit);
  }

  uninstall(): void {
    if (!this.#installed) return;
    this.#installed = false;
    offCleanupSignals(this.#onSignal);
    process.off("exit", this.#onExit);
  }
}

function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // already gone
  }
}

/** Bounded text log: keeps the most recent `max` bytes, each chunk stamped with the time since start. */
export class LogBuffer {
  readonly #max: number;
  readonly #start = Date.now();
  #chunks: string[] = [];
  #size = 0;
  #dropped = 0;
  #partial = "";

  constructor(max = 1 << 20) {
    this.#max = max;
  }

  append(stream: "out" | "err", text: string): void {
    const lines = (this.#partial + text).split("\n");
    this.#partial = lines.pop() ?? "";
    for (const line of lines) this.#push(stream, line);
  }

  #push(stream: "out" | "err", line: string): void {
    const stamp = ((Date.now() - this.#start) / 1000).toFixed(3).padStart(8);
    const entry = `${stamp} ${stream === "err" ? "!" : " "} ${line}\n`;
    this.#chunks.push(entry);
    this.#size += entry.length;
    while (this.#size > this.#max && this.#chunks.length > 1) {
      this.#size -= (this.#chunks.shift() as string).length;
      this.#dropped += 1;
    }
  }

  note(text: string): void {
    this.#push("out", `--- ${text}`);
  }

  text(): string {
    const head = this.#dropped > 0 ? `[${this.#dropped} older lines dropped]\n` : "";
    const tail = this.#partial ? `${this.#partial}\n` : "";
    return head + this.#chunks.join("") + tail;
  }
}

/** One child process in its own process group. */
export class ManagedProcess {
  readonly id: string;
  readonly child: ChildProcess;
  readonly log: LogBuffer;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<ProcessExit>;
  #exit: ProcessExit | undefined;
  readonly #registry: ProcessRegistry | undefined;

  private constructor(id: string, child: ChildProcess, log: LogBuffer, registry: ProcessRegistry | undefined) {
    this.id = id;
    this.child = child;
    this.log = log;
    this.#registry = registry;
    this.exited = new Promise<ProcessExit>((resolve) => {
      const done = (code: number | null, signal: NodeJS.Signals | null): void => {
        if (this.#exit) return;
        this.#exit = { code, signal };
        if (child.pid !== undefined) registry?.delete(child.pid);
        log.note(`exited code=${code} signal=${signal}`);
        resolve(this.#exit);
      };
      child.once("exit", done);
      child.once("error", (err) => {
        log.note(`spawn error: ${err.message}`);
        done(null, null);
      });
    });
  }

  static spawn(opts: SpawnOptions): ManagedProcess {
    const log = new LogBuffer(opts.maxLogBytes);
    const child = spawn(opts.command, [...opts.args], {
      cwd: opts.cwd,
      env: opts.env ? Object.fromEntries(Object.entries(opts.env).filter((e): e is [string, string] => e[1] !== undefined)) : process.env,
      detached: true, // own process group: kill(-pid) reaches grandchildren too
      stdio: [opts.stdin ?? "ignore", "pipe", "pipe"],
    });
    child.stdout?.setEncoding("utf8").on("data", (t: string) => log.append("out", t));
    child.stderr?.setEncoding("utf8").on("data", (t: string) => log.append("err", t));
    log.note(`spawned pid=${child.pid ?? "?"}: ${opts.command} ${opts.args.join(" ")}`);
    const p = new ManagedProcess(opts.id, child, log, opts.registry);
    if (child.pid !== undefined) opts.registry?.add(child.pid);
    return p;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Exit status, or undefined while running. */
  get exitStatus(): ProcessExit | undefined {
    return this.#exit;
  }

  get running(): boolean {
    return this.#exit === undefined && this.child.pid !== undefined;
  }

  /**
   * Opens the start gate of a process spawned with `stdin: "pipe"` and env TANGO_START_GATE=stdin (the tango CLI
   * loads its code, then waits for a line or EOF on stdin before running the command): writes a line, closes stdin.
   */
  release(): void {
    const stdin = this.child.stdin;
    if (!stdin || stdin.destroyed) return;
    stdin.on("error", () => undefined); // the process may be gone (EPIPE)
    stdin.end("go\n");
  }

  /** Sends `signal` to the whole process group. */
  signal(signal: NodeJS.Signals): void {
    if (this.child.pid !== undefined && this.#exit === undefined) killGroup(this.child.pid, signal);
  }

  /** SIGKILL the group and wait for the exit. */
  async kill(): Promise<ProcessExit> {
    this.signal("SIGKILL");
    return this.exited;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once exited. */
  async stop(graceMs = 2000): Promise<ProcessExit> {
    if (this.#exit) return this.#exit;
    this.signal("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const forced = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.signal("SIGKILL");
        resolve();
      }, graceMs);
    });
    await Promise.race([this.exited, forced]);
    clearTimeout(timer);
    const exit = await this.exited;
    // Also reap anything left in the group (grandchildren that ignored SIGTERM).
    if (this.child.pid !== undefined) killGroup(this.child.pid, "SIGKILL");
    this.#registry?.delete(this.child.pid ?? -1);
    return exit;
  }
}

/** A TCP port that was free a moment ago on `host` (the OS picks it). */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** `count` distinct free ports. */
export async function freePorts(count: number, host = "127.0.0.1"): Promise<number[]> {
  const out = new Set<number>();
  while (out.size < count) out.add(await freePort(host));
  return [...out];
}
