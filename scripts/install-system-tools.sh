#!/usr/bin/env bash
# The system tools the tests and the local cluster use: openssl (certificates
# generated at test time) and curl (readiness checks of the local cluster).
# Both come with this machine's image; installed from Debian's packages only
# when missing.
set -euo pipefail
missing=()
for tool in openssl curl; do command -v "$tool" >/dev/null || missing+=("$tool"); done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-system-tools: installing ${missing[*]}"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq && apt-get install -y -qq "${missing[@]}"
else
  echo "install-system-tools: please install ${missing[*]} (e.g. apt-get install ${missing[*]})" >&2
  exit 1
fi
