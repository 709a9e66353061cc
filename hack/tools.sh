#!/usr/bin/env bash
# Installs the pinned helm and kustomize with `go install` into a cache outside the tree and prints the bin folder.
set -euo pipefail
HELM_VERSION="${HELM_VERSION:-v4.3.2}"
KUSTOMIZE_VERSION="${KUSTOMIZE_VERSION:-v5.8.0}"
CACHE_ROOT="${IRSA_GUARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/irsa-guard}"
BIN="$CACHE_ROOT/tools/helm-$HELM_VERSION-kustomize-$KUSTOMIZE_VERSION"
mkdir -p "$BIN"
if [[ ! -x "$BIN/helm" ]]; then
  echo "tools: go install helm $HELM_VERSION" >&2
  GOFLAGS=-mod=mod GOBIN="$BIN" go install "helm.sh/helm/v4/cmd/helm@$HELM_VERSION"
fi
if [[ ! -x "$BIN/kustomize" ]]; then
  echo "tools: go install kustomize $KUSTOMIZE_VERSION" >&2
  GOFLAGS=-mod=mod GOBIN="$BIN" go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
fi
echo "$BIN"
