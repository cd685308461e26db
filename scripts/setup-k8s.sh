#!/usr/bin/env bash
# Optional: a real Kubernetes API server for the *.real.test.ts files under test/components/kubernetes, built
# offline: etcd from Debian, kube-apiserver and kubectl from the Go module k8s.io/kubernetes through a wrapper module
# (its go.mod replaces every staging module with a local path, so `go install` refuses it; the wrapper points them
# at their published versions). Cached in $FAULTLINE_CACHE/k8s-v$VERSION/bin. The first build takes 30-60 minutes
# on 2 busy cores; later runs reuse the cache. There is no kubelet or scheduler: the tests check objects via the API.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
VERSION="${FAULTLINE_K8S_VERSION:-1.34.4}"
BIN="$FAULTLINE_CACHE/k8s-v$VERSION/bin"

step "Kubernetes API server (v$VERSION) for the real Kubernetes tests"
if ! command -v etcd >/dev/null; then
  apt-get install -y etcd-server >/dev/null
fi
ok "etcd $(etcd --version | head -1 | awk '{print $3}')"
if [[ -x "$BIN/kube-apiserver" && -x "$BIN/kubectl" ]]; then
  ok "cached kube-apiserver and kubectl in $BIN"
  exit 0
fi
SRC="$FAULTLINE_CACHE/k8s-v$VERSION/src"
mkdir -p "$SRC" "$BIN"
cd "$SRC"
curl -fsS "https://proxy.golang.org/k8s.io/kubernetes/@v/v$VERSION.mod" -o k8s.mod
{
  printf 'module faultline/kube\n\ngo 1.24\n\nrequire k8s.io/kubernetes v%s\n\n' "$VERSION"
  grep -E '=> \./staging' k8s.mod | awk -v v="v0.${VERSION#1.}" '{print "replace "$1" => "$1" "v}'
} >go.mod
cat >tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
GOFLAGS=-mod=mod go mod tidy
GOFLAGS=-mod=mod go build -o "$BIN/" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl
ok "built kube-apiserver and kubectl into $BIN"
