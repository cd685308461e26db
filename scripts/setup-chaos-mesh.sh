#!/usr/bin/env bash
# Chaos Mesh on the local cluster, built from its Go module (docs/kubernetes-demo.md#chaos-mesh). Not part of the
# default setup or test path: the first build takes about 15 minutes on 2 cores.
#   setup-chaos-mesh.sh build   builds chaos-controller-manager and chaos-daemon (github.com/chaos-mesh/chaos-mesh
#                               through a wrapper module, modules fetched by the Go toolchain), its `pause` helper
#                               (hack/pause.c) and an `nsexec` shim over util-linux's nsenter, into the cache;
#   setup-chaos-mesh.sh up      installs its CRDs (manifests/crd.yaml of the same module), runs chaos-daemon as a
#                               privileged pod on the node (namespace chaos-mesh, the tools image, the binaries from
#                               the cache by hostPath) and the controller-manager as a process on this machine with
#                               the cluster's kubeconfig; waits until both answer;
#   setup-chaos-mesh.sh down    stops the controller-manager by its recorded PID, deletes namespace chaos-mesh and
#                               the CRDs (and with them every chaos resource).
# Why not the official images: no registry is reachable here, and nsexec, toda and memStress are GitHub release
# downloads. The shim covers what NetworkChaos (tc in the pod's network namespace) and StressChaos (stress-ng in its
# PID namespace and cgroup) need; IOChaos, TimeChaos, HTTPChaos and JVMChaos need those other binaries.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=scripts/images.env
source "$FAULTLINE_ROOT/scripts/images.env"

# The module has no tagged release under its own path; these pseudo-versions are the newest served (2026-09).
CM_VERSION="${FAULTLINE_CHAOS_MESH_VERSION:-v0.9.1-0.20260902003049-47411975a8cb}"
CM_API_VERSION="${FAULTLINE_CHAOS_MESH_API_VERSION:-v0.0.0-20260906172039-d70b66ad97ac}"
CM_MODULE=github.com/chaos-mesh/chaos-mesh
DIR="$FAULTLINE_CACHE/chaos-mesh-${CM_VERSION##*-}"
BIN="$DIR/bin"
STATE="$FAULTLINE_ROOT/.faultline/chaos-mesh"
CLUSTER_DIR="${FAULTLINE_CLUSTER_DIR:-$FAULTLINE_ROOT/.faultline/cluster}"
export KUBECONFIG="${KUBECONFIG:-$CLUSTER_DIR/kubeconfig}"
export PATH="$FAULTLINE_CACHE/k8s-v${FAULTLINE_K8S_VERSION:-1.34.4}/bin:$PATH"
NS=chaos-mesh

module_dir() { (cd /tmp && go mod download -json "$CM_MODULE@$CM_VERSION") | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);if(j.Error){console.error(j.Error);process.exit(1)}console.log(j.Dir)})'; }

build() {
  step "Chaos Mesh ${CM_VERSION} (controller-manager, chaos-daemon)"
  if [[ -x "$BIN/chaos-controller-manager" && -x "$BIN/chaos-daemon" && -x "$BIN/pause" ]]; then
    # The shim is a script of this file: rewritten every time, so a fix to it needs no rebuild.
    nsexec_shim >"$BIN/nsexec"; chmod +x "$BIN/nsexec"
    ok "cached in $BIN"; return
  fi
  local src started=$SECONDS; src="$(module_dir)"
  mkdir -p "$DIR/wrap" "$BIN"
  cd "$DIR/wrap"
  {
    printf 'module faultline/chaos-mesh\n\ngo 1.25.11\n\nrequire %s %s\n\n' "$CM_MODULE" "$CM_VERSION"
    # The module replaces its api module with ./api, which its zip leaves out (a nested module): use the served one.
    printf 'replace %s/api => %s/api %s\n' "$CM_MODULE" "$CM_MODULE" "$CM_API_VERSION"
    # Its non-local replaces, in the block and on single lines (runtime-spec is held at v1.2.0: containerd's cgroups
    # code does not compile against v1.3.0, whose pids limit became a pointer).
    awk '/^replace \(/{f=1;next} f&&/^\)/{f=0} f&&$0!~/=> *\./{print "replace "$0}' "$src/go.mod"
    grep -E '^replace [^(]* => [^./]' "$src/go.mod" || true
  } >go.mod
  printf '//go:build tools\n\npackage tools\n\nimport (\n\t_ "%s/cmd/chaos-controller-manager"\n\t_ "%s/cmd/chaos-daemon"\n)\n' "$CM_MODULE" "$CM_MODULE" >tools.go
  # Its go.sum has the sums of modules the checksum database does not serve (github.com/chaos-mesh/fx-logr).
  cp "$src/go.sum" go.sum; chmod u+w go.sum
  warn "first build: about 15 minutes on 2 cores"
  run_logged "go mod tidy (downloads modules)" env GOFLAGS=-mod=mod GONOSUMDB=github.com/chaos-mesh/fx-logr go mod tidy
  run_logged "go build chaos-controller-manager chaos-daemon" \
    env GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w" -o "$BIN/" "$CM_MODULE/cmd/chaos-controller-manager" "$CM_MODULE/cmd/chaos-daemon"
  run_logged "cc pause" cc -static -O2 -o "$BIN/pause" "$src/hack/pause.c"
  nsexec_shim >"$BIN/nsexec"; chmod +x "$BIN/nsexec"
  ok "built into $BIN in $(( (SECONDS - started) / 60 )) min"
}

# nsexec_shim: chaos-daemon runs `nsexec [-l] [-m|-n|-p|-i PATH]... -- CMD ARGS` to enter a pod's namespaces; the
# same with nsenter (which forks for a PID namespace, as nsexec does). -l (keep the daemon's own mount namespace for
# the binary) is only used by the chaos kinds this setup does not support, so it is refused, never ignored.
nsexec_shim() {
  cat <<'EOF'
#!/bin/sh
# nsexec over nsenter, written by faultline's scripts/setup-chaos-mesh.sh.
set -e
opts="" pidns=0
while [ $# -gt 0 ]; do
  case "$1" in
    -m) opts="$opts --mount=$2"; shift 2 ;;
    -n) opts="$opts --net=$2"; shift 2 ;;
    -p) opts="$opts --pid=$2"; pidns=1; shift 2 ;;
    -i) opts="$opts --ipc=$2"; shift 2 ;;
    -l) echo "nsexec shim: -l (local mount namespace) is not supported" >&2; exit 2 ;;
    --) shift; break ;;
    *) echo "nsexec shim: unknown option $1" >&2; exit 2 ;;
  esac
done
# shellcheck disable=SC2086
[ "$pidns" = 1 ] || exec nsenter $opts -- "$@"
# Entering a PID namespace, nsenter forks: the program is its child, and chaos-daemon stops a stressor by signalling
# the process it started (this shim). Pass the signal on to the program, or it outlives its chaos (util-linux 2.38
# has no --kill-child).
set +e
nsenter $opts -- "$@" <&0 &
pid=$!
trap 'pkill -TERM -P "$pid"; kill -TERM "$pid" 2>/dev/null' TERM INT
wait "$pid"; status=$?
# A trapped signal ends the first wait early: wait for the program itself.
wait "$pid" 2>/dev/null
exit "$status"
EOF
}

daemon_manifest() {
  cat <<EOF
apiVersion: v1
kind: Namespace
metadata: {name: $NS, labels: {dev.faultline.role: chaos-mesh}}
---
apiVersion: v1
kind: Service
metadata: {name: chaos-daemon, namespace: $NS}
spec:
  clusterIP: None
  selector: {app.kubernetes.io/component: chaos-daemon}
  ports: [{name: grpc, port: 31767}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: chaos-daemon, namespace: $NS, labels: {app.kubernetes.io/component: chaos-daemon}}
spec:
  selector: {matchLabels: {app.kubernetes.io/component: chaos-daemon}}
  template:
    metadata: {labels: {app.kubernetes.io/component: chaos-daemon}}
    spec:
      hostNetwork: true
      hostPID: true
      tolerations: [{operator: Exists}]
      containers:
        - name: chaos-daemon
          image: $FAULTLINE_IMAGE_TOOLS
          imagePullPolicy: IfNotPresent
          command: [/usr/local/bin/chaos-daemon, --runtime, containerd, --runtime-socket-path, /run/containerd/containerd.sock,
            --grpc-port, "31767", --http-port, "31766"]
          securityContext: {privileged: true}
          volumeMounts:
            - {name: bin, mountPath: /usr/local/bin, readOnly: true}
            - {name: sock, mountPath: /run/containerd/containerd.sock}
            # chaos-daemon finds the host cgroups under /host-sys (pkg/chaosdaemon/cgroups), as in the official chart.
            - {name: sys, mountPath: /host-sys}
      volumes:
        - {name: bin, hostPath: {path: $BIN, type: Directory}}
        - {name: sock, hostPath: {path: $CLUSTER_DIR/containerd/containerd.sock, type: Socket}}
        - {name: sys, hostPath: {path: /sys, type: Directory}}
EOF
}

up() {
  build
  step "Chaos Mesh on the cluster"
  local src; src="$(module_dir)"
  run_logged "CRDs (manifests/crd.yaml)" kubectl apply --server-side --force-conflicts -f "$src/manifests/crd.yaml"
  daemon_manifest | kubectl apply -f - >/dev/null
  kubectl rollout status -n "$NS" daemonset/chaos-daemon --timeout=120s >/dev/null || die "chaos-daemon did not start: kubectl logs -n $NS daemonset/chaos-daemon"
  ok "chaos-daemon runs on the node"
  mkdir -p "$STATE/certs"
  if [[ ! -f "$STATE/certs/tls.crt" ]]; then
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$STATE/certs/tls.key" -out "$STATE/certs/tls.crt" -days 3650 -subj /CN=chaos-mesh-webhook 2>/dev/null
  fi
  if [[ -f "$STATE/controller-manager.pid" ]] && kill -0 "$(cat "$STATE/controller-manager.pid")" 2>/dev/null; then
    ok "controller-manager runs (pid $(cat "$STATE/controller-manager.pid"))"; return
  fi
  # No admission webhooks are registered: resources are taken as written (faultline writes every field it needs).
  env NAMESPACE="$NS" SECURITY_MODE=false CHAOSD_SECURITY_MODE=false ENABLE_LEADER_ELECTION=false \
    WEBHOOK_HOST=127.0.0.1 WEBHOOK_PORT=19443 METRICS_HOST=127.0.0.1 METRICS_PORT=19080 CERTS_DIR="$STATE/certs" \
    setsid "$BIN/chaos-controller-manager" >"$STATE/controller-manager.log" 2>&1 </dev/null &
  echo $! >"$STATE/controller-manager.pid"
  for _ in $(seq 1 60); do
    curl -fsS -o /dev/null "http://127.0.0.1:19080/metrics" 2>/dev/null && { ok "controller-manager started (pid $(cat "$STATE/controller-manager.pid"), log $STATE/controller-manager.log)"; return; }
    kill -0 "$(cat "$STATE/controller-manager.pid")" 2>/dev/null || break
    sleep 1
  done
  tail -n 20 "$STATE/controller-manager.log" >&2
  die "the controller-manager did not start (log above)"
}

down() {
  step "Removing Chaos Mesh"
  if [[ -f "$STATE/controller-manager.pid" ]]; then
    # SIGTERM, up to 10 s, then SIGKILL: its graceful shutdown can hang (seen here), and a second `up` must not find
    # the old one still holding its ports.
    local pid; pid="$(cat "$STATE/controller-manager.pid")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$STATE/controller-manager.pid"
  fi
  kubectl delete namespace "$NS" --ignore-not-found --wait=true --timeout=120s >/dev/null || true
  local src; src="$(module_dir)"
  kubectl delete -f "$src/manifests/crd.yaml" --ignore-not-found --wait=true --timeout=120s >/dev/null || true
  ok "removed"
}

case "${1:-}" in
  build) build ;;
  up) up ;;
  down) down ;;
  *) die "usage: setup-chaos-mesh.sh build|up|down" ;;
esac
