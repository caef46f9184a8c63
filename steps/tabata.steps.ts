/**
 * Steps for the Tabata examples, built on the step library (an example of how a team adds its own device steps).
 *   Given the tick of test/tabata/1 is 0.1 s          (its sleep_time property; applied by the set-up's Init)
 *   Given the tabata test/tabata/1 is set up with prepare 4, work 5, rest 3, cycles 2 and tabatas 1
 *   When I send the command Run to test/asynctabata/1 without waiting for the reply
 *   Then the command Run on test/asynctabata/1 replies within 8 s / has not replied yet
 *   Then the workout of test/tabata/1 runs these phases, each within 5 % of its nominal duration: | phase | ticks |
 */
import { type DataTable, Given, Then, When } from "@cucumber/cucumber";
import { expectPhases, fail } from "./support/expect.ts";
import { describeError, type TangoWorld } from "./support/world.ts";

/** The tick of a Tabata device: its sleep_time property (Tabata), or AsyncTabata's fixed 1 s. */
async function tickMs(w: TangoWorld, dev: string): Promise<number> {
  const values = await w.requireClient().deviceProperty(dev, "sleep_time", { timeoutMs: w.callTimeoutMs });
  const s = Number(values[0] ?? "1");
  return (Number.isFinite(s) ? s : 1) * 1000;
}

Given(
  "the tabata {device} is set up with prepare {int}, work {int}, rest {int}, cycles {int} and tabatas {int}",
  async function (this: TangoWorld, dev: string, prepare: number, work: number, rest: number, cycles: number, tabatas: number) {
    // Init: State OFF, running_state PREPARE, counters re-subscribed; then the settings, then the counters reset.
    await this.command(dev, "Init");
    for (const [attr, v] of Object.entries({ prepare, work, rest, cycles, tabatas })) await this.write(dev, attr, v);
    await this.command(dev, "ResetCounters");
    await this.sampleWorkout(dev); // for the report's timeline: the counters as they count
  },
);

Given("the tick of {device} is {duration}", async function (this: TangoWorld, dev: string, ms: number) {
  // sleep_time is read by the device at start-up and at Init (the set-up step runs Init).
  await this.requireClient().putDeviceProperty(dev, "sleep_time", [String(ms / 1000)], { timeoutMs: this.callTimeoutMs });
});

When("I send the command {word} to {device} without waiting for the reply", async function (this: TangoWorld, cmd: string, dev: string) {
  const proxy = await this.device(dev);
  this.markAction();
  this.recorder.command(dev, cmd);
  this.startInBackground(`${cmd} ${dev}`, `${cmd} on ${dev}`, () => proxy.command(cmd, undefined, { timeoutMs: 120_000 }));
});

Then("the command {word} on {device} replies within {duration}", async function (this: TangoWorld, cmd: string, dev: string, ms: number) {
  const call = this.backgroundCall(`${cmd} ${dev}`);
  call.claimed = true;
  let timer: NodeJS.Timeout | undefined;
  const r = await Promise.race([
    call.promise,
    new Promise<undefined>((res) => {
      timer = setTimeout(() => res(undefined), ms);
    }),
  ]);
  clearTimeout(timer);
  if (!r) fail(`${cmd} on ${dev} did not reply within ${ms} ms`);
  if (!r.ok) fail(`${cmd} on ${dev} failed: ${describeError(r.error)}`);
});

Then("the command {word} on {device} has not replied yet", function (this: TangoWorld, cmd: string, dev: string) {
  const call = this.backgroundCall(`${cmd} ${dev}`);
  if (call.settled) fail(`${cmd} on ${dev} already replied (${call.settled.ok ? "ok" : describeError(call.settled.error)})`);
});

Then(
  "the workout of {device} runs these phases, each within {float} % of its nominal duration:",
  async function (this: TangoWorld, dev: string, pct: number, table: DataTable) {
    const tick = await tickMs(this, dev);
    const expected = table.hashes().map((r) => ({ label: r.phase as string, nominalMs: Number(r.ticks) * tick }));
    const total = expected.reduce((a, e) => a + e.nominalMs, 0);
    this.recorder.observe(await this.device(dev), "running_state");
    await expectPhases(this, dev, "running_state", expected, pct, total * 2 + 2000);
  },
);
