/**
 * Client throughput/latency on the reference TangoTest (sys/tg_test/1) over TCP, one call at a time (like tools/bench.py):
 * read_attribute("double_scalar") and command_inout("DevDouble", 3.14), BENCH_SECONDS (default 5) s each.
 * Usage: TANGO_HOST=127.0.0.1:10000 node --import tsx bench/client-bench.ts [seconds]   → one JSON object on stdout.
 * BENCH_CONCURRENCY=n (n > 1) adds a figure with n reads in flight on the shared connection (request-id multiplexing);
 * that one has no PyTango counterpart (its calls are synchronous) and is not part of the ratios.
 */
import { DeviceProxy, TangoContext } from "@tango-bdd/tango";
import { loop } from "./timing.ts";

const seconds = Number(process.argv[2] ?? process.env.BENCH_SECONDS ?? 5);
const device = process.env.BENCH_DEVICE ?? "sys/tg_test/1";

const context = TangoContext.fromEnv(process.env);
try {
  const dev = await DeviceProxy.connect(device, { context });
  const res: Record<string, unknown> = {
    client: "tango-bdd (TypeScript)",
    node: process.version,
    tango_host: context.tangoHosts,
    duration_s: seconds,
  };
  res.read_attribute_double_scalar = await loop(() => dev.read("double_scalar"), seconds);
  res.command_inout_DevDouble = await loop(() => dev.command("DevDouble", 3.14), seconds);
  const conc = Number(process.env.BENCH_CONCURRENCY ?? 1);
  if (conc > 1) {
    const batch = Array.from({ length: conc }, () => "double_scalar");
    const fig = await loop(() => Promise.all(batch.map((a) => dev.read(a))), seconds);
    res[`read_attribute_double_scalar_${conc}_in_flight`] = { ...fig, reads_per_s: Math.round(fig.per_s * conc * 10) / 10 };
  }
  process.stdout.write(`${JSON.stringify(res, null, 1)}\n`);
} finally {
  await context.close();
}
