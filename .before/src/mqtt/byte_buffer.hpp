#pragma once
// The growable output buffer encoders append to, and byte-view helpers.
#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

namespace wv::mqtt {

// Encoders append to the end and never shrink it; reuse one buffer (clear()) to avoid allocations.
using byte_buffer = std::vector<std::byte>;

inline std::span<const std::byte> as_bytes(std::string_view s) noexcept {
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

inline std::string_view as_chars(std::span<const std::byte> b) noexcept {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace wv::mqtt
