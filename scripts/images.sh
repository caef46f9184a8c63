#!/usr/bin/env bash
# Builds the container images of the docker/k8s targets, locally, with no container registry:
#   tango-bdd/base:local     Debian bookworm rootfs (debootstrap + docker import; skipped when its inputs are unchanged)
#   tango-bdd/runtime:local  node + this repo's runtime (devices/*, production node_modules), user tango uid 1000
# Env: BASE_IMAGE=debian:bookworm-slim to build the runtime FROM a public image instead (where a registry is
#      reachable; then no debootstrap), RUNTIME_TAG (tango-bdd/runtime:local), FORCE=1 (rebuild the base).
# Needs a Docker engine (bash scripts/docker-engine.sh) and `npm install` done.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runtime_tag="${RUNTIME_TAG:-tango-bdd/runtime:local}"
base_image="${BASE_IMAGE:-tango-bdd/base:local}"
context="$root/.tmp/images/runtime"

if ! docker info >/dev/null 2>&1; then
  echo "images: no Docker engine answers; run: bash scripts/docker-engine.sh" >&2
  exit 1
fi
if [ ! -d "$root/node_modules" ]; then
  echo "images: node_modules is missing; run: npm install" >&2
  exit 1
fi

t0=$(date +%s.%N)
if [ -z "${BASE_IMAGE:-}" ]; then
  bash "$root/images/base/build.sh"
else
  echo "base: using $base_image (BASE_IMAGE)"
fi
t1=$(date +%s.%N)

node "$root/images/runtime/stage.mjs" "$root" "$context"
cp "$root/images/runtime/Dockerfile" "$context/Dockerfile"
vcs_ref="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
# The classic builder (DOCKER_BUILDKIT=0) works with every engine/client pair here (no buildx plugin needed).
DOCKER_BUILDKIT=0 docker build --quiet \
  --build-arg "BASE_IMAGE=$base_image" \
  --build-arg "VCS_REF=$vcs_ref" \
  --label "org.tango-bdd.base=$base_image" \
  -t "$runtime_tag" "$context" >/dev/null
# Previous builds, now untagged (their unchanged layers are shared with the new image; in-use ones are kept).
docker image prune -f --filter "label=org.opencontainers.image.title=tango-bdd-runtime" >/dev/null || true
t2=$(date +%s.%N)

size() { docker image inspect --format '{{.Size}}' "$1" | awk '{printf "%.1f MB", $1/1e6}'; }
echo "runtime: $runtime_tag $(size "$runtime_tag") (base $base_image $(size "$base_image"))"
awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "images: base %.1f s, runtime %.1f s, total %.1f s\n", b-a, c-b, c-a }'
