/**
 * Event bench against the reference stack (pyref/test/1, PyTango server):
 *  1. throughput: PushBurst(N) change events on `temperature`, received by our client (events/s over the receive
 *     span, lost events = N − received, and how many of those the client reported through counter gaps);
 *  2. latency: SetTemperature at ~1 kHz for a few seconds; push-to-delivery latency = item.receivedAt (client) −
 *     attribute time stamp (set by the server at push), both on this host's clock (ms resolution of the client side
 *     is avoided: performance.timeOrigin + performance.now() at delivery).
 * Usage: TANGO_HOST=127.0.0.1:10000 node --import tsx bench/events-bench.ts [N] [latency-seconds]
 * Prints one JSON object.
 */
import { TangoContext } from "../devices/tango/src/client/context.ts";
import { DeviceProxy } from "../devices/tango/src/client/device-proxy.ts";
import { closeEventConsumer, eventConsumer } from "../devices/tango/src/events/consumer.ts";

const N = Number(process.argv[2] ?? 20000);
const LAT_S = Number(process.argv[3] ?? 3);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ctx = TangoContext.fromEnv(process.env);
eventConsumer(ctx, { receiveHighWaterMark: Number(process.env.BENCH_RCVHWM ?? 1000) });
const dev = await DeviceProxy.connect("pyref/test/1", { context: ctx });

async function throughput() {
  const sub = await eventConsumer(ctx).subscribe(dev, "temperature", "change", { queueSize: N + 1000 });
  await sub.next(); // synchronous read
  await dev.command("SetTemperature", 0); // counter baseline
  await sub.next();
  const times: number[] = [];
  let marker = false;
  const reader = (async () => {
    for await (const it of sub) {
      if (it.kind !== "value") continue;
      if (it.value === -1) {
        marker = true;
        return;
      }
      times.push(performance.now());
    }
  })();
  const t0 = performance.now();
  await dev.command("PushBurst", N);
  while (!(await dev.command("BurstDone"))) await sleep(20);
  const pushS = (performance.now() - t0) / 1000;
  await sleep(200);
  await dev.command("SetTemperature", -1); // its counter reveals losses at the end of the burst
  for (let i = 0; i < 100 && !marker; i++) await sleep(50);
  await sub.close();
  await reader;
  const span = ((times.at(-1) ?? 0) - (times[0] ?? 0)) / 1000;
  return {
    pushed: N,
    received: times.length,
    lost: N - times.length,
    lost_reported_by_counters: sub.missed,
    push_duration_s: +pushS.toFixed(3),
    server_push_rate_per_s: Math.round(N / pushS),
    receive_span_s: +span.toFixed(3),
    received_per_s: span > 0 ? Math.round((times.length - 1) / span) : null,
  };
}

async function latency() {
  const sub = await eventConsumer(ctx).subscribe(dev, "temperature", "change", { queueSize: 100_000 });
  await sub.next();
  const lat: number[] = [];
  const reader = (async () => {
    for await (const it of sub) {
      if (it.kind !== "value" || it.counter === undefined) continue;
      const now = (performance.timeOrigin + performance.now()) * 1000; // µs
      lat.push(now - it.timeUs);
    }
  })();
  const end = performance.now() + LAT_S * 1000;
  let sent = 0;
  let next = performance.now();
  while (performance.now() < end) {
    await dev.command("SetTemperature", sent++);
    next += 1; // 1 kHz schedule
    const wait = next - performance.now();
    if (wait > 0) await sleep(wait);
  }
  await sleep(300);
  await sub.close();
  await reader;
  lat.sort((a, b) => a - b);
  const q = (p: number) => Math.round(lat[Math.min(lat.length - 1, Math.floor(p * (lat.length - 1)))] ?? Number.NaN);
  return {
    sent,
    rate_per_s: Math.round(sent / LAT_S),
    received: lat.length,
    missed: sub.missed,
    lat_median_us: q(0.5),
    lat_p99_us: q(0.99),
    lat_max_us: q(1),
  };
}

const res = { client: "tango-bdd (node zeromq)", change_events_pyref_temperature: await throughput(), latency_1khz: await latency() };
console.log(JSON.stringify(res, null, 1));
await closeEventConsumer(ctx);
await ctx.close();
