/**
 * What the Allure report needs beyond the per-test results written by allure-cucumberjs: the environment
 * section, the failure categories (infrastructure vs product), the history carried from the previous report,
 * and a summary of the results (including retries, which are reported and never hidden).
 */
import { existsSync } from "node:fs";
import { cp, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface AllureCategory {
  readonly name: string;
  readonly matchedStatuses?: readonly ("failed" | "broken" | "passed" | "skipped" | "unknown")[];
  readonly messageRegex?: string;
  readonly traceRegex?: string;
  readonly flaky?: boolean;
}

/**
 * First match wins. Infrastructure failures carry a `BDD_Infra*` reason (infra/src/errors.ts); assertion errors are
 * "failed" in Allure; errors raised by devices are DevFailed (or a subclass) with a Tango reason such as API_*.
 */
export const CATEGORIES: readonly AllureCategory[] = [
  {
    name: "Infrastructure failures (the stack could not be provisioned)",
    matchedStatuses: ["failed", "broken"],
    messageRegex: "(?s).*BDD_Infra\\w*.*",
  },
  { name: "Product failures: wrong behaviour (assertion failed)", matchedStatuses: ["failed"] },
  {
    name: "Product failures: the device raised an error (DevFailed)",
    matchedStatuses: ["broken"],
    messageRegex:
      "(?s).*(DevFailed|ConnectionFailed|CommunicationFailed|DeviceTimeout|NotAllowed|EventSystemFailed|\\b(API|DB|PyDs)_[A-Za-z]+).*",
  },
  { name: "Test defects (errors in step code)", matchedStatuses: ["broken"] },
  {
    name: "Undefined or pending steps",
    matchedStatuses: ["skipped", "unknown"],
    messageRegex: "(?s).*(implementation|pending|undefined).*",
  },
];

export async function writeCategories(resultsDir: string, categories: readonly AllureCategory[] = CATEGORIES): Promise<void> {
  await mkdir(resultsDir, { recursive: true });
  await writeFile(join(resultsDir, "categories.json"), `${JSON.stringify(categories, null, 2)}\n`);
}

function escapeProperty(s: string, key: boolean): string {
  let out = s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t");
  if (key) out = out.replace(/([ =:])/g, "\\$1");
  return out.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Java .properties text (what Allure reads as environment.properties), keys sorted. */
export function environmentProperties(env: Readonly<Record<string, string>>): string {
  return Object.keys(env)
    .sort()
    .map((k) => `${escapeProperty(k, true)}=${escapeProperty(env[k] as string, false)}`)
    .join("\n")
    .concat("\n");
}

export async function writeEnvironment(resultsDir: string, env: Readonly<Record<string, string>>): Promise<void> {
  await mkdir(resultsDir, { recursive: true });
  await writeFile(join(resultsDir, "environment.properties"), environmentProperties(env));
}

/** Copies `<previousReport>/history` into `<results>/history` so trends survive; false when there is no previous report. */
export async function copyHistory(previousReportDir: string, resultsDir: string): Promise<boolean> {
  const src = join(previousReportDir, "history");
  if (!existsSync(src)) return false;
  await cp(src, join(resultsDir, "history"), { recursive: true });
  return true;
}

interface AllureResultFile {
  readonly name?: string;
  readonly fullName?: string;
  readonly status?: string;
  readonly historyId?: string;
  readonly start?: number;
  readonly stop?: number;
  readonly statusDetails?: { readonly message?: string };
}

export interface ResultsSummary {
  /** Scenarios (final attempt of each). */
  readonly total: number;
  readonly byStatus: Readonly<Record<string, number>>;
  /** Scenarios that ran more than once. */
  readonly retried: readonly string[];
  /** Scenarios that failed at first and passed on a retry. */
  readonly flaky: readonly string[];
  /** Final failures with the first line of their message. */
  readonly failures: readonly { readonly name: string; readonly status: string; readonly message: string }[];
}

export async function summarizeResults(resultsDir: string): Promise<ResultsSummary> {
  const files = existsSync(resultsDir) ? (await readdir(resultsDir)).filter((f) => f.endsWith("-result.json")) : [];
  const byHistory = new Map<string, AllureResultFile[]>();
  for (const f of files) {
    const r = JSON.parse(await readFile(join(resultsDir, f), "utf8")) as AllureResultFile;
    const key = r.historyId ?? r.fullName ?? r.name ?? f;
    const list = byHistory.get(key) ?? [];
    list.push(r);
    byHistory.set(key, list);
  }
  const byStatus: Record<string, number> = {};
  const retried: string[] = [];
  const flaky: string[] = [];
  const failures: { name: string; status: string; message: string }[] = [];
  for (const attempts of byHistory.values()) {
    attempts.sort((a, b) => (a.start ?? 0) - (b.start ?? 0));
    const last = attempts[attempts.length - 1] as AllureResultFile;
    const status = last.status ?? "unknown";
    const name = last.name ?? "?";
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    if (attempts.length > 1) {
      retried.push(name);
      if (status === "passed") flaky.push(name);
    }
    if (status === "failed" || status === "broken") {
      failures.push({ name, status, message: (last.statusDetails?.message ?? "").split("\n")[0] ?? "" });
    }
  }
  return { total: byHistory.size, byStatus, retried, flaky, failures };
}

export function formatSummary(s: ResultsSummary): string {
  const counts = Object.entries(s.byStatus)
    .map(([k, v]) => `${v} ${k}`)
    .join(", ");
  const lines = [`${s.total} scenarios: ${counts || "none"}`];
  if (s.retried.length > 0) lines.push(`retried (${s.retried.length}): ${s.retried.join("; ")}`);
  if (s.flaky.length > 0) lines.push(`FLAKY — passed only after a retry (${s.flaky.length}): ${s.flaky.join("; ")}`);
  for (const f of s.failures) lines.push(`${f.status.toUpperCase()}: ${f.name} — ${f.message}`);
  return lines.join("\n");
}
