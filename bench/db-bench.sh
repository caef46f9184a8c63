#!/usr/bin/env bash
# DbImportDevice calls/s: our database (tango db, SQLite) vs the reference cppTango DataBaseds on MariaDB
# (127.0.0.1:10000), same client (PyTango), same run; then time from `tango db` process start to the first
# answered DbImportDevice. Usage: bash bench/db-bench.sh [seconds-per-figure]
set -euo pipefail
cd "$(dirname "$0")/.."
DUR="${1:-3}"
export ORBclientTransportRule='* tcp'
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DIR=$(mktemp -d)
node devices/tango/bin/tango.mjs db --port "$PORT" --file "$DIR/bench.sqlite" 2>"$DIR/db.log" &
DBPID=$!
trap 'kill $DBPID 2>/dev/null; wait $DBPID 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
bash /work/shared/tango-reference/start-reference.sh >/dev/null 2>&1 || true
REF=$(TANGO_HOST=127.0.0.1:10000 /usr/bin/python3 bench/db-bench.py "$DUR")
OURS=$(TANGO_HOST=127.0.0.1:$PORT /usr/bin/python3 bench/db-bench.py "$DUR")
START=$(node --import tsx bench/db-startup.ts 5)
python3 - "$REF" "$OURS" "$START" <<'PY'
import json, sys
ref, ours, start = (json.loads(a) for a in sys.argv[1:4])
print(json.dumps({"DbImportDevice_reference_mariadb": ref, "DbImportDevice_ours_sqlite": ours,
                  "ratio_ours_over_reference": round(ours["per_s"] / ref["per_s"], 2),
                  "startup_to_first_DbImportDevice": start}, indent=2))
PY
