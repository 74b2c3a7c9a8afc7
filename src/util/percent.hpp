#pragma once
// RFC 3986 percent-decoding, the one implementation (MQTT user names, HTTP paths and queries,
// SigV4 query parameters): `%XX` becomes the byte, `+` stays `+` (it is not form encoding:
// base64 signatures and MQTT wildcards keep their `+`). Pure; thread-safe.
#include <optional>
#include <string>
#include <string_view>

namespace wv::util {

// nullopt on a malformed escape (`%` not followed by two hex digits).
std::optional<std::string> percent_decode(std::string_view in);

}  // namespace wv::util
