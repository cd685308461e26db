#!/usr/bin/env bash
# The one test command (README, .ci/run): sets up everything the tests need, type-checks, runs every test file,
# then checks that the tests left nothing behind (containers, networks, armed faults, stacks, plugin processes).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

step "Prometheus (for the PromQL tests; stopped at the end)"
bash scripts/prometheus.sh up
trap 'bash scripts/prometheus.sh down >/dev/null' EXIT

step "Type check"
npx --no-install tsc -p tsconfig.json --noEmit
ok "tsc --noEmit"

step "Tests"
# The Kubernetes tier (test/cluster) runs on its own below, on the local cluster.
mapfile -t files < <(find test -name '*.test.ts' -not -path '*/node_modules/*' -not -path 'test/cluster/*' | sort)
# One file at a time: real-engine tests share one Docker engine and two cores.
status=0
node --import tsx --test --test-concurrency=1 "${files[@]}" || status=$?

step "Kubernetes tier (local cluster)"
# Always a local cluster of our own, never the user's: these tests cordon and taint its node. Built and cached by
# setup-k8s.sh (the first build takes 20-30 minutes), started here, stopped after, and checked for leftovers.
bash scripts/setup-k8s.sh all
FAULTLINE_CLUSTER=local bash scripts/cluster.sh up
mapfile -t cluster_files < <(find test/cluster -name '*.test.ts' | sort)
KUBECONFIG="$ROOT/.faultline/cluster/kubeconfig" node --import tsx --test --test-concurrency=1 "${cluster_files[@]}" || status=$?
kubectl_=("$FAULTLINE_CACHE/k8s-v${FAULTLINE_K8S_VERSION:-1.34.4}/bin/kubectl" --kubeconfig "$ROOT/.faultline/cluster/kubeconfig")
# Namespaces the tests deleted finish terminating first (their pods get a grace period).
"${kubectl_[@]}" wait --for=delete namespace -l dev.faultline.test=true --timeout=90s >/dev/null 2>&1 || true
# Test objects: namespaces flt-test-*, leases and reapers of test stacks, faultline labels or taints on the node.
k8s_left="$("${kubectl_[@]}" get namespaces -o name | grep '/flt-test-' || true)
$("${kubectl_[@]}" get configmaps,deployments,clusterroles -A -l dev.faultline.managed=true -o name 2>/dev/null || true)
$("${kubectl_[@]}" get nodes -o jsonpath='{range .items[*]}{.metadata.labels}{.spec.taints}{"\n"}{end}' | grep -o 'dev.faultline[^"]*' || true)"
bash scripts/cluster.sh down
if [[ -n "${k8s_left//[[:space:]]/}" ]]; then warn "the Kubernetes tier left these in the cluster:"; echo "$k8s_left"; status=1; fi
if ! cluster_left="$(bash scripts/cluster.sh leftovers)"; then warn "the local cluster left these on the host:"; echo "$cluster_left"; status=1; fi

step "Leftovers"
# Test containers and networks carry dev.faultline.test; reapers and helpers of test stacks (test-*) carry the stack.
left="$(docker ps -aq --filter label=dev.faultline.test; docker network ls -q --filter label=dev.faultline.test;
  docker ps -a --filter label=dev.faultline.managed=true --format '{{.ID}} {{.Label "dev.faultline.stack"}}' | awk '$2 ~ /^test-/ {print $1}'
  docker ps -a --filter label=dev.faultline.sandbox --format '{{.ID}} {{.Label "dev.faultline.sandbox"}}' | awk '$2 ~ /^flt-test-/ {print $1}')"
# Faults armed in reapers are labelled volumes of their stack.
left+="$(docker volume ls --filter label=dev.faultline.managed=true --format '{{.Name}} {{.Label "dev.faultline.stack"}}' | awk '$2 ~ /^test-/ {print $1}')"
# Pulumi plugins orphaned by a SIGKILLed `pulumi` (tests do that) end themselves within seconds of their engine.
orphans() { ps -eo pid=,ppid=,args= | awk -v root="$ROOT" '$2 == 1 && (/pulumi-language-nodejs/ || /pulumi-resource-pulumi-nodejs/ || index($0, root "/node_modules/@pulumi/pulumi/cmd/")) {print}'; }
[[ -z "$(orphans)" ]] || sleep 5
left+="$(orphans)"
# Copies of the demo system that tests start are Compose projects named flt-test-* (label dev.faultline.sandbox).
stacks="$(pulumi stack ls --json 2>/dev/null | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const x of JSON.parse(s||"[]"))if(/^test-/.test(x.name))console.log(x.name)})')"
if [[ -n "$left" || -n "$stacks" ]]; then
  warn "the tests left these behind:"; docker ps -a --filter label=dev.faultline.test
  docker ps -a --filter label=dev.faultline.managed=true; docker network ls --filter label=dev.faultline.test; echo "$stacks"
  docker ps -a --filter label=dev.faultline.sandbox; docker volume ls --filter label=dev.faultline.managed=true; orphans
  status=1
else
  ok "no test container, network, armed fault, stack or plugin process left behind"
fi
exit "$status"
