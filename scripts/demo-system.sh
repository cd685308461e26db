#!/usr/bin/env bash
# The bundled demo system (demo/compose.yaml, docs/demo.md), with one command:
#   bash scripts/demo-system.sh up      # build what is missing, start it, wait until every service is healthy
#   bash scripts/demo-system.sh down    # remove it: containers, networks, volume
#   bash scripts/demo-system.sh status  # its containers and the API's /stats
# FAULTLINE_DEMO_PROJECT names the copy (default faultline-demo); FAULTLINE_DEMO_API_PORT and
# FAULTLINE_DEMO_TOXIPROXY_PORT choose the loopback ports (defaults 18780 and 18474).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

export COMPOSE_PROJECT_NAME="${FAULTLINE_DEMO_PROJECT:-faultline-demo}"
API="http://127.0.0.1:${FAULTLINE_DEMO_API_PORT:-18780}"
compose() { docker compose -f demo/compose.yaml -p "$COMPOSE_PROJECT_NAME" "$@"; }

case "${1:-}" in
  up)
    bash scripts/setup.sh
    # shellcheck source=scripts/images.env
    source scripts/images.env
    step "Demo system ($COMPOSE_PROJECT_NAME)"
    if ! compose up --detach --wait --wait-timeout 180 --remove-orphans; then
      compose ps -a >&2; compose logs --no-color --tail 20 >&2
      die "the demo system did not become healthy (logs above); remove it with: bash scripts/demo-system.sh down"
    fi
    compose ps --format 'table {{.Name}}\t{{.Status}}'
    ok "API: $API (try: curl -s $API/stats)"
    ok "Toxiproxy API: http://127.0.0.1:${FAULTLINE_DEMO_TOXIPROXY_PORT:-18474} (proxies: postgres, redis)"
    ;;
  down)
    step "Removing demo system ($COMPOSE_PROJECT_NAME)"
    compose down --volumes --remove-orphans --timeout 5
    ok "removed"
    ;;
  status)
    compose ps -a
    curl -fsS --max-time 3 "$API/stats" && echo || warn "the API does not answer at $API"
    ;;
  *)
    die "usage: bash scripts/demo-system.sh up|down|status"
    ;;
esac
