#pragma once
// Generated Wavelet reports for the validate tests: every value kind, periodic and sparse
// channels, several devices, and the events a rule would hand the decoder.
#include <cstdint>
#include <string>
#include <vector>

#include "payload/report_encoder.hpp"
#include "payload/report_profile.hpp"

namespace wv::rules_engine_test {

inline payload::report_profile varied_profile() {
    using payload::channel_type;
    using payload::sampling;
    using payload::value_kind;
    payload::report_profile p;
    p.name = "varied";
    p.seed = 11;
    p.channels = {
        {.type = channel_type::temp, .number = 1, .mode = sampling::periodic, .samples = 3, .kind = value_kind::uint64},
        {.type = channel_type::modbus_f32, .number = 2, .mode = sampling::periodic, .samples = 4,
         .kind = value_kind::float32, .min = -1000, .max = 1000, .interval_ms = 250},
        {.type = channel_type::adc_s32, .number = 3, .mode = sampling::sparse, .samples = 3, .kind = value_kind::sint64,
         .min = -5000, .max = 5000},
        {.type = channel_type::vbat, .number = 4, .mode = sampling::sparse, .samples = 2, .kind = value_kind::float64,
         .min = 3.3, .max = 4.2, .interval_ms = 60000},
        {.type = channel_type::gpio, .number = 5, .mode = sampling::periodic, .samples = 2, .kind = value_kind::boolean},
        {.type = channel_type::gps, .number = 6, .kind = value_kind::gps},
        {.type = channel_type::blob, .number = 7, .kind = value_kind::jpg, .jpg_bytes = 48},
        {.type = channel_type::lora_signal, .number = 8, .mode = sampling::periodic, .samples = 0},
    };
    return p;
}

struct report {
    std::string client_id;
    std::string topic;
    std::string payload;
};

// `count` reports spread over 5 devices.
inline std::vector<report> report_batch(std::size_t count) {
    std::vector<report> out;
    std::vector<payload::report_encoder> encoders;
    for (std::uint32_t d = 0; d < 5; ++d) encoders.emplace_back(varied_profile(), d);
    std::vector<std::byte> buf;
    for (std::size_t i = 0; i < count; ++i) {
        auto& enc = encoders[i % encoders.size()];
        enc.encode(static_cast<std::int64_t>(i + 1), 1'700'000'000'000ULL + i * 1000, buf);
        const auto id = "AKID-" + std::to_string(enc.device_index());
        out.push_back({id, "wv/" + id + "/1/samp/p1", std::string(reinterpret_cast<const char*>(buf.data()), buf.size())});
    }
    return out;
}

}  // namespace wv::rules_engine_test
