#!/usr/bin/env bash
# Events received from PushBurst(N) on pyref/test/1: our client vs PyTango 9.3.6, in the same run.
# Usage: bench/compare-events.sh [N=20000] [latency-seconds=3]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20000}
LAT=${2:-3}
export TANGO_HOST=${TANGO_HOST:-127.0.0.1:10000}
ours=$(node --import tsx bench/events-bench.ts "$N" "$LAT")
# bench.py's first argument is the duration of its read/command loops: keep it short, only the event part is used.
py=$(ORBclientTransportRule='* tcp' BENCH_EVENTS="$N" /usr/bin/python3 /work/shared/tango-reference/tools/bench.py 0.2)
node -e '
const ours = JSON.parse(process.argv[1]), py = JSON.parse(process.argv[2]);
const o = ours.change_events_pyref_temperature, p = py.change_events_pyref_temperature;
console.log(JSON.stringify({ ours: o, pytango: p, latency_1khz_ours: ours.latency_1khz,
  received_rate_ratio: o.received_per_s && p.received_per_s ? +(o.received_per_s / p.received_per_s).toFixed(2) : null }, null, 1));
' "$ours" "$py"
