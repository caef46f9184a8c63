/**
 * Event bench against the reference stack (pyref/test/1, PyTango server); bench/events-bench.py is the PyTango side
 * with the same measures and output fields, bench/compare-events.sh runs both alternately.
 *
 *   throughput N       PushBurst(N) change events on `temperature`: received/s over the receive span (first to last
 *                      event), lost = N − received, lost_reported_by_counters = what the subscription counted as
 *                      missed (counter gaps; must equal lost), client CPU µs per received event (whole process:
 *                      JS thread + libzmq I/O thread, over the receive span).
 *   latency S [RATE]   the events of bench/events-driver.py (SetTemperature at RATE Hz, default 1000, from another
 *                      process); latency = delivery to the `for await` loop − attribute time stamp (set by the server
 *                      at push), both CLOCK_REALTIME of this host (µs-calibrated against Date.now()). Median, p99,
 *                      p99.9 and max over all events, and p99 of the first 2 s of pushes and of the rest apart: in the
 *                      first seconds at 1 kHz V8 is still compiling the receive path (tier-up by call count) on
 *                      background threads that compete with the event loop for the CPU.
 *
 * Usage: TANGO_HOST=127.0.0.1:10000 node --import tsx bench/events-bench.ts throughput 20000
 *        TANGO_HOST=127.0.0.1:10000 node --import tsx bench/events-bench.ts latency 3 1000
 * Env: BENCH_RCVHWM, BENCH_RCVBUF (event socket ZMQ_RCVHWM / ZMQ_RCVBUF, default: the library's). Prints one JSON
 * object.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { TangoContext } from "../devices/tango/src/client/context.ts";
import { DeviceProxy } from "../devices/tango/src/client/device-proxy.ts";
import { closeEventConsumer, eventConsumer } from "../devices/tango/src/events/consumer.ts";

const mode = process.argv[2] ?? "throughput";
/** Latency figures are also given for the first COLD_S seconds of pushes and for the rest (bench/README.md). */
const COLD_S = 2;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ctx = TangoContext.fromEnv(process.env);
const { BENCH_RCVHWM: hwm, BENCH_RCVBUF: rcvbuf } = process.env;
eventConsumer(ctx, {
  ...(hwm === undefined ? {} : { receiveHighWaterMark: Number(hwm) }),
  ...(rcvbuf === undefined ? {} : { receiveBufferSize: Number(rcvbuf) }),
});
const dev = await DeviceProxy.connect("pyref/test/1", { context: ctx });

function cpuUs(): number {
  const c = process.cpuUsage();
  return c.user + c.system;
}

/** Offset (µs) so that performance.timeOrigin + performance.now() + offset = CLOCK_REALTIME: taken at a Date.now() tick. */
function realtimeOffsetUs(): number {
  let best = Number.POSITIVE_INFINITY;
  let offset = 0;
  for (let i = 0; i < 5; i++) {
    const start = Date.now();
    let before = performance.now();
    let ms = Date.now();
    while (ms === start) {
      before = performance.now();
      ms = Date.now();
    }
    const after = performance.now();
    // The tick happened between `before` and `after`.
    if (after - before < best) {
      best = after - before;
      offset = ms * 1000 - (performance.timeOrigin + (before + after) / 2) * 1000;
    }
  }
  return offset;
}

async function throughput(n: number) {
  const sub = await eventConsumer(ctx).subscribe(dev, "temperature", "change", { queueSize: n + 1000 });
  await sub.next(); // synchronous read
  await dev.command("SetTemperature", 0); // counter baseline
  await sub.next();
  let count = 0;
  let first = 0;
  let last = 0;
  let cpu0 = 0;
  let cpu1 = 0;
  let cpuCount = 0;
  const reader = (async () => {
    for await (const it of sub) {
      if (it.kind !== "value") continue;
      if (it.value === -1) return;
      const t = performance.now();
      if (count === 0) {
        first = t;
        cpu0 = cpuUs();
      }
      last = t;
      // process.cpuUsage() costs ~1 µs: sampled every 256 events.
      if ((++count & 255) === 0) {
        cpu1 = cpuUs();
        cpuCount = count;
      }
    }
  })();
  const missed0 = sub.missed;
  const t0 = performance.now();
  await dev.command("PushBurst", n);
  while (!(await dev.command("BurstDone"))) await sleep(20);
  const pushS = (performance.now() - t0) / 1000;
  await sleep(200);
  await dev.command("SetTemperature", -1); // its counter reveals losses at the end of the burst
  await Promise.race([reader, sleep(5000)]);
  await sub.close();
  const span = (last - first) / 1000;
  return {
    pushed: n,
    received: count,
    lost: n - count,
    lost_reported_by_counters: sub.missed - missed0,
    push_duration_s: +pushS.toFixed(3),
    server_push_rate_per_s: Math.round(n / pushS),
    receive_span_s: +span.toFixed(3),
    received_per_s: span > 0 ? Math.round((count - 1) / span) : null,
    cpu_us_per_event: cpuCount > 0 ? +((cpu1 - cpu0) / cpuCount).toFixed(2) : null,
  };
}

async function latency(seconds: number, rate: number) {
  const sub = await eventConsumer(ctx).subscribe(dev, "temperature", "change", { queueSize: 100_000 });
  await sub.next(); // synchronous read
  const offset = realtimeOffsetUs();
  const lat: number[] = [];
  const cold: number[] = [];
  const warm: number[] = [];
  const coldN = COLD_S * rate;
  let errors = 0;
  const reader = (async () => {
    for await (const it of sub) {
      if (it.kind !== "value") {
        errors++;
        continue;
      }
      const now = (performance.timeOrigin + performance.now()) * 1000 + offset;
      // Value n was pushed n/rate s after the driver started; 0 is its set-up push.
      if (typeof it.value === "number" && it.value >= 1) {
        const l = now - it.timeUs;
        lat.push(l);
        (it.value <= coldN ? cold : warm).push(l);
      }
    }
  })();
  const driver = fileURLToPath(new URL("./events-driver.py", import.meta.url));
  const { stdout } = await promisify(execFile)("/usr/bin/python3", [driver, String(rate), String(seconds)], {
    env: { ...process.env, ORBclientTransportRule: "* tcp" },
  });
  const drv = JSON.parse(stdout) as { sent: number; rate_per_s: number };
  await sleep(300);
  await sub.close();
  await reader;
  const q = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor(p * (s.length - 1)))] as number) : null;
  };
  return {
    sent: drv.sent,
    rate_per_s: drv.rate_per_s,
    received: lat.length,
    errors,
    missed: sub.missed,
    lat_median_us: q(lat, 0.5),
    lat_p99_us: q(lat, 0.99),
    lat_p999_us: q(lat, 0.999),
    lat_max_us: q(lat, 1),
    lat_p99_first_2s_us: q(cold, 0.99),
    lat_p99_after_2s_us: q(warm, 0.99),
  };
}

const res =
  mode === "throughput"
    ? { client: "tango-bdd (node zeromq)", throughput: await throughput(Number(process.argv[3] ?? 20000)) }
    : { client: "tango-bdd (node zeromq)", latency: await latency(Number(process.argv[3] ?? 3), Number(process.argv[4] ?? 1000)) };
console.log(JSON.stringify(res));
await closeEventConsumer(ctx);
await ctx.close();
