// libFuzzer target: topic validation and matching. The input is "filter\0name"; for every valid
// filter and name, topic_matches must agree with the naive level-splitting reference.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/mqtt/topic_reference.hpp"
#include "mqtt/topic.hpp"
#include "mqtt/utf8.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in{reinterpret_cast<const char*>(data), size};
    const auto zero = in.find('\0');
    const auto filter = in.substr(0, zero);
    const auto name = zero == std::string_view::npos ? std::string_view{} : in.substr(zero + 1);
    const bool matched = wv::mqtt::topic_matches(filter, name);  // any input: must not crash
    (void)wv::mqtt::validate_utf8(in);
    if (wv::mqtt::validate_topic_filter(filter) || wv::mqtt::validate_topic_name(name)) return 0;
    if (matched != wv::mqtt::fuzz::reference_matches(filter, name)) __builtin_trap();
    return 0;
}
