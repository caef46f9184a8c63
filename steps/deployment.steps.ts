/**
 * Step library — deployment. The stack (database + device servers of the dsconfig) is provisioned on the target
 * of the profile before the scenario starts; these steps check what it looks like.
 *   Given the Tango stack is running
 *   Then the database knows these devices: | device | class | server |
 *   Then every device of the stack answers
 *   When the device server tabata/counters is killed / When the device server tabata/counters is restarted
 */
import { type DataTable, Given, Then, When } from "@cucumber/cucumber";
import { devicesOf } from "@tango-bdd/infra";
import { fail } from "./support/expect.ts";
import type { TangoWorld } from "./support/world.ts";

Given("the Tango stack is running", function (this: TangoWorld) {
  if (!this.stack) fail("no stack is attached");
  this.attach(
    `target ${this.stack.target}, TANGO_HOST ${this.stack.tangoHost}, ready in ${this.stack.startupMs.toFixed(0)} ms`,
    "text/plain",
  );
});

Then("the database knows these devices:", async function (this: TangoWorld, table: DataTable) {
  for (const row of table.hashes()) {
    const info = await this.requireClient().deviceInfo(row.device as string, { timeoutMs: this.callTimeoutMs });
    if (!info.exported) fail(`${row.device} is registered but not exported`);
    if (row.class !== undefined && info.tangoClass !== row.class) fail(`${row.device} has class ${info.tangoClass}, expected ${row.class}`);
    if (row.server !== undefined && info.server.toLowerCase() !== (row.server as string).toLowerCase())
      fail(`${row.device} runs in ${info.server}, expected ${row.server}`);
  }
});

Then("the database lists {int} devices matching {string}", async function (this: TangoWorld, n: number, pattern: string) {
  const names = await this.requireClient().deviceNames(pattern, { timeoutMs: this.callTimeoutMs });
  if (names.length !== n) fail(`${names.length} devices match ${pattern}: ${names.join(", ")}`);
});

Then("every device of the stack answers", async function (this: TangoWorld) {
  const spec = await import("@tango-bdd/infra").then((m) => m.loadDsConfig(m.EXAMPLES_CONFIG_PATH));
  for (const d of devicesOf(spec)) await (await this.device(d.name)).ping({ timeoutMs: this.callTimeoutMs });
});

When("the device server {word} is killed", async function (this: TangoWorld, id: string) {
  const srv = this.stack?.servers.get(id) ?? fail(`no device server ${id} in this stack`);
  this.disturbedStack = true;
  this.markAction();
  this.recorder.infra(`${id} killed`);
  await srv.kill();
});

When("the device server {word} is restarted", async function (this: TangoWorld, id: string) {
  const srv = this.stack?.servers.get(id) ?? fail(`no device server ${id} in this stack`);
  this.recorder.infra(`${id} restarting`);
  await srv.restart({ timeoutMs: 15_000 });
  this.recorder.infra(`${id} answers again`);
});
