#!/usr/bin/env bash
# PyTango client read_attribute/s of a DevDouble attribute: our TypeScript device server (bench/server-bench.ts,
# no database) vs the PyTango device pyref/test/1 (`temperature`) of the reference stack, same client, same run,
# alternating ROUNDS times; prints each figure and the median ratio (target >= 2).
# Usage: bash bench/server-bench.sh [seconds-per-figure] (default 4); ROUNDS=3
set -euo pipefail
cd "$(dirname "$0")/.."
DUR="${1:-4}"
ROUNDS="${ROUNDS:-3}"
export ORBclientTransportRule='* tcp'
export TANGO_HOST=127.0.0.1:10000
bash /work/shared/tango-reference/start-reference.sh >/dev/null 2>&1 || true
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
LOG=$(mktemp)
node --import tsx bench/server-bench.ts "$PORT" >"$LOG" 2>&1 &
SPID=$!
trap 'kill $SPID 2>/dev/null; wait $SPID 2>/dev/null; rm -f "$LOG"' EXIT
for _ in $(seq 100); do grep -q ready "$LOG" && break; sleep 0.1; done
OURS=()
REF=()
for _ in $(seq "$ROUNDS"); do
  OURS+=("$(/usr/bin/python3 bench/server-bench.py "tango://127.0.0.1:$PORT/bench/ts/1#dbase=no" temperature "$DUR")")
  REF+=("$(/usr/bin/python3 bench/server-bench.py pyref/test/1 temperature "$DUR")")
done
python3 - "${OURS[@]}" -- "${REF[@]}" <<'PY'
import json, statistics, sys
args = sys.argv[1:]
i = args.index("--")
ours = [json.loads(a) for a in args[:i]]
ref = [json.loads(a) for a in args[i + 1:]]
ratios = [o["per_s"] / r["per_s"] for o, r in zip(ours, ref)]
for k, (o, r) in enumerate(zip(ours, ref)):
    print(f"round {k + 1}: ours {o['per_s']:>9.1f}/s (median {o['lat_median_us']} us)   pyref {r['per_s']:>9.1f}/s (median {r['lat_median_us']} us)   ratio {o['per_s'] / r['per_s']:.2f}")
lat = [r["lat_median_us"] / o["lat_median_us"] for o, r in zip(ours, ref)]
print(json.dumps({"ours_per_s": [o["per_s"] for o in ours], "pyref_per_s": [r["per_s"] for r in ref],
                  "median_ratio": round(statistics.median(ratios), 2),
                  "median_latency_ratio_pyref_over_ours": round(statistics.median(lat), 2), "target": 2}))
PY
