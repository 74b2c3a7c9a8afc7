// libFuzzer target: an authorizer's reply is untrusted input (any Lambda can return anything).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth/authorizer_response.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    const auto v = wv::auth::validate_response(body);  // must return: no crash, no leak, no hang
    if (v.allowed && (v.response.principal_id.empty() || v.response.policy_documents.size() > 10)) __builtin_trap();
    return 0;
}
