#pragma once
// The independent route to the Lambda's data_samples object, used as an oracle by the tests
// and the fuzzer: libprotobuf parses, MessageToJsonString (always_print_primitive_fields)
// prints, and the Lambda's flattening is transcribed literally over that JSON.
#include <string_view>

#include <nlohmann/json.hpp>

namespace wv::payload::test {

// A JSON null when libprotobuf rejects the bytes. Throws std::runtime_error if libprotobuf
// parses but cannot print (never seen).
nlohmann::json libprotobuf_lambda_json(std::string_view wire);

}  // namespace wv::payload::test
