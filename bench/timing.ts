/** The timing loop of the TypeScript benches: the same as tango-reference/tools/bench.py (200 warm-up calls, then one
 * call at a time for `seconds`, latency per call). */

export interface Figure {
  calls: number;
  seconds: number;
  per_s: number;
  lat_median_us: number;
  lat_p99_us: number;
  lat_min_us: number;
  lat_max_us: number;
}

export async function loop(fn: () => Promise<unknown>, seconds: number): Promise<Figure> {
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
