#!/usr/bin/env bash
# Captures real Tango 10 traffic on loopback (tcpdump) for docs/tango10.md and the interop10 golden vectors.
# Needs: root (tcpdump), the reference stack (TANGO_HOST 127.0.0.1:10000, tango_admin), the pytango 10 venv
# (scripts/pytango10-install.sh), shared/tango-reference/tools/giop_split.py. Output: $OUT/<scenario>.pcap,
# $OUT/<scenario>/ (one .hex per GIOP/ZMTP message), $OUT/<scenario>.json, $OUT/<scenario>.txt (decoded by our codecs).
#   A  py10-py10  pytango 10 client -> pytango 10 PyRef server (registered in the reference DataBaseds)
#   B  py10-ts    pytango 10 client -> our TsRef server (no database, #dbase=no)
#   C  ts-py10    our TypeScript client + events consumer -> the pytango 10 PyRef server of A
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../../.." && pwd)"
REF="${TANGO_REFERENCE_DIR:-$(cd "$ROOT/.." && pwd)/shared/tango-reference}"
PY10="${PYTANGO10_VENV:-/opt/pytango10}/bin/python"
OUT="${OUT:-/tmp/tango10-capture}"
BASE="${CAPTURE_BASE_PORT:-10460}"
GIOP_A=$BASE HB_A=$((BASE + 1)) EV_A=$((BASE + 2)) GIOP_B=$((BASE + 3)) HB_B=$((BASE + 4)) EV_B=$((BASE + 5))
export TANGO_HOST=127.0.0.1:10000 ORBclientTransportRule='* tcp'
mkdir -p "$OUT"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  tango_admin --delete-server PyRef/t10cap >/dev/null 2>&1 || true
}
trap cleanup EXIT

wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 not open" >&2; return 1; }
capture() { # name filter-ports command...
  local name=$1 ports=$2; shift 2
  local filter="tcp and host 127.0.0.1 and ($(echo "$ports" | sed 's/,/ or port /g; s/^/port /'))"
  tcpdump -i lo -U -w "$OUT/$name.pcap" "$filter" >/dev/null 2>&1 &
  local tp=$!
  sleep 1
  "$@" > "$OUT/$name.client.json"
  sleep 1
  kill "$tp"; wait "$tp" 2>/dev/null || true
  rm -rf "${OUT:?}/$name"; mkdir -p "$OUT/$name"
  python3 "$REF/tools/giop_split.py" "$OUT/$name.pcap" "$OUT/$name" "$name" "$ports" > "$OUT/$name.json"
  node --import tsx "$HERE/decode-capture.ts" "$OUT/$name" "$OUT/$name.json" > "$OUT/$name.txt"
  echo "$name: $(ls "$OUT/$name" | wc -l) messages"
}

# A + C: pytango 10 PyRef server registered in the reference database
tango_admin --add-server PyRef/t10cap PyRef pyref/t10cap/1
tango_admin --add-property pyref/t10cap/1 Gain 3
TANGO_ZMQ_HEARTBEAT_PORT=$HB_A TANGO_ZMQ_EVENT_PORT=$EV_A \
  "$PY10" "$REF/pyref_device.py" t10cap -ORBendPoint "giop:tcp:127.0.0.1:$GIOP_A" >"$OUT/pyref-t10cap.log" 2>&1 &
pids+=($!)
wait_port "$GIOP_A"
capture py10-py10 "10000,$GIOP_A,$HB_A,$EV_A" "$PY10" "$HERE/py10_client.py" ref pyref/t10cap/1
capture ts-py10 "10000,$GIOP_A,$HB_A,$EV_A" node --import tsx "$HERE/capture-helper.ts" client pyref/t10cap/1 5 127.0.0.1:10000

# B: our TsRef server without database
node --import tsx "$HERE/capture-helper.ts" serve "$GIOP_B" "$HB_B" "$EV_B" 60 >"$OUT/tsref.log" 2>&1 &
pids+=($!)
wait_port "$GIOP_B"
capture py10-ts "$GIOP_B,$HB_B,$EV_B" "$PY10" "$HERE/py10_client.py" ref "tango://127.0.0.1:$GIOP_B/tsref/cap/1#dbase=no"
echo "done: $OUT"
