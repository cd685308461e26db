#!/usr/bin/env bash
# Installs Prometheus from Debian's package (2.42) when it is not on PATH. Safe to re-run: a present binary is kept.
# Only the binary is used: `scripts/prometheus.sh up` runs it with the project's own config (demo/prometheus.yml)
# on 127.0.0.1, never the package's system service.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"

if command -v prometheus >/dev/null 2>&1; then
  ok "prometheus $(prometheus --version 2>&1 | awk 'NR==1 {print $3}') is installed"
  exit 0
fi
command -v apt-get >/dev/null 2>&1 || die "prometheus is not installed and there is no apt-get: install Prometheus 2.x and put it on PATH"
# --no-install-recommends: the node exporter and friends are not needed. The package's own service is not used.
run_logged "apt-get install prometheus" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus
ok "prometheus $(prometheus --version 2>&1 | awk 'NR==1 {print $3}') installed"
