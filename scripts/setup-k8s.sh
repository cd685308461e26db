#!/usr/bin/env bash
# Builds and caches what a local single-node Kubernetes cluster and the Pulumi Kubernetes provider need, from package
# registries only (Debian and Go modules through the Go toolchain, which honours your GOPROXY):
#   1. Debian: etcd-server, containerd, runc, containernetworking-plugins, nftables (kube-proxy), iptables, openssl;
#   2. kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy and kubectl, built from the Go module
#      k8s.io/kubernetes through a wrapper module (its go.mod replaces every ./staging module with a local path, so
#      `go install` refuses it; the wrapper points each at its published v0.X.Y), version stamped at link time;
#   3. kube-router's NetworkPolicy controller (`go install github.com/cloudnativelabs/kube-router/v2/cmd/kube-router`),
#      run alone on iptables + ipset: the bridge CNI enforces no NetworkPolicy;
#   4. Chaos Mesh's CRDs (manifests/crd.yaml of its Go module), to declare Chaos Mesh faults;
#   5. the Pulumi Kubernetes provider plugin, at the version @pulumi/kubernetes in package.json asks for, built from
#      github.com/pulumi/pulumi-kubernetes/provider/v4 and installed with `pulumi plugin install --file`.
# Cached in $FAULTLINE_CACHE; a second run takes seconds. The first build takes 20-30 minutes on 2 busy cores
# (the provider about 12 min, the cluster binaries about 7-15 min more), and needs about 10 GB of Go build cache.
# Usage: setup-k8s.sh [cluster|provider|all]   (default all)
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WHAT="${1:-all}"
K8S_VERSION="${FAULTLINE_K8S_VERSION:-1.34.4}"
K8S_BIN="$FAULTLINE_CACHE/k8s-v$K8S_VERSION/bin"
# The provider module has no tagged v4.34.x release on the module proxy; this pseudo-version is its newest commit.
PROVIDER_MODULE=github.com/pulumi/pulumi-kubernetes/provider/v4
PROVIDER_REF="${FAULTLINE_K8S_PROVIDER_REF:-v4.0.0-20260115033456-f47bc2d6f199}"
PROVIDER_VERSION="$(node -p 'require(process.argv[1]).dependencies["@pulumi/kubernetes"]' "$FAULTLINE_ROOT/package.json")"
PROVIDER_DIR="$FAULTLINE_CACHE/pulumi-kubernetes-v$PROVIDER_VERSION"
export GOFLAGS=-mod=mod

debian_packages() {
  step "Debian packages for the local cluster"
  local missing=() pkg
  for pkg in etcd-server containerd runc containernetworking-plugins nftables iptables ipset openssl; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    run_logged "apt-get install ${missing[*]}" apt-get install -y --no-install-recommends "${missing[@]}"
  fi
  # Debian's containerd package starts a system containerd where an init system runs; ours is separate anyway.
  ok "etcd $(etcd --version 2>/dev/null | awk 'NR==1{print $3}'), containerd $(containerd --version | awk '{print $3}'), runc $(runc --version | awk 'NR==1{print $3}')"
}

# module_file MODULE@VERSION FIELD: downloads a module through the Go toolchain and prints a field of its JSON (Dir, GoMod).
module_file() {
  go mod download -json "$1" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);if(j.Error){console.error(j.Error);process.exit(1)}console.log(j[process.argv[1]])})' "$2"
}

cluster_binaries() {
  step "Kubernetes v$K8S_VERSION control plane and node binaries"
  # kubectl too: Debian's kubernetes-client is 1.20, too old for this API server.
  local cmds=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl) c all=1
  for c in "${cmds[@]}"; do [[ -x "$K8S_BIN/$c" ]] || all=0; done
  if ((all)); then ok "cached in $K8S_BIN"; return; fi
  local src="$FAULTLINE_CACHE/k8s-v$K8S_VERSION/src" started=$SECONDS
  mkdir -p "$src" "$K8S_BIN"
  cd "$src"
  warn "first build: about 10-15 minutes on 2 cores (less after the provider build, which shares packages)"
  local gomod; gomod="$(cd /tmp && module_file "k8s.io/kubernetes@v$K8S_VERSION" GoMod)"
  {
    printf 'module faultline/kube\n\ngo 1.24\n\nrequire k8s.io/kubernetes v%s\n\n' "$K8S_VERSION"
    grep -E '=> \./staging' "$gomod" | awk -v v="v0.${K8S_VERSION#1.}" '{print "replace "$1" => "$1" "v}'
  } >go.mod
  {
    printf '//go:build tools\n\npackage tools\n\nimport (\n'
    for c in "${cmds[@]}"; do printf '\t_ "k8s.io/kubernetes/cmd/%s"\n' "$c"; done
    printf ')\n'
  } >tools.go
  run_logged "go mod tidy (downloads modules)" go mod tidy
  # Without the stamp gitVersion reads v0.0.0-master+$Format:%H$, which kubectl and clients cannot parse.
  local minor="${K8S_VERSION#1.}"; minor="${minor%%.*}" x=()
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    x+=(-X "$pkg.gitVersion=v$K8S_VERSION" -X "$pkg.gitMajor=1" -X "$pkg.gitMinor=$minor"
      -X "$pkg.gitTreeState=clean" -X "$pkg.buildDate=1970-01-01T00:00:00Z")
  done
  local targets=(); for c in "${cmds[@]}"; do targets+=("k8s.io/kubernetes/cmd/$c"); done
  run_logged "go build ${cmds[*]}" go build -trimpath -ldflags "-s -w ${x[*]}" -o "$K8S_BIN/" "${targets[@]}"
  ok "built into $K8S_BIN in $(( (SECONDS - started) / 60 )) min"
}

provider_plugin() {
  step "Pulumi Kubernetes provider plugin v$PROVIDER_VERSION"
  local pulumi="${FAULTLINE_PULUMI_BIN:-}/pulumi"
  [[ -x "$pulumi" ]] || pulumi="$(command -v pulumi || true)"
  if [[ -n "$pulumi" ]] && "$pulumi" plugin ls 2>/dev/null | grep -Eq "^kubernetes +resource +$PROVIDER_VERSION "; then
    ok "installed"; return
  fi
  local bin="$PROVIDER_DIR/bin/pulumi-resource-kubernetes" started=$SECONDS
  if [[ ! -x "$bin" ]]; then
    warn "first build: about 12 minutes on 2 cores; the binary is about 440 MB"
    mkdir -p "$PROVIDER_DIR/wrap" "$PROVIDER_DIR/bin"
    local dir; dir="$(cd /tmp && module_file "$PROVIDER_MODULE@$PROVIDER_REF" Dir)"
    # The module cache is read-only and the zip lacks the two embedded files generate.go writes: build a copy.
    rm -rf "$PROVIDER_DIR/module"; cp -r "$dir" "$PROVIDER_DIR/module"; chmod -R u+w "$PROVIDER_DIR/module"
    local cmd="$PROVIDER_DIR/module/cmd/pulumi-resource-kubernetes"
    node -e 'const fs=require("fs");const [s,m,cmd,v]=process.argv.slice(1);
      const schema=JSON.parse(fs.readFileSync(s,"utf8"));schema.version=v;
      fs.writeFileSync(cmd+"/schema-embed.json",JSON.stringify(schema));
      fs.writeFileSync(cmd+"/terraform-mapping-embed.json",JSON.stringify(JSON.parse(fs.readFileSync(m,"utf8"))));' \
      "$cmd/schema.json" "$cmd/terraform-mapping.json" "$cmd" "$PROVIDER_VERSION" 2>/dev/null \
      || node -e 'const fs=require("fs");const [s,cmd,v]=process.argv.slice(1);
      const schema=JSON.parse(fs.readFileSync(s,"utf8"));schema.version=v;
      fs.writeFileSync(cmd+"/schema-embed.json",JSON.stringify(schema));
      fs.writeFileSync(cmd+"/terraform-mapping-embed.json","{}");' "$cmd/schema.json" "$cmd" "$PROVIDER_VERSION"
    cd "$PROVIDER_DIR/wrap"
    {
      printf 'module faultline/pulumi-kubernetes\n\ngo 1.24\n\nrequire %s %s\n\n' "$PROVIDER_MODULE" "$PROVIDER_REF"
      printf 'replace %s => %s\n' "$PROVIDER_MODULE" "$PROVIDER_DIR/module"
      # The module's own non-local replaces apply only inside it; a wrapper must repeat them.
      grep -E '^replace .* => [^./]' "$PROVIDER_DIR/module/go.mod" || true
      awk '/^replace \(/{f=1;next} f&&/^\)/{f=0} f&&$0!~/=> *\./{print "replace "$0}' "$PROVIDER_DIR/module/go.mod"
    } >go.mod
    printf '//go:build tools\n\npackage tools\n\nimport _ "%s/cmd/pulumi-resource-kubernetes"\n' "$PROVIDER_MODULE" >tools.go
    run_logged "go mod tidy (downloads modules)" go mod tidy
    run_logged "go build pulumi-resource-kubernetes" go build -trimpath \
      -ldflags "-s -w -X $PROVIDER_MODULE/pkg/version.Version=$PROVIDER_VERSION" \
      -o "$bin" "$PROVIDER_MODULE/cmd/pulumi-resource-kubernetes"
    ok "built in $(( (SECONDS - started) / 60 )) min"
  fi
  [[ -n "$pulumi" ]] || die "built $bin, but there is no pulumi CLI to install it with: run 'npm run setup', then this again"
  run_logged "pulumi plugin install resource kubernetes v$PROVIDER_VERSION" \
    "$pulumi" plugin install resource kubernetes "v$PROVIDER_VERSION" --file "$bin"
  ok "installed"
}

# kube_router: the NetworkPolicy enforcer of the local cluster. kube-network-policies needs NFT_QUEUE, which kernels
# like this VM's lack; kube-router's policy controller needs only iptables and ipset. Its module has no replace
# directives, so `go install` builds it (several minutes on 2 cores; cached afterwards).
KUBE_ROUTER_VERSION="${FAULTLINE_KUBE_ROUTER_VERSION:-2.1.0}"
kube_router() {
  local bin="$FAULTLINE_CACHE/kube-router-v$KUBE_ROUTER_VERSION/bin"
  if [[ ! -x "$bin/kube-router" ]]; then
    warn "first build of kube-router: several minutes on 2 cores"
    mkdir -p "$bin"
    run_logged "go install kube-router v$KUBE_ROUTER_VERSION" \
      env GOBIN="$bin" GOFLAGS= CGO_ENABLED=0 go install -trimpath -ldflags "-s -w" \
      "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router@v$KUBE_ROUTER_VERSION"
  fi
  ok "kube-router v$KUBE_ROUTER_VERSION (NetworkPolicy): $bin/kube-router"
}

# chaos_mesh_crds: Chaos Mesh's CustomResourceDefinitions (manifests/crd.yaml of its Go module), so Chaos Mesh
# faults can be declared on the local cluster. The module has no tag newer than v0.9.1; this pseudo-version is 2.7.x.
CHAOS_MESH_REF="${FAULTLINE_CHAOS_MESH_REF:-v0.9.1-0.20260902003049-47411975a8cb}"
chaos_mesh_crds() {
  local out="$FAULTLINE_CACHE/chaos-mesh-$CHAOS_MESH_REF/crd.yaml"
  if [[ ! -f "$out" ]]; then
    local dir; dir="$(cd /tmp && module_file "github.com/chaos-mesh/chaos-mesh@$CHAOS_MESH_REF" Dir)"
    mkdir -p "$(dirname "$out")"; cp "$dir/manifests/crd.yaml" "$out"
  fi
  ok "Chaos Mesh CRDs: $out"
}

case "$WHAT" in
  cluster) debian_packages; cluster_binaries; kube_router; chaos_mesh_crds ;;
  provider) provider_plugin ;;
  all) debian_packages; cluster_binaries; kube_router; chaos_mesh_crds; provider_plugin ;;
  *) die "usage: setup-k8s.sh [cluster|provider|all]" ;;
esac
