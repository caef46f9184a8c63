#!/usr/bin/env bash
# TS client vs PyTango on the reference TangoTest, over TCP, one call at a time:
# runs bench/client-bench.ts and ../shared/tango-reference/tools/bench.py (ORBclientTransportRule='* tcp'),
# alternating ROUNDS times (default 1), and prints both results and the TS/PyTango ratios as JSON: the median over
# rounds of the calls/s ratio, and of the median-latency ratio (steadier on a loaded machine).
# Each round also runs bench/raw-client.py on the read: a blocking socket replaying a pre-encoded request with no client
# code at all, i.e. the floor of any sequential client against that server ("floor" figures: the best ratio possible),
# and bench/raw-client-node.ts, the same replay on a Node.js socket and event loop (the floor of a Node.js client).
# Env: BENCH_SECONDS (default 5 per figure), ROUNDS, TANGO_HOST (default 127.0.0.1:10000), TANGO_REFERENCE_DIR.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REF="${TANGO_REFERENCE_DIR:-$(dirname "$REPO")/shared/tango-reference}"
SECS="${BENCH_SECONDS:-5}"
ROUNDS="${ROUNDS:-1}"
export TANGO_HOST="${TANGO_HOST:-127.0.0.1:10000}"
[ -f "$REF/tools/bench.py" ] || { echo "compare-client: $REF/tools/bench.py not found (set TANGO_REFERENCE_DIR)" >&2; exit 2; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# Our client and the Node floor run as plain JavaScript bundles, as a deployed client runs (bench/bundle.mjs).
TSB="$(cd "$REPO" && node bench/bundle.mjs bench/client-bench.ts)"
RAWNODE="$(cd "$REPO" && node bench/bundle.mjs bench/raw-client-node.ts)"
RAW="$(cd "$REPO" && node --import tsx bench/raw-request.ts "${BENCH_DEVICE:-sys/tg_test/1}" double_scalar)"
for i in $(seq 1 "$ROUNDS"); do
  (cd "$REPO" && node "$TSB" "$SECS") > "$tmp/ts-$i.json"
  ORBclientTransportRule='* tcp' BENCH_EVENTS="${BENCH_EVENTS:-1000}" /usr/bin/python3 "$REF/tools/bench.py" "$SECS" > "$tmp/py-$i.json"
  /usr/bin/python3 "$REPO/bench/raw-client.py" "$RAW" "$SECS" > "$tmp/raw-$i.json"
  (cd "$REPO" && node "$RAWNODE" "$RAW" "$SECS") > "$tmp/rawnode-$i.json"
done

node - "$tmp" "$ROUNDS" <<'JS'
const fs = require("node:fs");
const [dir, rounds] = [process.argv[2], Number(process.argv[3])];
const figures = ["read_attribute_double_scalar", "command_inout_DevDouble"];
const out = { rounds: [], summary: {} };
const ratios = Object.fromEntries(figures.map((f) => [f, []]));
// The read floors measured each round: figure name in the output → file prefix of its JSON.
const floors = { raw_socket: "raw", node_socket: "rawnode" };
const floorRatios = Object.fromEntries(Object.keys(floors).map((k) => [k, []]));
const latRatios = Object.fromEntries(figures.map((f) => [f, []]));
for (let i = 1; i <= rounds; i++) {
  const ts = JSON.parse(fs.readFileSync(`${dir}/ts-${i}.json`, "utf8"));
  const py = JSON.parse(fs.readFileSync(`${dir}/py-${i}.json`, "utf8"));
  const round = {};
  for (const f of figures) {
    const r = ts[f].per_s / py[f].per_s;
    ratios[f].push(r);
    latRatios[f].push(py[f].lat_median_us / ts[f].lat_median_us);
    round[f] = {
      ts_per_s: ts[f].per_s, py_per_s: py[f].per_s, ratio: Math.round(r * 100) / 100,
      ts_median_us: ts[f].lat_median_us, py_median_us: py[f].lat_median_us,
      ts_p99_us: ts[f].lat_p99_us, py_p99_us: py[f].lat_p99_us,
    };
  }
  const pyRead = py.read_attribute_double_scalar;
  for (const [k, prefix] of Object.entries(floors)) {
    const fl = JSON.parse(fs.readFileSync(`${dir}/${prefix}-${i}.json`, "utf8"));
    floorRatios[k].push(fl.per_s / pyRead.per_s);
    round[`read_floor_${k}`] = { per_s: fl.per_s, median_us: fl.lat_median_us, p99_us: fl.lat_p99_us,
      ratio_over_pytango: Math.round((fl.per_s / pyRead.per_s) * 100) / 100 };
  }
  out.rounds.push(round);
}
const median = (a) => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const target = { read_attribute_double_scalar: 1.2, command_inout_DevDouble: 2 };
for (const f of figures) {
  const r = median(ratios[f]);
  // calls/s swings with the machine's load; the median latency ratio (PyTango µs / TS µs) is the steadier figure.
  const l = median(latRatios[f]);
  out.summary[f] = {
    ratio_ts_over_pytango: Math.round(r * 100) / 100,
    ratio_by_median_latency: Math.round(l * 100) / 100,
    target: target[f],
    meets_target: r >= target[f],
  };
}
// The best read ratio a sequential client (any; a Node.js one) could reach against this server in these rounds.
for (const k of Object.keys(floors))
  out.summary.read_attribute_double_scalar[`floor_ratio_${k}_over_pytango`] = Math.round(median(floorRatios[k]) * 100) / 100;
console.log(JSON.stringify(out, null, 1));
JS
