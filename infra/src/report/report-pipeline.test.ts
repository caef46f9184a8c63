/**
 * The whole report pipeline on a tiny sample feature (fixtures/sample): cucumber + allure-cucumberjs results →
 * `allure generate` (history carried over, categories, environment) → the HTML report rendered by headless
 * Chromium shows the feature, the steps and the timeline attachment; a wrong expected value gives a non-zero
 * exit and a "product failure" entry. The Chromium part is skipped when chromium is not installed
 * (CI: `apt-get install -y chromium`).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, before, describe, test } from "node:test";
import { type BuildReportResult, buildReport } from "./build-report.ts";
import { dumpDom, findChromium, reportTestCases, serveDirectory, visibleText } from "./report-browser.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;
// cucumber resolves --config against the cwd, even an absolute path: give it a relative one.
const CONFIG = relative(ROOT, new URL("./fixtures/sample/cucumber.mjs", import.meta.url).pathname);
const chromium = findChromium();

function cucumber(outDir: string, tags: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(ROOT, "node_modules/@cucumber/cucumber/bin/cucumber.js"), "--config", CONFIG, "--tags", tags],
      { cwd: ROOT, env: { ...process.env, NODE_TEST_CONTEXT: undefined, SAMPLE_OUT_DIR: outDir }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (t: string) => {
      output += t;
    });
    child.stderr.setEncoding("utf8").on("data", (t: string) => {
      output += t;
    });
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code: code ?? -1, output }));
  });
}

describe("report pipeline (sample feature → Allure HTML → Chromium)", () => {
  const dir = mkdtempSync(join(tmpdir(), "report-pipeline-"));
  const results = join(dir, "allure-results");
  const report = join(dir, "allure-report");
  let passing: { code: number; output: string };
  let failing: { code: number; output: string };
  let second: BuildReportResult;

  before(async () => {
    // 1st run: only the passing scenario, report built; 2nd run: everything, results dir cleared, report rebuilt.
    passing = await cucumber(dir, "not @sample-failure");
    await buildReport({
      resultsDir: results,
      reportDir: report,
      environment: { target: "sample", run: "1" },
      allureCommand: [join(ROOT, "node_modules/.bin/allure")],
    });
    rmSync(results, { recursive: true, force: true });
    failing = await cucumber(dir, "@no-stack");
    second = await buildReport({
      resultsDir: results,
      reportDir: report,
      environment: { target: "sample", run: "2" },
      allureCommand: [join(ROOT, "node_modules/.bin/allure")],
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("a passing run exits 0; a wrong expected value exits non-zero and says what was expected", () => {
    assert.equal(passing.code, 0, passing.output);
    assert.equal(failing.code, 1, failing.output);
    assert.match(failing.output, /test\/counter\/prepare value is 3, expected 4/);
    assert.deepEqual(second.summary.byStatus, { passed: 1, failed: 1 });
    assert.equal(second.summary.failures[0]?.message, "AssertionError [ERR_ASSERTION]: test/counter/prepare value is 3, expected 4");
  });

  test("JUnit XML is written for CI", () => {
    const xml = readFileSync(join(dir, "junit.xml"), "utf8");
    assert.match(xml, /<testsuite[^>]*tests="2"[^>]*failures="1"/);
    assert.match(xml, /A wrong expected value is reported as a product failure/);
  });

  test("history is carried from the previous report; environment and categories are in the report", async () => {
    assert.equal(second.historyCarried, true);
    const history = JSON.parse(readFileSync(join(report, "history/history.json"), "utf8")) as Record<string, { items: unknown[] }>;
    assert.ok(
      Object.values(history).some((h) => h.items.length === 2),
      "the passing scenario has two runs in its history",
    );
    const env = JSON.parse(readFileSync(join(report, "widgets/environment.json"), "utf8")) as { name: string; values: string[] }[];
    assert.deepEqual(env.find((e) => e.name === "run")?.values, ["2"]);
    const categories = readFileSync(join(report, "data/categories.json"), "utf8");
    assert.match(categories, /Product failures: wrong behaviour \(assertion failed\)/);
    const cases = await reportTestCases(report);
    const timeline = cases.find((c) => c.name === "A recorded workout is drawn as a timeline");
    assert.ok(timeline);
    assert.deepEqual(timeline.steps.slice(0, 3), [
      "Given a recorded workout with phases PREPARE, WORK and REST",
      "When the scenario ends",
      "Then the timeline is attached to the report",
    ]);
    assert.equal(timeline.attachments[0]?.name, "timeline.svg");
  });

  test("headless Chromium renders the features, the steps, the timeline attachment and the failure", {
    skip: chromium ? false : "chromium is not installed",
  }, async () => {
    await using server = await serveDirectory(report);
    const cases = await reportTestCases(report);
    const ok = cases.find((c) => c.status === "passed") ?? assert.fail("no passed case");
    const bad = cases.find((c) => c.status === "failed") ?? assert.fail("no failed case");

    const behaviors = visibleText(await dumpDom(`${server.url}/index.html#behaviors`, { chromium: chromium as string }));
    assert.match(behaviors, /Sample workout for the report pipeline/);

    const page = visibleText(await dumpDom(`${server.url}/index.html#testresult/${ok.uid}`, { chromium: chromium as string }));
    assert.match(page, /A recorded workout is drawn as a timeline/);
    assert.match(page, /Given a recorded workout with phases PREPARE, WORK and REST/);
    assert.match(page, /Then the timeline is attached to the report/);
    assert.match(page, /timeline\.svg/);

    const svg = await (await fetch(`${server.url}/data/attachments/${ok.attachments[0]?.source}`)).text();
    assert.match(svg, /^<svg xmlns/);
    assert.match(svg, /data-phase="WORK"/);

    const failure = visibleText(await dumpDom(`${server.url}/index.html#testresult/${bad.uid}`, { chromium: chromium as string }));
    assert.match(failure, /test\/counter\/prepare value is 3, expected 4/);
    const cats = visibleText(await dumpDom(`${server.url}/index.html#categories`, { chromium: chromium as string }));
    assert.match(cats, /Product failures: wrong behaviour/);
  });
});
