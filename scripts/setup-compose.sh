#!/usr/bin/env bash
# Docker Compose v2, for the demo system and the ComposeStack resource (which need `up --wait`; Debian's
# docker-compose 1.29 has no --wait). A Compose v2 already installed (2.20 or newer) is used as it is. Otherwise it
# is built from its Go module (github.com/docker/compose/v2) through a small wrapper module, cached in
# ~/.cache/faultline, and installed as the Docker CLI plugin ~/.docker/cli-plugins/docker-compose.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"

COMPOSE_VERSION="${FAULTLINE_COMPOSE_VERSION:-v2.40.3}"
MIN_VERSION=2.20.0   # `up --wait` with `--wait-timeout`

current="$(docker compose version --short 2>/dev/null || true)"
if [[ -n "$current" ]] && version_ge "${current#v}" "$MIN_VERSION"; then
  ok "docker compose $current"
  exit 0
fi

bin="$FAULTLINE_CACHE/compose-$COMPOSE_VERSION/bin/docker-compose"
if [[ ! -x "$bin" ]]; then
  command -v go >/dev/null 2>&1 || die "Go is needed to build Docker Compose (https://go.dev/dl/), or install the Docker Compose plugin"
  work="$(mktemp -d)"
  # `go install` refuses compose's module (its go.mod has exclude directives), so a wrapper module requires it,
  # copies the excludes, and builds its main package as a tool. The version is stamped in for `version`.
  cat >"$work/go.mod" <<MOD
module faultline.local/compose

go 1.24

require github.com/docker/compose/v2 $COMPOSE_VERSION

exclude (
	github.com/davecgh/go-spew v1.1.2-0.20180830191138-d8f796af33cc
	github.com/pmezard/go-difflib v1.0.1-0.20181226105442-5d4384ee4fb2
)

tool github.com/docker/compose/v2/cmd
MOD
  run_logged "resolve Docker Compose $COMPOSE_VERSION modules" bash -c "cd '$work' && go mod tidy"
  run_logged "build Docker Compose $COMPOSE_VERSION (several minutes the first time)" bash -c "cd '$work' && \
    CGO_ENABLED=0 go build -trimpath -ldflags '-s -w -X github.com/docker/compose/v2/internal.Version=$COMPOSE_VERSION' \
    -o '$bin.tmp' github.com/docker/compose/v2/cmd && mv '$bin.tmp' '$bin'"
  rm -rf "$work"
fi
plugins="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
mkdir -p "$plugins"
ln -sf "$bin" "$plugins/docker-compose"
got="$(docker compose version --short 2>/dev/null || true)"
[[ "$got" == "${COMPOSE_VERSION#v}" || "$got" == "$COMPOSE_VERSION" ]] || die "docker compose reports '$got' after installing $bin"
ok "docker compose $got (plugin $plugins/docker-compose)"
