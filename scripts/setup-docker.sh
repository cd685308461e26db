#!/usr/bin/env bash
# Makes a Docker engine answer `docker info`: uses a running one, or (Debian, as root) installs docker.io and starts
# dockerd in the background, waiting at most FAULTLINE_DOCKER_WAIT seconds (default 60) for it to be ready.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
WAIT="${FAULTLINE_DOCKER_WAIT:-60}"

if docker info >/dev/null 2>&1; then
  ok "engine running: $(docker version --format '{{.Server.Version}}' 2>/dev/null)"
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    run_logged "apt-get update" apt-get update -qq
    run_logged "apt-get install docker.io" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io
  else
    die "no Docker engine: \`docker info\` fails and dockerd is not installed.
  Install Docker (https://docs.docker.com/engine/install/) and start it, or run this script as root on Debian."
  fi
fi

if [[ "$(id -u)" != 0 ]]; then
  die "dockerd is installed but not running, and starting it needs root. Start it (sudo systemctl start docker) and retry."
fi

log=/var/log/faultline-dockerd.log
printf '    starting dockerd (log: %s) ' "$log"
# setsid: the engine must outlive this script and the shell that ran it.
setsid nohup dockerd >"$log" 2>&1 < /dev/null &
for ((i = 0; i < WAIT; i++)); do
  if docker info >/dev/null 2>&1; then
    printf ' %sready%s after %ss\n' "$_G" "$_N" "$i"
    exit 0
  fi
  sleep 1; printf '.'
done
printf '\n'
tail -n 20 "$log" >&2
die "dockerd did not become ready within ${WAIT}s (set FAULTLINE_DOCKER_WAIT to wait longer)"
