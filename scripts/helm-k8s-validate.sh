#!/bin/sh
# Builds scripts/k8s-validate (offline Kubernetes v1.32 API validation of rendered manifests:
# strict typed decoding + the API server's defaulting and create validation) into
# $HOME/go/bin/k8s-validate. Idempotent (go's build cache makes re-runs quick).
# With arguments, runs it:  scripts/helm-k8s-validate.sh [-namespace ns] file.yaml|-
set -eu
GOBIN="${GOBIN:-$HOME/go/bin}"
export GOBIN
here="$(cd "$(dirname "$0")" && pwd)"
command -v go >/dev/null 2>&1 || { echo "helm-k8s-validate.sh: go is required" >&2; exit 1; }
stamp="$GOBIN/.k8s-validate.sum"
sum="$(cat "$here/k8s-validate/go.mod" "$here/k8s-validate/go.sum" "$here/k8s-validate/main.go" | cksum)"
if [ ! -x "$GOBIN/k8s-validate" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
  echo "building k8s-validate into $GOBIN (first build downloads k8s.io modules, a few minutes)" >&2
  (cd "$here/k8s-validate" && go install .)
  echo "$sum" > "$stamp"
fi
if [ "$#" -gt 0 ]; then
  exec "$GOBIN/k8s-validate" "$@"
fi
