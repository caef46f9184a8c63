#!/bin/sh
# Installs helm v3.16.4 into $HOME/go/bin (built from source through the Go module proxy),
# unless that version is already there. Idempotent; used locally and in CI.
set -eu
HELM_VERSION="${HELM_VERSION:-v3.16.4}"
GOBIN="${GOBIN:-$HOME/go/bin}"
export GOBIN
if [ -x "$GOBIN/helm" ] && "$GOBIN/helm" version --template '{{.Version}}' 2>/dev/null | grep -q "^${HELM_VERSION%.*}"; then
  echo "helm already installed: $("$GOBIN/helm" version --short 2>/dev/null) ($GOBIN/helm)"
  exit 0
fi
command -v go >/dev/null 2>&1 || { echo "helm-install.sh: go is required (apt-get install golang-go or https://go.dev/dl)" >&2; exit 1; }
echo "building helm $HELM_VERSION into $GOBIN (go install, a few minutes the first time)"
go install "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}"
"$GOBIN/helm" version --short
