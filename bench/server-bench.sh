#!/usr/bin/env bash
# PyTango client read_attribute/s of a DevDouble attribute: our TypeScript device server (bench/server-bench.ts,
# no database) vs the PyTango device pyref/test/1 (`temperature`) of the reference stack, same client, same run,
# alternating ROUNDS times; prints each figure and the median ratio (target >= 2). A third figure, "floor", is the same
# client against bench/replay-proxy.ts in front of our server: a Node.js server that answers each read with bytes it
# already has (no decoding, no device code), i.e. the best ratio any Node.js server could reach with this client here.
# Usage: bash bench/server-bench.sh [seconds-per-figure] (default 4); ROUNDS=3
set -euo pipefail
cd "$(dirname "$0")/.."
DUR="${1:-4}"
ROUNDS="${ROUNDS:-3}"
export ORBclientTransportRule='* tcp'
export TANGO_HOST=127.0.0.1:10000
bash "${TANGO_REFERENCE_DIR:-$(dirname "$PWD")/shared/tango-reference}/start-reference.sh" >/dev/null 2>&1 || true
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# Our server and the floor run as plain JavaScript bundles, as a deployed server runs (bench/bundle.mjs).
SERVER=$(node bench/bundle.mjs bench/server-bench.ts)
PROXY=$(node bench/bundle.mjs bench/replay-proxy.ts)
LOG=$(mktemp)
node "$SERVER" "$PORT" >"$LOG" 2>&1 &
SPID=$!
FPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
FLOG=$(mktemp)
node "$PROXY" "$FPORT" "$PORT" >"$FLOG" 2>&1 &
FPID=$!
trap 'kill $SPID $FPID 2>/dev/null; wait $SPID $FPID 2>/dev/null; rm -f "$LOG" "$FLOG"' EXIT
for _ in $(seq 100); do grep -q ready "$LOG" && grep -q ready "$FLOG" && break; sleep 0.1; done
OURS=()
REF=()
FLOOR=()
for _ in $(seq "$ROUNDS"); do
  OURS+=("$(/usr/bin/python3 bench/server-bench.py "tango://127.0.0.1:$PORT/bench/ts/1#dbase=no" temperature "$DUR")")
  REF+=("$(/usr/bin/python3 bench/server-bench.py pyref/test/1 temperature "$DUR")")
  FLOOR+=("$(/usr/bin/python3 bench/server-bench.py "tango://127.0.0.1:$FPORT/bench/ts/1#dbase=no" temperature "$DUR")")
done
python3 - "${OURS[@]}" -- "${REF[@]}" -- "${FLOOR[@]}" <<'PY'
import json, statistics, sys
args = sys.argv[1:]
i = args.index("--")
j = args.index("--", i + 1)
ours = [json.loads(a) for a in args[:i]]
ref = [json.loads(a) for a in args[i + 1:j]]
floor = [json.loads(a) for a in args[j + 1:]]
ratios = [o["per_s"] / r["per_s"] for o, r in zip(ours, ref)]
ceiling = [f["per_s"] / r["per_s"] for f, r in zip(floor, ref)]
for k, (o, r, f) in enumerate(zip(ours, ref, floor)):
    print(f"round {k + 1}: ours {o['per_s']:>8.1f}/s (median {o['lat_median_us']} us)   pyref {r['per_s']:>8.1f}/s (median {r['lat_median_us']} us)"
          f"   floor {f['per_s']:>8.1f}/s (median {f['lat_median_us']} us)   ratio {o['per_s'] / r['per_s']:.2f} (floor {f['per_s'] / r['per_s']:.2f})")
lat = [r["lat_median_us"] / o["lat_median_us"] for o, r in zip(ours, ref)]
print(json.dumps({"ours_per_s": [o["per_s"] for o in ours], "pyref_per_s": [r["per_s"] for r in ref],
                  "floor_per_s": [f["per_s"] for f in floor],
                  "median_ratio": round(statistics.median(ratios), 2),
                  "median_latency_ratio_pyref_over_ours": round(statistics.median(lat), 2),
                  "floor_median_ratio": round(statistics.median(ceiling), 2), "target": 2}))
PY
