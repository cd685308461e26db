#!/usr/bin/env bash
# `faultline setup` in a user's project (faultline installed from npm): finds or builds the pinned Pulumi CLI with its
# Node.js language host (scripts/setup-pulumi.sh, cached in ~/.cache/faultline as for this repository), checks for a
# Docker engine, and writes the project's local state and environment file (<project>/.faultline/).
# Usage: setup-project.sh PROJECT_DIR
set -euo pipefail
PROJECT="$(cd "${1:?usage: setup-project.sh PROJECT_DIR}" && pwd)"
PKG="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export FAULTLINE_ROOT="$PROJECT"
# shellcheck source=scripts/lib.sh
source "$PKG/scripts/lib.sh"

PULUMI_VERSION="$(node -p "require('$PKG/package.json').dependencies['@pulumi/pulumi']")"
step "Pulumi CLI v$PULUMI_VERSION"
bash "$PKG/scripts/setup-pulumi.sh" "$PULUMI_VERSION"

step "Docker engine"
if docker info >/dev/null 2>&1; then ok "docker is running"; else warn "no running Docker engine: Docker faults need one (install Docker and start it)"; fi

step "Local state"
mkdir -p "$FAULTLINE_STATE_DIR"
# shellcheck disable=SC1090
source "$FAULTLINE_TOOLCHAIN_FILE"
write_env_file
ok "file backend: $PULUMI_BACKEND_URL"
ok "ready: npx faultline plan <stack> --experiment <file>"
