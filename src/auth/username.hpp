#pragma once
// The MQTT user name of a custom-auth CONNECT (spec 1.3):
//
//   <username>?x-amz-customauthorizer-name=<a>&x-amz-customauthorizer-signature=<s>&<tokenKeyName>=<t>
//
// Every parameter is optional and may come in any order; SDKs append their own (`SDK=`,
// `Version=`), which pass through untouched. Keys and values are URL-decoded before
// use; the raw user name still goes to the authorizer
// byte for byte (the event carries `protocolData.mqtt.username` unmodified).
//
// Decoding is RFC 3986 percent-decoding only: `+` stays `+`. Signatures are base64, and
// devices that forget to URL-encode them send raw `+`; turning those into spaces (form
// encoding) would break every such signature, while `%2B` still decodes to `+`.
//
// Pure: no I/O, no allocation beyond the result. Thread-safe (no shared state).
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wv::auth {

inline constexpr std::string_view authorizer_name_key = "x-amz-customauthorizer-name";
inline constexpr std::string_view signature_key = "x-amz-customauthorizer-signature";

enum class username_errc {
    none = 0,
    second_question_mark,  // `...?a=b?SDK=...`: AWS rejects it without invoking the authorizer
    bad_percent_encoding,  // `%` not followed by two hex digits
};
const char* to_string(username_errc e) noexcept;

struct username_parameter {
    std::string key{};    // URL-decoded
    std::string value{};  // URL-decoded; empty for a bare `key`
};

struct parsed_username {
    std::string base{};                      // the part before `?` (not decoded: it is the device's own)
    bool has_query = false;                // a `?` was present (even with nothing after it)
    std::vector<username_parameter> parameters{};  // in order of appearance

    // The first value for `key` (keys compare exactly, case-sensitively, as AWS's are
    // lower-case constants). nullopt when absent.
    std::optional<std::string> find(std::string_view key) const;
    std::optional<std::string> authorizer_name() const { return find(authorizer_name_key); }
    std::optional<std::string> signature() const { return find(signature_key); }
    // The token under the authorizer's tokenKeyName; nullopt when the key is empty or absent.
    std::optional<std::string> token(std::string_view token_key_name) const;
};

struct username_result {
    username_errc error = username_errc::none;
    std::size_t error_position = 0;  // byte offset in the raw user name
    parsed_username value{};           // meaningful only when error == none
    bool ok() const { return error == username_errc::none; }
};

username_result parse_username(std::string_view raw);

// `%XX` decoding (`+` kept as is). nullopt on a malformed escape. util::percent_decode.
std::optional<std::string> url_decode(std::string_view in);

}  // namespace wv::auth
