// Cucumber configuration of the acceptance suite (run it with `npm run acceptance`, which also builds the report).
// Loaded by `node --import tsx ./node_modules/@cucumber/cucumber/bin/cucumber.js [--profile NAME]`; tsx is given to
// node with --import (the `loader` option and register() in this file do not work with cucumber 12 / --parallel).
//
// Tags:  @local   needs the local target (processes on this machine)      @docker / @k8s   only on that target
//        @slow    long scenarios (AsyncTabata's fixed 1 s tick): nightly    @smoke           the quick subset
//        @demo-failure  deliberately failing examples (profile demoFailure) @no-stack       needs no Tango stack
// Every parallel worker starts its own isolated stack (database + device servers on its own free ports).

const tty = process.stdout.isTTY === true;
/** Where results go (the acceptance tests point it at a temporary directory). */
const out = process.env.BDD_REPORTS_DIR ?? "reports";
const never = "not @wip and not @demo-failure";
/**
 * Feature paths given on the command line (e.g. `npm run acceptance -- features/tabata.feature:17`) replace the
 * default glob: cucumber adds command-line paths to the configured ones, so a configured glob would run everything.
 */
const cliPaths = process.argv.slice(2).filter((a) => /\.feature(:\d+)*$/.test(a));

/** Shared by every profile. */
const common = {
  paths: cliPaths.length > 0 ? [] : ["features/**/*.feature"],
  import: ["steps/*.steps.ts", "steps/support/{world,hooks,parameter-types}.ts"],
  format: [
    tty ? "progress-bar" : "progress",
    `allure-cucumberjs/reporter:${out}/.run/allure-formatter.out`,
    `junit:${out}/junit.xml`,
    `rerun:${out}/@rerun.txt`,
  ],
  formatOptions: {
    resultsDir: `${out}/allure-results`,
    labels: [
      { pattern: [/^@epic=(.+)$/], name: "epic" },
      { pattern: [/^@feature=(.+)$/], name: "feature" },
      { pattern: [/^@severity=(.+)$/], name: "severity" },
    ],
    links: {
      issue: { pattern: [/^@issue=(.+)$/], urlTemplate: "https://example.invalid/tango-bdd/issues/%s" },
    },
    junit: { suiteName: "tango-bdd acceptance" },
  },
  // Scenarios that only pass on a retry are reported as flaky (cucumber summary, Allure "retries" tab and the
  // summary printed by `npm run report`); they are never silently turned green.
  retry: 1,
  parallel: 2,
  worldParameters: { target: "local", tabataTick: 0.1, callTimeoutMs: 3000, runInfoDir: `${out}/.run` },
};

export default { ...common, tags: `${never} and not @slow and not @docker and not @k8s` };

/** The local target (same as the default). */
export const local = { ...common, tags: `${never} and not @slow and not @docker and not @k8s` };

/** Database and servers inside the runner's process: the fastest runs. */
export const inprocess = {
  ...common,
  tags: `${never} and not @slow and not @docker and not @k8s and not @processes`,
  worldParameters: { ...common.worldParameters, target: "inprocess" },
};

export const docker = {
  ...common,
  parallel: 1,
  tags: `${never} and not @slow and not @local and not @k8s`,
  worldParameters: { ...common.worldParameters, target: "docker" },
};

export const k8s = {
  ...common,
  parallel: 1,
  tags: `${never} and not @slow and not @local and not @docker`,
  worldParameters: { ...common.worldParameters, target: "k8s", callTimeoutMs: 10000 },
};

/** Everything that runs on the local target, the slow scenarios included, with more retries. */
export const nightly = { ...common, retry: 2, tags: `${never} and not @docker and not @k8s` };

export const smoke = { ...common, parallel: 1, tags: `${never} and @smoke` };

/** Deliberately failing scenarios: shows what a product failure looks like in the report (exit code 1). */
export const demoFailure = { ...common, retry: 0, parallel: 1, tags: "@demo-failure" };
