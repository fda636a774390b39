//go:build tools

// Package tools names the main packages scripts/install-kube.sh builds from
// the Go module proxy: the control plane the Kubernetes tests run against.
// The wrapper module's go.mod is generated next to a copy of this file under
// .cache/kube-build/k8s (k8s.io/kubernetes and etcd cannot be `go install`ed:
// their go.mod files have replace directives).
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
