#!/usr/bin/env bash
# The demo system on Kubernetes, with one command (npm run demo:k8s; docs/kubernetes-demo.md):
#   1. setup, the local single-node cluster (npm run cluster:up) and the Kubernetes provider plugin;
#   2. the demo's images moved from Docker into the node's containerd (docker save | ctr import), the demo deployed
#      into namespace faultline-demo (demo/k8s/), its API forwarded to 127.0.0.1:18880;
#   3. `faultline run demo-k8s-proxy-kill`: the pod of Toxiproxy (in front of Postgres and Redis) killed under load
#      on GET /catalog; the catalog stays fast from its last good copy (expected: held);
#   4. `faultline run demo-k8s-worker-kill`: the worker's only pod killed under a stream of orders; no worker is
#      ready until its replacement is (expected: refuted), and no accepted order is lost;
#   5. the failure-mode matrix; a check that both runs' faults are gone (node schedulable and untainted, no
#      faultline object left); the demo removed (namespace deleted, port-forward stopped).
# Subcommands: up | down | status | run (default). The namespace and port are fixed: the stacks name them.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

NS=faultline-demo
PORT=18880
API="http://127.0.0.1:$PORT"
STATE="$ROOT/.faultline/demo-k8s"
PF_PID="$STATE/port-forward.pid"
mkdir -p "$STATE"

CLUSTER_DIR="${FAULTLINE_CLUSTER_DIR:-$ROOT/.faultline/cluster}"
export PATH="$FAULTLINE_CACHE/k8s-v${FAULTLINE_K8S_VERSION:-1.34.4}/bin:$PATH"
LOCAL=0

# use_cluster: the cluster KUBECONFIG reaches (yours, or a local one already up), else the local one, which
# scripts/cluster.sh builds and starts (its kubeconfig is $CLUSTER_DIR/kubeconfig).
use_cluster() {
  if [[ -z "${KUBECONFIG:-}" ]] || ! kubectl --request-timeout=5s get --raw /readyz >/dev/null 2>&1; then
    bash scripts/cluster.sh up
    export KUBECONFIG="$CLUSTER_DIR/kubeconfig"
  fi
  pick_cluster
}

# pick_cluster: LOCAL=1 when KUBECONFIG is the local cluster's (then images are moved into its containerd).
pick_cluster() {
  export KUBECONFIG="${KUBECONFIG:-$CLUSTER_DIR/kubeconfig}"
  if [[ "$(realpath -m "$KUBECONFIG")" == "$(realpath -m "$CLUSTER_DIR/kubeconfig")" ]]; then
    LOCAL=1; ok "cluster: the local one (KUBECONFIG=$KUBECONFIG)"
  else
    ok "cluster: $(kubectl config current-context) (KUBECONFIG=$KUBECONFIG)"
  fi
}

# import_images: the demo's images, from Docker into the local node's containerd, unless the same image (by Docker's
# image id, recorded beside it on import as scripts/cluster.sh does) is already there. On a cluster of your own,
# point FAULTLINE_IMAGE_* at images it can pull.
import_images() {
  # shellcheck source=scripts/images.env
  source scripts/images.env
  ((LOCAL)) || return 0
  # The faults' own pods (the pod-kill Job, the stress DaemonSet) run the images scripts/cluster.sh moved in.
  export FAULTLINE_IMAGE_KUBECTL="${FAULTLINE_IMAGE_KUBECTL:-faultline/kubectl:1}" FAULTLINE_IMAGE_STRESS="${FAULTLINE_IMAGE_STRESS:-$FAULTLINE_IMAGE_TOOLS}"
  step "Demo images into the cluster"
  local ctr=(ctr --address "$CLUSTER_DIR/containerd/containerd.sock" -n k8s.io) img want stamp
  for img in $(printf '%s\n' "$FAULTLINE_IMAGE_POSTGRES" "$FAULTLINE_IMAGE_REDIS" "$FAULTLINE_IMAGE_TOXIPROXY" \
      "$FAULTLINE_IMAGE_DEMO_APP" | sort -u); do
    want="$(docker image inspect -f '{{.Id}}' "$img" 2>/dev/null)" || die "no Docker image $img; run: npm run setup"
    stamp="$CLUSTER_DIR/containerd/imported-${img//[\/:]/_}"
    if [[ -n "$("${ctr[@]}" images ls -q "name==docker.io/$img" 2>/dev/null)" && "$(cat "$stamp" 2>/dev/null)" == "$want" ]]; then
      ok "$img (already there)"; continue
    fi
    docker save "$img" | "${ctr[@]}" images import - >/dev/null
    echo "$want" >"$stamp"
    ok "$img moved from Docker"
  done
}

# host_aliases: the Services' cluster IPs as a pod's hostAliases, so names resolve without cluster DNS.
host_aliases() {
  kubectl get svc -n "$NS" postgres redis toxiproxy \
    -o jsonpath='{range .items[*]}{"{ip: \""}{.spec.clusterIP}{"\", hostnames: ["}{.metadata.name}{"]}, "}{end}' |
    sed 's/, $//; s/^/[/; s/$/]/'
}

render() { # render FILE: fills in the namespace, images and host aliases
  sed -e "s|@NAMESPACE@|$NS|g" -e "s|@IMAGE_POSTGRES@|$FAULTLINE_IMAGE_POSTGRES|g" -e "s|@IMAGE_REDIS@|$FAULTLINE_IMAGE_REDIS|g" \
    -e "s|@IMAGE_TOXIPROXY@|$FAULTLINE_IMAGE_TOXIPROXY|g" -e "s|@IMAGE_APP@|$FAULTLINE_IMAGE_DEMO_APP|g" \
    -e "s|@HOST_ALIASES@|${ALIASES:-[]}|g" "$1"
}

# port_forward: the API on 127.0.0.1:$PORT. kubectl port-forward exits when its pod goes, so it runs in a loop;
# `timeout` bounds the loop to an hour even if this script is killed, and leads its own process group, which
# stop_port_forward ends by that id.
port_forward() {
  stop_port_forward
  timeout 3600 bash -c "while :; do kubectl port-forward -n $NS --address 127.0.0.1 svc/api $PORT:8080; sleep 1; done" \
    >"$STATE/port-forward.log" 2>&1 &
  echo $! >"$PF_PID"
  for _ in $(seq 1 60); do
    curl -fsS -o /dev/null --max-time 2 "$API/ready" 2>/dev/null && { ok "API: $API (kubectl port-forward, pid $(cat "$PF_PID"))"; return; }
    sleep 1
  done
  tail -n 5 "$STATE/port-forward.log" >&2
  die "the API did not answer at $API within 60 s"
}

stop_port_forward() {
  [[ -f "$PF_PID" ]] || return 0
  kill -- "-$(cat "$PF_PID")" 2>/dev/null || true
  rm -f "$PF_PID"
}

up() {
  import_images
  step "Demo system in namespace $NS"
  render demo/k8s/services.yaml | kubectl apply -f - >/dev/null
  kubectl create configmap toxiproxy -n "$NS" --from-file=proxies.json=demo/toxiproxy.json --dry-run=client -o yaml |
    kubectl apply -f - >/dev/null
  ALIASES="$(host_aliases)"
  render demo/k8s/workloads.yaml | kubectl apply -f - >/dev/null
  local d
  for d in postgres redis toxiproxy api worker; do
    kubectl rollout status -n "$NS" "deployment/$d" --timeout=180s >/dev/null ||
      { kubectl get pods -n "$NS" -o wide >&2; die "deployment $d did not become ready; remove the demo with: npm run demo:k8s -- down"; }
  done
  kubectl get pods -n "$NS" -o wide
  port_forward
}

down() {
  step "Removing the demo from namespace $NS"
  stop_port_forward
  kubectl delete namespace "$NS" --ignore-not-found --wait=true --timeout=120s >/dev/null
  ok "removed"
}

# leftovers: what the experiments' faults could have left on the cluster; empty when every fault was rolled back.
leftovers() {
  kubectl get nodes -o jsonpath='{range .items[*]}{.metadata.name}{" unschedulable="}{.spec.unschedulable}{" taints="}{.spec.taints[*].key}{"\n"}{end}' |
    grep -E 'unschedulable=true|dev\.faultline' || true
  kubectl get all,configmaps,networkpolicies,roles,rolebindings,serviceaccounts -A -l dev.faultline.managed=true,dev.faultline.role!=reaper \
    -o name 2>/dev/null || true
}

run_demo() {
  bash scripts/setup.sh
  use_cluster
  trap 'down >/dev/null 2>&1 || true' EXIT
  up
  local out="$ROOT/.faultline/runs" verdicts=() status=0 code
  for pair in demo-k8s-proxy-kill:0 demo-k8s-worker-kill:1; do
    step "Experiment ${pair%%:*}"
    code=0
    npm run --silent faultline -- run "${pair%%:*}" --out "$out/${pair%%:*}" || code=$?
    verdicts+=("${pair%%:*}: exit $code (expected ${pair##*:})")
    [[ "$code" == "${pair##*:}" ]] || status=1
  done
  step "Failure-mode matrix"
  npm run --silent faultline -- report "$out/demo-k8s-proxy-kill" "$out/demo-k8s-worker-kill" --matrix --out "$out"
  step "Rolled back?"
  local left; left="$(leftovers)"
  if [[ -n "$left" ]]; then warn "left on the cluster:"; printf '      %s\n' $left >&2; status=1; else ok "no fault left: node schedulable and untainted, no faultline object"; fi
  for v in "${verdicts[@]}"; do ok "$v"; done
  ok "reports: $out/<stack>/report.html, matrix: $out/matrix.html"
  exit "$status"
}

case "${1:-run}" in
  run) run_demo ;;
  up) bash scripts/setup.sh; use_cluster; up ;;
  down) pick_cluster >/dev/null; down ;;
  status) pick_cluster; kubectl get pods -n "$NS" -o wide; curl -fsS --max-time 3 "$API/stats" && echo || warn "the API does not answer at $API" ;;
  *) die "usage: bash scripts/demo-k8s.sh [run|up|down|status]" ;;
esac
