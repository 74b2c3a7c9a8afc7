#pragma once
// UTF-8 validation as libmosquitto applies it to topics: well-formed, shortest form, no
// surrogates, no U+0000, no control characters (U+0001-U+001F, U+007F-U+009F), no
// non-characters U+xxFFFE/U+xxFFFF.
#include <string_view>

namespace wv::wvpub {

bool is_valid_utf8(std::string_view s);

}  // namespace wv::wvpub
