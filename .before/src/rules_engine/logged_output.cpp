#include "rules_engine/logged_output.hpp"

#include <stdexcept>
#include <string_view>

namespace wv::rules_engine {

namespace {

using njson = nlohmann::json;

// A line holding many braces that are not JSON (a stack dump, say) is not worth more tries.
constexpr std::size_t max_starts_per_line = 64;

njson parse_or_discarded(std::string_view text) {
    return njson::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
}

std::optional<njson> object_in_line(std::string_view line) {
    const auto last = line.rfind('}');
    if (last == std::string_view::npos) return std::nullopt;
    std::size_t tries = 0;
    for (auto start = line.find('{'); start < last && tries < max_starts_per_line;
         start = line.find('{', start + 1), ++tries) {
        auto j = parse_or_discarded(line.substr(start, last - start + 1));
        if (j.is_object()) return j;
    }
    return std::nullopt;
}

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

}  // namespace

std::optional<logged_output> last_logged_json_object(const std::vector<std::string>& lines, const njson& event) {
    for (std::size_t i = lines.size(); i-- > 0;) {
        auto j = object_in_line(lines[i]);
        if (!j) continue;
        if (!event.is_null() && *j == event) continue;
        return logged_output{std::move(*j), i};
    }
    return std::nullopt;
}

std::optional<logged_output> logged_json_after_marker(const std::vector<std::string>& lines,
                                                      const std::string& marker) {
    for (std::size_t i = lines.size(); i-- > 0;) {
        const std::string_view line = lines[i];
        const auto at = line.rfind(marker);
        if (marker.empty() || at == std::string_view::npos) continue;
        const auto rest = trimmed(line.substr(at + marker.size()));
        auto j = parse_or_discarded(rest);
        if (j.is_discarded())
            throw std::invalid_argument("the log line with marker '" + marker + "' is not followed by JSON: " +
                                        std::string(line.substr(0, 200)));
        return logged_output{std::move(j), i};
    }
    return std::nullopt;
}

std::string no_logged_json_hint(const std::vector<std::string>& lines) {
    for (std::size_t i = lines.size(); i-- > 0;) {
        const std::string_view line = lines[i];
        if (line.find("{'") != std::string_view::npos)
            return "a log line looks like a python dict printed with print() or str(), which is not JSON "
                   "(log json.dumps(result)): " + std::string(line.substr(0, 200));
    }
    return {};
}

}  // namespace wv::rules_engine
