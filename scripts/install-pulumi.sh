#!/usr/bin/env bash
# Builds the Pulumi CLI and a Node.js language host from Go modules (the Go
# module proxy), caches both in .cache/pulumi/bin, and links @pulumi/pulumi's
# dynamic-provider launcher (pulumi-resource-pulumi-nodejs) next to them.
#
#   bash scripts/install-pulumi.sh      # build once; later runs reuse the cache
#   . scripts/pulumi-env.sh             # then: PATH, PULUMI_HOME, offline settings
#
# Why a build: the npm package `pulumi` downloads the CLI from the internet at
# install time, which this machine cannot reach. The CLI is Go: a wrapper
# module under .cache/pulumi-build requires pkg/v3 and sdk/v3 at the pinned
# version, repeats their non-local replace directives, and builds the CLI's
# main package with `go build`. (`go install pkg@version` refuses modules with
# replace directives.)
#
# Why our own language host: upstream's pulumi-language-nodejs is a separate Go
# module (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3)
# that the Go module proxy here does not serve (403 "This module version is
# not available", for every version and pseudo-version tried). Ours is Go
# source in scripts/pulumi-language-nodejs (its own go.mod, tests and README),
# built here after the CLI and rebuilt alone when its source changes.
# See docs/pulumi-cli.md.
#
# Environment: PULUMI_VERSION overrides the pinned version;
# PULUMI_INSTALL_FORCE=1 rebuilds even if the cache is current.
set -euo pipefail

# --- pins ---------------------------------------------------------------------
# Same version as @pulumi/pulumi in package.json. The module proxy serves pkg/v3
# v3.252.0, v3.260.0, v3.274.0 and v3.274.1 (and older).
PULUMI_VERSION="${PULUMI_VERSION:-v3.260.0}"
# The Go minimum and the non-local replace directives are read from the go.mod
# files of pkg/v3 and sdk/v3 at that version (for v3.260.0: go 1.26.6,
# github.com/atotto/clipboard => github.com/tgummerer/clipboard
# v0.0.0-20241001131231-d02d263e614e, golang.org/x/text => golang.org/x/text
# v0.39.0); the wrapper module must repeat the replaces, or the build picks
# other versions than the release was tested with.
VERSION_VAR="github.com/pulumi/pulumi/sdk/v3/go/common/version.Version"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/.cache/pulumi/bin"
build="$root/.cache/pulumi-build"
host_dir="$root/scripts/pulumi-language-nodejs"
host_stamp="$bin/.pulumi-language-nodejs.stamp" # hash of the host's go.mod, go.sum and sources

die() {
  echo "install-pulumi: $*" >&2
  exit 1
}

# Links @pulumi/pulumi's launchers into the bin dir: the engine looks for
# pulumi-resource-pulumi-nodejs (the dynamic provider) on PATH or next to the
# pulumi binary. The launcher resolves @pulumi/pulumi from the program's
# directory at run time, so one link serves every program.
link_launchers() {
  local sdk="$root/node_modules/@pulumi/pulumi" f
  if [ ! -d "$sdk" ]; then
    echo "install-pulumi: warning: $sdk is missing (run npm ci); pulumi-resource-pulumi-nodejs not linked" >&2
    return
  fi
  local have
  have="$(node -p 'require(process.argv[1]).version' "$sdk/package.json" 2>/dev/null || true)"
  if [ -n "$have" ] && [ "v$have" != "$PULUMI_VERSION" ]; then
    echo "install-pulumi: warning: node_modules has @pulumi/pulumi $have, the CLI is $PULUMI_VERSION" >&2
  fi
  for f in "$sdk"/pulumi-resource-* "$sdk"/pulumi-analyzer-*; do
    [ -f "$f" ] || continue
    case "$f" in *.cmd) continue ;; esac
    ln -sfn "$f" "$bin/$(basename "$f")"
  done
}

# The language host from scripts/pulumi-language-nodejs, rebuilt when the hash
# of its module files changes (tests excluded: they do not change the binary).
host_hash() {
  (cd "$host_dir" && find . -maxdepth 1 \( -name '*.go' ! -name '*_test.go' -o -name go.mod -o -name go.sum \) \
    | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)
}
build_host() {
  local want host_start=$SECONDS
  want="$(host_hash)"
  if [ "${PULUMI_INSTALL_FORCE:-}" != "1" ] && [ -x "$bin/pulumi-language-nodejs" ] \
    && [ "$(cat "$host_stamp" 2>/dev/null || true)" = "$want" ]; then
    echo "install-pulumi: pulumi-language-nodejs (source $want) already in $bin"
    return
  fi
  command -v go >/dev/null || die "Go is needed to build pulumi-language-nodejs and there is no go on PATH."
  local sdk_version
  sdk_version="$(cd "$host_dir" && go list -m -f '{{.Version}}' github.com/pulumi/pulumi/sdk/v3)"
  [ "$sdk_version" = "$PULUMI_VERSION" ] \
    || echo "install-pulumi: warning: scripts/pulumi-language-nodejs/go.mod requires sdk/v3 $sdk_version, the CLI is $PULUMI_VERSION" >&2
  echo "install-pulumi: building pulumi-language-nodejs from scripts/pulumi-language-nodejs..."
  (cd "$host_dir" && CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X $VERSION_VAR=$sdk_version" -o "$bin/pulumi-language-nodejs.partial" .) \
    || die "go build failed in $host_dir (see above): is the Go module proxy reachable (GOPROXY=$(go env GOPROXY))?"
  mv "$bin/pulumi-language-nodejs.partial" "$bin/pulumi-language-nodejs"
  echo "$want" >"$host_stamp"
  echo "install-pulumi: built pulumi-language-nodejs in $((SECONDS - host_start))s ($(du -sh "$bin/pulumi-language-nodejs" | cut -f1))"
}

mkdir -p "$bin"

if [ "${PULUMI_INSTALL_FORCE:-}" != "1" ] && [ -x "$bin/pulumi" ] \
  && [ "$("$bin/pulumi" version 2>/dev/null || true)" = "$PULUMI_VERSION" ]; then
  echo "install-pulumi: pulumi $PULUMI_VERSION already in $bin"
  build_host
  link_launchers
  exit 0
fi

# --- what the release needs: its go.mod files ------------------------------------
echo "install-pulumi: building pulumi $PULUMI_VERSION (a cold build takes several minutes)..."
start=$SECONDS
command -v go >/dev/null || die "Go is needed to build the Pulumi CLI (v3.260.0 needs Go >= 1.26.6) and there is no go on PATH."
mkdir -p "$build"
gomods=()
for m in pkg sdk; do
  mod="github.com/pulumi/pulumi/$m/v3@$PULUMI_VERSION"
  f="$(cd / && go mod download -json "$mod" 2>/dev/null | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p' || true)"
  [ -n "$f" ] && [ -f "$f" ] \
    || die "cannot download $mod: is the Go module proxy reachable (GOPROXY=$(go env GOPROXY))? It serves pkg/v3 v3.252.0, v3.260.0, v3.274.0, v3.274.1; set PULUMI_VERSION to one of them."
  gomods+=("$f")
done
go_min="$(awk '$1 == "go" { print $2 }' "${gomods[@]}" | sort -V | tail -n 1)"
# "replace OLD [VERSION] => NEW VERSION" lines, single or in blocks; local
# replaces ("=> ../sdk") are left out: the wrapper requires the released module.
replaces="$(awk '/^replace[ \t]*\(/ { b = 1; next } b && /^\)/ { b = 0; next } b { print; next }
    /^replace[ \t]/ { sub(/^replace[ \t]+/, ""); print }' "${gomods[@]}" \
  | awk -F'=>' '{ k = split($2, n, " "); gsub(/^[ \t]+|[ \t]+$/, "", $1); if (k == 2) print $1 " => " n[1] " " n[2] }' \
  | sort -u)"
dupes="$(printf '%s\n' "$replaces" | awk 'NF { print $1 }' | sort | uniq -d)"
[ -z "$dupes" ] || die "pkg/v3 and sdk/v3 $PULUMI_VERSION replace $dupes differently; pick the replacement by hand in this script."

# --- checks ---------------------------------------------------------------------
go_have="$(go env GOVERSION)" # e.g. go1.26.8
if [ "$(printf '%s\n%s\n' "go$go_min" "$go_have" | sort -V | head -n 1)" != "go$go_min" ]; then
  die "pulumi $PULUMI_VERSION needs Go >= $go_min, this is $go_have. Install a newer Go, or export GOTOOLCHAIN=go$go_min (the go command fetches it from the Go module proxy)."
fi
echo "install-pulumi: Go $go_have (>= $go_min); replaces: $(printf '%s' "$replaces" | tr '\n' ';')"

# --- wrapper module -------------------------------------------------------------
{
  echo "// Generated by scripts/install-pulumi.sh: builds the Pulumi CLI from Go modules."
  echo "module pulumi-nats.local/pulumi-build"
  echo
  echo "go $go_min"
  echo
  echo "require ("
  echo "	github.com/pulumi/pulumi/pkg/v3 $PULUMI_VERSION"
  echo "	github.com/pulumi/pulumi/sdk/v3 $PULUMI_VERSION"
  echo ")"
  echo
  printf '%s\n' "$replaces" | awk 'NF { print "replace " $0 }'
  echo
  echo "tool github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
} >"$build/go.mod"
rm -f "$build/go.sum"
rm -rf "$build/cmd" # where older versions of this script wrote the language host

cd "$build"
export CGO_ENABLED=0
# Resolves the whole dependency graph (downloads from the module proxy once;
# verified against the checksum database).
go mod tidy \
  || die "go mod tidy failed in $build: is the Go module proxy reachable (GOPROXY=$(go env GOPROXY))? Does it serve github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION? Try another PULUMI_VERSION."
# tidy must not move the pins: MVS could raise sdk/v3 if something needed more.
for m in github.com/pulumi/pulumi/pkg/v3 github.com/pulumi/pulumi/sdk/v3; do
  got="$(go list -m -f '{{.Version}}' "$m")"
  [ "$got" = "$PULUMI_VERSION" ] || die "$m resolved to $got, not $PULUMI_VERSION: pin both to one release."
done

# -p follows the core count by default. -trimpath and -s -w keep the binaries small and
# reproducible; the version is set at link time (otherwise `pulumi version`
# prints nothing and plugin version checks misbehave).
go build -trimpath \
  -ldflags "-s -w -X $VERSION_VAR=$PULUMI_VERSION" \
  -o "$bin/" \
  github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
  || die "go build failed in $build (see above). Try: PULUMI_INSTALL_FORCE=1 with another PULUMI_VERSION (the proxy serves v3.252.0, v3.260.0, v3.274.0, v3.274.1), or check free disk space for the Go build cache ($(go env GOCACHE))."

got="$("$bin/pulumi" version 2>/dev/null || true)"
[ "$got" = "$PULUMI_VERSION" ] || die "$bin/pulumi reports version '$got', expected $PULUMI_VERSION."
echo "install-pulumi: built pulumi $PULUMI_VERSION in $((SECONDS - start))s ($(du -sh "$bin/pulumi" | cut -f1))"
build_host
link_launchers
