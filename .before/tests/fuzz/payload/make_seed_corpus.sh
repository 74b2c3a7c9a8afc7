#!/usr/bin/env bash
# Regenerates the seed corpus from wvdecode --generate (every shipped profile) and protoc-encoded
# edge cases. Usage: tests/fuzz/payload/make_seed_corpus.sh <build dir with wvdecode>
set -euo pipefail
cd "$(dirname "$0")/../../.."
wvdecode=${1:-build}/tools/wvdecode/wvdecode
out=tests/fuzz/corpus/payload
mkdir -p "$out"
for p in config/profiles/*.yaml; do
  "$wvdecode" --generate 1 --now-ms 1700000000000 --profile "$p" --out raw > "$out/profile-$(basename "$p" .yaml)"
done
enc() { protoc --encode=akproto1.$1 -I proto "$2" > "$out/$3"; }
echo 'report_id: -1 samples_batch { type_and_number { channel_number: 4294967295 channel_type: LORA_SIGNAL_CHANNEL_TYPE } sparse { samples { timestamp: 18446744073709551615 data { sint64_value: -9223372036854775808 } } samples { data { bool_value: false } } samples { } } }' | enc SamplesBatchMessage samples_message.proto edge-sparse
echo 'samples_batch { periodic { first_timestamp: 1 interval: 2 data { float_value: nan } data { double_value: -inf } data { gps_value { latitude: -900000000 } } data { jpg_value { image_data: "\377\330\377\331" } } data { } } }' | enc SamplesBatchMessage samples_message.proto edge-periodic
echo 'report_id: 7 reason: TERMINATED report_priority: REPORTING_PRIORITY_INVALID' | enc ReportEndMessage report_end_message.proto reportend
printf '\x7b\x7b\x08\x01\x7c\x7c\x08\x05' > "$out/group-unknown"
printf '\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01' > "$out/varint-10"
printf '\x12\x05\x12\x00' > "$out/length-past-end"
ls -l "$out"
