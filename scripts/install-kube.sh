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
#   bash scripts/install-kube.sh provider-source  # only the provider's source
#       copy that every go command in scripts/kube-tools needs (before `go mod tidy -e`)
# (scripts/background-builds.sh builds the plane and the provider as two
# steps, so the tests of the plane start while the provider builds.)
#
# Nothing here runs a cluster: tests/kube starts one on 127.0.0.1 per test run.
# See docs/kube-local.md for what each binary is and why it is built this way.
#
# Environment: KUBE_INSTALL_FORCE=1 rebuilds even if the cache is current.
# Cold build on 2 cores, measured: see README.md (set-up section).
set -euo pipefail

# --- pins -------------------------------------------------------------------------
# etcd, Kubernetes and kwok: the require lines of scripts/kube-tools/go.mod,
# the module they are built in (with promtool and the NATS exporter).
. "$(dirname "${BASH_SOURCE[0]}")/lib/kube-tools.sh"
ETCD_MODULE="go.etcd.io/etcd/server/v3"
KUBE_MODULE="k8s.io/kubernetes"
KWOK_MODULE="sigs.k8s.io/kwok"
ETCD_VERSION="$(kube_tools_version "$ETCD_MODULE")"
KUBE_VERSION="$(kube_tools_version "$KUBE_MODULE")"
KWOK_VERSION="$(kube_tools_version "$KWOK_MODULE")"
# pulumi-kubernetes' provider module: built in scripts/kube-tools too, at the
# one pseudo-version the proxy serves (a January 2026 commit; release tags
# answer 403), stamped with the version of @pulumi/kubernetes in package.json,
# or the engine would not accept it as that SDK's plugin. docs/kube-local.md
# says what this means for the results.
PULUMI_K8S_MODULE="$KUBE_TOOLS_PROVIDER_MODULE"
PULUMI_K8S_MODULE_VERSION="$(kube_tools_version "$PULUMI_K8S_MODULE")"
PULUMI_K8S_STAMP_VERSION="4.34.2" # must equal @pulumi/kubernetes in package.json

part="${1:-all}"
case "$part" in all | plane | provider | provider-source) ;; *)
  echo "install-kube: unknown part '$part': give plane, provider, provider-source or nothing (plane and provider)" >&2
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
# The plane's stamp is the hash of scripts/kube-tools/go.mod and go.sum (every
# pin of the module); the provider's, its own pins.
tools_hash="$(kube_tools_hash)"
k8s_stamp="etcd $ETCD_VERSION kube $KUBE_VERSION kube-tools $tools_hash"
kwok_stamp="kwok $KWOK_VERSION kube-tools $tools_hash stages+crds 2"
provider_stamp="pulumi-kubernetes $PULUMI_K8S_MODULE_VERSION kube-tools $tools_hash as $PULUMI_K8S_STAMP_VERSION"

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
if [ "$part" = provider-source ]; then
  kube_tools_prepare || die "could not prepare the provider's source (see above)."
  echo "install-kube: the provider's source is ready in $(kube_tools_provider_source)"
  exit 0
fi
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

# --- 1. etcd and the Kubernetes binaries: one go build in scripts/kube-tools -------
build_k8s() {
  echo "install-kube: building etcd $ETCD_VERSION and kube-apiserver, kube-controller-manager, kube-scheduler, kubectl $KUBE_VERSION (cold: 6-11 minutes on 2 cores)..."
  t=$SECONDS
  kv="${KUBE_VERSION#v}"
  major="${kv%%.*}"
  minor="$(echo "$kv" | cut -d. -f2)"
  ldflags="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags="$ldflags -X $p.gitVersion=$KUBE_VERSION -X $p.gitMajor=$major -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  done
  ldflags="$ldflags -X go.etcd.io/etcd/api/v3/version.Version=${ETCD_VERSION#v}"
  out="$build/k8s-out"
  rm -rf "$out"
  mkdir -p "$out"
  kube_tools_build -ldflags "$ldflags" -o "$out/" \
    "$ETCD_MODULE" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl \
    || die "go build failed in scripts/kube-tools (see above): is the Go module proxy reachable (GOPROXY=$(go env GOPROXY))? Check free memory (about 2.6 GB at peak) and disk space for the Go build cache ($(go env GOCACHE))."
  mv "$out/v3" "$bin/etcd" 2>/dev/null || mv "$out/server" "$bin/etcd"
  for b in kube-apiserver kube-controller-manager kube-scheduler kubectl; do mv "$out/$b" "$bin/$b"; done
  reports "$KUBE_VERSION" "$bin/kubectl" version --client || die "$bin/kubectl does not report $KUBE_VERSION."
  reports "${ETCD_VERSION#v}" "$bin/etcd" --version || die "$bin/etcd does not report ${ETCD_VERSION#v}."
  echo "$k8s_stamp" >"$bin/.k8s.stamp"
  echo "install-kube: built etcd and the Kubernetes binaries in $((SECONDS - t))s"
}

# --- 2. kwok (from scripts/kube-tools too), its Stage objects and the CRDs it serves
build_kwok() {
  t=$SECONDS
  kube_tools_build -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" \
    -o "$bin/kwok" "$KWOK_MODULE/cmd/kwok" \
    || die "could not build $KWOK_MODULE/cmd/kwok $KWOK_VERSION in scripts/kube-tools: is the Go module proxy reachable?"
  kwok_dir="$(kube_tools_module_dir "$KWOK_MODULE@$KWOK_VERSION")" || die "could not read kwok's module (see above)."
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

# --- 3. pulumi-resource-kubernetes (scripts/kube-tools, from the provider's copy) --
# Built after the plane, whose packages it reuses: alone it peaks at about 4.2 GB.
build_provider() {
  echo "install-kube: building pulumi-resource-kubernetes ($PULUMI_K8S_MODULE_VERSION stamped $PULUMI_K8S_STAMP_VERSION; cold, after the plane: 4-7 minutes)..."
  t=$SECONDS
  kube_tools_prepare || die "could not prepare the provider's source (see above)."
  # schema-embed.json and terraform-mapping-embed.json are generated files,
  # absent from the module zip: the module's own generate.go writes them (with
  # the schema's version set to the stamp). It is compiled in scripts/kube-tools,
  # where its packages are the plugin's, and run where it reads its inputs.
  main_dir="$(kube_tools_provider_source)/cmd/pulumi-resource-kubernetes"
  kube_tools_build -o "$build/provider-generate" "$main_dir/generate.go" \
    && (cd "$main_dir" && VERSION="$PULUMI_K8S_STAMP_VERSION" "$build/provider-generate") \
    || die "generating the provider's embedded schema failed in $main_dir."
  kube_tools_build -ldflags "-s -w -X $PULUMI_K8S_MODULE/pkg/version.Version=$PULUMI_K8S_STAMP_VERSION" \
    -o "$bin/pulumi-resource-kubernetes" "$PULUMI_K8S_MODULE/cmd/pulumi-resource-kubernetes" \
    || die "go build of pulumi-resource-kubernetes failed in scripts/kube-tools (see above); it needs about 4.2 GB of free memory."
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
