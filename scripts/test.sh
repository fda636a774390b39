#!/usr/bin/env bash
# The README's test command: installs everything the tests need on a fresh
# machine (npm packages, nats-server, the NATS CLI, the Pulumi CLI), then
# builds, lints and runs the whole suite. .ci/run runs exactly this.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
start=$SECONDS
npm ci --no-audit --no-fund
bash scripts/install-system-tools.sh
bash scripts/install-nats.sh
bash scripts/install-pulumi.sh
echo "test.sh: installed in $((SECONDS - start))s"
export PATH="$PWD/.cache/bin:$PATH"
npm test
echo "test.sh: done in $((SECONDS - start))s"
