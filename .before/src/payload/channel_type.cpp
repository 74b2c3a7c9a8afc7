#include "payload/channel_type.hpp"

#include <array>
#include <charconv>

namespace wv::payload {
namespace {

constexpr std::array<std::string_view, channel_type_count> names = {
    "ADC_4_20_CHANNEL_TYPE",      "ADC_0_5_CHANNEL_TYPE",        "PCNT_CHANNEL_TYPE",
    "VBAT_CHANNEL_TYPE",          "TEMP_CHANNEL_TYPE",           "HEALTH_COUNTERS_CHANNEL_TYPE",
    "GSM_SIGNAL_CHANNEL_TYPE",    "GPS_CHANNEL_TYPE",            "BLOB_CHANNEL_TYPE",
    "GPIO_CHANNEL_TYPE",          "MODBUS_UINT32_CHANNEL_TYPE",  "MODBUS_SINT32_CHANNEL_TYPE",
    "MODBUS_F32_CHANNEL_TYPE",    "ADC_S32_CHANNEL_TYPE",        "TOUCH_CHANNEL_TYPE",
    "LORA_SIGNAL_CHANNEL_TYPE"};

constexpr std::string_view suffix = "_CHANNEL_TYPE";

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto up = [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; };
        if (up(a[i]) != up(b[i])) return false;
    }
    return true;
}

}  // namespace

std::optional<std::string_view> channel_type_name(std::int32_t value) noexcept {
    if (value < 0 || value >= channel_type_count) return std::nullopt;
    return names[static_cast<std::size_t>(value)];
}

std::optional<channel_type> parse_channel_type(std::string_view text) noexcept {
    int n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec == std::errc{} && end == text.data() + text.size())
        return n >= 0 && n < channel_type_count ? std::optional(static_cast<channel_type>(n)) : std::nullopt;
    for (int i = 0; i < channel_type_count; ++i) {
        const auto full = names[static_cast<std::size_t>(i)];
        if (iequals(text, full) || iequals(text, full.substr(0, full.size() - suffix.size())))
            return static_cast<channel_type>(i);
    }
    return std::nullopt;
}

}  // namespace wv::payload
