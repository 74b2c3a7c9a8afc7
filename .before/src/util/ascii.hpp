#pragma once
// ASCII character classes, locale-free (std::isalnum depends on the C locale and takes an int).

namespace wv::util {

// 'a'-'z', 'A'-'Z', '0'-'9': the character class of AWS names and keys.
constexpr bool is_ascii_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace wv::util
