/**
 * Step library — reading, writing, commands, state and properties of any device.
 *   When I run the command increment on test/counter/prepare
 *   When I run the command CounterReset on test/counter/prepare with 5
 *   When I run the command decrement on test/counter/prepare 3 times
 *   When I try to run the command Start on test/tabata/1          (the error is kept; a Then step must check it)
 *   When I write 3 to test/tabata/1 work / When I try to write 0 to test/tabata/1 work
 *   Given the attributes of test/tabata/1 are set to: | attribute | value |
 *   Then test/counter/prepare value is 4 / Then the command returned 4
 *   Then test/tabata/1 running_state becomes PREPARE within 2 s
 *   Then the state of test/tabata/1 is OFF / becomes ON within 1 s
 *   Given the device property sleep_time of test/tabata/1 is set to "0.2"   Then the device property … is "…"
 */
import { type DataTable, Given, Then, When } from "@cucumber/cucumber";
import { expectValue, expectValueWithin, fail } from "./support/expect.ts";
import { parseTangoValue, sameValue, showValue, type TangoLiteral } from "./support/values.ts";
import type { TangoWorld } from "./support/world.ts";

When("I run the command {word} on {device}", async function (this: TangoWorld, cmd: string, dev: string) {
  await this.command(dev, cmd);
});

When(
  "I run the command {word} on {device} with {tango value}",
  async function (this: TangoWorld, cmd: string, dev: string, arg: TangoLiteral) {
    await this.command(dev, cmd, arg);
  },
);

When("I run the command {word} on {device} {int} times", async function (this: TangoWorld, cmd: string, dev: string, n: number) {
  for (let i = 0; i < n; i++) await this.command(dev, cmd);
});

When("I try to run the command {word} on {device}", async function (this: TangoWorld, cmd: string, dev: string) {
  await this.attempt(`${cmd} on ${dev}`, () => this.command(dev, cmd));
});

When(
  "I try to run the command {word} on {device} with {tango value}",
  async function (this: TangoWorld, cmd: string, dev: string, arg: TangoLiteral) {
    await this.attempt(`${cmd}(${showValue(arg)}) on ${dev}`, () => this.command(dev, cmd, arg));
  },
);

When("I write {tango value} to {device} {attribute}", async function (this: TangoWorld, v: TangoLiteral, dev: string, attr: string) {
  await this.write(dev, attr, v);
});

Given("{device} {attribute} is set to {tango value}", async function (this: TangoWorld, dev: string, attr: string, v: TangoLiteral) {
  await this.write(dev, attr, v);
});

When("I try to write {tango value} to {device} {attribute}", async function (this: TangoWorld, v: TangoLiteral, dev: string, attr: string) {
  await this.attempt(`write ${showValue(v)} to ${dev} ${attr}`, () => this.write(dev, attr, v));
});

Given("the attributes of {device} are set to:", async function (this: TangoWorld, dev: string, table: DataTable) {
  for (const row of table.hashes()) await this.write(dev, row.attribute as string, parseTangoValue(row.value as string));
});

Then("{device} {attribute} is {tango value}", async function (this: TangoWorld, dev: string, attr: string, v: TangoLiteral) {
  await expectValue(this, dev, attr, v);
});

Then(
  "{device} {attribute} becomes {tango value} within {duration}",
  async function (this: TangoWorld, dev: string, attr: string, v: TangoLiteral, ms: number) {
    await expectValueWithin(this, dev, attr, v, ms);
  },
);

Then("the attributes of {device} are:", async function (this: TangoWorld, dev: string, table: DataTable) {
  for (const row of table.hashes()) await expectValue(this, dev, row.attribute as string, parseTangoValue(row.value as string));
});

Then("the command returned {tango value}", function (this: TangoWorld, v: TangoLiteral) {
  if (!sameValue(this.lastResult, v)) fail(`the command returned ${showValue(this.lastResult)}, expected ${showValue(v)}`);
});

Then("the state of {device} is {state}", async function (this: TangoWorld, dev: string, state: string) {
  await expectValue(this, dev, "State", state);
});

Then("the state of {device} becomes {state} within {duration}", async function (this: TangoWorld, dev: string, state: string, ms: number) {
  await expectValueWithin(this, dev, "State", state, ms);
});

Given(
  "the device property {word} of {device} is set to {string}",
  async function (this: TangoWorld, prop: string, dev: string, value: string) {
    await this.requireClient().putDeviceProperty(dev, prop, [value], { timeoutMs: this.callTimeoutMs });
  },
);

Then("the device property {word} of {device} is {string}", async function (this: TangoWorld, prop: string, dev: string, value: string) {
  const values = await this.requireClient().deviceProperty(dev, prop, { timeoutMs: this.callTimeoutMs });
  if (values.join(", ") !== value)
    fail(`the device property ${prop} of ${dev} is ${JSON.stringify(values)}, expected ${JSON.stringify(value)}`);
});
