/**
 * Client throughput/latency on the reference TangoTest (sys/tg_test/1) over TCP, one call at a time (like tools/bench.py):
 * read_attribute("double_scalar") and command_inout("DevDouble", 3.14), BENCH_SECONDS (default 5) s each.
 * Usage: TANGO_HOST=127.0.0.1:10000 node --import tsx bench/client-bench.ts [seconds]   → one JSON object on stdout.
 * BENCH_CONCURRENCY=n (n > 1) adds a figure with n reads in flight on the shared connection (request-id multiplexing);
 * that one has no PyTango counterpart (its calls are synchronous) and is not part of the ratios.
 */
import { DeviceProxy, TangoContext } from "@tango-bdd/tango";

const seconds = Number(process.argv[2] ?? process.env.BENCH_SECONDS ?? 5);
const device = process.env.BENCH_DEVICE ?? "sys/tg_test/1";

interface Figure {
  calls: number;
  seconds: number;
  per_s: number;
  lat_median_us: number;
  lat_p99_us: number;
  lat_min_us: number;
  lat_max_us: number;
}

async function loop(fn: () => Promise<unknown>): Promise<Figure> {
  for (let i = 0; i < 200; i++) await fn(); // warm-up: connection, caches, JIT
  const lat: number[] = [];
  const tEnd = performance.now() + seconds * 1000;
  const t0 = performance.now();
  for (;;) {
    const a = performance.now();
    await fn();
    const b = performance.now();
    lat.push(b - a);
    if (b >= tEnd) break;
  }
  const total = (performance.now() - t0) / 1000;
  lat.sort((x, y) => x - y);
  const us = (ms: number): number => Math.round(ms * 10_000) / 10;
  const median =
    lat.length % 2 ? (lat[(lat.length - 1) / 2] as number) : ((lat[lat.length / 2 - 1] as number) + (lat[lat.length / 2] as number)) / 2;
  return {
    calls: lat.length,
    seconds: Math.round(total * 1000) / 1000,
    per_s: Math.round((lat.length / total) * 10) / 10,
    lat_median_us: us(median),
    lat_p99_us: us(lat[Math.floor(0.99 * (lat.length - 1))] as number),
    lat_min_us: us(lat[0] as number),
    lat_max_us: us(lat[lat.length - 1] as number),
  };
}

const context = TangoContext.fromEnv(process.env);
try {
  const dev = await DeviceProxy.connect(device, { context });
  const res: Record<string, unknown> = {
    client: "tango-bdd (TypeScript)",
    node: process.version,
    tango_host: context.tangoHosts,
    duration_s: seconds,
  };
  res.read_attribute_double_scalar = await loop(() => dev.read("double_scalar"));
  res.command_inout_DevDouble = await loop(() => dev.command("DevDouble", 3.14));
  const conc = Number(process.env.BENCH_CONCURRENCY ?? 1);
  if (conc > 1) {
    const batch = Array.from({ length: conc }, () => "double_scalar");
    const fig = await loop(() => Promise.all(batch.map((a) => dev.read(a))));
    res[`read_attribute_double_scalar_${conc}_in_flight`] = { ...fig, reads_per_s: Math.round(fig.per_s * conc * 10) / 10 };
  }
  process.stdout.write(`${JSON.stringify(res, null, 1)}\n`);
} finally {
  await context.close();
}
