#!/usr/bin/env bash
# Installs and starts everything faultline needs, from package registries only, and is safe to re-run:
#   1. npm dependencies (the project and its policy pack), and the build into dist/ (scripts/build.js);
#   2. the Pulumi CLI and a Node.js language host, pinned to the @pulumi/pulumi version in package.json;
#   3. a Docker engine, and Docker Compose v2 (for the demo system);
#   4. Prometheus (Debian's package) for PromQL probes; scripts/prometheus.sh runs it;
#   5. the container images the tests and the demo use, built offline;
#   6. local state: a file backend under .faultline/ and the environment file that points everything at it.
# Every step first checks whether its work is already done, so a second run takes seconds.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"

step "npm dependencies"
if [[ ! -d node_modules/@pulumi/pulumi || package-lock.json -nt node_modules/.package-lock.json ]]; then
  run_logged "npm ci" npm ci --no-audit --no-fund
else
  ok "node_modules is up to date"
fi
if [[ -f policies/package.json ]]; then
  if [[ ! -d policies/node_modules || policies/package-lock.json -nt policies/node_modules/.package-lock.json ]]; then
    run_logged "npm ci (policies)" npm ci --no-audit --no-fund --prefix policies
  else
    ok "policies/node_modules is up to date"
  fi
fi

step "Build (dist/: the compiled program, runner and policy pack)"
ok "$(node scripts/build.js)"

PULUMI_VERSION="$(node -p 'require("./package.json").dependencies["@pulumi/pulumi"]')"
step "Pulumi CLI v$PULUMI_VERSION"
bash "$ROOT/scripts/setup-pulumi.sh" "$PULUMI_VERSION"

step "Docker engine"
bash "$ROOT/scripts/setup-docker.sh"

step "Docker Compose v2"
bash "$ROOT/scripts/setup-compose.sh"

step "Prometheus (Debian package; started by scripts/prometheus.sh up)"
bash "$ROOT/scripts/setup-prometheus.sh"

step "Images (built offline)"
bash "$ROOT/scripts/build-images.sh"

step "Local state"
mkdir -p "$FAULTLINE_STATE_DIR"
source "$FAULTLINE_TOOLCHAIN_FILE"
write_env_file
ok "file backend: $PULUMI_BACKEND_URL"
ok "ready; load the environment in a shell with: source scripts/env.sh"
