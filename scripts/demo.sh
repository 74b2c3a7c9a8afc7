#!/usr/bin/env bash
# The main job on the embedded default. Until wvsim exists: a wvdecode round trip of a generated
# report (generate the sample client's default report, print it as hex, decode it to the decoder
# Lambda's JSON and to protobuf text format, then encode the text back and compare).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
wvdecode="$build/tools/wvdecode/wvdecode"
if [[ ! -x $wvdecode ]]; then
  echo "demo: $wvdecode is not built (run: make build)" >&2
  exit 1
fi

echo "== 1. A default report (3 TEMP channels, one uint64 sample each, as Ayyeka's sample client sends), hex:"
now_ms=$(( $(date +%s) * 1000 ))
hex=$("$wvdecode" --generate 1 --now-ms "$now_ms" --out hex)
echo "$hex"

echo
echo "== 2. wvdecode: the decoder Lambda's data_samples JSON"
"$wvdecode" --pretty "$hex"

echo
echo "== 3. wvdecode --text: protobuf text format"
text=$("$wvdecode" --text "$hex")
echo "$text"

echo
echo "== 4. Round trip: text format back to bytes with wvdecode --encode"
again=$(printf '%s\n' "$text" | "$wvdecode" --encode --out hex)
if [[ $again != "$hex" ]]; then
  echo "demo: round trip differs: $again" >&2
  exit 1
fi
echo "identical: $again"

if command -v protoc >/dev/null; then
  echo
  echo "== 5. Cross-check: Debian's protoc --decode reads the same bytes"
  "$wvdecode" --generate 1 --now-ms "$now_ms" --out raw | protoc --decode=akproto1.SamplesBatchMessage -I proto proto/samples_message.proto
fi
