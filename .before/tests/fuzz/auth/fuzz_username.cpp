// libFuzzer target: the MQTT user name is the first thing a device controls.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth/username.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view raw(reinterpret_cast<const char*>(data), size);
    const auto r = wv::auth::parse_username(raw);
    if (!r.ok() && r.error_position >= raw.size()) __builtin_trap();  // the offset points into the input
    if (r.ok()) (void)r.value.token("token");
    return 0;
}
