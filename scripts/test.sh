#!/usr/bin/env bash
# The README's test command: installs everything the tests need on a fresh
# machine (Node.js >= 22 when the machine's is older, npm packages,
# nats-server, the NATS CLI, the Pulumi CLI, the YAML language host, a
# Kubernetes control plane and its Pulumi provider), then builds, lints and
# runs the whole suite. .ci/run runs exactly this. Each step prints its time;
# a later run reuses .cache/ and skips what is current.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
start=$SECONDS
# The pinned Node.js (>= 22) first on PATH for npm, the tests and every Pulumi run.
step() { # runs a command and prints how long it took
  local t=$SECONDS
  "$@"
  echo "test.sh: $* took $((SECONDS - t))s"
}
step bash scripts/install-node.sh
. scripts/node-env.sh
step npm ci --no-audit --no-fund
step bash scripts/install-system-tools.sh
step bash scripts/install-nats.sh
step bash scripts/install-pulumi.sh
step bash scripts/install-pulumi-yaml.sh
# etcd, kube-apiserver, controller manager, scheduler, kubectl, kwok and
# pulumi-resource-kubernetes, built from the Go module proxy (tests/kube).
step bash scripts/install-kube.sh
# promtool, the chart's Prometheus exporter and the operator's CRDs (tests/monitoring, tests/kube).
step bash scripts/install-promtool.sh
echo "test.sh: installed in $((SECONDS - start))s"
# The Go checks of this project's language hosts, with the flags of their
# builds so the Go build cache of the CLI's build is reused; and of the
# Prometheus Operator types check (tests/monitoring/operator-types.test.ts
# runs its TestRenderedObjects on the rendered objects).
go_checks() {
  local dir
  for dir in scripts/pulumi-language-nodejs scripts/pulumi-sdkgen scripts/monitoring-types; do
    (cd "$dir" && CGO_ENABLED=0 go vet -trimpath ./... && CGO_ENABLED=0 go test -trimpath ./...)
  done
}
step go_checks
step npm run build
# The Python and Go SDKs generated from the schema with `pulumi package gen-sdk`, compiled.
step bash scripts/check-sdks.sh
export PATH="$PWD/.cache/bin:$PATH"
step npm test
echo "test.sh: done in $((SECONDS - start))s"
