#!/usr/bin/env bash
# Shared shell helpers and the one definition of faultline's environment. Sourced, never run.
# Every script, test and the runner get the same PATH, backend and Pulumi settings from here: shells source this
# file, and setup.sh writes the resolved values to .faultline/env (write_env_file), which runner/env.ts reads.

FAULTLINE_ROOT="${FAULTLINE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
FAULTLINE_CACHE="${FAULTLINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faultline}"
FAULTLINE_STATE_DIR="${FAULTLINE_STATE_DIR:-$FAULTLINE_ROOT/.faultline/state}"
# The toolchain file records where setup-pulumi.sh found or built the CLI, so later shells skip the search.
FAULTLINE_TOOLCHAIN_FILE="$FAULTLINE_ROOT/.faultline/toolchain.env"
FAULTLINE_ENV_FILE="$FAULTLINE_ROOT/.faultline/env"

export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$FAULTLINE_STATE_DIR}"
# A local default so that a fresh clone works with no prompt; set your own for anything you keep.
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-faultline-local}"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
# Type checking belongs to `npm run typecheck`; ts-node only transpiles when Pulumi runs the program.
export PULUMI_NODEJS_TRANSPILE_ONLY="${PULUMI_NODEJS_TRANSPILE_ONLY:-true}"

if [[ -f "$FAULTLINE_TOOLCHAIN_FILE" ]]; then
  # shellcheck disable=SC1090
  source "$FAULTLINE_TOOLCHAIN_FILE"
  case ":$PATH:" in *":$FAULTLINE_PULUMI_BIN:"*) ;; *) export PATH="$FAULTLINE_PULUMI_BIN:$PATH" ;; esac
fi

# write_env_file: records the environment above for processes that do not source this file (the TypeScript side).
# The passphrase is written only when it is the local default: a passphrase of your own stays in your environment.
write_env_file() {
  {
    printf 'FAULTLINE_PULUMI_BIN=%s\n' "$FAULTLINE_PULUMI_BIN"
    printf 'PULUMI_BACKEND_URL=%s\n' "$PULUMI_BACKEND_URL"
    [[ "$PULUMI_CONFIG_PASSPHRASE" == faultline-local ]] && printf 'PULUMI_CONFIG_PASSPHRASE=%s\n' "$PULUMI_CONFIG_PASSPHRASE"
    printf 'PULUMI_SKIP_UPDATE_CHECK=true\nPULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true\n'
    printf 'PULUMI_NODEJS_TRANSPILE_ONLY=%s\n' "$PULUMI_NODEJS_TRANSPILE_ONLY"
  } >"$FAULTLINE_ENV_FILE"
}

if [[ -t 1 ]]; then _B=$'\e[1m'; _G=$'\e[32m'; _R=$'\e[31m'; _Y=$'\e[33m'; _N=$'\e[0m'; else _B=; _G=; _R=; _Y=; _N=; fi
step() { printf '%s==> %s%s\n' "$_B" "$*" "$_N"; }
ok() { printf '    %s✓%s %s\n' "$_G" "$_N" "$*"; }
warn() { printf '    %s!%s %s\n' "$_Y" "$_N" "$*" >&2; }
die() { printf '%serror:%s %s\n' "$_R" "$_N" "$*" >&2; exit 1; }

# run_logged LABEL CMD...: runs a long command with its output in a log file, printing a dot every 10 s so that
# the user sees progress, and the log's tail if it fails.
run_logged() {
  local label="$1"; shift
  local log; log="$(mktemp "${TMPDIR:-/tmp}/faultline-XXXXXX.log")"
  printf '    %s ' "$label"
  "$@" >"$log" 2>&1 &
  local pid=$! start=$SECONDS
  while kill -0 "$pid" 2>/dev/null; do sleep 2; (( (SECONDS - start) % 10 < 2 )) && printf '.'; done
  if wait "$pid"; then
    printf ' %sdone%s (%ss)\n' "$_G" "$_N" "$((SECONDS - start))"; rm -f "$log"
  else
    printf ' %sfailed%s\n' "$_R" "$_N"; tail -n 30 "$log" >&2; die "$label failed (full log: $log)"
  fi
}

# version_ge A B: true when semantic version A >= B.
version_ge() { [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" == "$2" ]]; }
