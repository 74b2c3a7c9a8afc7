#include "payload_input.hpp"

#include <algorithm>

#include "util/base64.hpp"
#include "util/hex.hpp"

namespace wv::wvdecode {
namespace {

std::string_view trim(std::string_view s) {
    const auto ws = " \t\r\n";
    const auto b = s.find_first_not_of(ws);
    if (b == std::string_view::npos) return {};
    return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

bool is_hex_text(std::string_view s) {
    std::size_t digits = 0;
    for (char c : s) {
        if (std::isxdigit(static_cast<unsigned char>(c))) ++digits;
        else if (c != ' ' && c != '\t') return false;
    }
    return digits % 2 == 0;
}

}  // namespace

payload_item decode_text_payload(std::string_view text, input_encoding enc, std::string label) {
    payload_item item{.label = std::move(label), .data = std::nullopt, .error = {}};
    text = trim(text);
    switch (enc) {
    case input_encoding::raw: item.data = std::string(text); break;
    case input_encoding::hex:
        item.data = util::hex_decode(text);
        if (!item.data) item.error = "not valid hex (odd digit count or a non-hex character)";
        break;
    case input_encoding::base64:
        item.data = util::base64_decode(text);
        if (!item.data) item.error = "not valid base64";
        break;
    case input_encoding::auto_detect:
        // Say which reading was taken, so an error on a mistyped payload is not a mystery.
        if (is_hex_text(text) && (item.data = util::hex_decode(text))) item.label += " (read as hex)";
        else if ((item.data = util::base64_decode(text))) item.label += " (read as base64)";
        else item.data = std::string(text), item.label += " (read as raw bytes)";
        break;
    }
    return item;
}

std::vector<std::pair<std::size_t, std::string_view>> non_empty_lines(std::string_view content) {
    std::vector<std::pair<std::size_t, std::string_view>> out;
    std::size_t number = 0;
    while (!content.empty()) {
        ++number;
        const auto nl = content.find('\n');
        const auto line = content.substr(0, nl);
        if (!trim(line).empty()) out.emplace_back(number, line);
        if (nl == std::string_view::npos) break;
        content.remove_prefix(nl + 1);
    }
    return out;
}

std::vector<payload_item> split_stream(const std::string& content, input_encoding enc) {
    const bool binary = std::any_of(content.begin(), content.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return !(u == '\n' || u == '\r' || u == '\t' || (u >= 0x20 && u < 0x7f));
    });
    if (enc == input_encoding::raw || (enc == input_encoding::auto_detect && binary))
        return {payload_item{.label = "input", .data = content, .error = {}}};
    std::vector<payload_item> out;
    for (const auto& [n, line] : non_empty_lines(content))
        out.push_back(decode_text_payload(line, enc, "line " + std::to_string(n)));
    return out;
}

}  // namespace wv::wvdecode
