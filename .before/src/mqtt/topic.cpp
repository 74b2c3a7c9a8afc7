#include "mqtt/topic.hpp"

#include <algorithm>

#include "mqtt/errors.hpp"

namespace wv::mqtt {
namespace {

// A plain loop: string_view::find_first_of calls memchr once per character, which doubled the
// cost of decoding a PUBLISH.
bool has_wildcard(std::string_view s) noexcept {
    for (const char c : s)
        if (c == '+' || c == '#') return true;
    return false;
}

}  // namespace

std::error_code validate_topic_name(std::string_view name) noexcept {
    if (name.empty()) return mqtt_errc::empty_topic_name;
    if (has_wildcard(name)) return mqtt_errc::wildcard_in_topic_name;
    return {};
}

std::error_code validate_topic_filter(std::string_view filter) noexcept {
    if (filter.empty()) return mqtt_errc::empty_topic_filter;
    for (std::size_t i = 0; i < filter.size(); ++i) {
        const char c = filter[i];
        if (c != '+' && c != '#') continue;
        const bool starts_level = i == 0 || filter[i - 1] == '/';
        const bool ends_level = i + 1 == filter.size() || filter[i + 1] == '/';
        if (c == '#') {
            if (!starts_level || i + 1 != filter.size()) return mqtt_errc::misplaced_multi_level_wildcard;
        } else if (!starts_level || !ends_level) {
            return mqtt_errc::misplaced_single_level_wildcard;
        }
    }
    return {};
}

bool is_wildcard(std::string_view filter) noexcept {
    return has_wildcard(filter);
}

bool topic_matches(std::string_view filter, std::string_view name) noexcept {
    // [MQTT-4.7.2-1]: '$SYS/...' and other '$' topics are not matched by a leading wildcard.
    if (!name.empty() && name.front() == '$' && !filter.empty() &&
        (filter.front() == '+' || filter.front() == '#'))
        return false;
    std::size_t f = 0;
    std::size_t n = 0;
    for (;;) {
        // Both positions are at the start of a level here.
        const std::size_t f_end = std::min(filter.find('/', f), filter.size());
        const std::string_view f_level = filter.substr(f, f_end - f);
        if (f_level == "#") return true;  // this level and everything below, or nothing
        if (n > name.size()) {
            // The name ran out one level ago: only a trailing "/#" (already handled) matches.
            return false;
        }
        const std::size_t n_end = std::min(name.find('/', n), name.size());
        const std::string_view n_level = name.substr(n, n_end - n);
        if (f_level != "+" && f_level != n_level) return false;
        const bool f_last = f_end == filter.size();
        const bool n_last = n_end == name.size();
        if (f_last && n_last) return true;
        if (f_last) return false;  // the name has more levels than the filter
        f = f_end + 1;
        // A name without further levels can still match a filter whose next level is "#".
        n = n_last ? name.size() + 1 : n_end + 1;
    }
}

}  // namespace wv::mqtt
