#!/usr/bin/env bash
# Installs the pinned nats-server and NATS CLI into .cache/bin, building them
# from the Go module proxy with the machine's Go. Skips a build when the cached
# binary already reports the pinned version; falls back to a binary on PATH of
# the same version. Fails with a message saying what to do otherwise.
set -euo pipefail

# nats-server matches the NATS Helm chart the component deploys (chart version
# == server version since chart 2.12); keep in sync with DEFAULT_CHART_VERSION in sdk/cluster/plan/plan.ts.
NATS_SERVER_VERSION="${NATS_SERVER_VERSION:-v2.14.2}"
NATS_CLI_VERSION="${NATS_CLI_VERSION:-v0.5.0}"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/lib/reports.sh"
bin="$root/.cache/bin"
mkdir -p "$bin"

die() { echo "install-nats: $*" >&2; exit 1; }

have_version() { # binary, version-string
  [ -x "$1" ] && reports "${2#v}" "$1" --version
}

install_one() { # name, module, version, binary-name
  local name="$1" module="$2" version="$3" binary="$4" target="$bin/$4"
  if have_version "$target" "$version"; then
    echo "install-nats: $name $version already in $target"
    return
  fi
  local onpath
  onpath="$(command -v "$binary" || true)"
  if [ -n "$onpath" ] && [ "$onpath" != "$target" ] && have_version "$onpath" "$version"; then
    ln -sf "$onpath" "$target"
    echo "install-nats: using $name $version from $onpath"
    return
  fi
  command -v go >/dev/null || die "Go is needed to build $name $version (apt-get install golang, or put $binary $version on PATH)."
  echo "install-nats: building $name $version from the Go module proxy..."
  local start=$SECONDS
  GOBIN="$bin" CGO_ENABLED=0 go install -trimpath -ldflags="-s -w" "$module@$version" \
    || die "could not build $module@$version: check that the Go module proxy is reachable (GOPROXY=$(go env GOPROXY))."
  have_version "$target" "$version" || die "$target does not report version $version after the build."
  echo "install-nats: built $name $version in $((SECONDS - start))s"
}

install_one nats-server github.com/nats-io/nats-server/v2 "$NATS_SERVER_VERSION" nats-server
install_one "NATS CLI" github.com/nats-io/natscli/nats "$NATS_CLI_VERSION" nats
