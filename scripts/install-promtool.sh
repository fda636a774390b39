#!/usr/bin/env bash
# Installs what the monitoring tests need, all from the Go module proxy:
# - promtool (Prometheus' rule unit tester) into .cache/bin, built in
#   scripts/kube-tools beside the control plane (same module graph, so the
#   packages they share compile once), without Prometheus' service-discovery
#   plugins (tag remove_all_sd: `promtool test rules` never uses them);
# - prometheus-nats-exporter into .cache/bin, the version the chart deploys,
#   for tests/monitoring/exporter.test.ts: every metric name the rules use is
#   exported. Its pin in scripts/kube-tools/go.mod must equal EXPORTER_VERSION
#   in sdk/cluster/monitoring/metrics.ts, which this script checks;
# - the Prometheus Operator's CRDs (PodMonitor, PrometheusRule...) copied from
#   the operator's root module into .cache/monitoring-crds/, for
#   tests/kube/monitoring.test.ts (never committed).
# Skips each step when the cached copy already has the pinned version.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/lib/reports.sh"
. "$root/scripts/lib/kube-tools.sh"
die() { echo "install-promtool: $*" >&2; exit 1; }

# Prometheus 3.16.0 (the Go module carries v0.<minor*100+...>; 3.x.y => v0.3xx.y).
PROMETHEUS_MODULE_VERSION="$(kube_tools_version github.com/prometheus/prometheus)"
EXPORTER_MODULE_VERSION="$(kube_tools_version github.com/nats-io/prometheus-nats-exporter)"
# The operator's root module: v0.95.x is refused by the proxy (403), v0.94.0 is
# served. Its CRDs match the v0.95 Go types of scripts/monitoring-types for every
# field this project writes.
OPERATOR_CRD_VERSION="v0.94.0"

# The exporter the component deploys and the one the tests build must be one.
metrics_ts="$root/sdk/cluster/monitoring/metrics.ts"
EXPORTER_VERSION="v$(sed -n 's/^export const EXPORTER_VERSION = "\(.*\)";$/\1/p' "$metrics_ts")"
[ "$EXPORTER_VERSION" = "$EXPORTER_MODULE_VERSION" ] \
  || die "sdk/cluster/monitoring/metrics.ts deploys exporter $EXPORTER_VERSION but scripts/kube-tools/go.mod requires github.com/nats-io/prometheus-nats-exporter $EXPORTER_MODULE_VERSION: make them equal (then run \`go mod tidy\` in scripts/kube-tools)."
bin="$root/.cache/bin"
crds="$root/.cache/monitoring-crds"
mkdir -p "$bin"

command -v go >/dev/null || die "Go is needed to build promtool (apt-get install golang)."

if [ -x "$bin/promtool" ] && reports "version $PROMETHEUS_MODULE_VERSION" "$bin/promtool" --version; then
  echo "install-promtool: promtool $PROMETHEUS_MODULE_VERSION already in $bin/promtool"
else
  echo "install-promtool: building promtool $PROMETHEUS_MODULE_VERSION in scripts/kube-tools..."
  start=$SECONDS
  kube_tools_build -ldflags="-s -w -X github.com/prometheus/common/version.Version=$PROMETHEUS_MODULE_VERSION" \
    -o "$bin/promtool" github.com/prometheus/prometheus/cmd/promtool \
    || die "could not build github.com/prometheus/prometheus/cmd/promtool $PROMETHEUS_MODULE_VERSION (GOPROXY=$(go env GOPROXY))."
  reports "version $PROMETHEUS_MODULE_VERSION" "$bin/promtool" --version \
    || die "$bin/promtool does not report $PROMETHEUS_MODULE_VERSION."
  echo "install-promtool: built promtool $PROMETHEUS_MODULE_VERSION in $((SECONDS - start))s"
fi

if [ -x "$bin/prometheus-nats-exporter" ] && reports "$EXPORTER_VERSION" "$bin/prometheus-nats-exporter" -version; then
  echo "install-promtool: prometheus-nats-exporter $EXPORTER_VERSION already in $bin"
else
  echo "install-promtool: building prometheus-nats-exporter $EXPORTER_VERSION in scripts/kube-tools..."
  start=$SECONDS
  kube_tools_build -ldflags="-s -w -X main.version=$EXPORTER_VERSION" \
    -o "$bin/prometheus-nats-exporter" github.com/nats-io/prometheus-nats-exporter \
    || die "could not build prometheus-nats-exporter $EXPORTER_VERSION (GOPROXY=$(go env GOPROXY))."
  reports "$EXPORTER_VERSION" "$bin/prometheus-nats-exporter" -version \
    || die "$bin/prometheus-nats-exporter does not report $EXPORTER_VERSION."
  echo "install-promtool: built prometheus-nats-exporter $EXPORTER_VERSION in $((SECONDS - start))s"
fi

if [ -f "$crds/VERSION" ] && [ "$(cat "$crds/VERSION")" = "$OPERATOR_CRD_VERSION" ]; then
  echo "install-promtool: operator CRDs $OPERATOR_CRD_VERSION already in $crds"
else
  dir="$(kube_tools_module_dir "github.com/prometheus-operator/prometheus-operator@$OPERATOR_CRD_VERSION")" \
    || die "could not read the operator's module (see above)."
  [ -d "$dir/example/prometheus-operator-crd" ] \
    || die "github.com/prometheus-operator/prometheus-operator@$OPERATOR_CRD_VERSION has no example/prometheus-operator-crd."
  rm -rf "$crds" && mkdir -p "$crds"
  cp "$dir"/example/prometheus-operator-crd/monitoring.coreos.com_{podmonitors,prometheusrules}.yaml "$crds/"
  chmod u+w "$crds"/*.yaml
  echo "$OPERATOR_CRD_VERSION" >"$crds/VERSION"
  echo "install-promtool: operator CRDs $OPERATOR_CRD_VERSION copied to $crds"
fi
