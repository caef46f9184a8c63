#!/usr/bin/env bash
# Makes a Docker engine available on this machine (CI and newcomers); idempotent.
#   1. installs Debian's docker.io (dockerd + containerd + runc + docker-proxy) when dockerd is missing;
#   2. starts dockerd in the background when `docker info` cannot reach an engine;
#   3. waits until the engine answers (at most DOCKER_ENGINE_TIMEOUT seconds, default 60).
# Needs root (apt-get, dockerd). Prints one line per action; exit 0 = the engine answers.
set -euo pipefail

timeout_s="${DOCKER_ENGINE_TIMEOUT:-60}"
log_file="${DOCKERD_LOG:-/var/log/dockerd.log}"

engine_up() { docker info --format '{{.ServerVersion}}' >/dev/null 2>&1; }

if engine_up; then
  echo "docker-engine: already running (server $(docker info --format '{{.ServerVersion}}'))"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "docker-engine: no engine answers and this is not root: start dockerd yourself (or run this as root)" >&2
  exit 1
fi

if ! command -v dockerd >/dev/null 2>&1; then
  echo "docker-engine: installing docker.io (Debian) ..."
  export DEBIAN_FRONTEND=noninteractive
  # apt-get update only when the lists are missing or older than a day (keeps re-runs fast).
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
    apt-get update -qq
  fi
  apt-get install -y -qq --no-install-recommends docker.io iptables ca-certificates >/dev/null
fi
if ! command -v docker >/dev/null 2>&1; then
  echo "docker-engine: no docker client on PATH after install" >&2
  exit 1
fi

# A live (not zombie) dockerd process, if any.
dockerd_alive() {
  local pid
  for pid in $(pgrep -x dockerd 2>/dev/null); do
    case "$(ps -o stat= -p "$pid" 2>/dev/null)" in Z* | "") ;; *) return 0 ;; esac
  done
  return 1
}
start_dockerd() {
  # A pid file left by a dead dockerd blocks the next start.
  rm -f /var/run/docker.pid
  echo "docker-engine: starting dockerd (log: $log_file)"
  # setsid + nohup: the daemon outlives this script and the shell that ran it.
  setsid nohup dockerd >>"$log_file" 2>&1 </dev/null &
}

if dockerd_alive; then
  echo "docker-engine: dockerd is running but not answering yet; waiting"
else
  start_dockerd
fi
restarted=0
for _ in $(seq 1 $((timeout_s * 2))); do
  if engine_up; then
    echo "docker-engine: ready (server $(docker info --format '{{.ServerVersion}}'), storage $(docker info --format '{{.Driver}}'))"
    exit 0
  fi
  # The dockerd we waited for died (e.g. it was being killed when we looked): start one, once.
  if [ "$restarted" = 0 ] && ! dockerd_alive; then
    restarted=1
    start_dockerd
  fi
  sleep 0.5
done
echo "docker-engine: dockerd did not answer within ${timeout_s}s; last log lines:" >&2
tail -n 30 "$log_file" >&2 || true
exit 1
