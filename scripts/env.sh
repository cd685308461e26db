#!/usr/bin/env bash
# `source scripts/env.sh` puts the project's Pulumi on PATH and points it at the local file backend.
# shellcheck source=scripts/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
