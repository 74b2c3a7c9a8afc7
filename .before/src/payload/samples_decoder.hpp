#pragma once
// Decodes akproto1.SamplesBatchMessage bytes into a samples_batch.
//
// Default (lenient) mode has libprotobuf's semantics, so the result is what Ayyeka's decoder
// Lambda sees: unknown fields and known fields with an unexpected wire type are skipped, the
// last scalar wins, repeated message fields merge, oneof members replace each other. Strict
// mode additionally rejects unknown fields and wrong wire types, for validating an encoder.
// Errors carry the byte offset and the field path; decoding never throws on bad input,
// never recurses deeper than the schema (plus a 100-level bound on unknown groups), and
// allocates at most in proportion to the input size. Pure functions: safe from any thread.
#include <cstddef>
#include <span>
#include <string_view>

#include "payload/decode_error.hpp"
#include "payload/samples_batch.hpp"

namespace wv::payload {

struct decode_options {
    bool strict = false;
    // Periodic plus sparse samples allowed in one batch; 0 means no limit. A bound for
    // callers that decode untrusted payloads in a shared process (each sample costs ~64 bytes
    // decoded and ~550 bytes as Lambda JSON).
    std::size_t max_samples = 0;
};

result<samples_batch> decode_samples_batch(std::span<const std::byte> in, decode_options opt = {});
result<samples_batch> decode_samples_batch(std::string_view in, decode_options opt = {});

}  // namespace wv::payload
