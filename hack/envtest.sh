#!/usr/bin/env bash
# Builds the envtest control plane (kube-apiserver, etcd) and kubectl at the pinned Kubernetes release from the
# Go module proxy, and caches them outside the tree. Prints the folder to pass as KUBEBUILDER_ASSETS.
#
# The binaries cannot be downloaded as release artifacts on our machines, so we build them: a throwaway module
# requires k8s.io/kubernetes and etcd, with every staging module replaced by its published version.
# Cold: about 6 minutes on 2 cores. Warm (cache hit): instant.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-1.37.2}"
STAGING_VERSION="v0.${K8S_VERSION#1.}"
ETCD_VERSION="${ETCD_VERSION:-v3.7.0}"
CACHE_ROOT="${IRSA_GUARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/irsa-guard}"
OUT="$CACHE_ROOT/envtest/k8s-$K8S_VERSION"

if [[ -x "$OUT/kube-apiserver" && -x "$OUT/etcd" && -x "$OUT/kubectl" ]]; then
  echo "$OUT"
  exit 0
fi

log() { echo "envtest: $*" >&2; }
log "building kube-apiserver, etcd and kubectl v$K8S_VERSION from the Go module proxy into $OUT"
log "(first run only: about 6 minutes on 2 cores; later runs reuse the cache)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

cat >go.mod <<MOD
module irsa-guard.local/envtest-build

go 1.26
MOD

# The replace block of k8s.io/kubernetes's go.mod lists its staging modules (k8s.io/X => ./staging/src/k8s.io/X).
modfile="$(GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')"
staging="$(sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*#\1#p' "$modfile")"
if [[ -z "$staging" ]]; then
  log "no staging modules found in $modfile"
  exit 1
fi
{
  echo "require ("
  echo "  k8s.io/kubernetes v$K8S_VERSION"
  echo "  go.etcd.io/etcd/server/v3 $ETCD_VERSION"
  echo ")"
  echo "replace ("
  for m in $staging; do echo "  $m => $m $STAGING_VERSION"; done
  echo ")"
} >>go.mod

cat >tools.go <<'GO'
//go:build tools

package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO

log "resolving modules"
GOFLAGS=-mod=mod go mod tidy -e >/dev/null 2>&1 || true
GOFLAGS=-mod=mod go mod download >/dev/null
mkdir -p "$OUT.tmp"
for pkg in k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl go.etcd.io/etcd/server/v3; do
  name="$(basename "$pkg")"
  [[ "$name" == v3 ]] && name=etcd
  log "go build $pkg"
  GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -o "$OUT.tmp/$name" "$pkg"
done
rm -rf "$OUT"
mv "$OUT.tmp" "$OUT"
log "done"
echo "$OUT"
