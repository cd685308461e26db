#!/usr/bin/env bash
# The one test command (README, .ci/run) and its tiers:
#   bash scripts/test.sh          setup, type check, the unit, engine and Kubernetes tiers (each timed), then checks
#                                 that the tests left nothing behind (containers, networks, armed faults, stacks,
#                                 plugin processes)
#   bash scripts/test.sh unit     npm run test:unit: every engine-free file (*.unit.test.ts, *.mock.test.ts); no setup
#   bash scripts/test.sh engine   npm run test:engine: the real Docker and Pulumi ones (*.real.test.ts); after setup
#   bash scripts/test.sh k8s      npm run test:k8s: test/cluster on the local cluster (built, started and stopped here)
# FAULTLINE_TEST_CONCURRENCY sets how many files of a tier run at once (default: unit 4, engine 3).
# FAULTLINE_TEST_EXCLUDE (an extended regex on paths, never set here) leaves files out of a tier, e.g.
# `FAULTLINE_TEST_EXCLUDE=engineRestart npm run test:engine` on a machine whose dockerd others use too.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
tier="${1:-all}"
[[ "$tier" =~ ^(all|unit|engine|k8s)$ ]] || { echo "usage: bash scripts/test.sh [unit|engine|k8s]  (got: $tier)" >&2; exit 2; }
[[ "$tier" == all ]] && bash scripts/setup.sh
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
# Pulumi runs the compiled program and policy pack (dist/): tests run against fresh output.
node scripts/build.js
# Every test process gets the preload that Pulumi's own Node.js processes get (runner/env.ts LAZY_LOAD): loading
# @pulumi/pulumi otherwise also loads @npmcli/arborist and TypeScript, which only closure serialization uses, about
# 1 s of CPU in each of the tiers' processes (a test file's, a shard's). What uses them still loads them at first use.
export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--require \"$ROOT/scripts/pulumi-language-nodejs/lazy-load.js\""

# The tests' Pulumi commands get a Pulumi home of this checkout's own (its plugins are the user's, linked). Every
# `pulumi` command writes a log file there and first scans all of them for rotation (up to 500 MB by default): with
# the 24,000 logs a few days of test runs leave in ~/.pulumi/logs, that scan was 0.15-0.25 s of CPU in each of the
# tiers' 1,500-odd commands. Here the logs start empty in a fresh clone and are kept to 50 MB; the developer's own
# Pulumi logs stay as they were.
test_pulumi_home() {
  local home="$ROOT/.faultline/pulumi-home" user_home="${PULUMI_HOME:-$HOME/.pulumi}"
  if [[ "$user_home" != "$home" ]]; then
    mkdir -p "$home" "$user_home/plugins"
    [[ -L "$home/plugins" ]] || ln -s "$user_home/plugins" "$home/plugins"
  fi
  export PULUMI_HOME="$home" PULUMI_LOG_ROTATION_MAX_TOTAL_MB=50
}
test_pulumi_home

# The real test that restarts dockerd: every other Docker test fails while the engine is down. It runs first, and the
# batch starts once it has written the file $FAULTLINE_ENGINE_BACK (the engine is back and its faults are in again):
# the rest of it, about a minute of waiting for its faults' TTL, runs beside the batch instead of after it.
ENGINE_RESTART=test/components/docker/engineRestart.real.test.ts

# Files started first, longest first, so that a tier does not end with one long file running alone while the other
# core idles. Real files: their durations in the fresh-clone CI of 2026-12-01 05:51, three at a time (the rest are
# under 70 s); mock files: alone on a quiet machine (the shared-process shards of the unit tier always start first).
LONGEST_FIRST=(
  test/package/install.real.test.ts                 # 198 s
  test/runner/recover.real.test.ts                  # 170 s
  test/runner/window.real.test.ts                   # 115 s
  test/components/docker/NetworkDisconnect.real.test.ts # 108 s
  test/components/docker/ToxiproxyToxic.real.test.ts    # 105 s
  test/stacks/demoPromqlTwin.real.test.ts           # 103 s
  test/components/docker/ContainerRestart.real.test.ts  # 103 s
  test/components/docker/DiskFill.real.test.ts      # 102 s
  test/components/docker/ClockSkew.real.test.ts     # 102 s
  test/components/docker/PartialPartition.real.test.ts  # 98 s
  test/runner/run.real.test.ts                      # 91 s
  test/components/docker/DnsFailure.real.test.ts    # 79 s
  test/testing/examples.real.test.ts                # 76 s
  test/components/docker/CpuStress.real.test.ts     # 72 s
  test/components/docker/BandwidthLimit.real.test.ts    # 71 s
  test/stacks/program.mock.test.ts                  # 7.5 s
  test/components/kubernetes/chaosMesh.mock.test.ts # 7.5 s
)

# *.unit files that need a process of their own, each with why:
UNIT_ALONE=(
  # checks what loading the registry loads, so it needs a module cache no other file has filled.
  test/components/registry.unit.test.ts
)

# *.unit files that time what they test closely (arrival rates against a local server, deadlines of a second): they
# share one process of their own and run there one after the other, because in a shard another file's module
# loading can hold the event loop for seconds (the load generator's requests to its local server timed out under
# load). Files whose time bounds only tell "answered" from "hung" stay in the shards.
UNIT_IN_ORDER=(
  test/runner/load/generator.unit.test.ts
  test/runner/telemetry/otel.unit.test.ts
  test/runner/telemetry/annotations.unit.test.ts
)

# files PATTERN...: the test files matching the find -name patterns, minus FAULTLINE_TEST_EXCLUDE, sorted.
files() {
  local args=() p
  for p in "$@"; do args+=(${args[@]+-o} -name "$p"); done
  find test -not -path '*/node_modules/*' \( "${args[@]}" \) | sort | { if [[ -n "${FAULTLINE_TEST_EXCLUDE:-}" ]]; then grep -Ev "$FAULTLINE_TEST_EXCLUDE" || true; else cat; fi; }
}
# run_files CONCURRENCY FILE...: node's test runner on the files, that many files at a time, started in the order
# given (scripts/run-tests.js: `node --test` would sort them by name).
run_files() {
  local n="$1"; shift
  (($# > 0)) || return 0
  node --import tsx scripts/run-tests.js "$n" "$@"
}
# check_longest_first: fails naming a file LONGEST_FIRST lists that does not exist (moved, renamed): the list would
# silently stop ordering it.
check_longest_first() {
  local f
  for f in "${LONGEST_FIRST[@]}"; do [[ -f "$f" ]] || { warn "LONGEST_FIRST in scripts/test.sh names $f, which does not exist: update the list"; return 2; }; done
}
# in_list ITEM LIST...: whether ITEM is one of LIST.
in_list() { local x="$1" s; shift; for s in "$@"; do [[ "$x" == "$s" ]] && return 0; done; return 1; }
# longest_first FILE...: the files, those in LONGEST_FIRST first and in its order, then the others as given; one a line.
longest_first() {
  local f
  for f in "${LONGEST_FIRST[@]}"; do if in_list "$f" "$@"; then echo "$f"; fi; done
  for f in "$@"; do if ! in_list "$f" "${LONGEST_FIRST[@]}"; then echo "$f"; fi; done
}

unit_tier() {
  local units mocks shared=() own=() timed_files=() f
  check_longest_first || return $?
  mapfile -t units < <(files '*.unit.test.ts')
  mapfile -t mocks < <(files '*.mock.test.ts')
  for f in ${units[@]+"${units[@]}"}; do
    if in_list "$f" "${UNIT_ALONE[@]}"; then own+=("$f"); elif in_list "$f" "${UNIT_IN_ORDER[@]}"; then timed_files+=("$f"); else shared+=("$f"); fi
  done
  # The *.unit files share a few processes (test/helpers/inOneProcess.ts, one shard each, its files side by side);
  # UNIT_IN_ORDER's share one more, one file at a time; each *.mock file and each of UNIT_ALONE gets its own:
  # Pulumi's mocks (pulumi.runtime.setMocks) are global to a process. No engine, no shared state: all at once.
  local shards=() n="${FAULTLINE_UNIT_SHARDS:-2}" k dir
  dir="$(mktemp -d)"
  # The test runner takes files, not arguments: one small entry file per shard, which names its shard and loads it.
  for ((k = 1; k <= n; k++)); do
    printf 'process.env.FAULTLINE_TEST_SHARD = "%s/%s";\nawait import(%s);\n' "$k" "$n" "\"$ROOT/test/helpers/inOneProcess.ts\"" >"$dir/unit-shard-$k-of-$n.mjs"
    shards+=("$dir/unit-shard-$k-of-$n.mjs")
  done
  if ((${#timed_files[@]} > 0)); then
    printf 'process.env.FAULTLINE_TEST_FILES = %s;\nprocess.env.FAULTLINE_UNIT_FILE_CONCURRENCY = "1";\nawait import(%s);\n' \
      "$(printf '%s\n' "${timed_files[@]}" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.stringify(s)))')" \
      "\"$ROOT/test/helpers/inOneProcess.ts\"" >"$dir/unit-in-order.mjs"
    shards+=("$dir/unit-in-order.mjs")
  fi
  local rc=0 rest=()
  mapfile -t rest < <(longest_first ${own[@]+"${own[@]}"} ${mocks[@]+"${mocks[@]}"})
  FAULTLINE_TEST_FILES="$(printf '%s\n' ${shared[@]+"${shared[@]}"})" \
    run_files "${FAULTLINE_TEST_CONCURRENCY:-4}" "${shards[@]}" "${rest[@]}" || rc=$?
  rm -rf "$dir"
  return "$rc"
}

engine_tier() {
  local all batch=() restart="" f status=0 back out pid=""
  mapfile -t all < <(files '*.real.test.ts')
  # The PromQL tests query the project's Prometheus (docs/observability.md): started here, stopped when the tier
  # ends, and also when the script is interrupted.
  bash scripts/prometheus.sh up || return $?
  trap 'bash scripts/prometheus.sh down >/dev/null' EXIT
  for f in "${all[@]}"; do if [[ "$f" == "$ENGINE_RESTART" ]]; then restart="$f"; else batch+=("$f"); fi; done
  check_longest_first || return $?
  mapfile -t batch < <(longest_first ${batch[@]+"${batch[@]}"})
  if [[ -n "$restart" ]]; then
    back="$(mktemp -u)"
    out="$(mktemp)"
    # Its report goes to a file, printed after the batch's: two test runners writing at once would interleave.
    FAULTLINE_ENGINE_BACK="$back" run_files 1 "$restart" >"$out" 2>&1 &
    pid=$!
    while [[ ! -e "$back" ]] && kill -0 "$pid" 2>/dev/null; do sleep 1; done
  fi
  # Every real test names its containers, networks, stacks and Compose projects with a per-run id and takes host
  # ports no other test holds (Docker's choice, or test/helpers/demo.ts freePort), so they share the engine safely. Three at a time: most of their time is the CPU of
  # `pulumi` operations (about 3 s each, docs/testing.md), and there are two cores.
  run_files "${FAULTLINE_TEST_CONCURRENCY:-3}" ${batch[@]+"${batch[@]}"} || status=$?
  if [[ -n "$pid" ]]; then
    wait "$pid" || status=$?
    cat "$out"
    rm -f "$out" "$back"
  fi
  bash scripts/prometheus.sh down >/dev/null
  return "$status"
}

k8s_tier() {
  local status=0 cluster_files
  # Always a local cluster of our own, never the user's: these tests cordon and taint its node. Built and cached by
  # setup-k8s.sh (the first build takes 20-30 minutes), started here, stopped after, and checked for leftovers.
  bash scripts/setup-k8s.sh all || return $?
  FAULTLINE_CLUSTER=local bash scripts/cluster.sh up || return $?
  mapfile -t cluster_files < <(files '*.cluster.test.ts')
  # One at a time: the tests cordon and taint the cluster's only node.
  KUBECONFIG="$ROOT/.faultline/cluster/kubeconfig" run_files 1 ${cluster_files[@]+"${cluster_files[@]}"} || status=$?
  local kubectl_=("$FAULTLINE_CACHE/k8s-v${FAULTLINE_K8S_VERSION:-1.34.4}/bin/kubectl" --kubeconfig "$ROOT/.faultline/cluster/kubeconfig")
  # Namespaces the tests deleted finish terminating first (their pods get a grace period).
  "${kubectl_[@]}" wait --for=delete namespace -l dev.faultline.test=true --timeout=90s >/dev/null 2>&1 || true
  # Test objects: namespaces flt-test-*, leases and reapers of test stacks, faultline labels or taints on the node.
  local k8s_left cluster_left
  k8s_left="$("${kubectl_[@]}" get namespaces -o name | grep '/flt-test-' || true)
$("${kubectl_[@]}" get configmaps,deployments,clusterroles -A -l dev.faultline.managed=true -o name 2>/dev/null || true)
$("${kubectl_[@]}" get nodes -o jsonpath='{range .items[*]}{.metadata.labels}{.spec.taints}{"\n"}{end}' | grep -o 'dev.faultline[^"]*' || true)"
  bash scripts/cluster.sh down
  if [[ -n "${k8s_left//[[:space:]]/}" ]]; then warn "the Kubernetes tier left these in the cluster:"; echo "$k8s_left"; status=1; fi
  if ! cluster_left="$(bash scripts/cluster.sh leftovers)"; then warn "the local cluster left these on the host:"; echo "$cluster_left"; status=1; fi
  return "$status"
}

leftovers() {
  # Test containers and networks carry dev.faultline.test; reapers and helpers of test stacks (test-*) carry the stack.
  local left stacks
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
    return 1
  fi
  ok "no test container, network, armed fault, stack or plugin process left behind"
}

# Every test file belongs to exactly one tier, by its name: a file nobody runs is a file that cannot fail.
untiered="$(find test -name '*.test.ts' -not -path '*/node_modules/*' | grep -Ev '\.(unit|mock|real|cluster)\.test\.ts$' || true)"
if [[ -n "$untiered" ]]; then warn "these test files are in no tier (name them *.unit, *.mock, *.real or *.cluster.test.ts):"; echo "$untiered" >&2; exit 2; fi

# timed NAME FUNCTION: runs a tier, prints and records its duration, and keeps its status.
status=0
durations=()
timed() {
  local start=$SECONDS rc=0
  step "$1 tier"
  "$2" || rc=$?
  local d=$((SECONDS - start))
  durations+=("$1 $((d / 60)) min $((d % 60)) s ($([[ $rc == 0 ]] && echo passed || echo "FAILED, exit $rc"))")
  if ((rc == 0)); then ok "$1 tier: $((d / 60)) min $((d % 60)) s"; else warn "$1 tier FAILED (exit $rc) after $((d / 60)) min $((d % 60)) s"; fi
  ((rc == 0)) || status=$rc
}

case "$tier" in
  unit) timed Unit unit_tier ;;
  engine) timed Engine engine_tier ;;
  k8s) timed Kubernetes k8s_tier ;;
  all)
    step "Type check"
    npx --no-install tsc -p tsconfig.json --noEmit
    ok "tsc --noEmit"
    timed Unit unit_tier
    timed Engine engine_tier
    timed Kubernetes k8s_tier
    step "Leftovers"
    leftovers || status=1
    step "Durations"
    printf '    %s\n' "${durations[@]}"
    ;;
esac
exit "$status"
