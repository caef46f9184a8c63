/**
 * `npm run acceptance` end to end on a small selection (the @smoke scenarios that are not timed) and on the
 * deliberately failing scenario: exit codes, the report's test cases, and — in headless Chromium — the features,
 * steps and timeline attachment of the HTML report. Output goes to a temporary BDD_REPORTS_DIR.
 * The Chromium part is skipped when chromium is not installed (CI: `apt-get install -y chromium`).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { dumpDom, findChromium, reportTestCases, serveDirectory, visibleText } from "@tango-bdd/infra";

const ROOT = resolve(import.meta.dirname, "..");
const chromium = findChromium();

function acceptance(dir: string, args: readonly string[]): Promise<{ code: number; output: string }> {
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "scripts/acceptance.ts"), ...args], {
      cwd: ROOT,
      env: { ...process.env, NODE_TEST_CONTEXT: undefined, BDD_REPORTS_DIR: dir },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (t: string) => {
      output += t;
    });
    child.stderr.setEncoding("utf8").on("data", (t: string) => {
      output += t;
    });
    child.once("error", reject);
    child.once("exit", (code) => done({ code: code ?? -1, output }));
  });
}

describe("npm run acceptance (local target)", () => {
  const passDir = mkdtempSync(join(tmpdir(), "acceptance-pass-"));
  const failDir = mkdtempSync(join(tmpdir(), "acceptance-fail-"));
  let pass: { code: number; output: string };
  let fail: { code: number; output: string };

  before(async () => {
    pass = await acceptance(passDir, ["--tags", "@smoke and not @exclusive", "--retry", "0"]);
    fail = await acceptance(failDir, ["--profile", "demoFailure"]);
  });
  after(() => {
    rmSync(passDir, { recursive: true, force: true });
    rmSync(failDir, { recursive: true, force: true });
  });

  test("passing scenarios exit 0 and produce the report and JUnit XML", async () => {
    assert.equal(pass.code, 0, pass.output);
    assert.match(pass.output, /3 scenarios \(3 passed\)/);
    assert.match(readFileSync(join(passDir, "junit.xml"), "utf8"), /<testsuite[^>]*tests="3"[^>]*failures="0"/);
    const cases = await reportTestCases(join(passDir, "allure-report"));
    const zero = cases.find((c) => c.name === "Reaching zero pushes exactly one change event");
    assert.ok(zero, cases.map((c) => c.name).join(", "));
    assert.ok(zero.attachments.some((a) => a.name === "timeline.svg" && a.type === "image/svg+xml"));
    const logs = zero.attachments.find((a) => a.name === "device-server logs.txt") ?? assert.fail("no log attachment");
    const text = readFileSync(join(passDir, "allure-report/data/attachments", logs.source), "utf8");
    assert.match(text, /===== tabata\/counters =====/);
    const env = readFileSync(join(passDir, "allure-report/widgets/environment.json"), "utf8");
    assert.match(env, /"target"/);
    assert.match(env, /"local"/);
  });

  test("a wrong expected value exits non-zero with a clear product-failure entry", async () => {
    assert.notEqual(fail.code, 0, fail.output);
    assert.match(fail.output, /test\/counter\/prepare value is 3, expected 4/);
    const cases = await reportTestCases(join(failDir, "allure-report"));
    assert.equal(cases.length, 1);
    assert.equal(cases[0]?.status, "failed");
    assert.match(cases[0]?.statusMessage ?? "", /test\/counter\/prepare value is 3, expected 4/);
    assert.match(readFileSync(join(failDir, "allure-report/data/categories.json"), "utf8"), /Product failures: wrong behaviour/);
  });

  test("the report opens in headless Chromium with the features, steps and timeline", {
    skip: chromium ? false : "chromium is not installed",
  }, async () => {
    await using server = await serveDirectory(join(passDir, "allure-report"));
    const cases = await reportTestCases(join(passDir, "allure-report"));
    const zero = cases.find((c) => c.name === "Reaching zero pushes exactly one change event") ?? assert.fail("scenario missing");
    const behaviors = visibleText(await dumpDom(`${server.url}/index.html#behaviors`, { chromium: chromium as string }));
    assert.match(behaviors, /Counter/);
    assert.match(behaviors, /The example Tango stack/);
    const page = visibleText(await dumpDom(`${server.url}/index.html#testresult/${zero.uid}`, { chromium: chromium as string }));
    assert.match(page, /Reaching zero pushes exactly one change event/);
    assert.match(page, /When I run the command decrement on test\/counter\/rest 3 times/);
    assert.match(page, /Then within 2 s a change event on test\/counter\/rest value reports 0/);
    assert.match(page, /timeline\.svg/);
    const svg = zero.attachments.find((a) => a.name === "timeline.svg") ?? assert.fail("no timeline");
    const body = await (await fetch(`${server.url}/data/attachments/${svg.source}`)).text();
    assert.match(body, /^<svg xmlns/);
    assert.match(body, /test\/counter\/rest value = 0 \(change\)/);
  });
});
