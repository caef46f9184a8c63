#!/usr/bin/env bash
# TS client vs PyTango on the reference TangoTest, over TCP, one call at a time:
# runs bench/client-bench.ts and ../shared/tango-reference/tools/bench.py (ORBclientTransportRule='* tcp'),
# alternating ROUNDS times (default 1), and prints both results and the TS/PyTango ratios as JSON: the median over
# rounds of the calls/s ratio, and of the median-latency ratio (steadier on a loaded machine).
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
for i in $(seq 1 "$ROUNDS"); do
  (cd "$REPO" && node --import tsx bench/client-bench.ts "$SECS") > "$tmp/ts-$i.json"
  ORBclientTransportRule='* tcp' BENCH_EVENTS="${BENCH_EVENTS:-1000}" /usr/bin/python3 "$REF/tools/bench.py" "$SECS" > "$tmp/py-$i.json"
done

node - "$tmp" "$ROUNDS" <<'JS'
const fs = require("node:fs");
const [dir, rounds] = [process.argv[2], Number(process.argv[3])];
const figures = ["read_attribute_double_scalar", "command_inout_DevDouble"];
const out = { rounds: [], summary: {} };
const ratios = Object.fromEntries(figures.map((f) => [f, []]));
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
console.log(JSON.stringify(out, null, 1));
JS
