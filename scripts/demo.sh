#!/usr/bin/env bash
# The main job on a fresh machine: a real game day against the bundled demo system, on local Docker with local state.
#   1. setup (everything the project needs), then the demo system (API, worker, Redis stream + DLQ, Postgres,
#      Toxiproxy in front of the dependencies: docs/demo.md), healthy;
#   2. `faultline run demo-db-latency`: Postgres gets 1.5 s of latency; the catalog's fallback holds (expected: held);
#   3. `faultline run demo-orders-latency`: the same fault on the order lookup, which has no timeout (expected:
#      refuted, naming the latency SLO);
#   4. the failure-mode matrix across both runs; the demo system is removed.
# Each run applies the policy pack, checks steady state, injects with `pulumi up`, watches probes and load against
# the hypothesis with stop conditions, rolls back with `pulumi destroy` (always), verifies recovery, and writes
# evidence.json, report.md and report.html under .faultline/runs/<stack>/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

API="http://127.0.0.1:${FAULTLINE_DEMO_API_PORT:-18780}"
OUT="$ROOT/.faultline/runs"
trap 'bash scripts/demo-system.sh down >/dev/null 2>&1 || true' EXIT

bash scripts/demo-system.sh up

step "Seed: one processed order for the order-lookup experiment"
curl -fsS -X POST -H 'content-type: application/json' -d '{"id":"demo-1","sku":"apple","qty":1}' "$API/orders" >/dev/null
for _ in $(seq 1 60); do
  curl -fsS -o /dev/null "$API/orders/demo-1" 2>/dev/null && break
  sleep 0.5
done
curl -fsS -o /dev/null "$API/orders/demo-1" || die "order demo-1 was not processed within 30 s"
ok "order demo-1 processed"

verdicts=()
run_experiment() { # run_experiment STACK EXPECTED_EXIT
  step "Experiment $1"
  local code=0
  npm run --silent faultline -- run "$1" --out "$OUT/$1" || code=$?
  verdicts+=("$1: exit $code (expected $2)")
  [[ "$code" == "$2" ]]
}
status=0
run_experiment demo-db-latency 0 || status=1
run_experiment demo-orders-latency 1 || status=1

step "Failure-mode matrix"
npm run --silent faultline -- report "$OUT/demo-db-latency" "$OUT/demo-orders-latency" --matrix --out "$OUT"
for v in "${verdicts[@]}"; do ok "$v"; done
ok "reports: $OUT/<stack>/report.html, matrix: $OUT/matrix.html"
exit "$status"
