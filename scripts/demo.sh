#!/usr/bin/env bash
# The main job on the embedded default. Until wvsim exists: a wvdecode round trip.
set -euo pipefail
build=${1:-build}
echo "demo: not yet wired" >&2
