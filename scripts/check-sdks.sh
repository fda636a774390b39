#!/usr/bin/env bash
# Generates the Python and Go SDKs of the JetStream resources from the schema
# with `pulumi package gen-sdk` (the CLI in .cache/pulumi/bin) and compiles
# them: Python with `python3 -m compileall`, Go with `go build ./...` in the
# generated module (its go.mod comes from the schema's go.modulePath).
#
# The schema is schema.json without NatsCluster (write-schema.js
# --jetstream-only): NatsCluster's `platform.kubernetes.provider` refers to the
# kubernetes package, whose schema gen-sdk would load from the kubernetes
# plugin v4.34.2 (see docs/other-languages.md).
#
# gen-sdk asks a language host to generate; the official Python and Go hosts
# cannot be built here (the Go module proxy refuses them), so this script
# builds scripts/pulumi-sdkgen (pkg/v3's own Python and Go generators behind
# the GeneratePackage call) into .cache/pulumi/sdkgen-bin and puts it on PATH
# for these runs only. .NET: no dotnet SDK and no .NET language host can be
# installed from the registries this project uses, so it is not generated.
#
#   bash scripts/check-sdks.sh [out-dir]    # after npm run build; default: a temp dir
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
. scripts/node-env.sh
. scripts/pulumi-env.sh

die() { echo "check-sdks: $*" >&2; exit 1; }
step() { # label, start
  echo "check-sdks: $1 in $((SECONDS - $2))s"
}

[ -f bin/sdk/codegen/write-schema.js ] || die "bin/ is not built: run npm run build first."
command -v pulumi >/dev/null || die "the Pulumi CLI is missing: run bash scripts/install-pulumi.sh."
command -v python3 >/dev/null || die "python3 is needed to compile the Python SDK (apt-get install python3)."

# --- the codegen host, rebuilt when its source changes ----------------------------
src="$root/scripts/pulumi-sdkgen"
hosts="$root/.cache/pulumi/sdkgen-bin"
want="$(cd "$src" && find . -maxdepth 1 \( -name '*.go' ! -name '*_test.go' -o -name go.mod -o -name go.sum \) \
  | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)"
if [ ! -x "$hosts/pulumi-sdkgen" ] || [ "$(cat "$hosts/.stamp" 2>/dev/null || true)" != "$want" ]; then
  start=$SECONDS
  mkdir -p "$hosts"
  (cd "$src" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$hosts/pulumi-sdkgen.partial" .) \
    || die "go build failed in $src (see above)."
  mv "$hosts/pulumi-sdkgen.partial" "$hosts/pulumi-sdkgen"
  ln -sfn pulumi-sdkgen "$hosts/pulumi-language-python"
  ln -sfn pulumi-sdkgen "$hosts/pulumi-language-go"
  echo "$want" >"$hosts/.stamp"
  step "built scripts/pulumi-sdkgen" "$start"
fi

out="${1:-$(mktemp -d)}"
mkdir -p "$out"
node bin/sdk/codegen/write-schema.js --jetstream-only "$out/schema.json"

for language in python go; do
  start=$SECONDS
  PATH="$hosts:$PATH" pulumi package gen-sdk "$out/schema.json" --language "$language" --out "$out/sdk"
  step "generated the $language SDK ($(find "$out/sdk/$language" -type f | wc -l) files)" "$start"
done

start=$SECONDS
python3 -m compileall -q "$out/sdk/python" >/dev/null || die "the generated Python SDK does not compile (see above)."
step "compiled the Python SDK ($(python3 --version))" "$start"

start=$SECONDS
# The generated go.mod requires the sdk/v3 its generator was written for
# (v3.256.0). Build it against the module versions of the CLI's release
# instead (those of scripts/pulumi-sdkgen, pinned like the CLI, replaces
# included), whose packages the CLI's build left in the Go build cache (same
# flags); otherwise the first run downloads and compiles another sdk/v3 and
# its dependencies (15 min measured on a loaded 2-core machine).
sdk_version="$(pulumi version)"
pins=()
while read -r path version; do pins+=("-require=$path@$version"); done \
  < <(cd "$src" && go list -m -f '{{if not .Main}}{{.Path}} {{.Version}}{{end}}' all | awk 'NF == 2')
while read -r old new version; do pins+=("-replace=$old=$new@$version"); done \
  < <(awk '$1 == "replace" && $3 == "=>" { print $2, $4, $5 }' "$src/go.mod")
(cd "$out/sdk/go" && go mod edit "${pins[@]}" \
  && go mod tidy && echo "check-sdks: $(head -n 1 go.mod), sdk/v3 $(go list -m -f '{{.Version}}' github.com/pulumi/pulumi/sdk/v3)" \
  && CGO_ENABLED=0 go build -trimpath ./...) \
  || die "the generated Go SDK does not build (see above)."
step "built the Go SDK ($(go env GOVERSION))" "$start"
echo "check-sdks: .NET not generated: no dotnet SDK or .NET language host installs from this project's registries"
echo "check-sdks: SDKs in $out/sdk"
