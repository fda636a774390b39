#!/usr/bin/env bash
# Installs the pinned Node.js (scripts/node-env.sh) under .cache/node/<version>
# when the machine's `node` is missing or older than the supported minimum.
# The binary comes from the npm registry package node-linux-<arch> (the
# official build inside an npm package), fetched with `npm pack`, which checks
# the registry's integrity hash. npm itself stays the machine's: it runs under
# whichever `node` is first on PATH, which scripts/node-env.sh sets.
#
#   bash scripts/install-node.sh && . scripts/node-env.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=node-env.sh
. "$root/scripts/node-env.sh"
version="$PULUMI_NATS_NODE_VERSION"
dir="$root/.cache/node/$version"

die() { echo "install-node: $*" >&2; exit 1; }

if [ -x "$dir/bin/node" ] && [ "$("$dir/bin/node" --version)" = "v$version" ]; then
  echo "install-node: node v$version already in $dir/bin"
  exit 0
fi
machine="$(command -v node || true)"
if [ -n "$machine" ]; then
  major="$("$machine" -p 'process.versions.node.split(".")[0]')"
  if [ "$major" -ge "$PULUMI_NATS_NODE_MIN_MAJOR" ]; then
    echo "install-node: using the machine's node $("$machine" --version) ($machine; >= $PULUMI_NATS_NODE_MIN_MAJOR)"
    exit 0
  fi
fi
command -v npm >/dev/null || die "npm is needed to fetch node-linux-* v$version from the npm registry (apt-get install npm)."
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) die "no node-linux-* npm package for $(uname -m): install Node.js >= $PULUMI_NATS_NODE_MIN_MAJOR yourself." ;;
esac
have="missing"
[ -z "$machine" ] || have="$("$machine" --version) ($machine)"
echo "install-node: the machine's node is $have; installing node v$version from the npm package node-linux-$arch..."
start=$SECONDS
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "node-linux-$arch@$version" >/dev/null) \
  || die "npm pack node-linux-$arch@$version failed: is the npm registry reachable ($(npm config get registry))?"
tar -xzf "$tmp"/node-linux-"$arch"-"$version".tgz -C "$tmp" package/bin/node
mkdir -p "$dir/bin"
mv "$tmp/package/bin/node" "$dir/bin/node.partial"
chmod +x "$dir/bin/node.partial"
got="$("$dir/bin/node.partial" --version)"
[ "$got" = "v$version" ] || die "the binary from node-linux-$arch@$version reports $got."
mv "$dir/bin/node.partial" "$dir/bin/node"
echo "install-node: installed node $got in $dir/bin in $((SECONDS - start))s"
