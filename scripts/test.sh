#!/usr/bin/env bash
# The README's test command: installs everything the tests need on a fresh
# machine (Node.js >= 22 when the machine's is older, npm packages,
# nats-server, the NATS CLI, the Pulumi CLI, the YAML language host, a
# Kubernetes control plane and its Pulumi provider), then builds, lints and
# runs the whole suite. .ci/run runs exactly this. Each step prints its time;
# a later run reuses .cache/ and skips what is current.
#
# The slow Go builds (cold: about 40 minutes of CPU) run in the background
# while the suite starts: the first tests need only nats-server, and the suite
# leaves most of both cores idle. The builds write their state to
# .cache/builds/<name>.status; tests/gates/ waits for them at the point of the
# suite that needs them (.mocharc.json orders the files; docs/architecture.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
start=$SECONDS
step() { # runs a command, prints how long it took, returns its status
  local t=$SECONDS rc=0
  "$@" || rc=$?
  echo "test.sh: $* took $((SECONDS - t))s"
  return "$rc"
}
step bash scripts/install-node.sh
# The pinned Node.js (>= 22) first on PATH for npm, the tests and every Pulumi run.
. scripts/node-env.sh
step npm ci --no-audit --no-fund
step bash scripts/install-system-tools.sh
# --- background builds (scripts/background-builds.sh) ---------------------------
status_dir="$PWD/.cache/builds"
rm -rf "$status_dir"
mkdir -p "$status_dir"
# Niced, so the tests running meanwhile keep their pace; its own process group,
# so an interrupted run stops every build it started.
# (setsid is util-linux's; without it the builds share this script's group.)
own_group=()
if command -v setsid >/dev/null; then own_group=(setsid); fi
"${own_group[@]}" nice -n 10 bash scripts/background-builds.sh "$status_dir" >"$status_dir/builds.log" 2>&1 &
builds_pid=$!
# The statuses only mean something while this run lasts: a later `npm run
# test:only` must not wait on them.
forget_builds() { rm -f "$status_dir"/*.status "$status_dir/pid" "$status_dir/bin.ready"; }
trap 'kill -- -"$builds_pid" 2>/dev/null || kill "$builds_pid" 2>/dev/null || true; forget_builds' EXIT
echo "test.sh: background builds started (log $status_dir/builds.log)"

step bash scripts/install-nats.sh
step npm run build
# check-sdks, the last background build, generates the SDKs from bin/.
touch "$status_dir/bin.ready"
export PATH="$PWD/.cache/bin:$PATH"
step npm run lint
tests=0
step npm run test:only || tests=$?
builds=0
wait "$builds_pid" || builds=$?
trap - EXIT
forget_builds
echo "--- background builds ($status_dir/builds.log) ---"
cat "$status_dir/builds.log"
echo "test.sh: done in $((SECONDS - start))s"
[ "$builds" = 0 ] || { echo "test.sh: a background build failed (see above)" >&2; exit "$builds"; }
exit "$tests"
