#!/usr/bin/env bash
# The slow Go builds and checks of scripts/test.sh, one after the other, in the
# order the suite needs them, while the suite runs. Each writes its state to
# <status-dir>/<name>.status: "pending", "building", "ok" or "failed: ..."; the
# gates in tests/gates/ wait on these files. One at a time, so each build finds
# the Go build cache its predecessors filled (the CLI's packages serve the
# language hosts, the checks and the SDK compile).
#
#   bash scripts/background-builds.sh <status-dir>    # scripts/test.sh runs it
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
status_dir="$1"
# The gates wait for pulumi and pulumi-yaml, then for kube, go-checks and
# monitoring; nothing in the suite needs sdks, which comes last.
builds=(pulumi pulumi-yaml kube go-checks monitoring sdks)
echo "$$" >"$status_dir/pid"
for name in "${builds[@]}"; do echo pending >"$status_dir/$name.status"; done

# The Go checks of this project's language hosts, with the flags of their
# builds so the Go build cache of the CLI's build is reused; and of the
# Prometheus Operator types check (tests/monitoring/operator-types.test.ts
# runs its TestRenderedObjects on the rendered objects).
go_checks() {
  local dir
  for dir in scripts/pulumi-language-nodejs scripts/pulumi-sdkgen scripts/monitoring-types; do
    (cd "$dir" && CGO_ENABLED=0 go vet -trimpath ./... && CGO_ENABLED=0 go test -trimpath ./...) || return 1
  done
}

run() { # name: runs one build, records how it ended
  local name="$1" t=$SECONDS
  echo "building" >"$status_dir/$name.status"
  case "$name" in
    pulumi) bash scripts/install-pulumi.sh ;;
    pulumi-yaml) bash scripts/install-pulumi-yaml.sh ;;
    go-checks) go_checks ;;
    # The Python and Go SDKs generated from the schema with `pulumi package gen-sdk`, compiled.
    sdks) bash scripts/check-sdks.sh ;;
    # etcd, kube-apiserver, controller manager, scheduler, kubectl, kwok and
    # pulumi-resource-kubernetes, built from the Go module proxy (tests/kube).
    kube) bash scripts/install-kube.sh ;;
    # promtool, the chart's Prometheus exporter and the operator's CRDs (tests/monitoring, tests/kube).
    monitoring) bash scripts/install-promtool.sh ;;
  esac
  local rc=$?
  if [ "$rc" = 0 ]; then
    echo "ok" >"$status_dir/$name.status"
    echo "background-builds: $name took $((SECONDS - t))s"
  else
    echo "failed: exit $rc after $((SECONDS - t))s; see $status_dir/builds.log" >"$status_dir/$name.status"
    echo "background-builds: $name FAILED (exit $rc) after $((SECONDS - t))s"
  fi
  return "$rc"
}

for name in "${builds[@]}"; do
  if ! run "$name"; then
    for rest in "${builds[@]}"; do
      if grep -q '^pending' "$status_dir/$rest.status"; then
        echo "failed: not built, because $name failed; see $status_dir/builds.log" >"$status_dir/$rest.status"
      fi
    done
    exit 1
  fi
done
echo "background-builds: all done in ${SECONDS}s"
