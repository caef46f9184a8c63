#!/usr/bin/env bash
# Removes the containers and networks left by docker-target runs (the provider removes its own on stop, on
# SIGINT/SIGTERM/SIGHUP and at exit; a SIGKILLed runner leaves its run behind until the next start sweeps it).
# Usage: bash scripts/docker-cleanup.sh            every run of this project (label org.tango-bdd.managed=true)
#        bash scripts/docker-cleanup.sh <runId>    one run (label org.tango-bdd.run=<runId>)
# Images are kept (rebuild-free re-runs); `docker image rm tango-bdd/runtime:local tango-bdd/base:local` drops them.
set -euo pipefail

if ! docker info >/dev/null 2>&1; then
  echo "docker-cleanup: no Docker engine answers; nothing to clean"
  exit 0
fi
if [ $# -gt 0 ]; then
  filter="label=org.tango-bdd.run=$1"
else
  filter="label=org.tango-bdd.managed=true"
fi
mapfile -t containers < <(docker ps -aq --filter "$filter")
if [ "${#containers[@]}" -gt 0 ]; then
  docker rm -f -v "${containers[@]}" >/dev/null
fi
mapfile -t networks < <(docker network ls -q --filter "$filter")
if [ "${#networks[@]}" -gt 0 ]; then
  docker network rm "${networks[@]}" >/dev/null
fi
echo "docker-cleanup: removed ${#containers[@]} container(s) and ${#networks[@]} network(s) ($filter)"
