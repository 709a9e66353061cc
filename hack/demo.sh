#!/usr/bin/env bash
# `make demo` (after `make build`): a local control plane, bin/webhook with the IAM roles of examples/iam, and the
# files of examples/manifests applied with kubectl (test/demo). Exits non-zero when an example does not give the
# outcome its "# Expect:" line names, so it is also a smoke test.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== irsa-guard demo =="
# Where hack/envtest.sh caches the control plane (keep in step with it): if absent, the first run builds it.
cache="${IRSA_GUARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/irsa-guard}/envtest/k8s-${K8S_VERSION:-1.37.2}"
if [[ ! -x "$cache/kube-apiserver" || ! -x "$cache/etcd" || ! -x "$cache/kubectl" ]]; then
  echo "building the local control plane from the Go module proxy (first run only, about 6 minutes)..."
fi
assets="$(hack/envtest.sh)"   # its progress lines go to stderr, shown as they come
tools="$(hack/tools.sh)"      # kustomize renders deploy/'s webhook configuration
export KUBEBUILDER_ASSETS="$assets" KUBECTL="$assets/kubectl" KUSTOMIZE="$tools/kustomize"
go build -o bin/demo ./test/demo
exec bin/demo "$@"
