#!/usr/bin/env bash
# The project's test command (`npm test`): lint + format check, typecheck, then every node:test suite.
# Interop suites need the real reference Tango stack (../shared/tango-reference); it is started here if it is
# not running (idempotent; installs its Debian packages on a fresh machine, needs root or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
REF="${TANGO_REFERENCE_DIR:-$(cd .. && pwd)/shared/tango-reference}"

echo "== lint + format (biome)"
npx biome check .
echo "== typecheck (tsc strict)"
npx tsc -p tsconfig.json --noEmit
if [ "${TANGO_BDD_NO_REFERENCE:-0}" != 1 ]; then
  echo "== reference Tango stack ($REF)"
  bash "$REF/start-reference.sh" >/tmp/tango-reference-start.log 2>&1 || { cat /tmp/tango-reference-start.log; exit 1; }
fi
echo "== tests"
export TANGO_REFERENCE_DIR="$REF"
node scripts/run-tests.mjs "$@"
