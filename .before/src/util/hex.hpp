#pragma once
// Lower-case hex, for payload dumps, SigV4 digests and test vectors.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace wv::util {

std::string hex_encode(std::span<const std::byte> in);
std::string hex_encode(std::string_view in);

// Accepts upper or lower case; skips whitespace; nullopt on an odd digit count or a non-hex char.
std::optional<std::string> hex_decode(std::string_view in);

}  // namespace wv::util
