#include "auth/username.hpp"

#include "util/percent.hpp"

namespace wv::auth {

const char* to_string(username_errc e) noexcept {
    switch (e) {
    case username_errc::none: return "ok";
    case username_errc::second_question_mark: return "user name has a second '?' (AWS rejects it without invoking the authorizer)";
    case username_errc::bad_percent_encoding: return "user name has a '%' not followed by two hex digits";
    }
    return "unknown";
}

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Offset of the first malformed escape in `in`, or npos.
std::size_t bad_escape_at(std::string_view in) {
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '%') continue;
        if (in.size() - i < 3) return i;
        if (hex_value(in[i + 1]) < 0 || hex_value(in[i + 2]) < 0) return i;
        i += 2;
    }
    return std::string_view::npos;
}

}  // namespace

std::optional<std::string> url_decode(std::string_view in) { return util::percent_decode(in); }

std::optional<std::string> parsed_username::find(std::string_view key) const {
    for (const auto& p : parameters)
        if (p.key == key) return p.value;
    return std::nullopt;
}

std::optional<std::string> parsed_username::token(std::string_view token_key_name) const {
    if (token_key_name.empty()) return std::nullopt;
    return find(token_key_name);
}

username_result parse_username(std::string_view raw) {
    username_result r;
    const auto q = raw.find('?');
    r.value.base = std::string(raw.substr(0, q));
    if (q == std::string_view::npos) return r;
    r.value.has_query = true;
    const auto query = raw.substr(q + 1);
    if (const auto q2 = query.find('?'); q2 != std::string_view::npos) {
        r.error = username_errc::second_question_mark;
        r.error_position = q + 1 + q2;
        return r;
    }
    std::size_t start = 0;
    while (start <= query.size()) {
        auto end = query.find('&', start);
        if (end == std::string_view::npos) end = query.size();
        const auto part = query.substr(start, end - start);
        if (!part.empty()) {
            if (const auto bad = bad_escape_at(part); bad != std::string_view::npos) {
                r.error = username_errc::bad_percent_encoding;
                r.error_position = q + 1 + start + bad;
                return r;
            }
            const auto eq = part.find('=');
            username_parameter p;
            p.key = *url_decode(part.substr(0, eq));
            if (eq != std::string_view::npos) p.value = *url_decode(part.substr(eq + 1));
            r.value.parameters.push_back(std::move(p));
        }
        start = end + 1;
    }
    return r;
}

}  // namespace wv::auth
