/**
 * Builds the HTML living documentation from allure-results: categories + environment + history carried from
 * the previous report, then `allure generate --clean` (allure-commandline, needs Java).
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { copyHistory, type ResultsSummary, summarizeResults, writeCategories, writeEnvironment } from "./allure-extras.ts";

export interface BuildReportOptions {
  readonly resultsDir: string;
  readonly reportDir: string;
  readonly environment: Readonly<Record<string, string>>;
  /** `[executable, ...args]` of the allure CLI. */
  readonly allureCommand: readonly string[];
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface BuildReportResult {
  readonly summary: ResultsSummary;
  readonly historyCarried: boolean;
  readonly output: string;
}

export async function buildReport(opts: BuildReportOptions): Promise<BuildReportResult> {
  await writeCategories(opts.resultsDir);
  await writeEnvironment(opts.resultsDir, opts.environment);
  const historyCarried = await copyHistory(opts.reportDir, opts.resultsDir);
  const summary = await summarizeResults(opts.resultsDir);
  const [cmd, ...pre] = opts.allureCommand;
  const output = await run(cmd as string, [...pre, "generate", opts.resultsDir, "-o", opts.reportDir, "--clean"], opts);
  return { summary, historyCarried, output };
}

function run(cmd: string, args: readonly string[], opts: BuildReportOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [...args], {
      stdio: ["ignore", "pipe", "pipe"],
      ...(opts.env ? { env: opts.env } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (t: string) => {
      out += t;
    });
    child.stderr.setEncoding("utf8").on("data", (t: string) => {
      out += t;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new RangeError(`${cmd} ${args.join(" ")} failed (code ${code}, signal ${signal}):\n${out}`));
    });
  });
}

/** Environment facts written by the workers (one JSON object per stack) merged for the report's environment section. */
export async function collectRunFacts(runDir: string): Promise<Record<string, string>> {
  if (!existsSync(runDir)) return {};
  const merged = new Map<string, Set<string>>();
  for (const f of (await readdir(runDir)).filter((n) => n.endsWith(".json")).sort()) {
    const facts = JSON.parse(await readFile(join(runDir, f), "utf8")) as Record<string, unknown>;
    for (const [k, v] of Object.entries(facts)) {
      const set = merged.get(k) ?? new Set<string>();
      set.add(String(v));
      merged.set(k, set);
    }
  }
  return Object.fromEntries([...merged].map(([k, v]) => [k, [...v].join(", ")]));
}
