/**
 * Local stack start-up (issue 7: "local stack start until all devices answer, target < 2 s"): starts the example
 * stack (database + 4 device servers, 12 devices) with the local provider N times, one at a time, as the BDD suite
 * does (dsconfig loaded through the readiness client), and prints min/median/max of start() → every device answered,
 * the provider's phases, and per process the time from spawn to its "serving" line (server ready) as stamped by the
 * process log.
 *
 * Usage: node --import tsx bench/stack-start.ts [runs=5] [--cli-load] [--concurrent N]
 *   --cli-load: the dsconfig goes in through a `tango db load` process; --concurrent N: N stacks start at once per
 *   run (as N cucumber workers do), each start counted; --baseline: the orchestration before issue 7's work (servers
 *   spawned after the dsconfig is loaded, readiness back-off up to 100 ms); with TANGO_CLI_BUNDLE=0 as well, the
 *   whole start path as it was (tsx in every process).
 * Env TANGO_CLI_BUNDLE=0 makes the servers run through tsx (the start path before the CLI bundle).
 */
import {
  eventingAdapter,
  exampleStackSpec,
  LocalProvider,
  type LocalStack,
  newRunId,
  ProcessRegistry,
  type TangoAdapter,
} from "@tango-bdd/infra";

const args = process.argv.slice(2);
const cliLoad = args.includes("--cli-load");
const baseline = args.includes("--baseline");
const ci = args.indexOf("--concurrent");
const concurrent = ci >= 0 ? Number(args[ci + 1] ?? 2) : 1;
const runs = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== "--concurrent") ?? 5);

const registry = new ProcessRegistry();
registry.install();
const provider = new LocalProvider({
  clientFactory: (tangoHost) => eventingAdapter(tangoHost, { timeoutMs: 3000 }),
  registry,
  baseEnv: process.env,
  ...(baseline ? { preSpawnServers: false, readinessMaxDelayMs: 100 } : {}),
  ...(cliLoad ? {} : { configLoader: (client, config) => (client as TangoAdapter).loadDsConfig(config) }),
});

/** Seconds-since-spawn stamp of the first log line matching `re` (LogBuffer format: "   0.123   text"). */
function stampOf(log: string, re: RegExp): number | undefined {
  for (const line of log.split("\n")) {
    if (re.test(line)) {
      const s = Number.parseFloat(line.trim().split(/\s+/)[0] ?? "");
      if (Number.isFinite(s)) return s * 1000;
    }
  }
  return undefined;
}

const stats = (xs: number[]): { min: number; median: number; max: number } => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0] ?? Number.NaN, median: s[Math.floor((s.length - 1) / 2)] ?? Number.NaN, max: s[s.length - 1] ?? Number.NaN };
};
const fmt = (x: { min: number; median: number; max: number }): string =>
  `min ${x.min.toFixed(0)}  median ${x.median.toFixed(0)}  max ${x.max.toFixed(0)} ms`;

const totals: number[] = [];
const phases = new Map<string, number[]>();
const perProcess = new Map<string, number[]>();
const add = (m: Map<string, number[]>, k: string, v: number | undefined): void => {
  if (v === undefined) return;
  m.set(k, [...(m.get(k) ?? []), v]);
};

async function once(): Promise<number> {
  const spec = await exampleStackSpec({ runId: newRunId("bench-start") });
  const t0 = performance.now();
  const stack = (await provider.start(spec)) as LocalStack;
  const total = performance.now() - t0;
  totals.push(total);
  for (const [k, v] of Object.entries(stack.startupPhases)) add(phases, k, v);
  const logs = await stack.collectLogs();
  add(perProcess, "db (spawn → listening)", stampOf(logs.db ?? "", /listening|serving|ready/i));
  for (const [id, log] of Object.entries(logs)) {
    if (!id.includes("/")) continue;
    const loaded = stampOf(log, /tango: code loaded/);
    const opened = stampOf(log, /tango: start gate opened/);
    const serving = stampOf(log, / serving /);
    add(perProcess, `${id} spawn → code loaded`, loaded);
    add(perProcess, `${id} gate opened → serving`, opened !== undefined && serving !== undefined ? serving - opened : undefined);
    add(perProcess, `${id} spawn → serving`, serving);
  }
  await stack.stop();
  return total;
}

for (let i = 0; i < runs; i++) {
  const t = await Promise.all(Array.from({ length: concurrent }, () => once()));
  process.stdout.write(`run ${i + 1}: ${t.map((x) => x.toFixed(0)).join(" / ")} ms\n`);
}
registry.uninstall();

process.stdout.write(
  `\nstart → all 12 devices answer (${runs} runs${concurrent > 1 ? ` × ${concurrent} stacks at once` : ""}): ${fmt(stats(totals))}\n`,
);
process.stdout.write("provider phases (ms since start()):\n");
for (const [k, v] of phases) process.stdout.write(`  ${k.padEnd(28)} ${fmt(stats(v))}\n`);
process.stdout.write("per process:\n");
for (const [k, v] of perProcess) process.stdout.write(`  ${k.padEnd(40)} ${fmt(stats(v))}\n`);
