#!/usr/bin/env bash
# The main job on the embedded default: a fleet of simulated Wavelets against the local
# gateway (wvgate in-process, static authorizer, per-device policy), every report checked on
# arrival, then one report decoded the way the integration's decoder Lambda decodes it.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
wvsim="$build/simulator/wvsim"
wvdecode="$build/tools/wvdecode/wvdecode"
for tool in "$wvsim" "$wvdecode"; do
  if [[ ! -x $tool ]]; then
    echo "demo: $tool is not built (run: make build)" >&2
    exit 1
  fi
done
out="$build/demo"
mkdir -p "$out"

echo "== 1. wvsim: 1,000 Wavelets over TLS (ALPN mqtt, custom-authorizer login) for 20 s, one report/s each, --verify"
"$wvsim" --devices "${WV_DEMO_DEVICES:-1000}" --duration "${WV_DEMO_SECONDS:-20}" --verify \
         --json "$out/wvsim.json" --html "$out/wvsim.html"

echo
echo "== 2. wvdecode: the first report of a device, as the decoder Lambda's data_samples JSON"
hex=$("$wvdecode" --generate 1 --now-ms "$(( $(date +%s) * 1000 ))" --out hex)
echo "payload (hex): $hex"
"$wvdecode" --pretty "$hex"

echo
echo "Reports: $out/wvsim.json (wvsim merge input), $out/wvsim.html (open in a browser)"
