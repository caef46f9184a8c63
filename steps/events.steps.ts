/**
 * Step library — events. Every event is recorded with its arrival time; "since the last action" means since the
 * most recent command or write of the scenario. The synchronous read a subscription delivers first is not
 * counted as a pushed event.
 *   Given I subscribe to change events on test/counter/prepare value
 *   Then within 2 s a change event on test/counter/prepare value reports 0
 *   Then within 1 s exactly 1 change event on test/counter/prepare value arrives
 *   Then no further event on test/counter/prepare value arrives for 1 s
 *   Then the change events arrive in this order within 3 s: | device | attribute | value |
 *   Then within 15 s an error event on test/counter/work value arrives
 *   Then within 20 s change events on test/counter/work value resume
 */
import { type DataTable, Given, Then } from "@cucumber/cucumber";
import { on } from "./support/event-recorder.ts";
import { expectEventOrder, expectEventWithin, expectExactlyEvents, expectNoFurtherEvent, fail } from "./support/expect.ts";
import { parseTangoValue, type TangoLiteral } from "./support/values.ts";
import type { TangoWorld } from "./support/world.ts";

Given("I subscribe to {word} events on {device} {attribute}", async function (this: TangoWorld, kind: string, dev: string, attr: string) {
  if (kind !== "change" && kind !== "periodic" && kind !== "archive" && kind !== "user") throw new RangeError(`unknown event type ${kind}`);
  await this.recorder.subscribe(await this.device(dev), attr, kind, { timeoutMs: this.callTimeoutMs });
});

Then(
  "within {duration} a change event on {device} {attribute} reports {tango value}",
  async function (this: TangoWorld, ms: number, dev: string, attr: string, v: TangoLiteral) {
    await expectEventWithin(this, dev, attr, v, ms);
  },
);

Then(
  /^within (\d+(?:\.\d+)?\s*(?:ms|s)) exactly (\d+) change events? on (\S+) (\S+) arrives?$/,
  // The duration group is converted by the {duration} parameter type (same regexp), so it arrives in ms.
  async function (this: TangoWorld, ms: number, n: string, dev: string, attr: string) {
    await expectExactlyEvents(this, dev.toLowerCase(), attr, Number(n), ms);
  },
);

Then(
  "no further event on {device} {attribute} arrives for {duration}",
  async function (this: TangoWorld, dev: string, attr: string, ms: number) {
    await expectNoFurtherEvent(this, dev, attr, ms);
  },
);

Then("the change events arrive in this order within {duration}:", async function (this: TangoWorld, ms: number, table: DataTable) {
  const rows = table.hashes().map((r) => ({
    device: (r.device as string).toLowerCase(),
    attribute: r.attribute as string,
    value: parseTangoValue(r.value as string),
  }));
  await expectEventOrder(this, rows, ms);
});

Then(
  "within {duration} an error event on {device} {attribute} arrives",
  async function (this: TangoWorld, ms: number, dev: string, attr: string) {
    const since = this.lastActionAt;
    const hit = await this.recorder.waitFor(on(dev, attr, { since, kinds: ["error"] }), ms);
    if (!hit) fail(`no error event on ${dev} ${attr} within ${ms} ms of the last action`);
  },
);

Then(
  "within {duration} change events on {device} {attribute} resume",
  async function (this: TangoWorld, ms: number, dev: string, attr: string) {
    const errors = this.recorder.select(on(dev, attr, { kinds: ["error"] }));
    const since = errors.length > 0 ? (errors[errors.length - 1]?.t ?? 0) : this.lastActionAt;
    const hit = await this.recorder.waitFor(on(dev, attr, { since, includeSynchronous: true, kinds: ["change", "periodic"] }), ms);
    if (!hit) fail(`change events on ${dev} ${attr} did not resume within ${ms} ms`);
  },
);
