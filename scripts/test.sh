#!/usr/bin/env bash
# The one test command (README, .ci/run): sets up everything the tests need, type-checks, runs every test file,
# then checks that the tests left nothing behind (containers, networks, armed faults, stacks, plugin processes).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

step "Type check"
npx --no-install tsc -p tsconfig.json --noEmit
ok "tsc --noEmit"

step "Tests"
mapfile -t files < <(find test -name '*.test.ts' -not -path '*/node_modules/*' | sort)
# One file at a time: real-engine tests share one Docker engine and two cores.
status=0
node --import tsx --test --test-concurrency=1 "${files[@]}" || status=$?

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
