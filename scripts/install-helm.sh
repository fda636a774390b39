#!/usr/bin/env bash
# Installs the pinned Helm CLI into .cache/bin, built from the Go module proxy
# with the machine's Go. Only needed to re-render the committed chart fixtures
# (tests/cluster/rendered/*.yaml.txt, see scripts/render-chart.sh); the tests
# themselves never run helm. Skips the build when the cached binary already
# reports the pinned version.
set -euo pipefail

HELM_VERSION="${HELM_VERSION:-v3.22.0}"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/lib/reports.sh"
bin="$root/.cache/bin"
mkdir -p "$bin"

die() { echo "install-helm: $*" >&2; exit 1; }

if [ -x "$bin/helm" ] && reports "$HELM_VERSION" "$bin/helm" version --short; then
  echo "install-helm: helm $HELM_VERSION already in $bin/helm"
  exit 0
fi
command -v go >/dev/null || die "Go is needed to build helm $HELM_VERSION."
echo "install-helm: building helm $HELM_VERSION from the Go module proxy..."
start=$SECONDS
GOBIN="$bin" CGO_ENABLED=0 go install -trimpath \
  -ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
  "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" \
  || die "could not build helm.sh/helm/v3/cmd/helm@$HELM_VERSION (GOPROXY=$(go env GOPROXY))."
reports "$HELM_VERSION" "$bin/helm" version --short || die "$bin/helm does not report $HELM_VERSION."
echo "install-helm: built helm $HELM_VERSION in $((SECONDS - start))s"
