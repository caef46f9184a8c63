/**
 * Scenario life cycle:
 *   Before  attach the worker's stack (an infrastructure failure fails the scenario with a BDD_Infra* reason)
 *   After   stop samplers/observers/subscriptions (also when the scenario failed), attach the timeline SVG and this scenario's server logs to the report,
 *           fail on unclaimed errors, and ask for a fresh stack if the scenario failed or disturbed it
 *   AfterAll tear the worker's stack down
 * Scenarios tagged @no-stack run without a stack.
 */
import "allure-cucumberjs";
import { After, AfterAll, Before, Status, setDefaultTimeout, setParallelCanAssign } from "@cucumber/cucumber";
import { timelineSvg } from "@tango-bdd/infra";
import { acquireStack, markStackSuspect, releaseStack } from "./stack-pool.ts";
import type { TangoWorld } from "./world.ts";

setDefaultTimeout(60_000);

// @exclusive scenarios (the timed ones) run while no other scenario runs in another worker, so that the suite's
// own load does not distort what they measure.
const exclusive = (tags: readonly { name: string }[]): boolean => tags.some((t) => t.name === "@exclusive");
setParallelCanAssign((pickle, running) => {
  if (running.some((p) => exclusive(p.tags))) return false;
  return !exclusive(pickle.tags) || running.length === 0;
});

Before({ tags: "not @no-stack", name: "attach the Tango stack" }, async function (this: TangoWorld) {
  const { stack, client } = await acquireStack(this.parameters);
  this.stack = stack;
  this.client = client;
  const logs = await stack.collectLogs();
  this.logOffsets = Object.fromEntries(Object.entries(logs).map(([k, v]) => [k, v.length]));
});

After({ name: "report the timeline and logs, check unclaimed errors" }, async function (this: TangoWorld, { pickle, result }) {
  await this.recorder.close();
  const pending = [...this.background.values()].filter((c) => !c.settled);
  if (pending.length > 0) this.disturbedStack = true; // a call still running would leak into the next scenario
  if (this.recorder.entries.length > 0) {
    // Time 0 = the first thing the scenario recorded (not the stack start-up before it).
    const t0 = Math.min(...this.recorder.entries.map((e) => e.t));
    const entries = this.recorder.entries.map((e) => ({ ...e, t: e.t - t0 }));
    const sampleIntervalMs = this.recorder.sampleIntervalMs;
    this.attach(timelineSvg(entries, { title: pickle.name, ...(sampleIntervalMs === undefined ? {} : { sampleIntervalMs }) }), {
      mediaType: "image/svg+xml",
      fileName: "timeline.svg",
    });
  }
  if (this.stack) {
    // One attachment with what every component (database, device servers) printed during this scenario.
    const logs = await this.stack.collectLogs().catch(() => ({}) as Record<string, string>);
    const parts = Object.entries(logs).map(([id, text]) => {
      const from = this.logOffsets[id] ?? 0;
      const part = (text.length >= from ? text.slice(from) : text).trimEnd();
      return `===== ${id} =====\n${part || "(nothing printed during this scenario)"}`;
    });
    this.attach(parts.join("\n\n"), { mediaType: "text/plain", fileName: "device-server logs.txt" });
  }
  const failed = result?.status !== Status.PASSED;
  if (failed || this.disturbedStack) markStackSuspect();
  const problems = this.unclaimedProblems();
  if (problems.length > 0 && !failed) {
    throw new Error(`unclaimed errors:\n  ${problems.join("\n  ")}`);
  }
});

AfterAll(async () => {
  await releaseStack();
});
