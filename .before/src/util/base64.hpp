#pragma once
// Standard base64 (RFC 4648, with padding): the encoding AWS uses for the authorizer
// event's password and for the rules engine's encode(*, 'base64').
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace wv::util {

std::string base64_encode(std::span<const std::byte> in);
std::string base64_encode(std::string_view in);

// Returns nullopt on a character outside the alphabet or a bad length/padding.
// Whitespace (space, tab, CR, LF) is skipped, as in `base64 -d -i`.
std::optional<std::string> base64_decode(std::string_view in);

}  // namespace wv::util
