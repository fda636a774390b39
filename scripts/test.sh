#!/usr/bin/env bash
# The README's test command: installs everything the tests need on a fresh
# machine (Node.js >= 22 when the machine's is older, npm packages,
# nats-server, the NATS CLI, the Pulumi CLI), then builds, lints and runs the
# whole suite. .ci/run runs exactly this. The Kubernetes control plane
# (scripts/install-kube.sh, tests/kube) joins it once its tests pass: see
# tests/kube/README.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
start=$SECONDS
# The pinned Node.js (>= 22) first on PATH for npm, the tests and every Pulumi run.
bash scripts/install-node.sh
. scripts/node-env.sh
npm ci --no-audit --no-fund
bash scripts/install-system-tools.sh
bash scripts/install-nats.sh
bash scripts/install-pulumi.sh
bash scripts/install-pulumi-yaml.sh
echo "test.sh: installed in $((SECONDS - start))s"
# The Go checks of this project's language hosts, with the flags of their
# builds so the Go build cache of the CLI's build is reused.
for dir in scripts/pulumi-language-nodejs scripts/pulumi-sdkgen; do
  (cd "$dir" && CGO_ENABLED=0 go vet -trimpath ./... && CGO_ENABLED=0 go test -trimpath ./...)
done
# The Python and Go SDKs generated from the schema with `pulumi package gen-sdk`, compiled.
npm run build
bash scripts/check-sdks.sh
export PATH="$PWD/.cache/bin:$PATH"
npm test
echo "test.sh: done in $((SECONDS - start))s"
