/**
 * Step library — timing. Durations are measured from observations (events, or fast reads of attributes that have
 * no events), never from the test's own sleeps.
 *   Given I watch test/tabata/1 running_state                      (reads it every 10 ms, records each change)
 *   Then test/tabata/1 running_state goes through PREPARE, WORK, REST within 5 s
 *   Then the phases of test/tabata/1 running_state run in this order, each within 5 % of its nominal duration:
 *     | phase | duration |
 *     | WORK  | 0.5 s    |
 */
import { type DataTable, Given, Then } from "@cucumber/cucumber";
import { expectPhases } from "./support/expect.ts";
import { parseDuration } from "./support/values.ts";
import type { TangoWorld } from "./support/world.ts";

Given("I watch {device} {attribute}", async function (this: TangoWorld, dev: string, attr: string) {
  this.recorder.observe(await this.device(dev), attr);
});

Then(
  "{device} {attribute} goes through {names} within {duration}",
  async function (this: TangoWorld, dev: string, attr: string, names: string[], ms: number) {
    this.recorder.observe(await this.device(dev), attr);
    await expectPhases(
      this,
      dev,
      attr,
      names.map((label) => ({ label, nominalMs: 0 })),
      Number.POSITIVE_INFINITY,
      ms,
    );
  },
);

Then(
  "the phases of {device} {attribute} run in this order, each within {float} % of its nominal duration:",
  async function (this: TangoWorld, dev: string, attr: string, pct: number, table: DataTable) {
    const expected = table.hashes().map((r) => ({ label: r.phase as string, nominalMs: parseDuration(r.duration as string) }));
    const total = expected.reduce((a, e) => a + e.nominalMs, 0);
    await expectPhases(this, dev, attr, expected, pct, total * 2 + 2000);
  },
);
