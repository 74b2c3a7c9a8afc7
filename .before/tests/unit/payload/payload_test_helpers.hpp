#pragma once
// Shared by the payload tests: byte helpers, Debian's protoc as an independent encoder, and
// libprotobuf's JSON printer plus a literal transcription of the Lambda's flattening, as an
// independent route to the data_samples object.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "libprotobuf_lambda.hpp"

namespace wv::payload::test {

std::vector<std::byte> bytes(std::string_view s);
std::vector<std::byte> bytes(std::initializer_list<int> v);
std::string str(const std::vector<std::byte>& b);

// `protoc --encode=akproto1.<message>` of `text` against proto/; fails the test on error.
std::string protoc_encode(std::string_view message, std::string_view text);

// libprotobuf's text format of SamplesBatchMessage bytes (empty if it rejects them).
std::string libprotobuf_text(std::string_view wire);

// libprotobuf's own serialization after parsing (round trip through its object model).
std::string libprotobuf_reserialize(std::string_view wire);

}  // namespace wv::payload::test
