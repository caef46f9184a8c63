/**
 * Step library — error expectations. A "When I try to …" step keeps its error; exactly these steps claim it
 * (an unclaimed error fails the scenario in the After hook):
 *   Then it fails with the reason API_CommandNotAllowed
 *   Then it fails with an error mentioning "running"
 *   Then it fails
 *   Then it succeeds
 */
import { Then } from "@cucumber/cucumber";
import { expectFailure, expectSuccess } from "./support/expect.ts";
import type { TangoWorld } from "./support/world.ts";

Then("it fails with the reason {word}", function (this: TangoWorld, reason: string) {
  expectFailure(this, reason);
});

Then("it fails with an error mentioning {string}", function (this: TangoWorld, text: string) {
  expectFailure(this, undefined, text);
});

Then("it fails", function (this: TangoWorld) {
  expectFailure(this);
});

Then("it succeeds", function (this: TangoWorld) {
  expectSuccess(this);
});
