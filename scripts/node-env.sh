# Source this file (bash): `. scripts/node-env.sh`
# The one pin of the Node.js version this project runs on, and the PATH entry
# that makes every script, test, `npm` and Pulumi CLI run (language host,
# plugin, dynamic provider) use it. scripts/install-node.sh installs it under
# .cache/node/<version> from the npm registry package node-linux-<arch> when
# the machine's Node is older than PULUMI_NATS_NODE_MIN_MAJOR (package.json's
# engines: @pulumi/pulumi 3.260 and @nats-io/nuid 3 need Node >= 22).

# Node 24 is the Active LTS; keep in sync with nothing else: scripts read it here.
PULUMI_NATS_NODE_VERSION=24.22.3
PULUMI_NATS_NODE_MIN_MAJOR=22

_pulumi_nats_node_bin="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.cache/node/$PULUMI_NATS_NODE_VERSION/bin"
if [ -x "$_pulumi_nats_node_bin/node" ]; then
  case ":$PATH:" in
    *":$_pulumi_nats_node_bin:"*) ;;
    *) export PATH="$_pulumi_nats_node_bin:$PATH" ;;
  esac
fi
unset _pulumi_nats_node_bin
