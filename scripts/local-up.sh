#!/usr/bin/env bash
# The README's main command: on a fresh machine, installs what is needed
# (npm packages, nats-server, the Pulumi CLI built from Go modules), starts a
# local 3-node NATS cluster and runs `pulumi up` of the default program
# (Pulumi.yaml) with a local file backend and a passphrase secrets provider.
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
npm run build
bash scripts/local-cluster.sh start
. scripts/pulumi-env.sh
pulumi stack select --create local
pulumi config set servers "$(bash scripts/local-cluster.sh urls)"
pulumi config set --secret password "$(bash scripts/local-cluster.sh password)"
pulumi up --yes --diff
echo
echo "local-up: done in $((SECONDS - start))s. Next:"
echo "  . scripts/pulumi-env.sh && pulumi preview --diff      # nothing to change"
echo "  pulumi config set eventsMaxAge 14d && pulumi preview --diff   # an in-place update"
echo "  bash scripts/local-cluster.sh stop                     # stop the servers"
