# Sourced by the install scripts that build from scripts/kube-tools, the one
# Go module holding the pins of the control plane, kwok, promtool and the NATS
# exporter (docs/kube-local.md says why they share one module graph).
#
#   kube_tools_dir                  the module's directory
#   kube_tools_version MODULE       the version its go.mod requires of MODULE
#   kube_tools_hash                 a short hash of go.mod and go.sum: a stamp
#                                   that changes whenever any pin does
#   kube_tools_module_dir MOD@VER   that module's directory in Go's module
#                                   cache (downloads it)
#   kube_tools_provider_source      where go.mod's replace puts the provider's
#                                   source (an absolute path)
#   kube_tools_prepare              puts the provider's source where the
#                                   module's replace points (below)
#   kube_tools_build ARGS...        `go build` in the module, with the flags
#                                   every build from it shares (prepares first)
kube_tools_dir() {
  printf '%s\n' "$(cd "$(dirname "${BASH_SOURCE[0]}")/../kube-tools" && pwd)"
}

kube_tools_version() {
  local v
  v="$(awk -v m="$1" '$1 == m && $2 ~ /^v/ { print $2; exit }' "$(kube_tools_dir)/go.mod")"
  [ -n "$v" ] || {
    echo "kube-tools: scripts/kube-tools/go.mod requires no $1" >&2
    return 1
  }
  printf '%s\n' "$v"
}

kube_tools_module_dir() {
  local d
  d="$(cd / && go mod download -json "$1" 2>/dev/null \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p' || true)"
  [ -n "$d" ] && [ -d "$d" ] || {
    echo "kube-tools: cannot download $1: is the Go module proxy reachable (GOPROXY=$(go env GOPROXY))?" >&2
    return 1
  }
  printf '%s\n' "$d"
}

kube_tools_hash() {
  local dir
  dir="$(kube_tools_dir)"
  cat "$dir/go.mod" "$dir/go.sum" | sha256sum | cut -c1-16
}

# The module replaces pulumi-kubernetes' provider module with a copy of it in
# .cache/kube-build/provider-source: its zip lacks the two JSON files the
# plugin embeds (install-kube.sh writes them there), and one import needs
# changing. Until the copy exists, no go command works in the module, since
# go loads every replaced module's go.mod.
KUBE_TOOLS_PROVIDER_MODULE="github.com/pulumi/pulumi-kubernetes/provider/v4"
# Raised by go.mod from v0.46.0 to v0.78.0, fluxcd/pkg/ssa hands the provider
# field sets of sigs.k8s.io/structured-merge-diff/v6 (what k8s.io v0.37 uses),
# where the provider's pkg/await/await.go names v4's: its import is rewritten
# to v6. The two versions' fieldpath.Set has the same API; only the import
# path differs. Bump the stamp when this edit changes.
KUBE_TOOLS_PROVIDER_EDIT="await.go structured-merge-diff v4->v6"
kube_tools_provider_source() {
  local dir rel
  dir="$(kube_tools_dir)"
  rel="$(awk -v m="$KUBE_TOOLS_PROVIDER_MODULE" '$1 == m && $2 == "=>" { print $3; exit }' "$dir/go.mod")"
  [ -n "$rel" ] || {
    echo "kube-tools: scripts/kube-tools/go.mod has no replace for $KUBE_TOOLS_PROVIDER_MODULE" >&2
    return 1
  }
  printf '%s\n' "$(realpath -m "$dir/$rel")"
}

kube_tools_prepare() {
  local dest version stamp src await tmp
  dest="$(kube_tools_provider_source)" || return 1
  version="$(kube_tools_version "$KUBE_TOOLS_PROVIDER_MODULE")" || return 1
  stamp="$KUBE_TOOLS_PROVIDER_MODULE $version, edited: $KUBE_TOOLS_PROVIDER_EDIT"
  [ "$(cat "$dest/.prepared" 2>/dev/null || true)" != "$stamp" ] || return 0
  src="$(kube_tools_module_dir "$KUBE_TOOLS_PROVIDER_MODULE@$version")" || return 1
  mkdir -p "$(dirname "$dest")"
  tmp="$(mktemp -d "$dest.XXXXXX")"
  cp -r "$src/." "$tmp/"
  chmod -R u+w "$tmp"
  await="$tmp/pkg/await/await.go"
  grep -q '"sigs.k8s.io/structured-merge-diff/v4/fieldpath"' "$await" || {
    echo "kube-tools: $await no longer imports structured-merge-diff/v4/fieldpath: revisit kube_tools_prepare for $version." >&2
    rm -rf "$tmp"
    return 1
  }
  sed -i 's|"sigs.k8s.io/structured-merge-diff/v4/fieldpath"|"sigs.k8s.io/structured-merge-diff/v6/fieldpath"|' "$await"
  echo "$stamp" >"$tmp/.prepared"
  rm -rf "$dest"
  mv "$tmp" "$dest"
}

# The same flags for every binary, so each package compiles once into the Go
# build cache and every later build links it: CGO off, paths trimmed, and
# remove_all_sd (Prometheus' tag that leaves its service-discovery plugins out
# of promtool; it selects no file anywhere else). Each caller adds its own
# -ldflags, which only the link step reads.
kube_tools_build() {
  kube_tools_prepare || return 1
  (cd "$(kube_tools_dir)" && CGO_ENABLED=0 go build -trimpath -tags remove_all_sd "$@")
}
