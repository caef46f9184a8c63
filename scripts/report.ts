/**
 * `npm run report`: builds the Allure living documentation from reports/allure-results into reports/allure-report
 * (history carried from the previous report, environment, categories), prints a summary (retries and flaky
 * scenarios included) and where to find the report and the JUnit XML.
 * Usage: node --import tsx scripts/report.ts [--results DIR] [--report DIR]
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildReport, collectRunFacts, formatSummary } from "@tango-bdd/infra";

const root = resolve(import.meta.dirname, "..");
/** Output root (BDD_REPORTS_DIR, default reports/). */
const base = resolve(root, process.env.BDD_REPORTS_DIR ?? "reports");

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  const given = i >= 0 ? process.argv[i + 1] : undefined;
  return given !== undefined ? resolve(process.cwd(), given) : resolve(base, fallback);
}

function version(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(join(root, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "?";
  }
}

function gitCommit(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
  } catch {
    return "?";
  }
}

export async function main(): Promise<number> {
  const resultsDir = arg("--results", "allure-results");
  const reportDir = arg("--report", "allure-report");
  if (!existsSync(resultsDir)) {
    console.error(`no results in ${resultsDir}: run the suite first (npm run acceptance)`);
    return 2;
  }
  const facts = await collectRunFacts(join(base, ".run"));
  const environment: Record<string, string> = {
    ...facts,
    node: process.version,
    "@cucumber/cucumber": version("@cucumber/cucumber"),
    "allure-cucumberjs": version("allure-cucumberjs"),
    "allure-commandline": version("allure-commandline"),
    "@tango-bdd/tango": version("@tango-bdd/tango"),
    commit: gitCommit(),
    generated: new Date().toISOString(),
  };
  const t0 = performance.now();
  try {
    const r = await buildReport({
      resultsDir,
      reportDir,
      environment,
      allureCommand: [join(root, "node_modules/.bin/allure")],
      env: process.env,
    });
    console.log(
      `\n== report (${((performance.now() - t0) / 1000).toFixed(1)} s${r.historyCarried ? ", history carried from the previous report" : ""})`,
    );
    console.log(formatSummary(r.summary));
    console.log(`HTML: ${reportDir}/index.html   (serve it: npx allure open ${reportDir})`);
    if (existsSync(join(base, "junit.xml"))) console.log(`JUnit XML: ${join(base, "junit.xml")}`);
    return 0;
  } catch (e) {
    console.error(`report generation failed: ${(e as Error).message}`);
    return 2;
  }
}

if (import.meta.filename === process.argv[1]) process.exitCode = await main();
