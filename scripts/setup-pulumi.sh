#!/usr/bin/env bash
# Makes the pinned Pulumi CLI, a Node.js language host and the dynamic-provider plugin available in one directory,
# FAULTLINE_PULUMI_BIN, recorded in .faultline/toolchain.env for every later script, test and runner.
#   - a `pulumi` already on PATH at the pinned version or newer (with its language host) is used as it is;
#   - otherwise the CLI is built from the Go module github.com/pulumi/pulumi/pkg/v3 at the pinned version, and the
#     language host from scripts/pulumi-language-nodejs (see the comment at the top of its main.go for why), into a
#     cache outside the repository that later clones on the same machine reuse.
# Usage: setup-pulumi.sh VERSION   (VERSION without the leading v, e.g. 3.259.0)
set -euo pipefail
VERSION="${1:?usage: setup-pulumi.sh VERSION}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"

BIN="$FAULTLINE_CACHE/pulumi-v$VERSION/bin"
mkdir -p "$BIN" "$(dirname "$FAULTLINE_TOOLCHAIN_FILE")"

cli_version() { "$1" version 2>/dev/null | tr -d 'v\r'; }

langhost_hash() { cat "$ROOT"/scripts/pulumi-language-nodejs/{main.go,go.mod,go.sum} | sha256sum | cut -c1-16; }

found=""
if [[ -x "$BIN/pulumi" && ! -L "$BIN/pulumi" && "$(cli_version "$BIN/pulumi")" == "$VERSION" ]]; then
  ok "cached CLI build: $BIN/pulumi (v$VERSION)"
  found=cache
else
  # A pulumi on PATH that is not ours: take it if it is new enough and ships its language host.
  sys="$(PATH="${PATH//$BIN:/}" command -v pulumi || true)"
  if [[ -n "$sys" ]]; then
    sysv="$(cli_version "$sys")"
    sysdir="$(dirname "$(readlink -f "$sys")")"
    if version_ge "$sysv" "$VERSION" && [[ -x "$sysdir/pulumi-language-nodejs" ]]; then
      ln -sf "$sysdir/pulumi" "$BIN/pulumi"
      ln -sf "$sysdir/pulumi-language-nodejs" "$BIN/pulumi-language-nodejs"
      ok "using the installed pulumi v$sysv at $sysdir"
      found=system
    else
      warn "ignoring pulumi v$sysv at $sysdir: need v$VERSION or newer with pulumi-language-nodejs beside it"
    fi
  fi
fi

if [[ -z "$found" ]]; then
  command -v go >/dev/null 2>&1 || die "no Pulumi CLI v$VERSION+ on PATH and no Go toolchain to build one.
  Install Pulumi (https://www.pulumi.com/docs/install/) or Go 1.24+ (https://go.dev/dl/) and run this again."
  SRC="$FAULTLINE_CACHE/pulumi-v$VERSION/src"
  mkdir -p "$SRC"
  rm -f "$BIN/pulumi" "$BIN/pulumi-language-nodejs"
  # The CLI's go.mod uses replace directives, so `go install pkg@version` refuses it; a wrapper module that
  # requires pkg and sdk at the same version and repeats pkg's non-local replace works.
  cat >"$SRC/go.mod" <<GOMOD
module faultline.local/pulumi-cli

go 1.24

require (
	github.com/pulumi/pulumi/pkg/v3 v$VERSION
	github.com/pulumi/pulumi/sdk/v3 v$VERSION
)

replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e

tool github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
GOMOD
  run_logged "resolve Go modules for pulumi v$VERSION (first time: a few minutes)" \
    bash -c "cd '$SRC' && go mod tidy"
  run_logged "build pulumi v$VERSION (first time: 10-15 minutes on 2 cores)" \
    bash -c "cd '$SRC' && go build -o '$BIN/pulumi' \
      -ldflags '-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$VERSION' \
      github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
  [[ "$(cli_version "$BIN/pulumi")" == "$VERSION" ]] || die "the built CLI does not report v$VERSION"
  ok "built $BIN/pulumi"
fi

# Our language host is built once per version of its source, into a directory of its own beside a hard link of the
# CLI (the engine looks for the language host next to the running `pulumi`): checkouts on one machine whose
# scripts/pulumi-language-nodejs differ (branches, worktrees) each get theirs instead of overwriting a shared one.
# An installed Pulumi brings its own language host.
if [[ "$found" != system ]]; then
  want="$(langhost_hash)"
  LBIN="$FAULTLINE_CACHE/pulumi-v$VERSION/langhost-$want/bin"
  if [[ -x "$LBIN/pulumi-language-nodejs" ]]; then
    ok "cached pulumi-language-nodejs ($want)"
  else
    command -v go >/dev/null 2>&1 || die "Go is needed to build scripts/pulumi-language-nodejs (https://go.dev/dl/)"
    mkdir -p "$LBIN"
    run_logged "build pulumi-language-nodejs ($want)" \
      bash -c "cd '$ROOT/scripts/pulumi-language-nodejs' && go build -o '$LBIN/pulumi-language-nodejs.tmp' \
        -ldflags '-X main.version=$VERSION' . && mv -f '$LBIN/pulumi-language-nodejs.tmp' '$LBIN/pulumi-language-nodejs'"
  fi
  if [[ ! "$LBIN/pulumi" -ef "$BIN/pulumi" ]]; then
    ln -f "$BIN/pulumi" "$LBIN/pulumi.tmp" 2>/dev/null || cp "$BIN/pulumi" "$LBIN/pulumi.tmp"
    mv -f "$LBIN/pulumi.tmp" "$LBIN/pulumi"
  fi
  BIN="$LBIN"
fi

# Dynamic providers run through this script: @pulumi/pulumi's own, with a watchdog that ends the provider when the
# engine is gone (a SIGKILLed `pulumi` would otherwise leave it running).
install -m 0755 "$ROOT/scripts/pulumi-language-nodejs/pulumi-resource-pulumi-nodejs" "$BIN/pulumi-resource-pulumi-nodejs"

printf 'FAULTLINE_PULUMI_BIN=%q\nFAULTLINE_PULUMI_VERSION=%q\n' "$BIN" "$VERSION" >"$FAULTLINE_TOOLCHAIN_FILE"
ok "pulumi $("$BIN/pulumi" version) on PATH via scripts/env.sh"
