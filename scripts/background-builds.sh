#!/usr/bin/env bash
# The slow Go builds and checks of scripts/test.sh, one after the other, in the
# order the suite needs them, while the suite runs. Each writes its state to
# <status-dir>/<name>.status: "pending", "building", "ok" or "failed: ..."; the
# gates in tests/gates/ wait on these files. One at a time, so each build finds
# the Go build cache its predecessors filled (the CLI's packages serve the
# language hosts, the checks and the SDK compile; the control plane's, built in
# scripts/kube-tools, serve the provider, promtool and the exporter, built in
# the same module).
#
#   bash scripts/background-builds.sh <status-dir>    # scripts/test.sh runs it
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
status_dir="$1"
# The gates (tests/gates) wait for pulumi and pulumi-yaml, then kube-plane,
# then kube-provider, then monitoring and go-checks. Nothing in the suite
# needs sdks, which comes last. The biggest builds come first: the tests that
# run after the last gate are the shortest.
builds=(pulumi pulumi-yaml kube-plane kube-provider monitoring go-checks sdks)
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

build() { # name: the build itself
  case "$1" in
    pulumi) bash scripts/install-pulumi.sh ;;
    pulumi-yaml) bash scripts/install-pulumi-yaml.sh ;;
    go-checks) go_checks ;;
    # The Python and Go SDKs generated from the schema with `pulumi package gen-sdk`, compiled.
    # It reads bin/, which test.sh builds meanwhile and then marks ready.
    sdks) until [ -e "$status_dir/bin.ready" ]; do sleep 1; done && bash scripts/check-sdks.sh ;;
    # etcd, kube-apiserver, controller manager, scheduler, kubectl and kwok,
    # built from the Go module proxy (tests/kube).
    kube-plane) bash scripts/install-kube.sh plane ;;
    # pulumi-resource-kubernetes (tests/kube's end-to-end tests through the CLI).
    kube-provider) bash scripts/install-kube.sh provider ;;
    # promtool, the chart's Prometheus exporter and the operator's CRDs (tests/monitoring, tests/kube).
    monitoring) bash scripts/install-promtool.sh ;;
  esac
}

# The CPU time (user + system, children included) beside the wall time: cold,
# the builds' CPU time is what bounds a whole run on 2 cores.
TIMEFORMAT="%R s wall, %U s user, %S s system"
run() { # name: runs one build, records how it ended
  local name="$1" t=$SECONDS rc=0
  echo "building" >"$status_dir/$name.status"
  { time build "$name" 2>&1; } 2>"$status_dir/$name.time" || rc=$?
  if [ "$rc" = 0 ]; then
    echo "ok" >"$status_dir/$name.status"
    echo "background-builds: $name took $(cat "$status_dir/$name.time")"
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
