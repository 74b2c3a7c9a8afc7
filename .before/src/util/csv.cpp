#include "util/csv.hpp"

namespace wv::util {
namespace {

std::string trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return std::string(s);
}

}  // namespace

std::optional<std::vector<std::string>> split_csv_record(std::string_view line) {
    std::vector<std::string> out;
    std::string field;
    bool quoted = false, was_quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"')
                field += '"', ++i;
            else if (c == '"')
                quoted = false;
            else
                field += c;
        } else if (c == '"' && trim(field).empty()) {
            quoted = was_quoted = true;
            field.clear();
        } else if (c == ',') {
            out.push_back(was_quoted ? field : trim(field));
            field.clear();
            was_quoted = false;
        } else if (!was_quoted || (c != ' ' && c != '\t' && c != '\r')) {
            field += c;  // text after a closing quote is kept, as spreadsheets do
        }
    }
    if (quoted) return std::nullopt;
    out.push_back(was_quoted ? field : trim(field));
    return out;
}

}  // namespace wv::util
