#!/usr/bin/env bash
# Builds a Kubernetes control plane for the tests from the Go module proxy and
# caches it in .cache/kube/bin: etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kubectl, kwok (fake nodes, pods and volumes) and
# pulumi-resource-kubernetes (the Kubernetes provider plugin). kwok's Stage
# objects are copied from its module to .cache/kube/stages.
#
#   bash scripts/install-kube.sh            # everything; later runs reuse the cache
#   bash scripts/install-kube.sh plane      # the control plane and kwok only
#   bash scripts/install-kube.sh provider   # pulumi-resource-kubernetes only
# (scripts/background-builds.sh builds the plane and the provider as two
# steps, so the tests of the plane start while the provider builds.)
#
# Nothing here runs a cluster: tests/kube starts one on 127.0.0.1 per test run.
# See docs/kube-local.md for what each binary is and why it is built this way.
#
# Environment: KUBE_INSTALL_FORCE=1 rebuilds even if the cache is current.
# Cold build on 2 cores, measured: see README.md (set-up section).
set -euo pipefail

# --- pins (the only place these versions are written) ---------------------------
ETCD_VERSION="v3.7.3"  # go.etcd.io/etcd/server/v3
KUBE_VERSION="v1.37.2" # k8s.io/kubernetes; its staging modules are k8s.io/<name> v0.37.2
KWOK_VERSION="v0.8.0"  # sigs.k8s.io/kwok
# pulumi-kubernetes: the Go module proxy serves one pseudo-version of the
# provider module (a January 2026 commit; release tags answer 403). It is
# stamped with the version of @pulumi/kubernetes in package.json, or the
# engine would not accept it as that SDK's plugin. docs/kube-local.md says
# what this means for the results.
PULUMI_K8S_MODULE_VERSION="v4.0.0-20260115033456-f47bc2d6f199"
PULUMI_K8S_SDK_MODULE_VERSION="v4.24.0" # replaces the module's `sdk/v4 => ../sdk`
PULUMI_K8S_STAMP_VERSION="4.34.2"       # must equal @pulumi/kubernetes in package.json

ETCD_MODULE="go.etcd.io/etcd/server/v3"
KUBE_MODULE="k8s.io/kubernetes"
KWOK_MODULE="sigs.k8s.io/kwok"
PULUMI_K8S_MODULE="github.com/pulumi/pulumi-kubernetes/provider/v4"
PULUMI_K8S_SDK_MODULE="github.com/pulumi/pulumi-kubernetes/sdk/v4"
# Staging modules k8s.io/kubernetes replaces with ./staging that the proxy does
# not serve (403); nothing built here needs them.
UNSERVED_STAGING="k8s.io/sample-cli-plugin k8s.io/sample-controller"

part="${1:-all}"
case "$part" in all | plane | provider) ;; *)
  echo "install-kube: unknown part '$part': give plane, provider or nothing (both)" >&2
  exit 2
  ;;
esac
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/lib/reports.sh"
bin="$root/.cache/kube/bin"
stages="$root/.cache/kube/stages"
crds="$root/.cache/kube/crds"
build="$root/.cache/kube-build"

die() {
  echo "install-kube: $*" >&2
  exit 1
}

# --- each part is skipped when its stamp (its pins and inputs) is unchanged -------
# Three parts, three stamps, so a change to one part rebuilds only that part.
tools_hash="$(sha256sum "$root/scripts/kube-build/tools.go" | cut -c1-16)"
k8s_stamp="etcd $ETCD_VERSION kube $KUBE_VERSION tools $tools_hash"
kwok_stamp="kwok $KWOK_VERSION stages+crds 2"
provider_stamp="pulumi-kubernetes $PULUMI_K8S_MODULE_VERSION sdk $PULUMI_K8S_SDK_MODULE_VERSION as $PULUMI_K8S_STAMP_VERSION"

stamp_ok() { # part, wanted stamp, files that must exist...
  local part="$1" want="$2" f
  shift 2
  [ "${KUBE_INSTALL_FORCE:-}" != "1" ] || return 1
  [ "$(cat "$bin/.$part.stamp" 2>/dev/null || true)" = "$want" ] || return 1
  for f in "$@"; do [ -e "$f" ] || return 1; done
}
k8s_current() {
  stamp_ok k8s "$k8s_stamp" "$bin/etcd" "$bin/kube-apiserver" "$bin/kube-controller-manager" "$bin/kube-scheduler" "$bin/kubectl"
}
kwok_current() { stamp_ok kwok "$kwok_stamp" "$bin/kwok" "$stages/pod-ready.yaml" "$crds/stages.yaml"; }
provider_current() { stamp_ok provider "$provider_stamp" "$bin/pulumi-resource-kubernetes"; }
all_current() {
  case "$part" in
    plane) k8s_current && kwok_current ;;
    provider) provider_current ;;
    *) k8s_current && kwok_current && provider_current ;;
  esac
}

sdk_pin="$(node -p 'require(process.argv[1]).dependencies["@pulumi/kubernetes"]' "$root/package.json" 2>/dev/null || true)"
[ "$sdk_pin" = "$PULUMI_K8S_STAMP_VERSION" ] \
  || die "package.json pins @pulumi/kubernetes '$sdk_pin' but PULUMI_K8S_STAMP_VERSION is $PULUMI_K8S_STAMP_VERSION: make them equal (the provider plugin is stamped with the SDK's version)."

mkdir -p "$bin" "$stages" "$crds" "$build"
summary="etcd $ETCD_VERSION, Kubernetes $KUBE_VERSION, kwok $KWOK_VERSION, pulumi-resource-kubernetes $PULUMI_K8S_STAMP_VERSION"
if all_current; then
  echo "install-kube: $summary already in $bin ($part)"
  exit 0
fi

# .cache is shared by several checkouts (a symlink): one build at a time; a
# second caller waits for the first and then finds the parts it built current.
exec 9>"$build/.lock"
echo "install-kube: waiting for the build lock $build/.lock ..."
flock 9

command -v go >/dev/null || die "Go is needed to build the control plane (k8s.io/kubernetes $KUBE_VERSION needs Go >= 1.26.0) and there is no go on PATH."
export CGO_ENABLED=0
start=$SECONDS

moddir() { # module@version -> its directory in the module cache (downloads it)
  local d
  d="$(cd / && go mod download -json "$1" 2>/dev/null | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p' || true)"
  [ -n "$d" ] && [ -d "$d" ] \
    || die "cannot download $1: is the Go module proxy reachable (GOPROXY=$(go env GOPROXY))?"
  printf '%s\n' "$d"
}
gomod() { # module@version -> its go.mod file in the module cache
  local f
  f="$(cd / && go mod download -json "$1" 2>/dev/null | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p' || true)"
  [ -n "$f" ] && [ -f "$f" ] \
    || die "cannot download $1: is the Go module proxy reachable (GOPROXY=$(go env GOPROXY))?"
  printf '%s\n' "$f"
}

# --- 1. etcd and the Kubernetes binaries: one wrapper module, one go build ------
build_k8s() {
  echo "install-kube: building etcd $ETCD_VERSION and kube-apiserver, kube-controller-manager, kube-scheduler, kubectl $KUBE_VERSION (cold: 6-11 minutes on 2 cores)..."
  t=$SECONDS
  k8s_build="$build/k8s"
  rm -rf "$k8s_build"
  mkdir -p "$k8s_build"
  kube_gomod="$(gomod "$KUBE_MODULE@$KUBE_VERSION")"
  go_min="$(awk '$1 == "go" { print $2 }' "$kube_gomod")"
  staging_version="v0.${KUBE_VERSION#v1.}"
  # k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them
  # with ./staging/src/...; outside its repository they are the released
  # k8s.io/<name> modules of the same minor.
  staging="$(awk '/^replace[ \t]*\(/ { b = 1; next } b && /^\)/ { b = 0; next }
      b && $3 ~ /^\.\/staging\// { print $1 }' "$kube_gomod")"
  [ -n "$staging" ] || die "found no staging replace block in $kube_gomod; the wrapper needs updating for $KUBE_VERSION."
  {
    echo "// Generated by scripts/install-kube.sh from k8s.io/kubernetes $KUBE_VERSION's go.mod."
    echo "module pulumi-nats.local/kube-build"
    echo
    echo "go $go_min"
    echo
    echo "require ("
    echo "	$KUBE_MODULE $KUBE_VERSION"
    echo "	$ETCD_MODULE $ETCD_VERSION"
    echo ")"
    echo
    for m in $staging; do
      case " $UNSERVED_STAGING " in *" $m "*) continue ;; esac
      echo "replace $m => $m $staging_version"
    done
  } >"$k8s_build/go.mod"
  cp "$root/scripts/kube-build/tools.go" "$k8s_build/tools.go"
  (cd "$k8s_build" && go mod tidy) \
    || die "go mod tidy failed in $k8s_build: is the Go module proxy reachable, and does it serve $KUBE_MODULE@$KUBE_VERSION and $ETCD_MODULE@$ETCD_VERSION?"
  for pair in "$KUBE_MODULE $KUBE_VERSION" "$ETCD_MODULE $ETCD_VERSION"; do
    set -- $pair
    got="$(cd "$k8s_build" && go list -m -f '{{.Version}}' "$1")"
    [ "$got" = "$2" ] || die "$1 resolved to $got, not $2: the pins do not fit together."
  done
  kv="${KUBE_VERSION#v}"
  major="${kv%%.*}"
  minor="$(echo "$kv" | cut -d. -f2)"
  ldflags="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags="$ldflags -X $p.gitVersion=$KUBE_VERSION -X $p.gitMajor=$major -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  done
  ldflags="$ldflags -X go.etcd.io/etcd/api/v3/version.Version=${ETCD_VERSION#v}"
  out="$k8s_build/out"
  mkdir -p "$out"
  (cd "$k8s_build" && go build -trimpath -ldflags "$ldflags" -o "$out/" \
    "$ETCD_MODULE" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl) \
    || die "go build failed in $k8s_build (see above); check free memory (about 2.6 GB at peak) and disk space for the Go build cache ($(go env GOCACHE))."
  mv "$out/v3" "$bin/etcd" 2>/dev/null || mv "$out/server" "$bin/etcd"
  for b in kube-apiserver kube-controller-manager kube-scheduler kubectl; do mv "$out/$b" "$bin/$b"; done
  reports "$KUBE_VERSION" "$bin/kubectl" version --client || die "$bin/kubectl does not report $KUBE_VERSION."
  reports "${ETCD_VERSION#v}" "$bin/etcd" --version || die "$bin/etcd does not report ${ETCD_VERSION#v}."
  echo "$k8s_stamp" >"$bin/.k8s.stamp"
  echo "install-kube: built etcd and the Kubernetes binaries in $((SECONDS - t))s"
}

# --- 2. kwok: a plain go install, its Stage objects and the CRDs it serves --------
build_kwok() {
  t=$SECONDS
  GOBIN="$bin" go install -trimpath -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" \
    "$KWOK_MODULE/cmd/kwok@$KWOK_VERSION" \
    || die "could not build $KWOK_MODULE/cmd/kwok@$KWOK_VERSION: is the Go module proxy reachable?"
  kwok_dir="$(moddir "$KWOK_MODULE@$KWOK_VERSION")"
  # The stages tests/kube applies: node initialise + heartbeat with a lease, pod
  # ready/complete/delete, and the volume stages that act as a dynamic
  # provisioner (tests/kube narrows their selector to its storage classes).
  for pair in \
    node-initialize:node/fast/node-initialize.yaml \
    node-heartbeat-with-lease:node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
    pod-ready:pod/fast/pod-ready.yaml \
    pod-complete:pod/fast/pod-complete.yaml \
    pod-delete:pod/fast/pod-delete.yaml; do
    src="$kwok_dir/kustomize/stage/${pair#*:}"
    [ -f "$src" ] || die "kwok $KWOK_VERSION has no $src; update the stage list in this script."
    install -m 0644 "$src" "$stages/${pair%%:*}.yaml"
  done
  for name in pv-bind pv-delete pvc-provision pvc-delete; do
    src="$kwok_dir/kustomize/stage/volume/fast/$name.yaml"
    [ -f "$src" ] || die "kwok $KWOK_VERSION has no $src; update the stage list in this script."
    install -m 0644 "$src" "$stages/volume-$name.yaml"
  done
  # tests/kube runs kwok with --enable-crds=Stage,PortForward,ClusterPortForward:
  # the stages and the port forwards to local nats-servers are API objects.
  for name in stages portforwards clusterportforwards; do
    src="$kwok_dir/kustomize/crd/bases/kwok.x-k8s.io_$name.yaml"
    [ -f "$src" ] || die "kwok $KWOK_VERSION has no $src; update the CRD list in this script."
    install -m 0644 "$src" "$crds/$name.yaml"
  done
  echo "$kwok_stamp" >"$bin/.kwok.stamp"
  echo "install-kube: built kwok $KWOK_VERSION in $((SECONDS - t))s"
}

# --- 3. pulumi-resource-kubernetes: a local copy of the provider module -----------
# Built alone (after the k8s build): it peaks at about 4.2 GB of memory.
build_provider() {
  echo "install-kube: building pulumi-resource-kubernetes ($PULUMI_K8S_MODULE_VERSION stamped $PULUMI_K8S_STAMP_VERSION; cold: about 6 minutes)..."
  t=$SECONDS
  prov_build="$build/provider"
  src_dir="$(moddir "$PULUMI_K8S_MODULE@$PULUMI_K8S_MODULE_VERSION")"
  rm -rf "$prov_build"
  cp -r "$src_dir" "$prov_build"
  chmod -R u+w "$prov_build"
  # The module replaces sdk/v4 with its sibling directory, which is not in the
  # module zip: use the released sdk/v4 instead.
  (cd "$prov_build" && go mod edit -replace "$PULUMI_K8S_SDK_MODULE=$PULUMI_K8S_SDK_MODULE@$PULUMI_K8S_SDK_MODULE_VERSION" && go mod tidy) \
    || die "go mod tidy failed in $prov_build: does the proxy serve $PULUMI_K8S_SDK_MODULE@$PULUMI_K8S_SDK_MODULE_VERSION?"
  # schema-embed.json and terraform-mapping-embed.json are generated files,
  # absent from the module zip: the module's own generate.go writes them (with
  # the schema's version set to the stamp).
  (cd "$prov_build/cmd/pulumi-resource-kubernetes" && VERSION="$PULUMI_K8S_STAMP_VERSION" go run generate.go) \
    || die "generating the provider's embedded schema failed in $prov_build/cmd/pulumi-resource-kubernetes."
  (cd "$prov_build" && go build -trimpath \
    -ldflags "-s -w -X $PULUMI_K8S_MODULE/pkg/version.Version=$PULUMI_K8S_STAMP_VERSION" \
    -o "$bin/pulumi-resource-kubernetes" ./cmd/pulumi-resource-kubernetes) \
    || die "go build failed in $prov_build (see above); it needs about 4.2 GB of free memory."
  echo "$provider_stamp" >"$bin/.provider.stamp"
  echo "install-kube: built pulumi-resource-kubernetes in $((SECONDS - t))s"
}

if [ "$part" != provider ]; then
  if k8s_current; then echo "install-kube: etcd $ETCD_VERSION and Kubernetes $KUBE_VERSION already built"; else build_k8s; fi
  if kwok_current; then echo "install-kube: kwok $KWOK_VERSION already built"; else build_kwok; fi
fi
if [ "$part" != plane ]; then
  if provider_current; then echo "install-kube: pulumi-resource-kubernetes already built"; else build_provider; fi
fi
echo "install-kube: $part ready in $bin ($((SECONDS - start))s)"
