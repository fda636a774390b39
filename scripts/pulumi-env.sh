# Source this file (bash): `. scripts/pulumi-env.sh`
# Sets up the Pulumi CLI built by scripts/install-pulumi.sh for offline use:
# PATH (the CLI, the language host and the dynamic-provider launcher in
# .cache/pulumi/bin), PULUMI_HOME, a local file backend and a passphrase
# under .cache/pulumi, and the switches that keep the CLI from reaching the
# network (update check, plugin downloads, Automation API version check).
# Values already set in the environment win, except PATH and the offline
# switches.

_pulumi_nats_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# The pinned Node.js (scripts/node-env.sh, installed by scripts/install-node.sh
# when the machine's is older): the language host, the plugin and the
# dynamic provider run under the `node` first on PATH.
. "$_pulumi_nats_root/scripts/node-env.sh"

# The CLI, pulumi-language-nodejs and pulumi-resource-pulumi-nodejs (a link to
# node_modules/@pulumi/pulumi's launcher). The engine finds language hosts and
# provider plugins on PATH ("ambient" plugins) or next to the pulumi binary.
case ":$PATH:" in
  *":$_pulumi_nats_root/.cache/pulumi/bin:"*) ;;
  *) export PATH="$_pulumi_nats_root/.cache/pulumi/bin:$PATH" ;;
esac

# Plugins, credentials and workspace settings, kept out of ~/.pulumi.
export PULUMI_HOME="${PULUMI_HOME:-$_pulumi_nats_root/.cache/pulumi/home}"
# A local file backend: no Pulumi Cloud login.
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$_pulumi_nats_root/.cache/pulumi/state}"
# Secrets provider passphrase for local stacks (not a secret: test stacks only).
if [ -z "${PULUMI_CONFIG_PASSPHRASE+x}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  export PULUMI_CONFIG_PASSPHRASE="pulumi-nats-local"
fi

# Offline: no update check, no plugin downloads, no version check of the CLI
# by the Automation API.
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true

mkdir -p "$PULUMI_HOME"
case "$PULUMI_BACKEND_URL" in
  file://*) mkdir -p "${PULUMI_BACKEND_URL#file://}" ;;
esac
unset _pulumi_nats_root
