#!/usr/bin/env bash
# Installs the Prometheus server into .cache/bin, built from the Go module proxy
# with the machine's Go: the Prometheus version promtool is built at
# (scripts/kube-tools/go.mod), as a plain `go install` with every
# service-discovery plugin.
# Only needed to re-render the dashboard pictures of docs/monitoring.md
# (tests/monitoring/render-dashboards.ts); the tests never run it.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/lib/reports.sh"
. "$root/scripts/lib/kube-tools.sh"
# The one pin: promtool's, in scripts/kube-tools/go.mod.
PROMETHEUS_MODULE_VERSION="$(kube_tools_version github.com/prometheus/prometheus)"
bin="$root/.cache/bin"
mkdir -p "$bin"

die() { echo "install-prometheus: $*" >&2; exit 1; }

if [ -x "$bin/prometheus" ] && reports "version $PROMETHEUS_MODULE_VERSION" "$bin/prometheus" --version; then
  echo "install-prometheus: prometheus $PROMETHEUS_MODULE_VERSION already in $bin/prometheus"
  exit 0
fi
command -v go >/dev/null || die "Go is needed to build prometheus $PROMETHEUS_MODULE_VERSION."
echo "install-prometheus: building prometheus $PROMETHEUS_MODULE_VERSION from the Go module proxy..."
start=$SECONDS
GOBIN="$bin" CGO_ENABLED=0 go install -trimpath \
  -ldflags="-s -w -X github.com/prometheus/common/version.Version=$PROMETHEUS_MODULE_VERSION" \
  "github.com/prometheus/prometheus/cmd/prometheus@$PROMETHEUS_MODULE_VERSION" \
  || die "could not build github.com/prometheus/prometheus/cmd/prometheus@$PROMETHEUS_MODULE_VERSION (GOPROXY=$(go env GOPROXY))."
reports "version $PROMETHEUS_MODULE_VERSION" "$bin/prometheus" --version || die "$bin/prometheus does not report $PROMETHEUS_MODULE_VERSION."
echo "install-prometheus: built prometheus $PROMETHEUS_MODULE_VERSION in $((SECONDS - start))s"
