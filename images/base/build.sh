#!/usr/bin/env bash
# Builds tango-bdd/base:local: a minimal Debian bookworm rootfs made with debootstrap and imported with
# `docker import` (no container registry needed). Skipped when an image with the same inputs hash exists.
#
# Env: DEBIAN_MIRROR (default: the first Debian URI in apt's sources), DEBIAN_SUITE (bookworm),
#      BASE_TAG (tango-bdd/base:local), DEBOOTSTRAP_CACHE (/var/cache/tango-bdd/debootstrap: .debs kept between
#      builds), FORCE=1 to rebuild anyway. Needs root (debootstrap) and a Docker engine.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
suite="${DEBIAN_SUITE:-bookworm}"
tag="${BASE_TAG:-tango-bdd/base:local}"
cache_dir="${DEBOOTSTRAP_CACHE:-/var/cache/tango-bdd/debootstrap}"
# What the rootfs holds: minbase already brings libc6, libstdc++6 and libgcc-s1 (what node links against).
variant=minbase
include=""

# Inputs hash: this script + suite + variant + package list. The mirror is not an input (same suite, same content).
inputs_hash="$( (cat "$here/build.sh"; echo "$suite $variant $include") | sha256sum | cut -c1-16)"

existing="$(docker image inspect --format '{{index .Config.Labels "org.tango-bdd.inputs-hash"}}' "$tag" 2>/dev/null || true)"
if [ "${FORCE:-0}" != 1 ] && [ "$existing" = "$inputs_hash" ]; then
  echo "base: $tag is up to date (inputs $inputs_hash), skipping debootstrap"
  exit 0
fi

mirror="${DEBIAN_MIRROR:-}"
if [ -z "$mirror" ]; then
  # deb822 sources first (URIs: ...), then one-line sources (deb URI suite ...).
  mirror="$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -m1 -E '/debian/?$' || true)"
fi
if [ -z "$mirror" ]; then
  mirror="$(grep -hs -E '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}' | grep -m1 -E '/debian/?$' || true)"
fi
mirror="${mirror:-http://deb.debian.org/debian}"

if ! command -v debootstrap >/dev/null 2>&1; then
  echo "base: installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

work="$(mktemp -d /tmp/tango-bdd-rootfs.XXXXXX)"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
mkdir -p "$cache_dir"

echo "base: debootstrap $suite ($variant) from $mirror"
debootstrap --variant="$variant" ${include:+--include="$include"} --cache-dir="$cache_dir" \
  "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 40 "$work/debootstrap.log" >&2
  exit 1
}

# Slim it: no package caches/lists, docs, man pages, locales, logs (apt still works after `apt-get update`).
rm -rf "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/debconf/*-old \
  "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/lintian \
  "$rootfs"/var/log/* "$rootfs"/tmp/* "$rootfs"/root/.bash_history
find "$rootfs"/usr/share/locale -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} +
# Keep future apt installs in derived images slim too.
cat >"$rootfs/etc/dpkg/dpkg.cfg.d/01-tango-bdd-nodoc" <<'CFG'
path-exclude /usr/share/doc/*
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
CFG
printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' >"$rootfs/etc/apt/apt.conf.d/01-tango-bdd"
# The build host's identity does not belong in the image.
: >"$rootfs/etc/hostname"
rm -f "$rootfs/etc/resolv.conf"

echo "base: importing into $tag"
tar --numeric-owner -C "$rootfs" -c . | docker import \
  --change "LABEL org.tango-bdd.inputs-hash=$inputs_hash" \
  --change "LABEL org.opencontainers.image.title=tango-bdd-base" \
  --change "LABEL org.opencontainers.image.description=\"Debian $suite $variant rootfs (debootstrap)\"" \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8' \
  --change 'CMD ["/bin/bash"]' \
  - "$tag" >/dev/null
echo "base: $tag $(docker image inspect --format '{{.Size}}' "$tag" | awk '{printf "%.1f MB", $1/1e6}')"
