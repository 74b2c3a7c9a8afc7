#pragma once
// Validation of MQTT "UTF-8 encoded strings" (1.5.3).
#include <string_view>
#include <system_error>

namespace wv::mqtt {

// Empty error_code when s is well-formed UTF-8 (RFC 3629) without U+0000. Errors, first found
// wins: utf8_malformed (stray or missing continuation bytes, 0xF5..0xFF, past U+10FFFF),
// utf8_overlong, utf8_surrogate, utf8_null. U+0001..U+001F and non-characters are accepted:
// 3.1.1 says a receiver MAY reject them, not MUST. Pure ASCII takes a fast path.
std::error_code validate_utf8(std::string_view s) noexcept;

}  // namespace wv::mqtt
