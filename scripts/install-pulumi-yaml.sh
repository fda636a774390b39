#!/usr/bin/env bash
# Builds Pulumi's YAML language host (github.com/pulumi/pulumi-yaml, pinned in
# scripts/pulumi-language-yaml/go.mod) from the Go module proxy into
# .cache/pulumi/bin/pulumi-language-yaml, next to the CLI, so `pulumi up` runs
# YAML programs (tests/e2e/yaml.test.ts, examples/yaml).
#
# Why its own module: pulumi-yaml v1.25.0 is written against pkg/v3 v3.206 and
# does not compile inside the CLI's v3.260 wrapper module; built as its
# maintainers build it (its own requirements), it works with the v3.260 CLI.
# Rebuilt when the hash of that go.mod and go.sum changes (stamp
# .cache/pulumi/bin/.pulumi-language-yaml.stamp); PULUMI_INSTALL_FORCE=1
# rebuilds anyway.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/scripts/pulumi-language-yaml"
bin="$root/.cache/pulumi/bin"
stamp="$bin/.pulumi-language-yaml.stamp"

die() { echo "install-pulumi-yaml: $*" >&2; exit 1; }

want="$(cd "$src" && cat go.mod go.sum | sha256sum | cut -c1-16)"
if [ "${PULUMI_INSTALL_FORCE:-}" != "1" ] && [ -x "$bin/pulumi-language-yaml" ] \
  && [ "$(cat "$stamp" 2>/dev/null || true)" = "$want" ]; then
  echo "install-pulumi-yaml: pulumi-language-yaml (go.mod $want) already in $bin"
  exit 0
fi
command -v go >/dev/null || die "Go is needed to build pulumi-language-yaml and there is no go on PATH."
version="$(cd "$src" && go list -m -f '{{.Version}}' github.com/pulumi/pulumi-yaml)" \
  || die "cannot resolve github.com/pulumi/pulumi-yaml from $src/go.mod: is the Go module proxy reachable (GOPROXY=$(go env GOPROXY))?"
echo "install-pulumi-yaml: building pulumi-language-yaml $version (about 1-5 min cold)..."
start=$SECONDS
mkdir -p "$bin"
(cd "$src" && CGO_ENABLED=0 go build -trimpath \
  -ldflags "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=$version" \
  -o "$bin/pulumi-language-yaml.partial" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml) \
  || die "go build failed in $src (see above): is the Go module proxy reachable (GOPROXY=$(go env GOPROXY))?"
mv "$bin/pulumi-language-yaml.partial" "$bin/pulumi-language-yaml"
echo "$want" >"$stamp"
echo "install-pulumi-yaml: built pulumi-language-yaml $version in $((SECONDS - start))s ($(du -sh "$bin/pulumi-language-yaml" | cut -f1))"
