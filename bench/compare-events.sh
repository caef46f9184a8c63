#!/usr/bin/env bash
# Events from pyref/test/1 (PyTango server): our client vs PyTango 9.3.6, alternately (ours, PyTango, ours, ...).
#   throughput: PushBurst(N) change events, received/s over the receive span, lost / lost-reported counts;
#   latency:    SetTemperature at RATE Hz driven by bench/events-driver.py (another process, same schedule for both),
#               push (server time stamp) to delivery: median / p99 / p99.9 / max, and p99 of the first 2 s of pushes
#               (our client's receive path is still being compiled by V8 then) and of the rest apart.
# Usage: bench/compare-events.sh [N=20000] [latency-seconds=10] [ROUNDS=3] [RATE=1000]
# Prints one JSON line per figure, then a summary with the medians and the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20000}
LAT=${2:-10}
ROUNDS=${3:-${ROUNDS:-3}}
RATE=${4:-1000}
export TANGO_HOST=${TANGO_HOST:-127.0.0.1:10000}
export ORBclientTransportRule='* tcp'
out=$(mktemp)
trap 'rm -f "$out"' EXIT
ours=$(node bench/bundle.mjs bench/events-bench.ts) # plain JavaScript, as a deployed client runs (bench/bundle.mjs)
for ((r = 1; r <= ROUNDS; r++)); do
  node "$ours" throughput "$N" | tee -a "$out"
  /usr/bin/python3 bench/events-bench.py throughput "$N" | tee -a "$out"
  node "$ours" latency "$LAT" "$RATE" | tee -a "$out"
  /usr/bin/python3 bench/events-bench.py latency "$LAT" "$RATE" | tee -a "$out"
done
node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => JSON.parse(l));
const med = (xs) => { const s = xs.filter((x) => typeof x === "number").sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : null; };
const pick = (py, mode, f) => lines.filter((l) => l[mode] && l.client.startsWith("PyTango") === py).map((l) => l[mode][f]);
const sum = {};
for (const [who, py] of [["ours", false], ["pytango", true]]) {
  sum[who] = {
    received_per_s: pick(py, "throughput", "received_per_s"),
    lost: pick(py, "throughput", "lost"),
    lost_reported_by_counters: pick(py, "throughput", "lost_reported_by_counters"),
    cpu_us_per_event: pick(py, "throughput", "cpu_us_per_event"),
    lat_median_us: pick(py, "latency", "lat_median_us"),
    lat_p99_us: pick(py, "latency", "lat_p99_us"),
    lat_p999_us: pick(py, "latency", "lat_p999_us"),
    lat_p99_first_2s_us: pick(py, "latency", "lat_p99_first_2s_us"),
    lat_p99_after_2s_us: pick(py, "latency", "lat_p99_after_2s_us"),
  };
  sum[who].median = Object.fromEntries(Object.entries(sum[who]).map(([k, v]) => [k, med(v)]));
}
const ratios = pick(false, "throughput", "received_per_s").map((o, i) => { const p = pick(true, "throughput", "received_per_s")[i]; return o && p ? +(o / p).toFixed(2) : null; });
console.log(JSON.stringify({ rounds: ratios.length, ours: sum.ours, pytango: sum.pytango,
  received_rate_ratio_per_round: ratios, received_rate_ratio_of_medians: +(sum.ours.median.received_per_s / sum.pytango.median.received_per_s).toFixed(2),
  target: { received_rate_ratio: ">= 1.5", lat_p99_us: "< 1000" } }, null, 1));
' "$out"
