/**
 * Shared plumbing of the Tango 10 interop suites: where pytango 10 is, free ports, child processes (pytango 10 PyRef
 * servers, our `tango db`), the pytango 10 client fixture (py10_client.py) and a raw `_is_a` call.
 * Test files are entry points: they pass `process.env` in; nothing here reads it.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import type { CdrReader, CdrWriter } from "../cdr/cdr.ts";
import { TangoContext } from "../client/context.ts";
import { replyBody } from "../iiop/reply.ts";

export { freePort } from "../testing/free-port.ts";

export const REPO_ROOT = fileURLToPath(new URL("../../../..", import.meta.url));
export const PY10_CLIENT = fileURLToPath(new URL("./py10_client.py", import.meta.url));
export const REFERENCE_DB = "127.0.0.1:10000";

export type Env = Readonly<Record<string, string | undefined>>;

/** The pytango 10 interpreter: `$PYTANGO10_VENV/bin/python` (default /opt/pytango10). */
export function py10Python(env: Env): string {
  return `${env.PYTANGO10_VENV ?? "/opt/pytango10"}/bin/python`;
}
/** The reference pyref_device.py (shared/tango-reference). */
export function pyrefScript(env: Env): string {
  const dir = env.TANGO_REFERENCE_DIR ?? fileURLToPath(new URL("../../../../../shared/tango-reference", import.meta.url));
  return `${dir}/pyref_device.py`;
}
/** Why the suites cannot run here (undefined when they can). */
export function skipReason(env: Env, needs: { tangoAdmin?: boolean } = {}): string | undefined {
  if (!existsSync(py10Python(env))) return `no pytango 10 venv at ${py10Python(env)} (run scripts/pytango10-install.sh)`;
  if (!existsSync(pyrefScript(env))) return `no ${pyrefScript(env)}`;
  if (needs.tangoAdmin && !existsSync("/usr/bin/tango_admin")) return "no tango_admin (reference stack)";
  return undefined;
}

export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

export async function waitFor(what: string, fn: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}
export function run(cmd: string, args: readonly string[], env: Env, timeoutMs = 60_000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env: env as NodeJS.ProcessEnv, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Children started by a suite; `stopAll()` ends exactly those (by their own handles). */
export class Children {
  readonly #set = new Set<ChildProcess>();
  readonly logs = new Map<ChildProcess, string[]>();

  start(cmd: string, args: readonly string[], env: Env): ChildProcess {
    const c = spawn(cmd, args, { env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
    const log: string[] = [];
    this.logs.set(c, log);
    c.stdout?.on("data", (d: Buffer) => log.push(d.toString()));
    c.stderr?.on("data", (d: Buffer) => log.push(d.toString()));
    this.#set.add(c);
    c.once("exit", () => this.#set.delete(c));
    return c;
  }

  log(c: ChildProcess | undefined): string {
    return c ? (this.logs.get(c) ?? []).join("").slice(-4000) : "";
  }

  async stop(c: ChildProcess | undefined, signal: NodeJS.Signals = "SIGTERM", graceMs = 5000): Promise<void> {
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill(signal);
    const t = setTimeout(() => c.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(t);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#set].map((c) => this.stop(c)));
  }
}

/** Starts pyref_device.py under pytango 10 and waits for its GIOP port. */
export async function startPy10PyRef(
  children: Children,
  env: Env,
  instance: string,
  port: number,
  extraArgs: readonly string[] = [],
): Promise<ChildProcess> {
  const c = children.start(py10Python(env), [pyrefScript(env), instance, ...extraArgs, "-ORBendPoint", `giop:tcp:127.0.0.1:${port}`], env);
  await waitFor(`pytango 10 PyRef/${instance} on port ${port}`, async () => {
    if (c.exitCode !== null) throw new Error(`PyRef/${instance} exited: ${children.log(c)}`);
    return listening(port);
  });
  return c;
}

/** Starts our database server (`tango db --memory`) on `port` and waits until it answers. */
export async function startOurDb(children: Children, env: Env, port: number): Promise<ChildProcess> {
  const c = children.start(process.execPath, [`${REPO_ROOT}devices/tango/bin/tango.mjs`, "db", "--port", String(port), "--memory"], env);
  await waitFor(`our database on port ${port}`, async () => {
    if (c.exitCode !== null) throw new Error(`tango db exited: ${children.log(c)}`);
    return listening(port);
  });
  return c;
}

export type Json = Record<string, unknown>;
export interface Outcome {
  readonly ok?: unknown;
  readonly error?: readonly { reason: string; desc: string; origin: string }[];
  readonly pyerror?: string;
}
export function reasons(o: unknown): string[] {
  return ((o as Outcome | undefined)?.error ?? []).map((e) => e.reason);
}

/** Runs py10_client.py <scenario> <device> with pytango 10 and returns its JSON. */
export async function py10Client(env: Env, scenario: string, device: string, tangoHost?: string): Promise<Json> {
  const e = { ...env, ORBclientTransportRule: "* tcp", ...(tangoHost ? { TANGO_HOST: tangoHost } : {}) };
  const r = await run(py10Python(env), [PY10_CLIENT, scenario, device], e, 90_000);
  if (r.code !== 0) throw new Error(`py10_client.py ${scenario} ${device} exited ${r.code}: ${r.stderr.slice(-3000)}`);
  const out = JSON.parse(r.stdout) as Json;
  if (out.fatal) throw new Error(`py10_client.py ${scenario} ${device}: ${JSON.stringify(out.fatal)}`);
  return out;
}

/** One GIOP 1.2 request to `objectKey` at 127.0.0.1:`port` on a fresh connection; `read` decodes the reply body. */
export async function giopCall<T>(
  port: number,
  objectKey: Uint8Array | string,
  operation: string,
  write: ((w: CdrWriter) => void) | undefined,
  read: (r: CdrReader) => T,
): Promise<T> {
  const context = new TangoContext({ tangoHost: `127.0.0.1:${port}` });
  try {
    const key = typeof objectKey === "string" ? Buffer.from(objectKey, "latin1") : objectKey;
    const reply = await context.pool.get("127.0.0.1", port).request(key, operation, write, { timeoutMs: 5000 });
    return read(replyBody(reply, operation));
  } finally {
    await context.close();
  }
}

/** `_is_a(repoId)`, as omniORB's `_narrow` sends it (Tango 10 clients ask for Device_6 first, then fall back). */
export function isA(port: number, objectKey: Uint8Array | string, repoId: string): Promise<boolean> {
  return giopCall(
    port,
    objectKey,
    "_is_a",
    (w) => w.string(repoId),
    (r) => r.boolean(),
  );
}
