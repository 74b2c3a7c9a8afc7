#pragma once
// A deliberately naive topic matcher, written straight from MQTT 3.1.1 section 4.7 (split both
// strings into levels, compare level by level), used as the oracle for topic_matches in the
// exhaustive unit test and the topic fuzzer.
#include <string_view>
#include <vector>

namespace wv::mqtt::fuzz {

inline std::vector<std::string_view> split_levels(std::string_view s) {
    std::vector<std::string_view> out;
    for (;;) {
        const auto slash = s.find('/');
        out.push_back(s.substr(0, slash));
        if (slash == std::string_view::npos) return out;
        s.remove_prefix(slash + 1);
    }
}

inline bool reference_matches(std::string_view filter, std::string_view name) {
    if (!name.empty() && name[0] == '$' && !filter.empty() && (filter[0] == '+' || filter[0] == '#')) return false;
    const auto f = split_levels(filter);
    const auto n = split_levels(name);
    for (std::size_t i = 0; i < f.size(); ++i) {
        if (f[i] == "#") return true;
        if (i >= n.size()) return false;
        if (f[i] != "+" && f[i] != n[i]) return false;
    }
    return f.size() == n.size();
}

}  // namespace wv::mqtt::fuzz
