/**
 * Child process of docker-provider.test.ts: starts a plumbing stack, prints `READY <runId>`, then waits to be
 * interrupted (SIGINT/SIGTERM: the provider's guard must remove everything) or killed (SIGKILL: the next start's
 * orphan sweep must). With `hasty` as second argument, another SIGTERM handler exits the process at once, as a
 * crashing or impatient runner would: the provider's exit handler must finish the clean-up. Entry point: reads argv.
 */
import { DockerProvider } from "./docker-provider.ts";
import { echoCommands } from "./fake-commands.ts";

const runId = process.argv[2] ?? `fixture-${process.pid}`;
if (process.argv[3] === "hasty") process.on("SIGTERM", () => setImmediate(() => process.exit(1)));
const provider = new DockerProvider({ commands: echoCommands, readiness: "tcp", sweepOrphans: false });
await provider.start({
  runId,
  config: { servers: { echo: { one: { Echo: { "test/echo/1": {} } } } } },
  servers: [{ server: "echo", instance: "one", module: "none" }],
  startTimeoutMs: 30_000,
});
process.stdout.write(`READY ${runId}\n`);
setInterval(() => undefined, 60_000);
