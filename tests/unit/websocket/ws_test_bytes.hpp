#pragma once
// Byte helpers for the WebSocket tests.
#include <cstddef>
#include <initializer_list>
#include <ostream>  // doctest prints std::error_code with it
#include <string>
#include <string_view>
#include <vector>

namespace wv::websocket::test {

using bytes_t = std::vector<std::byte>;

inline bytes_t bytes(std::initializer_list<int> v) {
    bytes_t out;
    for (int b : v) out.push_back(static_cast<std::byte>(b));
    return out;
}

inline bytes_t bytes(std::string_view s) {
    bytes_t out;
    for (char c : s) out.push_back(static_cast<std::byte>(c));
    return out;
}

inline std::string text(const bytes_t& b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

inline bytes_t cat(bytes_t a, const bytes_t& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

}  // namespace wv::websocket::test
