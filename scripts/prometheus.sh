#!/usr/bin/env bash
# The project's own Prometheus (docs/observability.md): the Debian binary with demo/prometheus.yml, on 127.0.0.1,
# its data, log and PID under .faultline/prometheus/. Stopped by its PID, never by name.
#   bash scripts/prometheus.sh up       # install if missing, start if not running, wait until ready
#   bash scripts/prometheus.sh down     # stop it (SIGTERM, then SIGKILL after 10 s)
#   bash scripts/prometheus.sh status   # running or not, and its scrape targets
# FAULTLINE_PROMETHEUS_PORT chooses the port (default 19090). Other copies of the demo register as scrape targets
# by writing a file into .faultline/prometheus/targets/ (see demo/prometheus.yml).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

DIR="$ROOT/.faultline/prometheus"
PIDFILE="$DIR/prometheus.pid"
PORT="${FAULTLINE_PROMETHEUS_PORT:-19090}"
URL="http://127.0.0.1:$PORT"
CONFIG="$ROOT/demo/prometheus.yml"

# The PID in the PID file, when that process is alive and is our Prometheus (a reused PID is not ours).
running_pid() {
  [[ -f "$PIDFILE" ]] || return 1
  local pid; pid="$(cat "$PIDFILE")"
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "--config.file=$CONFIG" || return 1
  echo "$pid"
}

ready() { curl -fsS --max-time 2 "$URL/-/ready" >/dev/null 2>&1; }

up() {
  bash scripts/setup-prometheus.sh
  mkdir -p "$DIR/data" "$DIR/targets"
  if pid="$(running_pid)"; then ok "Prometheus is running (pid $pid) at $URL"; return; fi
  # setsid: its own session, so a Ctrl-C in the shell that started it does not stop it.
  setsid prometheus --config.file="$CONFIG" --web.listen-address="127.0.0.1:$PORT" \
    --storage.tsdb.path="$DIR/data" --storage.tsdb.retention.time=2d --log.level=warn \
    >"$DIR/prometheus.log" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 60); do
    if ready; then ok "Prometheus is running (pid $(cat "$PIDFILE")) at $URL"; return; fi
    running_pid >/dev/null || { tail -n 20 "$DIR/prometheus.log" >&2; die "Prometheus exited at start (log above: $DIR/prometheus.log)"; }
    sleep 0.5
  done
  die "Prometheus did not become ready at $URL within 30 s (log: $DIR/prometheus.log)"
}

down() {
  local pid
  if ! pid="$(running_pid)"; then rm -f "$PIDFILE"; ok "Prometheus is not running"; return; fi
  kill -TERM "$pid"
  for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  rm -f "$PIDFILE"
  ok "Prometheus stopped (pid $pid)"
}

status() {
  local pid
  if ! pid="$(running_pid)"; then echo "Prometheus is not running"; return 3; fi
  echo "Prometheus is running (pid $pid) at $URL"
  curl -fsS --max-time 3 "$URL/api/v1/targets?state=active" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const t of JSON.parse(s).data.activeTargets)console.log(`  ${t.health.padEnd(7)} ${t.labels.job} ${t.scrapeUrl} ${t.labels.sandbox??""}`)})'
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
