#!/usr/bin/env bash
# Idempotent: a Python venv with pytango 10.3.1 from PyPI (its wheel bundles cppTango 10, omniORB 4.3, libzmq), used
# by the Tango 10 interop suites (devices/tango/src/interop10). Venv: ${PYTANGO10_VENV:-/opt/pytango10}.
# Does nothing when the venv already imports tango 10.3.1. Needs python3 with venv/ensurepip (python3-venv on
# Debian: installed with apt-get when missing and running as root) and access to PyPI.
set -euo pipefail
VENV="${PYTANGO10_VENV:-/opt/pytango10}"
VERSION="${PYTANGO10_VERSION:-10.3.1}"
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import tango, sys; sys.exit(0 if tango.__version__ == '$VERSION' else 1)" 2>/dev/null; then
  echo "pytango $VERSION already in $VENV"
  exit 0
fi
start=$(date +%s)
if ! python3 -c "import ensurepip, venv" 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-venv >/dev/null \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-venv >/dev/null; }
  else
    echo "python3 venv/ensurepip missing (Debian: apt-get install python3-venv)" >&2
    exit 1
  fi
fi
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-input "pytango==$VERSION"
"$VENV/bin/python" -c "import tango; print('pytango', tango.__version__, 'cppTango', tango.constants.TgLibVers, 'in $VENV')"
echo "pytango10-install: $(( $(date +%s) - start ))s"
