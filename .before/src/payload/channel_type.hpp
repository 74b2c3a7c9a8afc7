#pragma once
// akcommon.ChannelType: the numbers and names of proto/channel_type.proto.
#include <cstdint>
#include <optional>
#include <string_view>

namespace wv::payload {

enum class channel_type : std::int32_t {
    adc_4_20 = 0,
    adc_0_5 = 1,
    pcnt = 2,
    vbat = 3,
    temp = 4,
    health_counters = 5,
    gsm_signal = 6,
    gps = 7,
    blob = 8,
    gpio = 9,
    modbus_uint32 = 10,
    modbus_sint32 = 11,
    modbus_f32 = 12,
    adc_s32 = 13,
    touch = 14,
    lora_signal = 15,
};

inline constexpr int channel_type_count = 16;

// The proto name ("TEMP_CHANNEL_TYPE"); nullopt for numbers outside the enum (proto3 keeps
// them, and the JSON mapping then prints the number).
std::optional<std::string_view> channel_type_name(std::int32_t value) noexcept;

// Accepts the proto name ("TEMP_CHANNEL_TYPE"), the short form ("TEMP", "temp") or a number.
std::optional<channel_type> parse_channel_type(std::string_view text) noexcept;

}  // namespace wv::payload
