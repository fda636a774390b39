#!/usr/bin/env bash
# Installs the Prometheus server into .cache/bin, built from the Go module proxy
# with the machine's Go (the same module version as promtool, so the build
# reuses promtool's compiled packages: about 3 minutes after install-promtool.sh).
# Only needed to re-render the dashboard pictures of docs/monitoring.md
# (tests/monitoring/render-dashboards.ts); the tests never run it.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/lib/reports.sh"
# The one pin: promtool's, in install-promtool.sh.
pinned="$(sed -n 's/^PROMETHEUS_MODULE_VERSION="${PROMETHEUS_MODULE_VERSION:-\(v[0-9.]*\)}"$/\1/p' "$root/scripts/install-promtool.sh")"
PROMETHEUS_MODULE_VERSION="${PROMETHEUS_MODULE_VERSION:-$pinned}"
[ -n "$PROMETHEUS_MODULE_VERSION" ] || { echo "install-prometheus: no PROMETHEUS_MODULE_VERSION in install-promtool.sh" >&2; exit 1; }
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
